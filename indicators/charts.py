"""What the dashboards draw, built from the summary (and the trend of summaries) alone.

Each chart carries two views of the same figures: ``data`` for ECharts (static/js/charts.js,
read from a ``json_script`` block) and ``head``/``rows`` for the table beside it, which a
person reads without JavaScript and which prints. Both come from the same cells here, so
they cannot differ from each other or from the attachment table.

Figures stay Decimal until the last step: ECharts draws JavaScript numbers, so ``_number``
turns the summary's already rounded Decimal into a float only when the chart's data is
written. The table prints the Decimal itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .computations import GAP_PLACES
from .models import Indicator
from .selectors import Cell, Row, Summary, Trend
from .table import RATIO_DISPLAY_PLACES, RATIOS, default_heading, format_figure

COMPLETION_HEADING = gettext_lazy("目标完成情况（%）")
PERCENTS = ("completion", "yoy")  # measures printed as a percentage
GAP_HEADING = gettext_lazy("与序时进度相比（百分点）")
RANK_HEADING = gettext_lazy("排名")
UNIT_HEADING = gettext_lazy("单位")
YOY_HEADING = gettext_lazy("同比（%）")
PARTIAL_MARK = "*"


@dataclass
class Chart:
    key: str  # unique on the page: the DOM ids derive from it
    kind: str  # what charts.js draws: completion, ranking, trend, progress
    title: str
    data: dict
    head: list[str]
    rows: list[list[str]]
    notes: list[str] = field(default_factory=list)

    @property
    def dom_id(self) -> str:
        return f"chart-{self.key}"

    @property
    def data_id(self) -> str:
        return f"chart-data-{self.key}"

    @property
    def payload(self) -> dict:
        """The ``json_script`` content: the data, with what every chart needs to label itself."""
        return {"kind": self.kind, "title": self.title, **self.data}


def _number(value: Decimal | None) -> float | None:
    """A Decimal for ECharts: the one place a figure becomes a float, for drawing only."""
    return None if value is None else float(value)


def _rank_text(rank: int | None) -> str:
    return format_figure(None, 0) if rank is None else str(rank)


def _with_unit(text: str, unit: str) -> str:
    return text if text == format_figure(None, 0) else f"{text}{unit}"


def _signed(value: Decimal | None, places: int) -> str:
    text = format_figure(value, places)
    return f"+{text}" if value is not None and value > 0 else text


def value_heading(indicator: Indicator) -> str:
    """The value column's heading, as in the attachment table but on one line."""
    heading = (indicator.value_heading or _("数值")).replace("\n", "").replace(" ", "")
    unit = f"（{indicator.unit_label}）"
    return heading if unit in heading else f"{heading}{unit}"


def _value_text(indicator: Indicator, cell: Cell | None) -> str:
    if cell is None:
        return format_figure(None, 0)
    text = format_figure(cell.value, indicator.decimal_places)
    return f"{text}{PARTIAL_MARK}" if cell.partial else text


def measure_heading(indicator: Indicator) -> str:
    """The measure a ranking orders by (Indicator.rank_measure, as the summary ranks)."""
    measure = indicator.rank_measure
    if measure == "completion":
        return COMPLETION_HEADING
    return value_heading(indicator) if measure == "value" else default_heading(indicator, measure)


def _measure(indicator: Indicator, cell: Cell) -> tuple[Decimal | None, int]:
    """The ranked measure of a cell and the places it prints with."""
    measure = indicator.rank_measure
    places = RATIO_DISPLAY_PLACES if measure in RATIOS else indicator.decimal_places
    return getattr(cell, measure), places


def completion_chart(summary: Summary, indicator: Indicator) -> Chart:
    """Each unit's completion as bars, the total's last, against the 序时进度 line."""
    rows = summary.all_rows
    cells = [r.cells[indicator.code] for r in rows]
    table = [
        [
            r.label,
            _value_text(indicator, c),
            format_figure(c.target, indicator.decimal_places),
            format_figure(c.completion, RATIO_DISPLAY_PLACES),
            _signed(c.gap, GAP_PLACES),
            _rank_text(c.rank) if not r.is_total else "",
        ]
        for r, c in zip(rows, cells, strict=True)
    ]
    return Chart(
        key=f"completion-{indicator.code}",
        kind="completion",
        title=_("%(indicator)s目标完成情况") % {"indicator": indicator.name},
        data={
            "categories": [r.label for r in rows],
            "values": [_number(c.completion) for c in cells],
            "behind": [c.gap is not None and c.gap < 0 for c in cells],
            "total_index": len(rows) - 1,
            "benchmark": _number(summary.benchmark),
            "unit": "%",
            "file": _("%(period)s%(indicator)s目标完成情况")
            % {"period": summary.period.title, "indicator": indicator.name},
        },
        head=[
            UNIT_HEADING,
            value_heading(indicator),
            _("年指导目标（%(unit)s）") % {"unit": indicator.unit_label},
            COMPLETION_HEADING,
            GAP_HEADING,
            RANK_HEADING,
        ],
        rows=table,
        notes=_partial_notes(cells),
    )


