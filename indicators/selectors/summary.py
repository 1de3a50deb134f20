"""The summary: the single source for the HTML table, the Excel workbook, the Word circular,
the charts and the generated text, so they can never disagree.

A summary of a node (a parent unit) has a row for each child and a total row for the node.
Its sums come from the database grouped by row through the unit tree's closure table
(``summary_data``), so a summary reads a fixed handful of queries whose cost follows the
node's own subtree, never the whole tree. Ratios are computed here from those sums and the
row's own population, never averaged.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from districts.models import Population, Unit

from .. import calendar, formulas
from .. import computations as calc
from ..models import Indicator, Period, Report
from .summary_data import SummaryData


@dataclass
class Cell:
    """One indicator for one row, with everything the table, charts and text may show."""

    value: Decimal | None = None
    target: Decimal | None = None
    completion: Decimal | None = None
    gap: Decimal | None = None  # percentage points against 序时进度
    last_year_end: Decimal | None = None
    net_growth: Decimal | None = None
    per_capita: Decimal | None = None
    same_last_year: Decimal | None = None
    yoy: Decimal | None = None
    rank: int | None = None
    # A parent whose reporting units have not all reported this figure: ``value`` is the sum
    # of those that have, and the ratios stay empty rather than mislead.
    partial: bool = False
    # A parent some of whose reporting units have no target: ``target`` is the sum of those
    # that have one, and completion stays empty (a smaller target would flatter the total).
    target_partial: bool = False
    # How many units below should report this figure, and how many have.
    expected: int = 0
    reported: int = 0


@dataclass
class Row:
    unit: Unit
    is_total: bool
    cells: dict[str, Cell]
    population: Population | None
    # Leaves only: the state of the unit's own report (None: nothing started).
    state: str | None = None
    # How many reporting units (leaves) below, and how many of them have reports that count.
    leaves: int = 0
    leaves_reported: int = 0
    state_known: bool = False  # True for a leaf, whose own report state is ``state``
    # 0 for the parent's children; 1 for the children of a child shown beneath it.
    depth: int = 0
    # A child whose own children are listed beneath it (a subtotal such as 市本级).
    expanded: bool = False
    # The total row's name in this installation's words (全市, 全省, 合计).
    total_label: str = ""

    @property
    def status_text(self) -> str:
        """A leaf's report state, or how many leaves below a parent have reported."""
        if self.state_known:
            return Report.State(self.state).label if self.state else "未开始"
        return f"已报 {self.leaves_reported} / {self.leaves}"

    @property
    def counted(self) -> bool:
        """Whether a leaf's own report counts in the totals (Report.COUNTED)."""
        return self.state in Report.COUNTED

    @property
    def label(self) -> str:
        if self.is_total:
            return self.total_label or self.unit.name
        return self.unit.label

    @property
    def indented_label(self) -> str:
        """The label as the table prints it: a unit listed beneath its subtotal is indented
        by a full-width space, which Excel, Word and a page all keep."""
        return "\u3000" * self.depth + self.label

    @property
    def ranked(self) -> bool:
        """Whether the row is compared with the others: a real unit, not the total, not a
        catch-all (其他) or a subtotal (市本级), nor a row whose children are listed."""
        return not (self.is_total or self.expanded or self.unit.kind in Unit.UNRANKED)


@dataclass
class Summary:
    period: Period
    parent: Unit
    indicators: list[Indicator]
    rows: list[Row]
    total: Row
    benchmark: Decimal
    states: dict[str, int] = field(default_factory=dict)
    # The year whose year-end populations the 万人比 divide by, and the rows without one.
    population_year: int = 0
    without_population: list[Unit] = field(default_factory=list)
    # This installation's words for the table (districts.models.Wording): the first
    # column's heading, the units below named together, the total row's name.
    unit_heading: str = "单位"
    members_word: str = "各单位"
    # The official table's layout (indicators.catalog.layout_for); None: the default.
    layout: dict | None = None
    # Who publishes it: the office's name, else the system's (the files' author).
    office_name: str = ""

    @property
    def all_rows(self) -> list[Row]:
        return [*self.rows, self.total]

    @property
    def complete(self) -> bool:
        """Every reporting unit below has reported every figure."""
        return not any(
            cell.partial or cell.target_partial
            for row in self.all_rows
            for cell in row.cells.values()
        )

    @property
    def table_indicators(self) -> list[Indicator]:
        return [i for i in self.indicators if i.in_table]

    @property
    def uses_population(self) -> bool:
        return any(i.has_per_capita for i in self.table_indicators)

    @property
    def scope(self) -> str:
        """The node in a title: its total row's name where that names it (全市, 全省), else
        its own name."""
        label = self.total.total_label
        return label if label.startswith("全") else self.parent.name

    @property
    def title(self) -> str:
        return f"{self.period.title}{self.scope}知识产权工作情况"

    def behind(self, indicator_code: str) -> list[Row]:
        """Rows below 序时进度 for an indicator with a target, in the office's order."""
        return [r for r in self.rows if (g := r.cells[indicator_code].gap) is not None and g < 0]


