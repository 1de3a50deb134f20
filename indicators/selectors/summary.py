"""The summary: the single source for the HTML table, the Excel workbook, the Word circular,
the charts and the generated text, so they can never disagree.

A summary of any node reads a fixed handful of sets whatever the size of the tree (units,
indicators, periods, figures, targets, populations, reports) and rolls them up in memory.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from districts.models import Population, Unit
from districts.tree import Subtree

from .. import computations as calc
from ..lookups import figures_by_unit, related_keys, related_periods
from ..models import Indicator, Period, Report, Target

# The total row's name in the office's tables: 全市 for a city's table, 全省 for a province's.
TOTAL_LABELS = {Unit.Kind.CITY: "全市", Unit.Kind.PROVINCE: "全省"}


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
    same_quarter_last_year: Decimal | None = None
    yoy: Decimal | None = None
    rank: int | None = None
    # A parent whose reporting units have not all reported this figure: ``value`` is the sum
    # of those that have, and the ratios stay empty rather than mislead.
    partial: bool = False
    # A parent some of whose reporting units have no target: ``target`` is the sum of those
    # that have one, and completion stays empty (a smaller target would flatter the total).
    target_partial: bool = False


@dataclass
class Row:
    unit: Unit
    is_total: bool
    cells: dict[str, Cell]
    population: Population | None
    # Leaves only: the state of the unit's own report (None: nothing started).
    state: str | None = None
    # Parents: how many leaves below have reported figures that count.
    leaves: int = 0
    leaves_reported: int = 0
    state_known: bool = False  # True for a leaf, whose own report state is ``state``

    @property
    def status_text(self) -> str:
        """A leaf's report state, or how many leaves below a parent have reported."""
        if self.state_known:
            return Report.State(self.state).label if self.state else "未开始"
        return f"已报 {self.leaves_reported} / {self.leaves}"

    @property
    def label(self) -> str:
        if self.is_total:
            return TOTAL_LABELS.get(self.unit.kind, self.unit.name)
        return self.unit.label


@dataclass
class Summary:
    period: Period
    parent: Unit
    indicators: list[Indicator]
    rows: list[Row]
    total: Row
    benchmark: Decimal
    states: dict[str, int] = field(default_factory=dict)

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
    def title(self) -> str:
        scope = "全市" if self.parent.kind == Unit.Kind.CITY else self.parent.name
        return f"{self.period.title}{scope}知识产权工作情况"

    def behind(self, indicator_code: str) -> list[Row]:
        """Rows below 序时进度 for an indicator with a target, in the office's order."""
        return [r for r in self.rows if (g := r.cells[indicator_code].gap) is not None and g < 0]


def latest_populations(unit_ids: list[int], year: int) -> dict[int, Population]:
    """Each unit's latest published year-end population before ``year`` (one query)."""
    out: dict[int, Population] = {}
    for pop in Population.objects.filter(unit_id__in=unit_ids, year__lt=year).order_by(
        "unit_id", "-year"
    ):
        out.setdefault(pop.unit_id, pop)
    return out


