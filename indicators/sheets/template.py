"""A district's 填报模板 for one period: the entry form as a protected workbook.

Pre-filled with what is stored and the figures that help (last quarter, last year-end, the
same quarter last year, the target); only the value and explanation cells are unlocked, and
Excel itself checks each value against the same bounds the service enforces. The upload is
read back into the entry form's arguments and checked by the entry form's own service
(``services.figures_validate``); confirmed, it is saved as a draft by ``report_save``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import openpyxl
from django.utils import timezone
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from districts.models import Unit
from spreadsheets import reading
from spreadsheets.reading import SheetError
from spreadsheets.writing import (
    BORDER,
    CENTER,
    HEADER_FILL,
    HEADER_FONT,
    INPUT_FILL,
    LEFT,
    MISSING,
    NAME,
    NOTE_FONT,
    RIGHT,
    TITLE_FONT,
    UNLOCKED,
    a4_landscape,
    meta_sheet,
    number,
    protect,
    put,
    save,
)
from zzip.numbers import chinese_date

from .. import calendar
from ..models import Indicator, Report
from ..rules import TEXT_MAX, figures_flags, parse_figure, unit_indicators
from ..selectors import entry_lines
from ..services import FigureErrors, figures_validate
from .validation import validation_for

SHEET = "填报表"
KIND = "district"
KIND_LABEL = "填报模板"
TITLE_ROW = 1
UNIT_ROW = 2
PERIOD_ROW = 3
NOTE_ROW = 4
HEADER_ROW = 6
FIRST_ROW = 7
HEADINGS = (
    "序号",
    "指标",
    "计量单位",
    "口径",
    "本期数值（填写）",
    "上一期",  # the period's own word replaces it: 上季度, 上月
    "去年年底",
    "去年同期",
    "年指导目标",
    "情况说明（数值波动大或存量下降时填写）",
)
PREVIOUS_COL = 6
VALUE_COL = 5  # E
EXPLAIN_COL = 10  # J
WIDTHS = (6, 30, 9, 14, 16, 12, 12, 12, 12, 44)
# A template has one row per indicator; a workbook far beyond that is not one of ours.
MAX_ROWS = 500
MAX_COLS = 30


def filename(report: Report) -> str:
    return f"{report.period.title}{report.unit.name}填报模板.xlsx"


def template_bytes(report: Report) -> bytes:
    """A unit's sheet for one period, pre-filled with what is stored and the reference figures.

    ``report`` may be unsaved (nothing entered yet): downloading creates nothing.
    """
    period, unit = report.period, report.unit
    lines = entry_lines(report)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = SHEET
    last_letter = get_column_letter(len(HEADINGS))

    put(ws, TITLE_ROW, 1, f"{period.title}知识产权指标填报表", font=TITLE_FONT)
    ws.merge_cells(f"A{TITLE_ROW}:{last_letter}{TITLE_ROW}")
    ws.row_dimensions[TITLE_ROW].height = 36
    put(ws, UNIT_ROW, 1, f"填报单位：{unit.name}（{unit.code}）", align=LEFT)
    ws.merge_cells(f"A{UNIT_ROW}:{last_letter}{UNIT_ROW}")
    put(
        ws,
        PERIOD_ROW,
        1,
        f"填报期：{period.title}（{period.code}）    报送截止：{chinese_date(period.deadline)}    "
        f"下载时间：{timezone.localtime():%Y-%m-%d %H:%M}",
        align=LEFT,
    )
    ws.merge_cells(f"A{PERIOD_ROW}:{last_letter}{PERIOD_ROW}")
    put(
        ws,
        NOTE_ROW,
        1,
        "填写说明：只在黄色单元格中填写。累计指标填自1月1日起的累计数，期末指标填期末数；"
        "件数、家数只能填整数。填好后回到系统「上传填好的模板」页面上传，"
        "核对无误后确认，保存为草稿；草稿仍需在系统中点击「提交」。",
        font=NOTE_FONT,
        align=LEFT,
    )
    ws.merge_cells(f"A{NOTE_ROW}:{last_letter}{NOTE_ROW}")
    ws.row_dimensions[NOTE_ROW].height = 48

    for col, heading in enumerate(HEADINGS, start=1):
        heading = period.previous_word if col == PREVIOUS_COL else heading
        cell = put(ws, HEADER_ROW, col, heading, font=HEADER_FONT)
        cell.fill, cell.border = HEADER_FILL, BORDER
    ws.row_dimensions[HEADER_ROW].height = 36

    rows_meta = []
    for n, line in enumerate(lines, start=1):
        row = FIRST_ROW + n - 1
        ind = line.indicator
        cells = [
            n,
            ind.name,
            ind.unit_label,
            "自1月1日起累计" if ind.is_flow else "期末数",
            None if line.current is None else number(line.current),
            number(line.previous),
            number(line.last_year_end),
            number(line.same_last_year),
            number(line.target) if ind.has_target else MISSING,
            line.explanation or None,
        ]
        for col, value in enumerate(cells, start=1):
            align = NAME if col in (2, EXPLAIN_COL) else (RIGHT if col >= 5 else CENTER)
            put(ws, row, col, value, align=align).border = BORDER
        for col in (VALUE_COL, EXPLAIN_COL):
            cell = ws.cell(row=row, column=col)
            cell.fill, cell.protection = INPUT_FILL, UNLOCKED
        dv = validation_for(ind, bounds=line.bounds)
        dv.add(f"{get_column_letter(VALUE_COL)}{row}")
        ws.add_data_validation(dv)
        explain = DataValidation(
            type="textLength",
            operator="lessThanOrEqual",
            formula1=str(TEXT_MAX),
            allow_blank=True,
            showErrorMessage=True,
            errorTitle="说明太长",
            error=f"情况说明最多 {TEXT_MAX} 字。",
        )
        explain.add(f"{get_column_letter(EXPLAIN_COL)}{row}")
        ws.add_data_validation(explain)
        ws.row_dimensions[row].height = 30
        rows_meta.append((f"row{row}", ind.code))

    for col, width in enumerate(WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = f"A{FIRST_ROW}"
    a4_landscape(ws, title_rows=f"{HEADER_ROW}:{HEADER_ROW}")
    protect(ws)
    meta_sheet(
        wb,
        [
            ("kind", KIND),
            ("unit", unit.code),
            ("period", period.code),
            ("version", report.version),
            ("generated", timezone.localtime().strftime("%Y-%m-%d %H:%M:%S")),
            ("format", 1),
            *rows_meta,
        ],
    )
    return save(wb)


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


def _identity(meta: dict[str, str], report: Report) -> None:
    unit, period = report.unit, report.period
    file_unit, file_period = meta.get("unit", "")[:40], meta.get("period", "")[:20]
    if file_unit != unit.code:
        other = Unit.objects.filter(code=file_unit).first()
        who = f"{other.name}（{file_unit}）" if other else f"单位编码 {file_unit or '（空）'}"
        raise SheetError(
            f"这是{who}的填报表，不能上传到{unit.name}。请下载本单位的模板填写后再上传。"
        )
    if file_period != period.code:
        try:
            title = calendar.title(*calendar.parse_code(file_period))
        except calendar.PeriodCodeError:
            title = file_period or "其他填报期"
        raise SheetError(
            f"这是{title}的填报表，本页是{period.title}。请下载{period.title}的模板填写后再上传。"
        )


def template_read(data: bytes, *, report: Report) -> TemplateUpload:
    """Reads a filled template for ``report`` and validates it as the entry form does.

    Refuses (SheetError) a file of another unit or period, a renamed sheet, changed rows,
    merged value cells and formulas without a result. Values that break the entry form's
    rules are listed in ``errors`` with their cell; the preview then offers no confirmation.
    """
    book = reading.open_book(
        data, max_rows=MAX_ROWS, max_cols=MAX_COLS, max_unpacked=2 * reading.MB
    )
    formulas, values = book.sheet(SHEET, kind_label=KIND_LABEL)
    meta = book.meta(kind=KIND, kind_label=KIND_LABEL)
    _identity(meta, report)
    header = reading.cell_text(formulas.cell(HEADER_ROW, VALUE_COL).value)
    if header != HEADINGS[VALUE_COL - 1]:
        raise SheetError(
            f"表头被改动了：{get_column_letter(VALUE_COL)}{HEADER_ROW} 应为"
            f"“{HEADINGS[VALUE_COL - 1]}”。请重新下载模板，只在黄色单元格中填写。"
        )
    merged = reading.merged_in(formulas, min_row=FIRST_ROW, min_col=VALUE_COL, max_col=EXPLAIN_COL)
    if merged:
        raise SheetError(
            f"填写区域中有合并单元格（{reading.listed(merged)}）。每个指标的数值各占一格，"
            "请取消合并后再上传。"
        )
    rows = {
        int(key[3:]): code
        for key, code in meta.items()
        if key.startswith("row") and key[3:].isdigit() and int(key[3:]) <= MAX_ROWS
    }
    asked = unit_indicators(report.unit, report.period)
    by_code = {i.code: i for i in asked}
    unknown = [code for code in rows.values() if code not in by_code]
    if unknown:
        names = dict(Indicator.objects.filter(code__in=unknown).values_list("code", "name"))
        listed = "、".join(f"“{names.get(c, c[:40])}”" for c in unknown[:10])
        raise SheetError(f"模板中的指标{listed}本期已不再填报。请重新下载本期模板后填写。")
    missing = [i for i in asked if i.code not in rows.values()]
    if missing:
        listed = "、".join(f"“{i.name}”" for i in missing)
        raise SheetError(
            f"下载模板之后，新增了指标{listed}，模板中没有。请重新下载本期模板后填写。"
        )

    stored = {}
    if report.pk:
        stored = {
            code: (value, explanation)
            for code, value, explanation in report.figures.values_list(
                "indicator__code", "value", "explanation"
            )
        }
    lines, no_result = [], []
    for row in sorted(rows):
        ind = by_code[rows[row]]
        value_cell = reading.read_cell(formulas, values, row, VALUE_COL)
        explain_cell = reading.read_cell(formulas, values, row, EXPLAIN_COL)
        address = f"{get_column_letter(VALUE_COL)}{row}"
        if value_cell is None:
            no_result.append(address)
            continue
        if explain_cell is None:
            no_result.append(f"{get_column_letter(EXPLAIN_COL)}{row}")
            continue
        current, current_explanation = stored.get(ind.code, (None, ""))
        lines.append(
            TemplateLine(
                indicator=ind,
                address=address,
                text=value_cell.text,
                explanation=explain_cell.text,
                current=current,
                current_explanation=current_explanation,
                from_formula=value_cell.from_formula,
            )
        )
    if no_result:
        raise SheetError(reading.formula_message(no_result))
    version = meta.get("version", "")
    upload = TemplateUpload(
        lines=lines, version_at_download=int(version) if version.isdigit() else None
    )
    _validate(upload, report)
    return upload


def _validate(upload: TemplateUpload, report: Report) -> None:
    """The entry form's rules (services.figures_validate, as for a draft), cell by cell."""
    indicators = [line.indicator for line in upload.lines]
    for line in upload.lines:
        if len(line.explanation) > TEXT_MAX:
            line.error = f"情况说明最多 {TEXT_MAX} 字，现在有 {len(line.explanation)} 字。"
            upload.errors.append(f"{line.address}（{line.indicator.name}）：{line.error}")
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
        unit_id=report.unit_id,
        period=report.period,
        values={k: v for k, v in parsed.items() if v is not None},
        indicators=indicators,
    )
    for line in upload.lines:
        line.flag = flags.get(line.indicator.code, "")
