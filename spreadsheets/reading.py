"""Reading an uploaded spreadsheet safely, whatever a person or a program sends.

Guards against what offices actually send: something that is not a spreadsheet, an old .xls,
an empty or huge file, a zip bomb, merged cells where values belong, formulas (their cached
results are read; a formula without one is refused), a renamed sheet. A problem with the
whole file is a ``SheetError`` whose message says why, in Chinese; a reader of one kind of
sheet (indicators.sheets, the import resources) lists a problem with a cell with its address.

Nothing here knows units, indicators or targets, and nothing here writes to the database.
"""

from __future__ import annotations

import csv
import datetime
import io
import math
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from xml.etree import ElementTree

import openpyxl
import tablib
from django.conf import settings
from openpyxl.worksheet.worksheet import Worksheet

# --- Limits -----------------------------------------------------------------------------------

# Upload size when settings do not say (bytes); settings.SPREADSHEET_UPLOAD_MAX_BYTES wins.
DEFAULT_UPLOAD_MAX_BYTES = 5 * 1024 * 1024
# A part of an xlsx that unpacks to more than this many times its packed size is a zip bomb:
# real worksheets compress about five to fifteen times.
MAX_RATIO = 100
# How many cell addresses a message lists before "等".
LISTED = 8

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls (and other old Office files)
_ZIP_MAGIC = b"PK\x03\x04"
_SHEET_MEMBER = re.compile(r"^xl/worksheets/[^/]+\.xml$")
_CELL_REF = re.compile(r"^([A-Z]{1,3})([0-9]+)$")
MB = 1024 * 1024


@dataclass(frozen=True)
class Budget:
    """How big a workbook of one kind may be: what a real one needs, with room to spare.

    Checked before anything is parsed (the packed and unpacked sizes) and while the sheets'
    XML is streamed once (the highest row and column any cell claims), so a hostile file is
    refused in a fraction of a second and a few megabytes, whatever it claims to hold.
    """

    rows: int
    cols: int
    unpacked: int  # bytes, all parts of the xlsx together

    @property
    def streamed(self) -> bool:
        return self.unpacked > 20 * MB


# Raw-data imports (indicators.resources, districts.resources): up to 100,000 rows of a few
# columns. A national tree's year of quarterly figures is about 64,000 rows.
IMPORT_BUDGET = Budget(rows=100_000, cols=60, unpacked=60 * MB)


# The hidden sheet that tells which file this is: kind, year or unit and period, version.
META_SHEET = "_zzip"


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


def _column_index(letters: str) -> int:
    index = 0
    for ch in letters:
        index = index * 26 + ord(ch) - 64
    return index


def _check_xlsx(data: bytes, budget: Budget) -> None:
    """Refuses what is not an xlsx, or is bigger than ``budget``, before openpyxl sees it."""
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
            if "xl/workbook.xml" not in names:
                raise SheetError(
                    "这个文件不是 Excel 表格（.xlsx）。请上传用 Excel 或 WPS 保存的 .xlsx 文件。"
                )
            if unpacked > budget.unpacked:
                raise SheetError(
                    f"文件解压后有 {size_text(unpacked)}，超过了 {size_text(budget.unpacked)} "
                    "的上限。请删去无关的工作表和内容，或分批导入。"
                )
            for m in members:
                if m.file_size > MB and m.file_size > MAX_RATIO * max(m.compress_size, 1):
                    raise SheetError(
                        f"文件中的“{m.filename[:60]}”解压后是压缩时的 "
                        f"{m.file_size // max(m.compress_size, 1)} 倍，不是正常的 Excel 表格"
                        "（可能是恶意构造的文件）。请用 Excel 或 WPS 重新保存后再上传。"
                    )
            for m in members:
                if _SHEET_MEMBER.match(m.filename):
                    with archive.open(m) as member:
                        _scan_sheet(member, budget)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, ElementTree.ParseError) as exc:
        raise SheetError("这个 Excel 文件已损坏，无法打开。请重新保存后再上传。") from exc


