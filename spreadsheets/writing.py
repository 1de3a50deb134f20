"""Writing workbooks in the office's style, and the one rule that keeps text from running.

Every text cell of every workbook the product writes goes through ``put`` (or, for rows of
a raw-data export, ``escape_formula``), so that a name, heading or reason that starts like a
formula (= + - @) stays text: in an openpyxl cell it is a string with Excel's quote prefix
(shown without the apostrophe); in a CSV or an import-export dataset it gets a leading
apostrophe, which the import strips again.

Fonts: a cell names one font with no fallback. 黑体 and 宋体 ship with every Chinese Windows
and WPS install; 方正小标宋 and 仿宋_GB2312 often do not.
"""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.worksheet import Worksheet

from .reading import META_SHEET

# Text a spreadsheet program would run: a formula, or a DDE/command trick behind a tab or CR.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

TITLE_FONT = Font(name="黑体", size=16)
HEADER_FONT = Font(name="黑体", size=11)
BODY_FONT = Font(name="宋体", size=11)
NOTE_FONT = Font(name="宋体", size=10, color="555555")
TOTAL_FONT = Font(name="宋体", size=11, bold=True)
INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")  # pale yellow: "type here"
HEADER_FILL = PatternFill("solid", fgColor="EDEDED")
THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
RIGHT = Alignment(horizontal="right", vertical="center", indent=1)
NAME = Alignment(horizontal="left", vertical="center", wrap_text=True, indent=1)
BODY_ROW_HEIGHT = 22
UNLOCKED = Protection(locked=False)
MISSING = "—"
PAGE_FOOTER = "第 &P 页，共 &N 页"


def looks_like_formula(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)


def escape_formula(value):
    """For a CSV cell or a dataset row: text that would run as a formula gets an apostrophe."""
    return "'" + value if looks_like_formula(value) else value


def unescape_formula(text: str) -> str:
    """The inverse of ``escape_formula``, for an import of what we exported."""
    if text.startswith("'") and looks_like_formula(text[1:]):
        return text[1:]
    return text


def put(
    ws: Worksheet, row: int, col: int, value, *, font=BODY_FONT, align=CENTER, fmt: str = ""
) -> Cell:
    """Writes a cell; text is always text (never a formula), styled as given."""
    cell = ws.cell(row=row, column=col)
    cell.value = value
    if isinstance(value, str):
        # openpyxl makes any string starting with "=" a formula; text is text here.
        cell.data_type = "s"
        if looks_like_formula(value):
            cell.quotePrefix = True
    if font is not None:
        cell.font = font
    if align is not None:
        cell.alignment = align
    if fmt:
        cell.number_format = fmt
    return cell


def formula(ws: Worksheet, row: int, col: int, expression: str, *, font=BODY_FONT, align=RIGHT):
    """A formula we write on purpose (a total row's SUM): the one way to put one in a cell."""
    cell = ws.cell(row=row, column=col)
    cell.value = expression
    cell.font, cell.alignment = font, align
    return cell


def number(value: Decimal | None):
    """A stored figure as an Excel number (int when whole); MISSING when there is none."""
    if value is None:
        return MISSING
    value = value.normalize()
    return int(value) if value == value.to_integral_value() else Decimal(f"{value:f}")


def meta_sheet(wb: openpyxl.Workbook, items: list[tuple[str, object]]) -> Worksheet:
    """The hidden sheet that tells which file this is (kind, year or unit and period)."""
    ws = wb.create_sheet(META_SHEET)
    for r, (key, value) in enumerate(items, start=1):
        put(ws, r, 1, key, font=None, align=None)
        put(ws, r, 2, value, align=LEFT)
    ws.sheet_state = "veryHidden"
    ws.protection.sheet = True
    return ws


def protect(ws: Worksheet) -> None:
    # No password: protection keeps a clerk from typing over a label by accident; it is not a
    # security boundary (the server checks everything again). Widths may still be changed.
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False


def save(wb: openpyxl.Workbook, *, lock_structure: bool = True) -> bytes:
    # The structure lock stops a sheet from being renamed, removed or unhidden in Excel/WPS.
    if lock_structure:
        wb.security = WorkbookProtection(lockStructure=True)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def a4_landscape(ws: Worksheet, *, title_rows: str) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = title_rows
    ws.oddFooter.center.text = PAGE_FOOTER
