"""Spreadsheets in and out with openpyxl: reading an uploaded file safely, the office's wide
年度目标下达表, and a district's quarterly 填报模板.

Reading guards against what offices actually send: something that is not a spreadsheet, an
old .xls, an empty or huge file, a zip bomb, merged cells where values belong, formulas
(their cached results are read; a formula without one is refused), a renamed sheet, changed
headers. A problem with the whole file is a ``SheetError``; a problem with a cell is listed
with its address (C5) and a Chinese reason. Nothing here writes to the database except
``targets_apply``, the service the target sheet's confirmation calls.

Cells this module writes from stored text never run as formulas: text that starts like one
(= + - @) is stored as a string cell with Excel's quote prefix.
"""

from __future__ import annotations

import csv
import datetime
import io
import math
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from xml.etree import ElementTree

import openpyxl
import tablib
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from audit.models import Action
from audit.services import audit_record
from districts.access import OFFICE_ROLES, role_of
from districts.models import Unit

from .models import Indicator, Period, Report, Target
from .selectors import UnitTree, entry_lines, figures_flags
from .services import FigureErrors, figures_validate, parse_figure

# --- Limits -----------------------------------------------------------------------------------

# Upload size when settings do not say (bytes); settings.SPREADSHEET_UPLOAD_MAX_BYTES wins.
DEFAULT_UPLOAD_MAX_BYTES = 5 * 1024 * 1024
# An xlsx is a zip: what it unpacks to is bounded too, so a small file cannot explode.
# Long imports are streamed (read-only), the wide sheets are loaded whole, hence two limits.
STREAMED_MAX_UNPACKED_BYTES = 200 * 1024 * 1024
LOADED_MAX_UNPACKED_BYTES = 30 * 1024 * 1024
# Data rows of one import; a national tree's ten years of figures fit well below this.
MAX_ROWS = 200_000
# How many cell addresses a message lists before "等".
LISTED = 8

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls (and other old Office files)
_ZIP_MAGIC = b"PK\x03\x04"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

# --- Look -------------------------------------------------------------------------------------

# 黑体 and 宋体 ship with every Chinese Windows and WPS install (see indicators.exports.xlsx).
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

# The hidden sheet that tells which file this is: kind, year or unit and period, version.
META_SHEET = "_zzip"

# 年度目标下达表: title, note, header, hidden indicator codes, then one row per unit.
TARGET_SHEET = "目标下达表"
TARGET_KIND = "targets"
TARGET_TITLE_ROW = 1
TARGET_NOTE_ROW = 2
TARGET_HEADER_ROW = 3
TARGET_CODE_ROW = 4
TARGET_FIRST_ROW = 5
TARGET_CODE_COL = 1
TARGET_NAME_COL = 2
TARGET_FIRST_VALUE_COL = 3
TARGET_CODE_HEADING = "单位编码"
TARGET_NAME_HEADING = "单位"
TOTAL_LABEL = "合计"

# 填报模板: title, unit, period, note, header, then one row per indicator.
TEMPLATE_SHEET = "填报表"
TEMPLATE_KIND = "district"
TPL_TITLE_ROW = 1
TPL_UNIT_ROW = 2
TPL_PERIOD_ROW = 3
TPL_NOTE_ROW = 4
TPL_HEADER_ROW = 6
TPL_FIRST_ROW = 7
TPL_HEADINGS = (
    "序号",
    "指标",
    "计量单位",
    "口径",
    "本期数值（填写）",
    "上季度",
    "去年年底",
    "去年同期",
    "年指导目标",
    "情况说明（数值波动大或存量下降时填写）",
)
TPL_VALUE_COL = 5  # E
TPL_EXPLAIN_COL = 10  # J
TPL_WIDTHS = (6, 30, 9, 14, 16, 12, 12, 12, 12, 44)
EXPLANATION_MAX = 1000


class SheetError(Exception):
    """The whole file cannot be used; the message says why, in Chinese, for the uploader.

    Its repr is the message itself, so django-import-export's ``import`` command, which prints
    ``repr(error)``, shows the reason as written.
    """

    def __repr__(self):
        return str(self)


# --- Reading any upload -----------------------------------------------------------------------


def upload_limit() -> int:
    return int(getattr(settings, "SPREADSHEET_UPLOAD_MAX_BYTES", DEFAULT_UPLOAD_MAX_BYTES))