def ranking_chart(summary: Summary, indicator: Indicator) -> Chart:
    """The units in the summary's rank order for an indicator; the unranked last, not drawn."""
    ranked = sorted(
        summary.rows,
        key=lambda r: (r.cells[indicator.code].rank is None, r.cells[indicator.code].rank or 0),
    )
    drawn = [r for r in ranked if r.cells[indicator.code].rank is not None]
    measures = {r.unit.id: _measure(indicator, r.cells[indicator.code]) for r in ranked}
    return Chart(
        key=f"ranking-{indicator.code}",
        kind="ranking",
        title=_("%(indicator)s排名") % {"indicator": indicator.name},
        data={
            "categories": [r.label for r in drawn],
            "values": [_number(measures[r.unit.id][0]) for r in drawn],
            "ranks": [r.cells[indicator.code].rank for r in drawn],
            "measure": measure_heading(indicator),
            "unit": "%" if indicator.rank_measure in PERCENTS else indicator.unit_label,
            "file": _("%(period)s%(indicator)s排名")
            % {"period": summary.period.title, "indicator": indicator.name},
        },
        head=[UNIT_HEADING, RANK_HEADING, measure_heading(indicator)],
        rows=[
            [
                r.label,
                _rank_text(r.cells[indicator.code].rank),
                format_figure(*measures[r.unit.id]),
            ]
            for r in ranked
        ],
    )


def trend_chart(trend: Trend, indicator: Indicator, units: list[tuple[int, str]]) -> Chart:
    """An indicator over the periods of last year and this year, for each (unit id, label).

    A partial sum (not every unit below has reported) is listed in the table, marked, but not
    drawn: a line through it would show a fall that is only a missing report.
    """
    last, this = trend.years
    series, head, columns = [], [_("填报期")], []
    for unit_id, label in units:
        for year in (last, this):
            cells = trend.cells(year, unit_id, indicator.code)
            series.append(
                {
                    "name": _("%(unit)s %(year)s年") % {"unit": label, "year": year},
                    "values": [
                        _number(c.value) if c is not None and not c.partial else None for c in cells
                    ],
                    "last_year": year == last,
                }
            )
            head.append(
                _("%(unit)s %(year)s年（%(measure)s）")
                % {"unit": label, "year": year, "measure": indicator.unit_label}
            )
            columns.append([_value_text(indicator, c) for c in cells])
        head.append(f"{label} {YOY_HEADING}")
        columns.append(
            [
                _signed(c.yoy if c is not None else None, 2)
                for c in trend.cells(this, unit_id, indicator.code)
            ]
        )
    all_cells = [
        c
        for unit_id, _ in units
        for year in (last, this)
        for c in trend.cells(year, unit_id, indicator.code)
    ]
    return Chart(
        key=f"trend-{indicator.code}",
        kind="trend",
        title=_("%(indicator)s走势（%(last)s年—%(this)s年）")
        % {"indicator": indicator.name, "last": last, "this": this},
        data={
            "categories": trend.labels,
            "series": series,
            "unit": indicator.unit_label,
            "file": _("%(indicator)s走势%(last)s-%(this)s")
            % {"indicator": indicator.name, "last": last, "this": this},
        },
        head=head,
        rows=[[title, *(col[i] for col in columns)] for i, title in enumerate(trend.labels)],
        notes=_partial_notes(all_cells),
    )


def progress_chart(summary: Summary, row: Row) -> Chart:
    """One unit's completion of each indicator compared with 序时进度."""
    indicators = [i for i in summary.indicators if i.is_benchmarked]
    cells = [row.cells[i.code] for i in indicators]
    return Chart(
        key="progress",
        kind="progress",
        title=_("%(unit)s%(period)s目标完成情况")
        % {"unit": row.label, "period": summary.period.title},
        data={
            "categories": [i.name for i in indicators],
            "values": [_number(c.completion) for c in cells],
            "behind": [c.gap is not None and c.gap < 0 for c in cells],
            "benchmark": _number(summary.benchmark),
            "unit": "%",
            "file": _("%(period)s%(unit)s目标完成情况")
            % {"period": summary.period.title, "unit": row.label},
        },
        head=[
            _("指标"),
            _("数值"),
            _("年指导目标"),
            COMPLETION_HEADING,
            GAP_HEADING,
            RANK_HEADING,
        ],
        rows=[
            [
                i.name,
                _with_unit(_value_text(i, c), i.unit_label),
                _with_unit(format_figure(c.target, i.decimal_places), i.unit_label),
                format_figure(c.completion, RATIO_DISPLAY_PLACES),
                _signed(c.gap, GAP_PLACES),
                _rank_text(c.rank),
            ]
            for i, c in zip(indicators, cells, strict=True)
        ],
    )


def _partial_notes(cells: list[Cell | None]) -> list[str]:
    if any(c is not None and c.partial for c in cells):
        return [_("标 %(mark)s 的数只含已报送的单位，图中不画。") % {"mark": PARTIAL_MARK}]
    return []
