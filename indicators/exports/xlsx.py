"""The circular's attachment table as an Excel workbook, in the layout the office prints.

Row 1 is the title, rows 2–3 the merged two-row header of the seed, then one row per unit
in the office's order and the total row (全市) last. Figures are real numbers, rounded
half-up in Decimal to the places the table prints, so a reader can sum them in Excel or WPS.
The columns come from ``indicators.table.column_groups``, as on the HTML page.
"""

from __future__ import annotations

import io
import math
import re
import unicodedata
from copy import copy
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.worksheet import Worksheet

from spreadsheets.writing import put

from ..computations import round_half_up
from ..selectors import Summary
from ..table import ColumnGroup, column_groups, table_notes

# Fonts: xlsx names one font per cell with no fallback. 黑体 and 宋体 ship with every
# Chinese Windows and WPS install; 方正小标宋 and 仿宋_GB2312 often do not.
TITLE_FONT = Font(name="黑体", size=18)
HEADER_FONT = Font(name="黑体", size=11)
BODY_FONT = Font(name="宋体", size=11)

# Widths in Excel character units (a Chinese character takes about two).
UNIT_COLUMN_WIDTH = 12
FIGURE_COLUMN_WIDTH = 11
# A one-column group widens up to this so that a line its title sets ("专利侵权裁决") stays whole.
MAX_FIGURE_COLUMN_WIDTH = 15
# Excel leaves about one unit of padding inside a cell when wrapping.
CELL_PADDING = 1

# Heights in points. Excel does not grow a row to fit a merged cell, so header rows are sized
# here from the number of lines their wrapped headings need.
TITLE_ROW_HEIGHT = 42
HEADER_LINE_HEIGHT = 16
HEADER_MIN_LINES = 2
# Points added to each header row so that its lines do not touch the borders.
HEADER_PADDING = 4
BODY_ROW_HEIGHT = 24

TITLE_ROW = 1
HEADER_TOP_ROW = 2
HEADER_BOTTOM_ROW = 3
FIRST_BODY_ROW = 4

# A figure that cannot be computed (no target, no population, nothing reported).
MISSING = "—"

THIN = Side(style="thin", color="000000")
CELL_BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
TITLE_ALIGNMENT = Alignment(horizontal="center", vertical="center")
HEADER_ALIGNMENT = Alignment(horizontal="center", vertical="center", wrap_text=True)
BODY_ALIGNMENT = Alignment(horizontal="center", vertical="center")

# Print: the attachment is a wide table, so A4 landscape, one page wide, header repeated on
# every page and pages numbered for a province-sized table. Margins are in inches.
PAGE_MARGINS = {"left": 0.6, "right": 0.6, "top": 0.8, "bottom": 0.7, "header": 0.3, "footer": 0.3}
PRINT_TITLE_ROWS = f"{HEADER_TOP_ROW}:{HEADER_BOTTOM_ROW}"
PAGE_FOOTER = "第 &P 页，共 &N 页"

# Characters Excel forbids in a sheet name, and its length limit.
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
SHEET_NAME_MAX = 31


def summary_filename(summary: Summary) -> str:
    """The download's file name, e.g. "2023年上半年全市知识产权工作情况.xlsx"."""
    return f"{summary.title}.xlsx"


def summary_xlsx_bytes(summary: Summary) -> bytes:
    buffer = io.BytesIO()
    build_summary_workbook(summary).save(buffer)
    return buffer.getvalue()


