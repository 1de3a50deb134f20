"""年度目标下达表: one row per reporting unit, one column per indicator with a target.

Download it (current targets or blank), fill the yellow cells, upload: the reader turns each
cell into a target's arguments and asks the target service's own check
(``services.target_errors``) what is wrong with it; the preview shows every target that
changes (old → new); ``services.targets_set`` writes them on confirmation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import openpyxl
from django.utils import timezone
from openpyxl.utils import get_column_letter

from districts import tree
from districts.models import Unit
from spreadsheets import reading
from spreadsheets.reading import SheetError
from spreadsheets.writing import (
    BODY_ROW_HEIGHT,
    BORDER,
    HEADER_FILL,
    HEADER_FONT,
    INPUT_FILL,
    LEFT,
    MISSING,
    NAME,
    NOTE_FONT,
    RIGHT,
    TITLE_FONT,
    TOTAL_FONT,
    UNLOCKED,
    a4_landscape,
    formula,
    meta_sheet,
    number,
    protect,
    put,
    save,
)

from .. import catalog
from ..models import Indicator, Target
from ..services import target_errors
from .validation import validation_for

SHEET = "目标下达表"
KIND = "targets"
KIND_LABEL = "目标下达表"
TITLE_ROW = 1
NOTE_ROW = 2
HEADER_ROW = 3
CODE_ROW = 4
FIRST_ROW = 5
CODE_COL = 1
NAME_COL = 2
FIRST_VALUE_COL = 3
CODE_HEADING = "单位编码"
NAME_HEADING = "单位"
TOTAL_LABEL = "合计"
# A sheet has one row per reporting unit: a national tree's leaves, and room to spare.
MAX_ROWS = 10_000


def target_indicators(year: int) -> list[Indicator]:
    return catalog.with_targets(year)


def target_units(indicators: list[Indicator]) -> list[Unit]:
    """The units that receive targets, depth first in the office's order: the units that
    enter a unit's own figures (a city's), then every reporting unit at the bottom."""
    top = tree.root()
    if top is None:
        return []
    subtree = tree.Subtree.of(top)
    own = {i.reporting_unit_id for i in indicators if i.reporting_unit_id in subtree.units}
    order = [uid for uid in subtree.descendants(top.pk) if uid in own]
    order += [uid for uid in subtree.leaves(top.pk) if uid not in own]
    return [subtree.units[uid] for uid in order]


def sheet_title(year: int) -> str:
    return f"{year}年度知识产权工作主要指标目标下达表"


def sheet_filename(year: int, *, empty: bool) -> str:
    return f"{year}年度目标下达表{'（空白）' if empty else ''}.xlsx"


def sheet_bytes(*, year: int, empty: bool = False) -> bytes:
    """The wide target sheet for ``year``; with ``empty`` the input cells are blank."""
    indicators = target_indicators(year)
    units = target_units(indicators)
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
    ws.title = SHEET
    last_col = FIRST_VALUE_COL + len(indicators) - 1
    last_letter = get_column_letter(max(last_col, NAME_COL))

    put(ws, TITLE_ROW, 1, sheet_title(year), font=TITLE_FONT)
    ws.merge_cells(f"A{TITLE_ROW}:{last_letter}{TITLE_ROW}")
    ws.row_dimensions[TITLE_ROW].height = 36
    put(
        ws,
        NOTE_ROW,
        1,
        f"填写说明：在黄色单元格中填写各单位{year}年度指导目标；件数、家数只能填整数。"
        "留空的单元格不导入，也不会删除已有目标。“合计”行自动求和，不导入。"
        "填好后在系统「年度目标下达表」页面上传，核对与系统中目标的差异后确认。",
        font=NOTE_FONT,
        align=LEFT,
    )
    ws.merge_cells(f"A{NOTE_ROW}:{last_letter}{NOTE_ROW}")
    ws.row_dimensions[NOTE_ROW].height = 48

    headings = [CODE_HEADING, NAME_HEADING] + [f"{i.name}（{i.unit_label}）" for i in indicators]
    for col, heading in enumerate(headings, start=1):
        cell = put(ws, HEADER_ROW, col, heading, font=HEADER_FONT)
        cell.fill, cell.border = HEADER_FILL, BORDER
    ws.row_dimensions[HEADER_ROW].height = 36
    # Codes, hidden: what the upload reads, whatever the headings say.
    put(ws, CODE_ROW, CODE_COL, "code")
    for col, ind in enumerate(indicators, start=FIRST_VALUE_COL):
        put(ws, CODE_ROW, col, ind.code)
    ws.row_dimensions[CODE_ROW].hidden = True

    row = FIRST_ROW
    for unit in units:
        put(ws, row, CODE_COL, unit.code).border = BORDER
        put(ws, row, NAME_COL, unit.name, align=NAME).border = BORDER
        ws.row_dimensions[row].height = BODY_ROW_HEIGHT
        for col, ind in enumerate(indicators, start=FIRST_VALUE_COL):
            if not ind.reported_by(unit, is_leaf=tree.is_leaf(unit)):
                # Not this unit's to report (a city-wide figure on a district's row).
                put(ws, row, col, MISSING, align=RIGHT).border = BORDER
                continue
            value = stored.get((unit.id, ind.code))
            cell = put(ws, row, col, None if value is None else number(value), align=RIGHT)
            cell.fill, cell.border, cell.protection = INPUT_FILL, BORDER, UNLOCKED
        row += 1
    last_unit_row = row - 1
    put(ws, row, CODE_COL, None).border = BORDER
    put(ws, row, NAME_COL, TOTAL_LABEL, font=TOTAL_FONT).border = BORDER
    ws.row_dimensions[row].height = BODY_ROW_HEIGHT
    for col in range(FIRST_VALUE_COL, last_col + 1):
        letter = get_column_letter(col)
        if units:
            total = formula(ws, row, col, f"=SUM({letter}{FIRST_ROW}:{letter}{last_unit_row})")
        else:
            total = put(ws, row, col, 0, align=RIGHT)
        total.font, total.border = TOTAL_FONT, BORDER

    for ind_col, ind in enumerate(indicators, start=FIRST_VALUE_COL):
        if not units:
            break
        letter = get_column_letter(ind_col)
        dv = validation_for(ind)
        dv.add(f"{letter}{FIRST_ROW}:{letter}{last_unit_row}")
        ws.add_data_validation(dv)

    ws.column_dimensions["A"].width = 12
    ws.column_dimensions["B"].width = 18
    for col in range(FIRST_VALUE_COL, last_col + 1):
        ws.column_dimensions[get_column_letter(col)].width = 24
    ws.freeze_panes = f"C{FIRST_ROW}"
    a4_landscape(ws, title_rows=f"{HEADER_ROW}:{HEADER_ROW}")
    protect(ws)
    meta_sheet(
        wb,
        [
            ("kind", KIND),
            ("year", year),
            ("generated", timezone.localtime().strftime("%Y-%m-%d %H:%M:%S")),
            ("format", 1),
        ],
    )
    return save(wb)


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


def sheet_read(data: bytes, *, year: int) -> TargetUpload:
    """Reads a filled 年度目标下达表 and compares it with the stored targets of ``year``.

    A whole-file problem raises SheetError; a problem with a cell goes into ``errors`` with
    its address, and the upload then cannot be confirmed.
    """
    book = reading.open_book(data, max_rows=MAX_ROWS + FIRST_ROW, max_cols=200)
    formulas, values = book.sheet(SHEET, kind_label=KIND_LABEL)
    meta = book.meta(kind=KIND, kind_label=KIND_LABEL)
    file_year = meta.get("year", "")
    if file_year != str(year):
        raise SheetError(
            f"这是{file_year[:10]}年的目标下达表，本页是{year}年。"
            f"请在{file_year[:10]}年的页面上传，或下载{year}年的目标下达表填写。"
        )
    if reading.cell_text(formulas.cell(HEADER_ROW, CODE_COL).value) != CODE_HEADING:
        raise SheetError(
            f"表头被改动了：A{HEADER_ROW} 应为“{CODE_HEADING}”。"
            "请重新下载目标下达表，只在黄色单元格中填写。"
        )
    by_code = {i.code: i for i in Indicator.objects.all()}
    columns: list[tuple[int, Indicator]] = []
    for col in range(FIRST_VALUE_COL, formulas.max_column + 1):
        code = reading.cell_text(formulas.cell(CODE_ROW, col).value)
        if not code:
            continue
        ind = by_code.get(code)
        if ind is None:
            raise SheetError(
                f"第 {get_column_letter(col)} 列的指标（编码 {code[:40]}）在系统中不存在。"
                "请重新下载目标下达表。"
            )
        columns.append((col, ind))
    if not columns:
        raise SheetError("表头被改动了：找不到指标列。请重新下载目标下达表，只在黄色单元格中填写。")
    last_col = max(col for col, _ind in columns)
    merged = reading.merged_in(formulas, min_row=FIRST_ROW, min_col=1, max_col=last_col)
    if merged:
        raise SheetError(
            f"数据区域中有合并单元格（{reading.listed(merged)}）。每个单位、每个指标各占一格，"
            "请取消合并后再上传。"
        )

    units = {u.code: u for u in Unit.objects.all()}
    upload = TargetUpload(year=year, indicators=[ind for _col, ind in columns])
    seen: dict[str, int] = {}
    no_result: list[str] = []
    for row in range(FIRST_ROW, formulas.max_row + 1):
        code = reading.cell_text(formulas.cell(row, CODE_COL).value)
        name = reading.cell_text(formulas.cell(row, NAME_COL).value)
        cells = {col: reading.read_cell(formulas, values, row, col) for col, _ind in columns}
        if TOTAL_LABEL in (code, name):
            continue
        if not code:
            if any(c is None or c.text for c in cells.values()):
                upload.errors.append(f"第 {row} 行：填了目标，但 A{row} 没有单位编码。")
            continue
        unit = units.get(code)
        if unit is None:
            upload.errors.append(f"A{row}：未知单位编码“{code[:40]}”。")
            continue
        if code in seen:
            upload.errors.append(f"A{row}：{unit.name}与第 {seen[code]} 行重复。")
            continue
        seen[code] = row
        line, unit_refused = [], False
        for col, ind in columns:
            address = f"{get_column_letter(col)}{row}"
            read = cells[col]
            if read is None:
                no_result.append(address)
                continue
            if not read.text or read.text == MISSING:
                line.append(TargetCell(unit, ind, address, None, None, False))
                continue
            problems, _year, new = target_errors(
                unit=unit, indicator=ind, year=year, value=read.text
            )
            if "unit" in problems:
                if not unit_refused:
                    upload.errors.append(f"A{row}：{' '.join(problems['unit'])}")
                unit_refused = True
                continue
            messages = problems.get("indicator", []) + problems.get("value", [])
            if messages:
                upload.errors.append(f"{address}（{unit.name} · {ind.name}）：{' '.join(messages)}")
                continue
            line.append(TargetCell(unit, ind, address, None, new, read.from_formula))
        if not unit_refused:
            upload.rows.append((unit, line))
    if no_result:
        upload.errors.insert(0, reading.formula_message(no_result))
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
