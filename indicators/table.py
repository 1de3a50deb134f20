"""The layout of the circular's attachment table: the office's layout (TableLayout) where it
has one, else each indicator marked “列入通报附件表” with its usual columns.

The HTML page, the Excel workbook and the Word attachment all iterate these column groups,
so a new indicator appears in all three at once and they can never differ.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from . import computations as calc
from .models import Indicator, Report

# Completion and 万人比 print with two places, as in the seed (53.10, 5.26); so does 同比.
RATIO_DISPLAY_PLACES = 2
RATIOS = ("completion", "per_capita", "yoy")


@dataclass(frozen=True)
class Column:
    indicator: Indicator
    attr: str  # the Cell attribute this column shows
    heading: str  # second header row; "" merges the group's title over both rows
    places: int

    def value(self, row) -> Decimal | None:
        value = getattr(row.cells[self.indicator.code], self.attr)
        return Decimal(value) if isinstance(value, int) else value

    def partial(self, row) -> bool:
        """A sum over only some units: those that reported, or that have a target (marked *)."""
        cell = row.cells[self.indicator.code]
        return (self.attr == "value" and cell.partial) or (
            self.attr == "target" and cell.target_partial
        )


@dataclass(frozen=True)
class ColumnGroup:
    indicator: Indicator
    title: str
    columns: list[Column]

    @property
    def merged_vertically(self) -> bool:
        return len(self.columns) == 1 and not self.columns[0].heading


def columns_for(indicator: Indicator) -> list[Column]:
    u = indicator.unit_label
    places = indicator.decimal_places
    cols = [Column(indicator, "value", indicator.value_heading, places)]
    if indicator.is_flow:
        if indicator.has_target:
            cols.append(Column(indicator, "target", f"年指导目标（{u}）", places))
            cols.append(Column(indicator, "completion", "目标完成情况（%）", RATIO_DISPLAY_PLACES))
    else:
        if indicator.has_net_growth:
            cols.append(Column(indicator, "net_growth", f"比去年年底净增长（{u}）", places))
        if indicator.has_target:
            cols.append(Column(indicator, "target", f"年指导目标（{u}）", places))
        if indicator.has_per_capita:
            cols.append(Column(indicator, "per_capita", f"万人比（{u}）", RATIO_DISPLAY_PLACES))
    if len(cols) > 1 and not cols[0].heading:
        cols[0] = Column(indicator, "value", f"数值（{u}）", places)
    return cols


def default_heading(indicator: Indicator, measure: str) -> str:
    u = indicator.unit_label
    return {
        "value": indicator.value_heading or f"数值（{u}）",
        "target": f"年指导目标（{u}）",
        "completion": "目标完成情况（%）",
        "net_growth": f"比去年年底净增长（{u}）",
        "per_capita": f"万人比（{u}）",
        "yoy": "同比（%）",
        "rank": "排名",
    }[measure]


def _places(indicator: Indicator, measure: str) -> int:
    if measure in RATIOS:
        return RATIO_DISPLAY_PLACES
    return 0 if measure == "rank" else indicator.decimal_places


def column_groups(summary) -> list[ColumnGroup]:
    """The table's column groups: the summary's layout, or the indicators' own columns."""
    if summary.layout is None:
        return [ColumnGroup(i, i.title, columns_for(i)) for i in summary.table_indicators]
    by_code = {i.code: i for i in summary.indicators}
    groups: list[ColumnGroup] = []
    for spec in summary.layout["columns"]:
        ind = by_code.get(spec["code"])
        if ind is None:  # not reported in this period
            continue
        column = Column(
            ind,
            spec["measure"],
            spec["heading"] or default_heading(ind, spec["measure"]),
            _places(ind, spec["measure"]),
        )
        if groups and groups[-1].indicator.code == ind.code:
            groups[-1].columns.append(column)
        else:
            groups.append(ColumnGroup(ind, ind.title, [column]))
    return groups


PARTIAL_NOTE = (
    "注：标 * 的合计只含已报送的单位（目标只含已下达目标的单位）；"
    "完成情况、净增长、万人比等在全部单位齐全后计算。"
)


def table_notes(summary) -> list[str]:
    """The notes under the table (page, Excel and Word alike): why a sum is partial, which
    year's population the 万人比 divide by, and whose population is missing."""
    notes = []
    if not summary.complete:
        notes.append(PARTIAL_NOTE)
    if waiting := _waiting(summary):
        notes.append(f"注：尚未计入合计的单位：{waiting}。")
    if summary.uses_population:
        year = summary.population_year
        notes.append(f"注：万人比按{year}年末常住人口计算。")
        if summary.without_population:
            names = "、".join(u.name for u in summary.without_population)
            notes.append(f"注：{names}缺少{year}年末常住人口，万人比空缺。")
    return notes


def _waiting(summary, listed: int = 8) -> str:
    """The units whose figures a partial total lacks, with why (未报送, 已退回…)."""
    names = []
    for row in summary.rows:
        if row.is_total:
            continue
        if row.state_known and not row.counted:
            why = Report.State(row.state).label if row.state else "未报送"
            names.append(f"{row.label}（{why}）")
        elif not row.state_known and row.leaves_reported < row.leaves:
            names.append(f"{row.label}（已报 {row.leaves_reported} / {row.leaves}）")
    shown = "、".join(names[:listed])
    return shown + (f" 等 {len(names)} 个单位" if len(names) > listed else "")


def format_figure(value: Decimal | None, places: int) -> str:
    """The printed form of an official figure: half-up to ``places``; "—" when there is none."""
    if value is None:
        return "—"
    return f"{calc.round_half_up(value, places):f}"