def size_text(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else f"{math.ceil(size / 1024)} KB"


def check_size(size: int) -> None:
    limit = upload_limit()
    if size > limit:
        raise SheetError(
            f"文件太大（{size_text(size)}），超过了 {size_text(limit)} 的上限。"
            "请删去无关的工作表、图片和空白行，或分成几个文件分批导入。"
        )


def cell_text(value) -> str:
    """A cell's value as the text a person typed: a whole number stored as 150.0 reads "150"."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    return str(value).strip()


def _check_xlsx_container(data: bytes, max_unpacked: int) -> None:
    check_size(len(data))
    if not data:
        raise SheetError("文件是空的（0 字节）。请选择填好数据的 Excel 文件。")
    if data.startswith(_OLE_MAGIC):
        raise SheetError(
            "这是旧版 Excel（.xls）文件。"
            "请在 Excel 或 WPS 中“另存为”Excel 工作簿（.xlsx）后再上传。"
        )
    if not data.startswith(_ZIP_MAGIC):
        raise SheetError(
            "这个文件不是 Excel 表格（.xlsx）。请上传用 Excel 或 WPS 保存的 .xlsx 文件。"
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            names = {m.filename for m in members}
            unpacked = sum(m.file_size for m in members)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise SheetError("这个 Excel 文件已损坏，无法打开。请重新保存后再上传。") from exc
    if "xl/workbook.xml" not in names:
        raise SheetError(
            "这个文件不是 Excel 表格（.xlsx）。请上传用 Excel 或 WPS 保存的 .xlsx 文件。"
        )
    if unpacked > max_unpacked:
        raise SheetError(
            f"文件解压后有 {size_text(unpacked)}，超过了 {size_text(max_unpacked)} 的上限。"
            "请删去无关的工作表和内容，或分批导入。"
        )


def _load(data: bytes, *, read_only: bool, data_only: bool):
    try:
        return openpyxl.load_workbook(
            io.BytesIO(data), read_only=read_only, data_only=data_only, keep_links=False
        )
    except Exception as exc:  # openpyxl raises many kinds (KeyError, ValueError, TypeError…)
        raise SheetError(
            "无法读取这个 Excel 文件，文件可能已损坏。"
            "请在 Excel 或 WPS 中打开并另存为 .xlsx 后再上传。"
        ) from exc


def _merged_refs_streamed(ws) -> list[str]:
    """Merged ranges of a read-only sheet, read from its XML without loading the sheet."""
    source = getattr(ws, "_get_source", None)
    if source is None:  # an ordinary worksheet knows its ranges
        return [str(r) for r in ws.merged_cells.ranges]
    refs = []
    with source() as src:
        for _event, element in ElementTree.iterparse(src):
            if element.tag.endswith("}mergeCell") and element.get("ref"):
                refs.append(element.get("ref"))
            element.clear()
    return refs


def _listed(items: list[str]) -> str:
    shown = "、".join(items[:LISTED])
    return shown + (f" 等 {len(items)} 处" if len(items) > LISTED else "")


def _formula_message(cells: list[str]) -> str:
    return (
        f"{_listed(cells)} 是公式，但文件里没有保存公式的计算结果（文件可能是由程序生成的）。"
        "请在 Excel 或 WPS 中打开这个文件、保存后再上传，或把公式改成数字。"
    )


def _dataset(rows: Iterable[list], *, source: str) -> tablib.Dataset:
    """First row as headers, every other row padded or cut to the headers' width.

    Blank rows are kept (the resources skip them) so that a row keeps its number as the
    spreadsheet shows it; only trailing blank rows are dropped.
    """
    iterator = iter(rows)
    first = next(iterator, None)
    headers = [cell_text(v) for v in (first or [])]
    while headers and headers[-1] == "":
        headers.pop()
    if not headers:
        raise SheetError(
            f"{source}第 1 行（表头）是空的。第 1 行应是列名，从第 2 行起每行一条数据。"
        )
    width = len(headers)
    body = []
    for number, row in enumerate(iterator, start=2):
        if number > MAX_ROWS + 1:
            raise SheetError(f"{source}超过 {MAX_ROWS} 行数据的上限。请分成几个文件分批导入。")
        values = list(row)[:width]
        values += [None] * (width - len(values))
        body.append(values)
    while body and all(cell_text(v) == "" for v in body[-1]):
        body.pop()
    if not body:
        raise SheetError(f"{source}只有表头，没有数据行。")
    return tablib.Dataset(*body, headers=headers)


def xlsx_dataset(data: bytes) -> tablib.Dataset:
    """The active sheet of an uploaded xlsx as a tablib Dataset, for django-import-export.

    Streams the sheet twice (values, then formulas) so a large file never sits in memory as
    cells. A formula's cached result is read; a formula without one is refused, as is any
    merged cell (an import needs one value per cell).
    """
    _check_xlsx_container(data, STREAMED_MAX_UNPACKED_BYTES)
    values_book = _load(data, read_only=True, data_only=True)
    formulas_book = _load(data, read_only=True, data_only=False)
    try:
        sheet = values_book.active
        if sheet is None:
            raise SheetError("工作簿里没有工作表。")
        formulas = formulas_book[sheet.title]
        merged = _merged_refs_streamed(formulas)
        if merged:
            raise SheetError(
                f"工作表“{sheet.title}”中有合并单元格（{_listed(merged)}）。"
                "导入的表格每格只能有一个值，请取消合并后再上传。"
            )
        for ws in (sheet, formulas):
            # Some programs write a wrong <dimension>; without a reset, rows would be lost.
            ws.reset_dimensions()
        missing: list[str] = []

        def rows() -> Iterator[list]:
            for value_row, formula_row in zip(
                sheet.iter_rows(), formulas.iter_rows(), strict=False
            ):
                out = []
                for value_cell, formula_cell in zip(value_row, formula_row, strict=False):
                    value = value_cell.value
                    if getattr(formula_cell, "data_type", None) == "f" and value is None:
                        missing.append(formula_cell.coordinate)
                    out.append(value)
                yield out

        dataset = _dataset(rows(), source=f"工作表“{sheet.title}”")
        if missing:
            raise SheetError(_formula_message(missing))
        return dataset
    finally:
        values_book.close()
        formulas_book.close()


def decode_text(data: bytes) -> str:
    """CSV as Excel and WPS write it in China: UTF-8 (with or without BOM) or GBK/GB18030."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SheetError("无法识别文件的文字编码。请在 Excel 或 WPS 中另存为“CSV UTF-8”后再上传。")


def csv_dataset(data: bytes) -> tablib.Dataset:
    check_size(len(data))
    if not data.strip():
        raise SheetError("文件是空的。请选择填好数据的文件。")
    if data.startswith(_ZIP_MAGIC) or data.startswith(_OLE_MAGIC):
        raise SheetError("这是 Excel 文件，不是 CSV。请把“格式”选为 xlsx 后再导入。")
    if b"\x00" in data[:4096]:
        raise SheetError("这个文件不是 CSV 文本文件。请上传 .csv 或 .xlsx 文件。")
    text = decode_text(data)
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise SheetError(
            f"CSV 文件格式有误：{exc}。请用 Excel 或 WPS 另存为 CSV 后再上传。"
        ) from exc
    return _dataset(rows, source="文件")


@dataclass
class Book:
    """An uploaded workbook loaded whole, twice: as typed (formulas) and as last computed."""

    formulas: openpyxl.Workbook
    values: openpyxl.Workbook

    def sheet(self, title: str, *, kind_label: str) -> tuple[Worksheet, Worksheet]:
        if title not in self.formulas.sheetnames:
            found = "、".join(f"“{n}”" for n in self.formulas.sheetnames if n != META_SHEET)
            raise SheetError(
                f"找不到名为“{title}”的工作表（文件中的工作表：{found or '无'}）。"
                f"工作表可能被改名或删除了。请使用本系统下载的{kind_label}，"
                "不要修改工作表名称。"
            )
        return self.formulas[title], self.values[title]

    def meta(self, *, kind: str, kind_label: str) -> dict[str, str]:
        if META_SHEET not in self.formulas.sheetnames:
            raise SheetError(
                f"这个文件不是本系统下载的{kind_label}（缺少模板标识）。"
                f"请先从系统下载{kind_label}，在其中填写后再上传。"
            )
        ws = self.formulas[META_SHEET]
        meta = {
            cell_text(row[0]): cell_text(row[1])
            for row in ws.iter_rows(min_row=1, max_col=2, values_only=True)
            if row and row[0] is not None
        }
        if meta.get("kind") != kind:
            raise SheetError(f"这个文件不是{kind_label}。请上传从本页下载并填写的{kind_label}。")
        return meta


def open_book(data: bytes) -> Book:
    _check_xlsx_container(data, LOADED_MAX_UNPACKED_BYTES)
    return Book(
        formulas=_load(data, read_only=False, data_only=False),
        values=_load(data, read_only=False, data_only=True),
    )


@dataclass
class ReadCell:
    text: str
    from_formula: bool


def read_cell(formulas: Worksheet, values: Worksheet, row: int, col: int) -> ReadCell | None:
    """The text of a cell, a formula's cached result, or None for a formula with no result."""
    typed = formulas.cell(row=row, column=col)
    if typed.data_type == "f":
        cached = values.cell(row=row, column=col).value
        if cached is None:
            return None
        return ReadCell(cell_text(cached), True)
    return ReadCell(cell_text(typed.value), False)


def merged_in(ws: Worksheet, *, min_row: int, min_col: int, max_col: int) -> list[str]:
    """Merged ranges that reach into the area where values are expected."""
    return [
        str(r)
        for r in ws.merged_cells.ranges
        if r.max_row >= min_row and r.max_col >= min_col and r.min_col <= max_col
    ]


# --- Writing ----------------------------------------------------------------------------------


def put(ws: Worksheet, row: int, col: int, value, *, font=BODY_FONT, align=CENTER) -> Cell:
    """Writes a cell; text that looks like a formula stays text (never runs in Excel)."""
    cell = ws.cell(row=row, column=col)
    cell.value = value
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        cell.data_type = "s"
        cell.quotePrefix = True
    cell.font = font
    cell.alignment = align
    return cell


def number(value: Decimal | None):
    """A stored figure as an Excel number (int when whole); MISSING when there is none."""
    if value is None:
        return MISSING
    value = value.normalize()
    return int(value) if value == value.to_integral_value() else Decimal(f"{value:f}")


def validation_for(indicator: Indicator, *, minimum: Decimal | None = None) -> DataValidation:
    """Excel's own check of an input cell: whole numbers ≥ 0 for counts, decimals otherwise."""
    whole = indicator.decimal_places == 0
    floor = minimum if minimum is not None else Decimal(0)
    floor_text = f"{floor.normalize():f}"
    if whole:
        rule = f"只能填不小于 {floor_text} 的整数"
    else:
        rule = f"只能填不小于 {floor_text} 的数，最多 {indicator.decimal_places} 位小数"
    dv = DataValidation(
        type="whole" if whole else "decimal",
        operator="greaterThanOrEqual",
        formula1=floor_text,
        allow_blank=True,
        showErrorMessage=True,
        errorStyle="stop",
        errorTitle="数值不对",
        error=f"{indicator.name}（{indicator.unit_label}）{rule}。"[:255],
        showInputMessage=True,
        promptTitle=indicator.name[:32],
        prompt=(indicator.description or f"{indicator.name}，{rule}。")[:255],
    )
    return dv


def _meta_sheet(wb: openpyxl.Workbook, items: list[tuple[str, object]]) -> Worksheet:
    ws = wb.create_sheet(META_SHEET)
    for r, (key, value) in enumerate(items, start=1):
        ws.cell(row=r, column=1, value=key)
        put(ws, r, 2, value, align=LEFT)
    ws.sheet_state = "veryHidden"
    ws.protection.sheet = True
    return ws


def _protect(ws: Worksheet) -> None:
    # No password: protection keeps a clerk from typing over a label by accident; it is not a
    # security boundary (the server checks everything again). Widths may still be changed.
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False


def _save(wb: openpyxl.Workbook) -> bytes:
    # The structure lock stops a sheet from being renamed, removed or unhidden in Excel/WPS.
    wb.security = WorkbookProtection(lockStructure=True)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _a4_landscape(ws: Worksheet, *, title_rows: str) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = title_rows
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"


# --- 年度目标下达表 ---------------------------------------------------------------------------


def target_indicators() -> list[Indicator]:
    return list(Indicator.objects.filter(active=True, has_target=True))


def target_units(tree: UnitTree | None = None) -> list[Unit]:
    """The units that receive targets: every leaf, depth first in the office's order."""
    tree = tree or UnitTree.load()
    roots = sorted(
        (u for u in tree.units.values() if u.parent_id is None or u.parent_id not in tree.units),
        key=lambda u: (u.order, u.code),
    )
    return [tree.units[uid] for root in roots for uid in tree.leaves(root.id)]


def target_sheet_title(year: int) -> str:
    return f"{year}年度知识产权工作主要指标目标下达表"


def target_sheet_filename(year: int, *, empty: bool) -> str:
    return f"{year}年度目标下达表{'（空白）' if empty else ''}.xlsx"


def target_sheet_bytes(*, year: int, empty: bool = False) -> bytes:
    """The wide target sheet for ``year``: one row per unit, one column per target indicator.

    With ``empty`` the input cells are blank; otherwise they hold the stored targets.
    """
    tree = UnitTree.load()
    units = target_units(tree)
    indicators = target_indicators()
    stored = {}
    if not empty:
        stored = {
            (unit_id, code): value
            for unit_id, code, value in Target.objects.filter(
                year=year, unit_id__in=[u.id for u in units]
            ).values_list("unit_id", "indicator__code", "value")
        }
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = TARGET_SHEET
    last_col = TARGET_FIRST_VALUE_COL + len(indicators) - 1
    last_letter = get_column_letter(max(last_col, TARGET_NAME_COL))

    put(ws, TARGET_TITLE_ROW, 1, target_sheet_title(year), font=TITLE_FONT)
    ws.merge_cells(f"A{TARGET_TITLE_ROW}:{last_letter}{TARGET_TITLE_ROW}")
    ws.row_dimensions[TARGET_TITLE_ROW].height = 36
    put(
        ws,
        TARGET_NOTE_ROW,
        1,
        f"填写说明：在黄色单元格中填写各单位{year}年度指导目标；件数、家数只能填整数。"
        "留空的单元格不导入，也不会删除已有目标。“合计”行自动求和，不导入。"
        "填好后在系统「年度目标下达表」页面上传，核对与系统中目标的差异后确认。",
        font=NOTE_FONT,
        align=LEFT,
    )
    ws.merge_cells(f"A{TARGET_NOTE_ROW}:{last_letter}{TARGET_NOTE_ROW}")
    ws.row_dimensions[TARGET_NOTE_ROW].height = 48

    headings = [TARGET_CODE_HEADING, TARGET_NAME_HEADING] + [
        f"{i.name}（{i.unit_label}）" for i in indicators
    ]
    for col, heading in enumerate(headings, start=1):
        cell = put(ws, TARGET_HEADER_ROW, col, heading, font=HEADER_FONT)
        cell.fill, cell.border = HEADER_FILL, BORDER
    ws.row_dimensions[TARGET_HEADER_ROW].height = 36
    # Codes, hidden: what the upload reads, whatever the headings say.
    put(ws, TARGET_CODE_ROW, TARGET_CODE_COL, "code")
    for col, ind in enumerate(indicators, start=TARGET_FIRST_VALUE_COL):
        put(ws, TARGET_CODE_ROW, col, ind.code)
    ws.row_dimensions[TARGET_CODE_ROW].hidden = True

    row = TARGET_FIRST_ROW
    for unit in units:
        put(ws, row, TARGET_CODE_COL, unit.code).border = BORDER
        put(ws, row, TARGET_NAME_COL, unit.name, align=NAME).border = BORDER
        ws.row_dimensions[row].height = BODY_ROW_HEIGHT
        for col, ind in enumerate(indicators, start=TARGET_FIRST_VALUE_COL):
            value = stored.get((unit.id, ind.code))
            cell = put(ws, row, col, None if value is None else number(value), align=RIGHT)
            cell.fill, cell.border, cell.protection = INPUT_FILL, BORDER, UNLOCKED
        row += 1
    last_unit_row = row - 1
    put(ws, row, TARGET_CODE_COL, None).border = BORDER
    put(ws, row, TARGET_NAME_COL, TOTAL_LABEL, font=TOTAL_FONT).border = BORDER
    ws.row_dimensions[row].height = BODY_ROW_HEIGHT
    for col in range(TARGET_FIRST_VALUE_COL, last_col + 1):
        letter = get_column_letter(col)
        formula = f"=SUM({letter}{TARGET_FIRST_ROW}:{letter}{last_unit_row})" if units else 0
        cell = ws.cell(row=row, column=col, value=formula)
        cell.font, cell.alignment, cell.border = TOTAL_FONT, RIGHT, BORDER

    for ind_col, ind in enumerate(indicators, start=TARGET_FIRST_VALUE_COL):
        if not units:
            break
        letter = get_column_letter(ind_col)
        dv = validation_for(ind)
        dv.add(f"{letter}{TARGET_FIRST_ROW}:{letter}{last_unit_row}")
        ws.add_data_validation(dv)

    ws.column_dimensions["A"].width = 12
    ws.column_dimensions["B"].width = 18
    for col in range(TARGET_FIRST_VALUE_COL, last_col + 1):
        ws.column_dimensions[get_column_letter(col)].width = 24
    ws.freeze_panes = f"C{TARGET_FIRST_ROW}"
    _a4_landscape(ws, title_rows=f"{TARGET_HEADER_ROW}:{TARGET_HEADER_ROW}")
    _protect(ws)
    _meta_sheet(
        wb,
        [
            ("kind", TARGET_KIND),
            ("year", year),
            ("generated", timezone.localtime().strftime("%Y-%m-%d %H:%M:%S")),
            ("format", 1),
        ],
    )
    return _save(wb)


@dataclass
class TargetCell:
    unit: Unit
    indicator: Indicator
    address: str
    old: Decimal | None
    new: Decimal | None  # None: left blank, nothing changes
    from_formula: bool = False

    @property
    def changed(self) -> bool:
        return self.new is not None and self.new != self.old


@dataclass
class TargetUpload:
    """What a filled target sheet says, against what is stored, before anything is written."""

    year: int
    indicators: list[Indicator]
    rows: list[tuple[Unit, list[TargetCell]]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def changes(self) -> list[TargetCell]:
        return [c for _unit, cells in self.rows for c in cells if c.changed]

    @property
    def new_count(self) -> int:
        return sum(1 for c in self.changes if c.old is None)

    @property
    def blank_count(self) -> int:
        return sum(1 for _u, cells in self.rows for c in cells if c.new is None)


def target_sheet_read(data: bytes, *, year: int) -> TargetUpload:
    """Reads a filled 年度目标下达表 and compares it with the stored targets of ``year``.

    A whole-file problem raises SheetError; a problem with a cell goes into ``errors`` with
    its address, and the upload then cannot be confirmed.
    """
    book = open_book(data)
    formulas, values = book.sheet(TARGET_SHEET, kind_label="目标下达表")
    meta = book.meta(kind=TARGET_KIND, kind_label="目标下达表")
    file_year = meta.get("year", "")
    if file_year != str(year):
        raise SheetError(
            f"这是{file_year}年的目标下达表，本页是{year}年。"
            f"请在{file_year}年的页面上传，或下载{year}年的目标下达表填写。"
        )
    if cell_text(formulas.cell(TARGET_HEADER_ROW, TARGET_CODE_COL).value) != TARGET_CODE_HEADING:
        raise SheetError(
            f"表头被改动了：A{TARGET_HEADER_ROW} 应为“{TARGET_CODE_HEADING}”。"
            "请重新下载目标下达表，只在黄色单元格中填写。"
        )
    by_code = {i.code: i for i in target_indicators()}
    columns: list[tuple[int, Indicator]] = []
    for col in range(TARGET_FIRST_VALUE_COL, formulas.max_column + 1):
        code = cell_text(formulas.cell(TARGET_CODE_ROW, col).value)
        if not code:
            continue
        ind = by_code.get(code)
        if ind is None:
            raise SheetError(
                f"第 {get_column_letter(col)} 列的指标（编码 {code}）在系统中已停用或不设年度目标。"
                "请重新下载目标下达表。"
            )
        columns.append((col, ind))
    if not columns:
        raise SheetError("表头被改动了：找不到指标列。请重新下载目标下达表，只在黄色单元格中填写。")
    last_col = max(col for col, _ind in columns)
    merged = merged_in(formulas, min_row=TARGET_FIRST_ROW, min_col=1, max_col=last_col)
    if merged:
        raise SheetError(
            f"数据区域中有合并单元格（{_listed(merged)}）。每个单位、每个指标各占一格，"
            "请取消合并后再上传。"
        )

    tree = UnitTree.load()
    units = {u.code: u for u in Unit.objects.all()}
    upload = TargetUpload(year=year, indicators=[ind for _col, ind in columns])
    seen: dict[str, int] = {}
    no_result: list[str] = []
    for row in range(TARGET_FIRST_ROW, formulas.max_row + 1):
        code = cell_text(formulas.cell(row, TARGET_CODE_COL).value)
        name = cell_text(formulas.cell(row, TARGET_NAME_COL).value)
        cells = {col: read_cell(formulas, values, row, col) for col, _ind in columns}
        if TOTAL_LABEL in (code, name):
            continue
        if not code:
            if any(c is None or c.text for c in cells.values()):
                upload.errors.append(f"第 {row} 行：填了目标，但 A{row} 没有单位编码。")
            continue
        unit = units.get(code)
        if unit is None:
            upload.errors.append(f"A{row}：未知单位编码“{code}”。")
            continue
        if unit.id not in tree.units:
            upload.errors.append(f"A{row}：{unit.name}（{code}）已停用，不能下达目标。")
            continue
        if not tree.is_leaf(unit.id):
            upload.errors.append(
                f"A{row}：{unit.name}是汇总单位，它的目标是下级单位目标的合计，不能单独下达。"
            )
            continue
        if code in seen:
            upload.errors.append(f"A{row}：{unit.name}与第 {seen[code]} 行重复。")
            continue
        seen[code] = row
        line = []
        for col, ind in columns:
            address = f"{get_column_letter(col)}{row}"
            read = cells[col]
            if read is None:
                no_result.append(address)
                continue
            new = None
            if read.text:
                try:
                    new = parse_figure(read.text, ind)
                except ValidationError as exc:
                    upload.errors.append(
                        f"{address}（{unit.name} · {ind.name}）：{' '.join(exc.messages)}"
                    )
                    continue
            line.append(TargetCell(unit, ind, address, None, new, read.from_formula))
        upload.rows.append((unit, line))
    if no_result:
        upload.errors.insert(0, _formula_message(no_result))
    if not upload.rows and not upload.errors:
        raise SheetError("表中没有任何单位的目标。请在黄色单元格中填写后再上传。")
    stored = {
        (unit_id, code): value
        for unit_id, code, value in Target.objects.filter(
            year=year, unit_id__in=[u.id for u, _cells in upload.rows]
        ).values_list("unit_id", "indicator__code", "value")
    }
    for unit, line in upload.rows:
        for c in line:
            c.old = stored.get((unit.id, c.indicator.code))
    return upload


class TargetsChanged(Exception):
    """Targets moved between the preview and the confirmation; nothing was written."""

    def __init__(self, where: list[str]):
        super().__init__("targets changed since the preview")
        self.where = where


def _decimal_or_none(text: str | None) -> Decimal | None:
    return None if text in (None, "") else Decimal(text)


def targets_apply(*, year: int, changes: list[dict], user, file_name: str = "") -> int:
    """Writes the targets a confirmed target sheet changes; returns how many.

    ``changes`` are dicts of unit and indicator code, the value seen at the preview ("old",
    "" when there was none) and the new value, as strings. In one transaction: the year's
    targets of those units are locked, every value is checked again with the entry form's
    rules, and if any stored target differs from what the preview showed nothing is written
    (TargetsChanged). Each change is audited with its old and new value, and the import once.
    """
    if role_of(user) not in OFFICE_ROLES:
        raise PermissionDenied("只有市局工作人员可以下达目标。")
    tree = UnitTree.load()
    with transaction.atomic():
        units = {u.code: u for u in Unit.objects.filter(code__in={c["unit"] for c in changes})}
        indicators = {
            i.code: i
            for i in Indicator.objects.filter(
                code__in={c["indicator"] for c in changes}, active=True, has_target=True
            )
        }
        existing = {
            (t.unit_id, t.indicator_id): t
            for t in Target.objects.select_for_update().filter(
                year=year, unit__in=list(units.values())
            )
        }
        stale, plan = [], []
        for change in changes:
            unit, ind = units.get(change["unit"]), indicators.get(change["indicator"])
            if (
                unit is None
                or ind is None
                or unit.id not in tree.units
                or not tree.is_leaf(unit.id)
            ):
                raise ValidationError(
                    f"单位 {change['unit']} 或指标 {change['indicator']} 已不能下达目标，"
                    "请重新上传核对。"
                )
            new = parse_figure(change["new"], ind)
            target = existing.get((unit.id, ind.id))
            now = target.value if target is not None else None
            if now != _decimal_or_none(change.get("old")):
                stale.append(f"{unit.name} · {ind.name}")
                continue
            plan.append((unit, ind, target, now, new))
        if stale:
            raise TargetsChanged(stale)
        written = 0
        for unit, ind, target, old, new in plan:
            if old == new:
                continue
            if target is None:
                target = Target.objects.create(unit=unit, indicator=ind, year=year, value=new)
            else:
                target.value = new
                target.save(update_fields=["value"])
            written += 1
            old_text = "（无）" if old is None else f"{old.normalize():f}"
            audit_record(
                actor=user,
                action=Action.TARGET_CHANGED,
                unit=unit,
                obj=target,
                summary=f"{year}年{unit.name}{ind.name}目标：{old_text} → {new.normalize():f}"
                "（目标下达表）",
                detail={"year": year, "indicator": ind.code, "old": old, "new": new},
            )
        audit_record(
            actor=user,
            action=Action.IMPORT,
            summary=f"上传{year}年度目标下达表：修改 {written} 个目标",
            detail={"kind": "target_sheet", "year": year, "changed": written, "file": file_name},
        )
        return written


# --- 填报模板 ---------------------------------------------------------------------------------


def template_filename(report: Report) -> str:
    return f"{report.period.title}{report.unit.name}填报模板.xlsx"


def district_template_bytes(report: Report) -> bytes:
    """A unit's sheet for one quarter, pre-filled with what is stored and the reference figures.

    Only the value and explanation cells are unlocked, each value cell checked by Excel
    itself (whole numbers ≥ 0 for counts; a cumulative figure no less than last quarter's).
    """
    period, unit = report.period, report.unit
    lines = entry_lines(report)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = TEMPLATE_SHEET
    last_letter = get_column_letter(len(TPL_HEADINGS))

    put(ws, TPL_TITLE_ROW, 1, f"{period.title}知识产权指标填报表", font=TITLE_FONT)
    ws.merge_cells(f"A{TPL_TITLE_ROW}:{last_letter}{TPL_TITLE_ROW}")
    ws.row_dimensions[TPL_TITLE_ROW].height = 36
    put(ws, TPL_UNIT_ROW, 1, f"填报单位：{unit.name}（{unit.code}）", align=LEFT)
    ws.merge_cells(f"A{TPL_UNIT_ROW}:{last_letter}{TPL_UNIT_ROW}")
    deadline = f"{period.deadline:%Y年%-m月%-d日}" if period.deadline else "—"
    put(
        ws,
        TPL_PERIOD_ROW,
        1,
        f"填报期：{period.title}（{period.code}）    报送截止：{deadline}    "
        f"下载时间：{timezone.localtime():%Y-%m-%d %H:%M}",
        align=LEFT,
    )
    ws.merge_cells(f"A{TPL_PERIOD_ROW}:{last_letter}{TPL_PERIOD_ROW}")
    put(
        ws,
        TPL_NOTE_ROW,
        1,
        "填写说明：只在黄色单元格中填写。累计指标填自1月1日起的累计数，期末指标填期末数；"
        "件数、家数只能填整数。填好后回到系统「上传填好的模板」页面上传，"
        "核对无误后确认，保存为草稿；草稿仍需在系统中点击「提交市局」。",
        font=NOTE_FONT,
        align=LEFT,
    )
    ws.merge_cells(f"A{TPL_NOTE_ROW}:{last_letter}{TPL_NOTE_ROW}")
    ws.row_dimensions[TPL_NOTE_ROW].height = 48

    for col, heading in enumerate(TPL_HEADINGS, start=1):
        cell = put(ws, TPL_HEADER_ROW, col, heading, font=HEADER_FONT)
        cell.fill, cell.border = HEADER_FILL, BORDER
    ws.row_dimensions[TPL_HEADER_ROW].height = 36

    rows_meta = []
    for n, line in enumerate(lines, start=1):
        row = TPL_FIRST_ROW + n - 1
        ind = line.indicator
        cells = [
            n,
            ind.name,
            ind.unit_label,
            "自1月1日起累计" if ind.is_flow else "期末数",
            None if line.current is None else number(line.current),
            number(line.previous_quarter),
            number(line.last_year_end),
            number(line.same_quarter_last_year),
            number(line.target) if ind.has_target else MISSING,
            line.explanation or None,
        ]
        for col, value in enumerate(cells, start=1):
            align = NAME if col in (2, TPL_EXPLAIN_COL) else (RIGHT if col >= 5 else CENTER)
            cell = put(ws, row, col, value, align=align)
            cell.border = BORDER
        for col in (TPL_VALUE_COL, TPL_EXPLAIN_COL):
            cell = ws.cell(row=row, column=col)
            cell.fill, cell.protection = INPUT_FILL, UNLOCKED
        minimum = line.previous_quarter if ind.is_flow else None
        dv = validation_for(ind, minimum=minimum)
        if minimum is not None:
            dv.error = (
                f"{ind.name}是自1月1日起的累计数，只能填不小于上季度 "
                f"{minimum.normalize():f} 的{'整数' if ind.decimal_places == 0 else '数'}。"
            )[:255]
        dv.add(f"{get_column_letter(TPL_VALUE_COL)}{row}")
        ws.add_data_validation(dv)
        explain = DataValidation(
            type="textLength",
            operator="lessThanOrEqual",
            formula1=str(EXPLANATION_MAX),
            allow_blank=True,
            showErrorMessage=True,
            errorTitle="说明太长",
            error=f"情况说明最多 {EXPLANATION_MAX} 字。",
        )
        explain.add(f"{get_column_letter(TPL_EXPLAIN_COL)}{row}")
        ws.add_data_validation(explain)
        ws.row_dimensions[row].height = 30
        rows_meta.append((f"row{row}", ind.code))

    for col, width in enumerate(TPL_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = f"A{TPL_FIRST_ROW}"
    _a4_landscape(ws, title_rows=f"{TPL_HEADER_ROW}:{TPL_HEADER_ROW}")
    _protect(ws)
    _meta_sheet(
        wb,
        [
            ("kind", TEMPLATE_KIND),
            ("unit", unit.code),
            ("period", period.code),
            ("version", report.version),
            ("generated", timezone.localtime().strftime("%Y-%m-%d %H:%M:%S")),
            ("format", 1),
            *rows_meta,
        ],
    )
    return _save(wb)


@dataclass
class TemplateLine:
    indicator: Indicator
    address: str
    text: str  # what the cell holds, as typed; report_save parses it like the web form
    explanation: str
    current: Decimal | None
    current_explanation: str
    from_formula: bool = False
    new: Decimal | None = None
    error: str = ""
    flag: str = ""

    @property
    def changed(self) -> bool:
        return self.new != self.current or self.explanation != self.current_explanation


@dataclass
class TemplateUpload:
    """A filled template read and checked exactly as the entry form would check its values."""

    lines: list[TemplateLine]
    version_at_download: int | None
    errors: list[str] = field(default_factory=list)

    @property
    def raw(self) -> dict[str, str]:
        """The form data report_save takes: values and explanations by indicator code."""
        out = {}
        for line in self.lines:
            out[line.indicator.code] = line.text
            out[f"explain_{line.indicator.code}"] = line.explanation
        return out

    @property
    def changed(self) -> bool:
        return any(line.changed for line in self.lines)


def _template_identity(meta: dict[str, str], report: Report) -> None:
    unit, period = report.unit, report.period
    file_unit, file_period = meta.get("unit", ""), meta.get("period", "")
    if file_unit != unit.code:
        other = Unit.objects.filter(code=file_unit).first()
        who = f"{other.name}（{file_unit}）" if other else f"单位编码 {file_unit or '（空）'}"
        raise SheetError(
            f"这是{who}的填报表，不能上传到{unit.name}。请下载本单位的模板填写后再上传。"
        )
    if file_period != period.code:
        try:
            year, quarter = int(file_period[:4]), int(file_period[-1])
            other_period = Period.objects.filter(year=year, quarter=quarter).first()
        except (ValueError, IndexError):
            other_period = None
        title = other_period.title if other_period else (file_period or "其他季度")
        raise SheetError(
            f"这是{title}的填报表，本页是{period.title}。请下载{period.title}的模板填写后再上传。"
        )


def district_template_read(data: bytes, *, report: Report) -> TemplateUpload:
    """Reads a filled template for ``report`` and validates it as the entry form does.

    Refuses (SheetError) a file of another unit or quarter, a renamed sheet, changed rows,
    merged value cells and formulas without a result. Values that break the entry form's
    rules are listed in ``errors`` with their cell; the preview then offers no confirmation.
    """
    book = open_book(data)
    formulas, values = book.sheet(TEMPLATE_SHEET, kind_label="填报模板")
    meta = book.meta(kind=TEMPLATE_KIND, kind_label="填报模板")
    _template_identity(meta, report)
    header = cell_text(formulas.cell(TPL_HEADER_ROW, TPL_VALUE_COL).value)
    if header != TPL_HEADINGS[TPL_VALUE_COL - 1]:
        raise SheetError(
            f"表头被改动了：{get_column_letter(TPL_VALUE_COL)}{TPL_HEADER_ROW} 应为"
            f"“{TPL_HEADINGS[TPL_VALUE_COL - 1]}”。请重新下载模板，只在黄色单元格中填写。"
        )
    merged = merged_in(
        formulas, min_row=TPL_FIRST_ROW, min_col=TPL_VALUE_COL, max_col=TPL_EXPLAIN_COL
    )
    if merged:
        raise SheetError(
            f"填写区域中有合并单元格（{_listed(merged)}）。每个指标的数值各占一格，"
            "请取消合并后再上传。"
        )
    rows = {
        int(key[3:]): code
        for key, code in meta.items()
        if key.startswith("row") and key[3:].isdigit()
    }
    active = list(Indicator.objects.filter(active=True))
    by_code = {i.code: i for i in active}
    unknown = [code for code in rows.values() if code not in by_code]
    if unknown:
        names = dict(Indicator.objects.filter(code__in=unknown).values_list("code", "name"))
        listed = "、".join(f"“{names.get(c, c)}”" for c in unknown)
        raise SheetError(f"模板中的指标{listed}已停用。请重新下载本期模板后填写。")
    missing = [i for i in active if i.code not in rows.values()]
    if missing:
        listed = "、".join(f"“{i.name}”" for i in missing)
        raise SheetError(
            f"下载模板之后，市局新增了指标{listed}，模板中没有。请重新下载本期模板后填写。"
        )

    stored = {
        code: (value, explanation)
        for code, value, explanation in report.figures.values_list(
            "indicator__code", "value", "explanation"
        )
    }
    lines, no_result = [], []
    for row in sorted(rows):
        ind = by_code[rows[row]]
        value_cell = read_cell(formulas, values, row, TPL_VALUE_COL)
        explain_cell = read_cell(formulas, values, row, TPL_EXPLAIN_COL)
        address = f"{get_column_letter(TPL_VALUE_COL)}{row}"
        if value_cell is None:
            no_result.append(address)
            continue
        if explain_cell is None:
            no_result.append(f"{get_column_letter(TPL_EXPLAIN_COL)}{row}")
            continue
        current, current_explanation = stored.get(ind.code, (None, ""))
        lines.append(
            TemplateLine(
                indicator=ind,
                address=address,
                text=value_cell.text,
                explanation=explain_cell.text[:EXPLANATION_MAX],
                current=current,
                current_explanation=current_explanation,
                from_formula=value_cell.from_formula,
            )
        )
    if no_result:
        raise SheetError(_formula_message(no_result))
    version = meta.get("version", "")
    upload = TemplateUpload(lines=lines, version_at_download=int(version) if version else None)
    _validate_template(upload, report)
    return upload


def _validate_template(upload: TemplateUpload, report: Report) -> None:
    """The entry form's rules (services.figures_validate, as for a draft), cell by cell."""
    indicators = [line.indicator for line in upload.lines]
    try:
        parsed = figures_validate(
            unit=report.unit,
            period=report.period,
            raw=upload.raw,
            indicators=indicators,
            require_all=False,
        )
    except FigureErrors as exc:
        by_code = {line.indicator.code: line for line in upload.lines}
        for code, messages in exc.errors.items():
            line = by_code.get(code)
            text = " ".join(messages)
            if line is None:
                upload.errors.append(text)
            else:
                line.error = text
                upload.errors.append(f"{line.address}（{line.indicator.name}）：{text}")
        # The cells that were fine still show what the sheet holds, not an empty preview.
        for line in upload.lines:
            raw = str(upload.raw.get(line.indicator.code) or "").strip()
            if not line.error and raw:
                line.new = parse_figure(raw, line.indicator)
        return
    for line in upload.lines:
        line.new = parsed.get(line.indicator.code)
    flags = figures_flags(
        unit=report.unit,
        period=report.period,
        values={k: v for k, v in parsed.items() if v is not None},
        indicators=indicators,
    )
    for line in upload.lines:
        line.flag = flags.get(line.indicator.code, "")