# --- Building --------------------------------------------------------------------------------


def summarize(period: Period, parent: Unit, *, data: SummaryData | None = None) -> Summary:
    """The attachment table for ``parent``'s children and ``parent`` itself as the total row.

    ``data`` is what several summaries of the same node read at once (``trend``); without it
    the summary reads its own.
    """
    data = data or SummaryData.load(parent=parent, summarized=[period])
    unit_heading, members_word, total_label = data.words
    indicators = data.indicators(period)
    related = data.related(period)
    population_year = period.year - 1

    def make_row(unit: Unit, is_total: bool) -> Row:
        node = unit.pk
        leaves = data.leaves.get(node, 0)
        population = data.populations.get((node, population_year))
        cells = {}
        for ind in indicators:
            if ind.is_derived:
                continue
            cells[ind.code] = _cell(data, ind, node, leaves, period, related, population)
        _derive(indicators, cells, population, period)
        is_leaf = bool(getattr(unit, "zz_leaf", False)) and not is_total
        counted = sum(data.states.get((node, period.pk, s), 0) for s in Report.COUNTED)
        own_state = None
        if is_leaf:
            own_state = next(
                (s for s in Report.State.values if data.states.get((node, period.pk, s))), None
            )
        return Row(
            unit=unit,
            is_total=is_total,
            cells=cells,
            population=population,
            state=own_state,
            state_known=is_leaf,
            leaves=leaves,
            leaves_reported=counted,
            depth=getattr(unit, "zz_depth", 0),
            expanded=getattr(unit, "zz_expanded", False),
            total_label=total_label if is_total else "",
        )

    rows = [make_row(u, False) for u in data.units]
    total = make_row(data.parent, True)
    # Ranked among the real units only (never the total, a catch-all or a subtotal).
    ranked = [r for r in rows if r.ranked]
    for ind in indicators:
        ranks = calc.rank({r.unit.id: getattr(r.cells[ind.code], ind.rank_measure) for r in ranked})
        for r in ranked:
            r.cells[ind.code].rank = ranks[r.unit.id]

    counts = {
        state: data.states.get((data.parent.pk, period.pk, state), 0)
        for state in Report.State.values
    }
    counts["missing"] = total.leaves - sum(counts.values())
    needs_population = any(i.has_per_capita for i in indicators) or any(
        set(formulas.POPULATION_NAMES) & formulas.names(i.formula)
        for i in indicators
        if i.is_derived
    )
    return Summary(
        period=period,
        parent=parent,
        indicators=indicators,
        rows=rows,
        total=total,
        benchmark=calc.benchmark(period.end_month),
        states=counts,
        population_year=population_year,
        without_population=[
            r.unit
            for r in [*rows, total]
            if r.population is None and r.unit.kind != Unit.Kind.OTHER  # a catch-all has none
        ]
        if needs_population
        else [],
        office_name=data.office_name,
        unit_heading=unit_heading,
        members_word=members_word,
        layout=data.layout,
    )


def _cell(data, ind, node, leaves, period, related, population) -> Cell:
    if ind.reporter == Indicator.Reporter.UNIT:
        expected = 1 if (node, ind.reporting_unit_id) in data.holds else 0
    else:
        expected = leaves
    cell = Cell(expected=expected)
    if expected == 0:
        return cell  # nobody below this row reports it (a city-wide figure on a district)

    def figure(p):
        if p is None:
            return None, 0
        return data.figures.get((node, p.pk, ind.code), (None, 0))

    value, have = figure(related["current"])
    cell.value, cell.reported = value, have
    if value is not None and have < expected:
        cell.partial = True
    if ind.has_target:
        target, targeted = data.targets.get((node, period.year, ind.code), (None, 0))
        cell.target = target
        cell.target_partial = target is not None and targeted < expected
    if cell.partial:
        return cell
    if ind.has_target:
        cell.completion = None if cell.target_partial else calc.completion(value, cell.target)
        if ind.is_benchmarked:
            # 序时进度 is the share of the year elapsed: it measures a flow counted from
            # 1 January, not a stock whose target is a year-end level.
            cell.gap = calc.benchmark_gap(cell.completion, period.end_month)
    year_end, n_end = figure(related["last_year_end"])
    last_year, n_last = figure(related["same_last_year"])
    # A parent is compared with last year like for like: all its units or none.
    if ind.has_net_growth and n_end == expected:
        cell.last_year_end = year_end
        cell.net_growth = calc.net_growth(value, year_end)
    if ind.has_per_capita:
        cell.per_capita = calc.per_capita(value, population.value if population else None)
    if n_last == expected:
        cell.same_last_year = last_year
        cell.yoy = calc.year_on_year(value, last_year)
    return cell