def build_summary_workbook(summary: Summary) -> Workbook:
    """The attachment table of ``summary``. Reads only the summary: no database query."""
    groups = column_groups(summary)
    columns = [c for g in groups for c in g.columns]
    last_col = 1 + len(columns)
    last_row = FIRST_BODY_ROW + len(summary.all_rows) - 1

    wb = Workbook()
    ws = wb.active
    ws.title = _sheet_name(summary.period.title)
    wb.properties.title = summary.title

    # Title.
    _text(ws, TITLE_ROW, 1, summary.title)
    ws.merge_cells(start_row=TITLE_ROW, start_column=1, end_row=TITLE_ROW, end_column=last_col)

    # Two-row header: (row, first column, last column, text, rows merged).
    headers: list[tuple[int, int, int, str, bool]] = [
        (HEADER_TOP_ROW, 1, 1, summary.unit_heading, True)
    ]
    col = 2
    for group in groups:
        span = len(group.columns)
        if group.merged_vertically:
            headers.append((HEADER_TOP_ROW, col, col, group.title, True))
        else:
            headers.append((HEADER_TOP_ROW, col, col + span - 1, group.title, False))
            for i, column in enumerate(group.columns):
                headers.append((HEADER_BOTTOM_ROW, col + i, col + i, column.heading, False))
        col += span
    widths = [UNIT_COLUMN_WIDTH] + [w for g in groups for w in _group_widths(g)]
    headers = [
        (row, first, last, _wrap_heading(text, sum(widths[first - 1 : last])), both_rows)
        for row, first, last, text, both_rows in headers
    ]
    for row, first, last, text, both_rows in headers:
        _text(ws, row, first, text)
        end_row = HEADER_BOTTOM_ROW if both_rows else row
        if end_row != row or last != first:
            ws.merge_cells(start_row=row, start_column=first, end_row=end_row, end_column=last)

    # Body: the units, then the total.
    body = _BodyStyles()
    for r, row in enumerate(summary.all_rows, start=FIRST_BODY_ROW):
        body.apply(ws.cell(r, 1), None)
        _text(ws, r, 1, row.indented_label)
        for c, column in enumerate(columns, start=2):
            cell = ws.cell(r, c, _figure(column.value(row), column.places))
            number_format = None
            if cell.data_type == "n":
                number_format = _number_format(column.places)
                if column.partial(row):
                    # Still a number for whoever sums it, but printed with the table's *.
                    number_format += '"*"'
            body.apply(cell, number_format)

    # The header's styles, on every cell including those covered by a merge, so that the
    # borders of merged headers print whole in Excel, WPS and LibreOffice.
    ws.cell(TITLE_ROW, 1).font = TITLE_FONT
    ws.cell(TITLE_ROW, 1).alignment = TITLE_ALIGNMENT
    for cells in ws.iter_rows(min_row=HEADER_TOP_ROW, max_row=HEADER_BOTTOM_ROW, max_col=last_col):
        for cell in cells:
            cell.border = CELL_BORDER
            cell.font, cell.alignment = HEADER_FONT, HEADER_ALIGNMENT

    # Sizes.
    for c, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(c)].width = width
    top, bottom = _header_heights(headers, widths)
    ws.row_dimensions[TITLE_ROW].height = TITLE_ROW_HEIGHT
    ws.row_dimensions[HEADER_TOP_ROW].height = top
    ws.row_dimensions[HEADER_BOTTOM_ROW].height = bottom
    for r in range(FIRST_BODY_ROW, last_row + 1):
        ws.row_dimensions[r].height = BODY_ROW_HEIGHT

    for note in table_notes(summary):
        note_row = last_row + 1
        _text(ws, note_row, 1, note)
        ws.cell(note_row, 1).font = BODY_FONT
        ws.cell(note_row, 1).alignment = Alignment(
            horizontal="left", vertical="center", wrap_text=True
        )
        ws.merge_cells(start_row=note_row, start_column=1, end_row=note_row, end_column=last_col)
        ws.row_dimensions[note_row].height = BODY_ROW_HEIGHT * (1.5 if len(note) > 60 else 1)
        last_row = note_row

    # Screen and print.
    ws.freeze_panes = ws.cell(FIRST_BODY_ROW, 2)
    ws.print_area = f"A{TITLE_ROW}:{get_column_letter(last_col)}{last_row}"
    ws.print_title_rows = PRINT_TITLE_ROWS
    _set_up_page(ws)
    return wb