def _scan_sheet(source, budget: Budget) -> None:
    """Streams one worksheet's XML once and stops at the first row or column beyond
    ``budget``: a cell at row 1,048,576 or column XFD is refused before any is loaded."""
    row_count = 0
    for _event, element in ElementTree.iterparse(source, events=("start",)):
        tag = element.tag.rpartition("}")[2]
        if tag == "row":
            row_count += 1
            number = element.get("r")
            index = int(number) if number and number.isdigit() else row_count
            if index > budget.rows or row_count > budget.rows:
                raise SheetError(
                    f"工作表有第 {max(index, row_count)} 行，超过了这种表格 {budget.rows} 行的上限"
                    "（可能有远处的空白单元格带了格式或内容）。请删去多余的行后再上传。"
                )
        elif tag == "c":
            match = _CELL_REF.match(element.get("r") or "")
            if match and _column_index(match[1]) > budget.cols:
                raise SheetError(
                    f"工作表在 {match[0]} 有单元格，超过了这种表格 {budget.cols} 列的上限。"
                    "请删去多余的列后再上传。"
                )
        elif tag == "sheetData":
            continue
        element.clear()


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


def listed(items: list[str]) -> str:
    shown = "、".join(items[:LISTED])
    return shown + (f" 等 {len(items)} 处" if len(items) > LISTED else "")


def formula_message(cells: list[str]) -> str:
    return (
        f"{listed(cells)} 是公式，但文件里没有保存公式的计算结果（文件可能是由程序生成的）。"
        "请在 Excel 或 WPS 中打开这个文件、保存后再上传，或把公式改成数字。"
    )


def _dataset(rows: Iterable[list], *, source: str, budget: Budget) -> tablib.Dataset:
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
    if width > budget.cols:
        raise SheetError(
            f"{source}的表头有 {width} 列，超过了 {budget.cols} 列的上限。请只保留需要的列。"
        )
    body = []
    for number, row in enumerate(iterator, start=2):
        if number > budget.rows + 1:
            raise SheetError(f"{source}超过 {budget.rows} 行数据的上限。请分成几个文件分批导入。")
        values = list(row)[:width]
        values += [None] * (width - len(values))
        body.append(values)
    while body and all(cell_text(v) == "" for v in body[-1]):
        body.pop()
    if not body:
        raise SheetError(f"{source}只有表头，没有数据行。")
    return tablib.Dataset(*body, headers=headers)


def xlsx_dataset(data: bytes, budget: Budget = IMPORT_BUDGET) -> tablib.Dataset:
    """The active sheet of an uploaded xlsx as a tablib Dataset, for django-import-export.

    Streams the sheet twice (values, then formulas) so a large file never sits in memory as
    cells. A formula's cached result is read; a formula without one is refused, as is any
    merged cell (an import needs one value per cell).
    """
    _check_xlsx(data, budget)
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
                f"工作表“{sheet.title}”中有合并单元格（{listed(merged)}）。"
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

        dataset = _dataset(rows(), source=f"工作表“{sheet.title[:31]}”", budget=budget)
        if missing:
            raise SheetError(formula_message(missing))
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


def csv_dataset(data: bytes, budget: Budget = IMPORT_BUDGET) -> tablib.Dataset:
    check_size(len(data))
    if not data.strip():
        raise SheetError("文件是空的。请选择填好数据的文件。")
    if data.startswith(_ZIP_MAGIC) or data.startswith(_OLE_MAGIC):
        raise SheetError("这是 Excel 文件，不是 CSV。请把“格式”选为 xlsx 后再导入。")
    if b"\x00" in data[:4096]:
        raise SheetError("这个文件不是 CSV 文本文件。请上传 .csv 或 .xlsx 文件。")
    text = decode_text(data)
    try:
        # A generator: rows are checked against the budget as they are read, never all held.
        return _dataset(csv.reader(io.StringIO(text, newline="")), source="文件", budget=budget)
    except csv.Error as exc:
        raise SheetError(
            f"CSV 文件格式有误：{str(exc)[:100]}。请用 Excel 或 WPS 另存为 CSV 后再上传。"
        ) from exc


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


def open_book(data: bytes, *, max_rows: int, max_cols: int, max_unpacked: int = 20 * MB) -> Book:
    """A workbook of one of our own kinds, loaded whole (it is small by its budget), once as
    typed and once as last computed. Checked against the budget before it is loaded."""
    _check_xlsx(data, Budget(rows=max_rows, cols=max_cols, unpacked=max_unpacked))
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