def summarize(
    period: Period,
    parent: Unit,
    *,
    tree: Subtree | None = None,
    data: SummaryData | None = None,
) -> Summary:
    """The attachment table for ``parent``'s children and ``parent`` itself as the total row.

    ``data`` is what several summaries of the same node read at once (``trend``); without it
    the summary reads its own sets.
    """
    tree = tree or Subtree.of(parent)
    if data is None:
        periods = related_periods(period)
        wanted = [p for key, p in periods.items() if p is not None and key != "previous_quarter"]
        data = SummaryData.load(parent=parent, tree=tree, summarized=[period], read=wanted)
    else:
        periods = data.related(period)
    indicators = data.indicators
    codes = [i.code for i in indicators]
    leaf_ids = tree.leaves(parent.id)
    row_units = tree.children.get(parent.id, []) or []
    figures = data.figures
    targets = data.targets.get(period.year, {})
    populations = data.populations.get(period.year, {})
    report_states = data.report_states.get(period.id, {})

    def build(unit_id: int) -> calc.Node:
        return calc.Node(unit_id, [build(c.id) for c in tree.children.get(unit_id, [])])

    tree_node = build(parent.id)

    def rolled(p: Period | None, source) -> dict:
        def fill(n: calc.Node):
            n.own = source(p, n.key) if p is not None else {}
            for c in n.children:
                fill(c)

        fill(tree_node)
        return calc.roll_up(tree_node, codes)

    def from_figures(p, unit_id):
        return figures.get((p.id, unit_id), {})

    current = rolled(periods["current"], from_figures)
    year_end = rolled(periods["last_year_end"], from_figures)
    last_year = rolled(periods["same_quarter_last_year"], from_figures)
    target_sums = rolled(period, lambda _p, unit_id: targets.get(unit_id, {}))
    one = Decimal(1)

    def present(p, unit_id):
        return {code: one for code in figures.get((p.id, unit_id), {})}

    # How many reporting units below each node have the figure, now and in the periods it is
    # compared with: a parent is compared only like with like, all units or none.
    reported = rolled(periods["current"], present)
    reported_year_end = rolled(periods["last_year_end"], present)
    reported_last_year = rolled(periods["same_quarter_last_year"], present)
    targeted = rolled(period, lambda _p, unit_id: {code: one for code in targets.get(unit_id, {})})

    def make_row(unit: Unit, is_total: bool) -> Row:
        population = populations.get(unit.id)
        pop_value = population.value if population else None
        leaves = tree.leaves(unit.id)
        cells = {}
        for ind in indicators:
            value = current[unit.id][ind.code]
            cell = Cell(value=value)
            have = reported[unit.id][ind.code] or 0
            if value is not None and have < len(leaves):
                cell.partial = True
                if ind.has_target:
                    # The annual target does not wait for the reports: it is shown whole.
                    cell.target = target_sums[unit.id][ind.code]
                    cell.target_partial = (targeted[unit.id][ind.code] or 0) < len(leaves)
                cells[ind.code] = cell
                continue
            if ind.has_target:
                cell.target = target_sums[unit.id][ind.code]
                if cell.target is not None and (targeted[unit.id][ind.code] or 0) < len(leaves):
                    cell.target_partial = True
                cell.completion = (
                    None if cell.target_partial else calc.completion(value, cell.target)
                )
                if ind.is_benchmarked:
                    # 序时进度 is the share of the year elapsed: it measures a flow counted
                    # from 1 January, not a stock whose target is a year-end level.
                    cell.gap = calc.benchmark_gap(cell.completion, period.quarter)
            complete_year_end = (reported_year_end[unit.id][ind.code] or 0) == len(leaves)
            complete_last_year = (reported_last_year[unit.id][ind.code] or 0) == len(leaves)
            if ind.has_net_growth and complete_year_end:
                cell.last_year_end = year_end[unit.id][ind.code]
                cell.net_growth = calc.net_growth(value, cell.last_year_end)
            if ind.has_per_capita:
                cell.per_capita = calc.per_capita(value, pop_value)
            if complete_last_year:
                cell.same_quarter_last_year = last_year[unit.id][ind.code]
                cell.yoy = calc.year_on_year(value, cell.same_quarter_last_year)
            cells[ind.code] = cell
        return Row(
            unit=unit,
            is_total=is_total,
            cells=cells,
            population=population,
            state=report_states.get(unit.id) if tree.is_leaf(unit.id) else None,
            state_known=tree.is_leaf(unit.id),
            leaves=len(leaves),
            leaves_reported=sum(1 for uid in leaves if report_states.get(uid) in Report.COUNTED),
        )

    rows = [make_row(u, False) for u in row_units]
    total = make_row(parent, True)
    for ind in indicators:
        ranks = calc.rank({r.unit.id: getattr(r.cells[ind.code], ind.rank_measure) for r in rows})
        for r in rows:
            r.cells[ind.code].rank = ranks[r.unit.id]

    counts = {state: 0 for state in [*Report.State.values, "missing"]}
    for uid in leaf_ids:
        state = report_states.get(uid)
        counts[state or "missing"] = counts.get(state or "missing", 0) + 1
    return Summary(
        period=period,
        parent=parent,
        indicators=indicators,
        rows=rows,
        total=total,
        benchmark=calc.benchmark(period.quarter),
        states=counts,
    )