class _BodyStyles:
    """The body's border, font and alignment with each number format. openpyxl hashes every
    style object a cell is given, which made the styles most of a long table's time: each
    combination is set once, and the next cells get a copy of that cell's style record,
    so the time grows with the rows and nothing else."""

    def __init__(self):
        self._made: dict[str | None, StyleArray] = {}

    def apply(self, cell: Cell, number_format: str | None) -> None:
        made = self._made.get(number_format)
        if made is not None:
            cell._style = copy(made)
            return
        cell.border, cell.font, cell.alignment = CELL_BORDER, BODY_FONT, BODY_ALIGNMENT
        if number_format is not None:
            cell.number_format = number_format
        self._made[number_format] = copy(cell._style)


def _text(ws: Worksheet, row: int, col: int, text: str) -> None:
    """Names and headings typed by people are text, even one that looks like a formula."""
    put(ws, row, col, text, font=None, align=None)


def _group_widths(group: ColumnGroup) -> list[float]:
    width = FIGURE_COLUMN_WIDTH
    if len(group.columns) == 1:
        widest = max(_display_width(line) for line in group.title.split("\n"))
        width = max(width, min(widest + CELL_PADDING, MAX_FIGURE_COLUMN_WIDTH))
    return [width] * len(group.columns)


def _figure(value: Decimal | None, places: int) -> Decimal | int | str:
    """A figure as Excel should store it: an int for counts, a rounded Decimal otherwise.

    openpyxl writes a Decimal as a number, so no binary float is made here.
    """
    if value is None:
        return MISSING
    rounded = round_half_up(value, places)
    return int(rounded) if places == 0 else rounded


def _number_format(places: int) -> str:
    # Two places print as the seed does (53.10, not 53.1).
    return "0" if places == 0 else "0." + "0" * places


def _sheet_name(text: str) -> str:
    return _SHEET_NAME_FORBIDDEN.sub("_", text)[:SHEET_NAME_MAX] or "Sheet1"


def _display_width(text: str) -> int:
    """Width in Excel character units: a full-width (Chinese) character counts two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _wrap_heading(text: str, width: float) -> str:
    """Break a heading that does not fit on one line the way the seed does.

    The unit goes on a line of its own ("年指导目标" over "（件）") and a long phrase is cut
    into lines of even length ("比去年年" over "底净增长"), where a cell left to wrap by
    itself would leave one character on the last line or break inside the parentheses.
    """
    room = max(width - CELL_PADDING, 1)
    pieces = []
    for part in text.split("\n"):
        cut = part.rfind("（")
        if _display_width(part) > room and cut > 0:
            pieces.extend([part[:cut], part[cut:]])
        else:
            pieces.append(part)
    return "\n".join(line for piece in pieces for line in _even_lines(piece, room))


def _even_lines(text: str, room: float) -> list[str]:
    total = _display_width(text)
    count = math.ceil(total / room)
    if count <= 1:
        return [text]
    share = math.ceil(total / count)
    lines, line = [], ""
    for ch in text:
        if line and _display_width(line + ch) > share:
            lines.append(line)
            line = ""
        line += ch
    return [*lines, line]


def _lines(text: str, width: float) -> int:
    room = max(width - CELL_PADDING, 1)
    return sum(max(1, math.ceil(_display_width(part) / room)) for part in text.split("\n"))


def _header_heights(
    headers: list[tuple[int, int, int, str, bool]], widths: list[float]
) -> tuple[float, float]:
    """Heights of the two header rows so that every wrapped heading shows whole."""
    top = bottom = HEADER_MIN_LINES
    spanning = []
    for row, first, last, text, both_rows in headers:
        lines = _lines(text, sum(widths[first - 1 : last]))
        if both_rows:
            spanning.append(lines)
        elif row == HEADER_TOP_ROW:
            top = max(top, lines)
        else:
            bottom = max(bottom, lines)
    bottom = max([bottom, *(lines - top for lines in spanning)])
    return (
        top * HEADER_LINE_HEIGHT + HEADER_PADDING,
        bottom * HEADER_LINE_HEIGHT + HEADER_PADDING,
    )


def _set_up_page(ws: Worksheet) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as the rows need
    ws.page_margins = PageMargins(**PAGE_MARGINS)
    ws.print_options.horizontalCentered = True
    ws.oddFooter.center.text = PAGE_FOOTER