def _derive(indicators, cells: dict[str, Cell], population, period) -> None:
    """Each derived indicator of a row from the row's own inputs (never its children's
    ratios): a missing input gives no value, a partial one a partial value."""
    derived = {i.code: i for i in indicators if i.is_derived}
    if not derived:
        return
    pop = population.value if population else None
    for code in formulas.order({c: i.formula for c, i in derived.items()}):
        ind = derived[code]
        tree = formulas.parse(ind.formula)
        used = formulas.inputs(ind.formula)
        inputs = [cells.get(c) for c in used]
        cell = Cell(expected=max((c.expected for c in inputs if c), default=0))
        if any(c is None or c.expected == 0 for c in inputs):
            cells[code] = cell
            continue

        def values(attr, inputs=inputs, used=used):
            got = {c: getattr(cells[c], attr) for c in used}
            got[formulas.POPULATION_NAMES[0]] = pop
            return got

        cell.value = formulas.evaluate(tree, values("value"))
        cell.partial = any(c.partial for c in inputs)
        if not cell.partial:
            year_end = formulas.evaluate(tree, values("last_year_end"))
            last_year = formulas.evaluate(tree, values("same_last_year"))
            if ind.has_net_growth and year_end is not None:
                cell.last_year_end = year_end
                cell.net_growth = calc.net_growth(cell.value, year_end)
            if ind.has_per_capita:
                cell.per_capita = calc.per_capita(cell.value, pop)
            if last_year is not None:
                cell.same_last_year = last_year
                cell.yoy = calc.year_on_year(cell.value, last_year)
        cells[code] = cell


# --- Several periods of one node ----------------------------------------------------------------


@dataclass
class Trend:
    """Summaries of one node for each period of its frequency in last year and this year up
    to ``period``. A period that does not exist, or comes after ``period``, has none (None).
    Last year's summaries compare with nothing older, so their net growth and year-on-year
    stay empty."""

    period: Period
    parent: Unit
    indicators: list[Indicator]
    summaries: dict[tuple[int, int], Summary | None]

    @property
    def years(self) -> tuple[int, int]:
        return (self.period.year - 1, self.period.year)

    @property
    def numbers(self) -> list[int]:
        return list(range(1, calendar.last_number(self.period.frequency) + 1))

    @property
    def labels(self) -> list[str]:
        return [calendar.short_title(self.period.frequency, n) for n in self.numbers]

    def cells(self, year: int, unit_id: int, code: str) -> list[Cell | None]:
        """The cell of ``unit_id`` (a row or the node itself) for each period of ``year``."""
        out: list[Cell | None] = []
        for number in self.numbers:
            s = self.summaries.get((year, number))
            row = None
            if s is not None:
                row = next((r for r in s.all_rows if r.unit.id == unit_id), None)
            out.append(row.cells.get(code) if row is not None else None)
        return out


def trend(period: Period, parent: Unit) -> Trend:
    """``summarize`` for every period of last year and this year up to ``period``, reading each
    set once for all of them."""
    last, this = period.year - 1, period.year
    found = {
        (p.year, p.number): p
        for p in Period.objects.filter(frequency=period.frequency, year__in=[last, this])
        if (p.year, p.number) <= (this, period.number)
    }
    found[(this, period.number)] = period
    data = SummaryData.load(parent=parent, summarized=list(found.values()), main=period)
    numbers = range(1, calendar.last_number(period.frequency) + 1)
    summaries: dict[tuple[int, int], Summary | None] = {
        (y, n): None for y in (last, this) for n in numbers
    }
    for key, p in found.items():
        summaries[key] = summarize(p, parent, data=data)
    current = summaries[(this, period.number)]
    return Trend(period=period, parent=parent, indicators=current.indicators, summaries=summaries)


def populations_of(unit_ids: Iterable[int], year: int) -> dict[int, Population]:
    """Each unit's year-end population of ``year`` (one query)."""
    return {p.unit_id: p for p in Population.objects.filter(unit_id__in=list(unit_ids), year=year)}