@dataclass
class SummaryData:
    """The sets a summary reads, fetched once for one or several periods of the same node.

    ``summarized`` are the periods summaries will be built for (their targets, populations
    and report states are read); ``read`` the periods whose figures they compare with.
    """

    indicators: list[Indicator]
    periods: list[Period]
    figures: dict[tuple[int, int], dict[str, Decimal]]
    targets: dict[int, dict[int, dict[str, Decimal]]]  # year → unit → indicator → value
    populations: dict[int, dict[int, Population]]  # year → unit → latest population before it
    report_states: dict[int, dict[int, str]]  # period → unit → state

    @classmethod
    def load(
        cls, *, parent: Unit, tree: Subtree, summarized: list[Period], read: list[Period]
    ) -> SummaryData:
        leaf_ids = tree.leaves(parent.id)
        all_ids = tree.descendants(parent.id)
        row_ids = [u.id for u in tree.children.get(parent.id, [])]
        periods = list({p.id: p for p in [*read, *summarized]}.values())
        years = sorted({p.year for p in summarized})
        targets: dict[int, dict[int, dict[str, Decimal]]] = {}
        for year, unit_id, code, value in Target.objects.filter(
            year__in=years, unit_id__in=all_ids
        ).values_list("year", "unit_id", "indicator__code", "value"):
            targets.setdefault(year, {}).setdefault(unit_id, {})[code] = value
        report_states: dict[int, dict[int, str]] = {}
        for period_id, unit_id, state in Report.objects.filter(
            period__in=summarized, unit_id__in=leaf_ids
        ).values_list("period_id", "unit_id", "state"):
            report_states.setdefault(period_id, {})[unit_id] = state
        return cls(
            indicators=list(Indicator.objects.filter(active=True)),
            periods=periods,
            figures=figures_by_unit(leaf_ids, periods),
            targets=targets,
            # One query per year: a summary uses the latest population published before its year.
            populations={y: latest_populations([parent.id, *row_ids], y) for y in years},
            report_states=report_states,
        )

    def related(self, period: Period) -> dict[str, Period | None]:
        """As ``related_periods``, from the periods already read."""
        found = {(p.year, p.quarter): p for p in self.periods}
        found[(period.year, period.quarter)] = period
        return {name: found.get(key) for name, key in related_keys(period).items()}


@dataclass
class Trend:
    """Summaries of one node for each quarter of last year and of this year up to ``period``.

    A quarter with no period, or after ``period``, has no summary (None). Last year's
    summaries compare with nothing older, so their net growth and year-on-year stay empty.
    """

    period: Period
    parent: Unit
    indicators: list[Indicator]
    summaries: dict[tuple[int, int], Summary | None]

    @property
    def years(self) -> tuple[int, int]:
        return (self.period.year - 1, self.period.year)

    def cells(self, year: int, unit_id: int, code: str) -> list[Cell | None]:
        """The cell of ``unit_id`` (a row or the node itself) for Q1–Q4 of ``year``."""
        out: list[Cell | None] = []
        for quarter in range(1, 5):
            s = self.summaries.get((year, quarter))
            row = None
            if s is not None:
                row = next((r for r in s.all_rows if r.unit.id == unit_id), None)
            out.append(row.cells[code] if row is not None else None)
        return out


def trend(period: Period, parent: Unit, *, tree: Subtree | None = None) -> Trend:
    """``summarize`` for every quarter of last year and this year up to ``period``.

    Reads each set once for all eight quarters (a fixed number of queries whatever the size
    of the tree) and builds every quarter's summary with ``summarize`` itself.
    """
    tree = tree or Subtree.of(parent)
    last, this = period.year - 1, period.year
    found = {
        (p.year, p.quarter): p
        for p in Period.objects.filter(year__in=[last, this])
        if (p.year, p.quarter) <= (this, period.quarter)
    }
    found[(this, period.quarter)] = period
    quarters = list(found.values())
    data = SummaryData.load(parent=parent, tree=tree, summarized=quarters, read=quarters)
    summaries: dict[tuple[int, int], Summary | None] = {
        (y, q): None for y in (last, this) for q in range(1, 5)
    }
    for key, p in found.items():
        summaries[key] = summarize(p, parent, tree=tree, data=data)
    return Trend(period=period, parent=parent, indicators=data.indicators, summaries=summaries)
