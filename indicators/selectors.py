"""Reads that feed pages and files. The summary here is the single source for the HTML table,
the Excel workbook and everything else that shows a figure, so they can never disagree.

A summary of any node reads a fixed handful of sets whatever the size of the tree (units,
indicators, periods, figures, targets, populations, reports) and rolls them up in memory.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from districts.models import Population, Unit

from . import computations as calc
from .models import Extension, Figure, FigureChange, Indicator, Period, Report, Target, Transition

# Figures that count in a summary: a draft is still the clerk's, not the unit's.
COUNTED_STATES = (Report.State.SUBMITTED, Report.State.APPROVED)

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


class UnitTree:
    """All units in one query, with the relations the roll-up needs, held in memory."""

    def __init__(self, units: Iterable[Unit]):
        self.units = {u.id: u for u in units}
        self.children: dict[int, list[Unit]] = {}
        for u in sorted(self.units.values(), key=lambda u: (u.order, u.code)):
            if u.parent_id is not None and u.parent_id in self.units:
                self.children.setdefault(u.parent_id, []).append(u)

    @classmethod
    def load(cls) -> UnitTree:
        return cls(Unit.objects.filter(active=True))

    def is_leaf(self, unit_id: int) -> bool:
        return not self.children.get(unit_id)

    def descendants(self, unit_id: int) -> list[int]:
        """``unit_id`` and everything below it, depth first in the office's order."""
        out, stack = [], [unit_id]
        while stack:
            uid = stack.pop()
            out.append(uid)
            stack.extend(reversed([c.id for c in self.children.get(uid, [])]))
        return out

    def leaves(self, unit_id: int) -> list[int]:
        return [uid for uid in self.descendants(unit_id) if self.is_leaf(uid)]

    def node(self, unit_id: int) -> calc.Node:
        return calc.build_tree(
            unit_id,
            {uid: u.parent_id for uid, u in self.units.items() if uid != unit_id},
        )


def related_periods(period: Period) -> dict[str, Period | None]:
    """The period itself, the end of last year and the same quarter last year, in one query."""
    wanted = related_keys(period)
    q = Q()
    for year, quarter in wanted.values():
        q |= Q(year=year, quarter=quarter)
    found = {(p.year, p.quarter): p for p in Period.objects.filter(q)}
    found[(period.year, period.quarter)] = period
    return {name: found.get(key) for name, key in wanted.items()}


def figures_by_unit(
    unit_ids: list[int], periods: list[Period], states: Iterable[str] = COUNTED_STATES
) -> dict[tuple[int, int], dict[str, Decimal]]:
    """{(period_id, unit_id): {indicator_code: value}} for the given reports, in one query."""
    out: dict[tuple[int, int], dict[str, Decimal]] = {}
    if not unit_ids or not periods:
        return out
    rows = Figure.objects.filter(
        report__unit_id__in=unit_ids,
        report__period__in=periods,
        report__state__in=list(states),
    ).values_list("report__period_id", "report__unit_id", "indicator__code", "value")
    for period_id, unit_id, code, value in rows:
        out.setdefault((period_id, unit_id), {})[code] = value
    return out


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
    tree: UnitTree | None = None,
    data: SummaryData | None = None,
) -> Summary:
    """The attachment table for ``parent``'s children and ``parent`` itself as the total row.

    ``data`` is what several summaries of the same node read at once (``trend``); without it
    the summary reads its own sets.
    """
    tree = tree or UnitTree.load()
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

    def rolled(p: Period | None, source) -> dict:
        tree_node = tree.node(parent.id)

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
                if ind.is_flow:
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
            leaves_reported=sum(1 for uid in leaves if report_states.get(uid) in COUNTED_STATES),
        )

    rows = [make_row(u, False) for u in row_units]
    total = make_row(parent, True)
    for ind in indicators:
        measure = "completion" if ind.has_target else "value"
        ranks = calc.rank({r.unit.id: getattr(r.cells[ind.code], measure) for r in rows})
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


def figures_flags(
    *,
    unit: Unit,
    period: Period,
    values: Mapping[str, Decimal],
    indicators: Iterable[Indicator],
    past: dict | None = None,
) -> dict[str, str]:
    """Soft checks: figures that may be right but need a word of explanation.

    A figure that moves more than the indicator's threshold against the same quarter last
    year, or a stock that falls against the previous quarter (or last year's end in Q1).
    """
    periods = related_periods(period)
    if past is None:
        wanted = [p for key, p in periods.items() if key != "current" and p is not None]
        past = figures_by_unit([unit.id], wanted)

    def figure(key: str, code: str) -> Decimal | None:
        p = periods[key]
        return past.get((p.id, unit.id), {}).get(code) if p is not None else None

    flags: dict[str, str] = {}
    for ind in indicators:
        value = values.get(ind.code)
        if value is None:
            continue
        if not ind.is_flow:
            before_key = "previous_quarter" if period.quarter > 1 else "last_year_end"
            before = figure(before_key, ind.code)
            if before is not None and value < before:
                when = "上季度" if period.quarter > 1 else "去年年底"
                flags[ind.code] = (
                    f"比{when}减少 {(before - value).normalize():f}{ind.unit_label}（存量下降），"
                    "请说明原因。"
                )
                continue
        if ind.yoy_threshold is not None:
            yoy = calc.year_on_year(value, figure("same_quarter_last_year", ind.code))
            if yoy is not None and abs(yoy) > ind.yoy_threshold:
                word = "增长" if yoy > 0 else "下降"
                flags[ind.code] = (
                    f"比去年同期{word} {calc.round_half_up(abs(yoy), 1)}%，"
                    f"超过 {ind.yoy_threshold.normalize():f}% 的提示线，"
                    "请说明原因。"
                )
    return flags


@dataclass
class EntryLine:
    """What a clerk sees beside one input: the figures that help type the right number."""

    indicator: Indicator
    current: Decimal | None
    target: Decimal | None
    previous_quarter: Decimal | None
    last_year_end: Decimal | None
    same_quarter_last_year: Decimal | None
    completion: Decimal | None
    gap: Decimal | None
    explanation: str = ""
    flag: str | None = None  # the soft check's message for the stored value


def entry_lines(report: Report) -> list[EntryLine]:
    """The entry form's reference figures for one report, in a fixed number of queries."""
    period, unit = report.period, report.unit
    periods = related_periods(period)
    others = [p for key, p in periods.items() if key != "current" and p is not None]
    counted = figures_by_unit([unit.id], others)
    own, explanations = {}, {}
    stored = (
        report.figures.values_list("indicator__code", "value", "explanation") if report.pk else []
    )
    for code, value, explanation in stored:
        own[code], explanations[code] = value, explanation
    targets = dict(
        Target.objects.filter(unit=unit, year=period.year).values_list("indicator__code", "value")
    )

    def past(key: str, code: str) -> Decimal | None:
        p = periods[key]
        return counted.get((p.id, unit.id), {}).get(code) if p is not None else None

    indicators = list(Indicator.objects.filter(active=True))
    flags = figures_flags(unit=unit, period=period, values=own, indicators=indicators, past=counted)
    lines = []
    for ind in indicators:
        current = own.get(ind.code)
        target = targets.get(ind.code) if ind.has_target else None
        done = calc.completion(current, target)
        lines.append(
            EntryLine(
                indicator=ind,
                current=current,
                target=target,
                previous_quarter=past("previous_quarter", ind.code),
                last_year_end=past("last_year_end", ind.code),
                same_quarter_last_year=past("same_quarter_last_year", ind.code),
                completion=done,
                gap=calc.benchmark_gap(done, period.quarter) if ind.is_flow else None,
                explanation=explanations.get(ind.code, ""),
                flag=flags.get(ind.code),
            )
        )
    return lines


@dataclass
class Change:
    indicator: Indicator
    old: Decimal | None
    new: Decimal | None


def changes_since_return(report: Report) -> list[Change]:
    """Per figure, old → new since the report was last returned (empty if never returned)."""
    step = (
        Transition.objects.filter(report=report, to_state=Report.State.RETURNED)
        .order_by("-at", "-id")
        .first()
    )
    if step is None:
        return []
    now = dict(report.figures.values_list("indicator__code", "value"))
    out = []
    for ind in Indicator.objects.filter(active=True):
        before = step.figures.get(ind.code)
        old = Decimal(before) if before is not None else None
        new = now.get(ind.code)
        if old != new:
            out.append(Change(ind, old, new))
    return out


@dataclass
class HistoryEntry:
    at: object
    who: str
    text: str
    reason: str = ""


def report_history(report: Report) -> list[HistoryEntry]:
    """The report's own story: state changes and every figure change, newest first."""

    def name(user) -> str:
        return (user.first_name or user.username) if user else "—"

    entries = [
        HistoryEntry(
            t.at,
            name(t.actor),
            f"{Report.State(t.from_state).label} → {Report.State(t.to_state).label}",
            t.reason,
        )
        for t in Transition.objects.filter(report=report).select_related("actor")
    ]
    for c in FigureChange.objects.filter(report=report).select_related("indicator", "changed_by"):
        old = "（空）" if c.old_value is None else f"{c.old_value.normalize():f}"
        new = "（空）" if c.new_value is None else f"{c.new_value.normalize():f}"
        entries.append(
            HistoryEntry(c.changed_at, name(c.changed_by), f"{c.indicator.name}：{old} → {new}")
        )
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries


@dataclass
class CompletenessRow:
    unit: Unit
    report: Report | None
    extension_until: object = None

    @property
    def state(self) -> str:
        return self.report.state if self.report else "missing"

    @property
    def state_label(self) -> str:
        return self.report.get_state_display() if self.report else "未开始"

    @property
    def submitted(self) -> bool:
        return (
            self.report is not None
            and self.report.submitted_at is not None
            and self.state != "draft"
        )

    def on_time(self, deadline) -> bool | None:
        """True/False once submitted and a deadline exists; None otherwise."""
        if deadline is None or not self.submitted:
            return None
        allowed = max(deadline, self.extension_until) if self.extension_until else deadline
        return timezone.localtime(self.report.submitted_at).date() <= allowed


@dataclass
class Completeness:
    period: Period
    parent: Unit
    rows: list[CompletenessRow]

    @property
    def counts(self) -> dict[str, int]:
        reported = sum(1 for r in self.rows if r.state in ("submitted", "approved"))
        return {
            "reported": reported,
            "missing": len(self.rows) - reported,
            "approved": sum(1 for r in self.rows if r.state == "approved"),
            "returned": sum(1 for r in self.rows if r.state == "returned"),
            "submitted": sum(1 for r in self.rows if r.state == "submitted"),
            "late": sum(1 for r in self.rows if r.on_time(self.period.deadline) is False),
        }


def completeness(period: Period, parent: Unit, *, tree: UnitTree | None = None) -> Completeness:
    """Every reporting unit under ``parent`` with its report's state for the period (4 queries)."""
    tree = tree or UnitTree.load()
    leaf_ids = tree.leaves(parent.id)
    reports = {
        r.unit_id: r
        for r in Report.objects.filter(period=period, unit_id__in=leaf_ids).select_related(
            "submitted_by", "reviewed_by"
        )
    }
    extensions = dict(
        Extension.objects.filter(period=period, unit_id__in=leaf_ids).values_list(
            "unit_id", "until"
        )
    )
    return Completeness(
        period=period,
        parent=parent,
        rows=[CompletenessRow(tree.units[u], reports.get(u), extensions.get(u)) for u in leaf_ids],
    )


def related_keys(period: Period) -> dict[str, tuple[int, int]]:
    """(year, quarter) of the periods a summary compares with: the period itself, the end of
    last year, the same quarter last year and the previous quarter."""
    return {
        "current": (period.year, period.quarter),
        "last_year_end": (period.year - 1, 4),
        "same_quarter_last_year": (period.year - 1, period.quarter),
        "previous_quarter": (period.year, period.quarter - 1),
    }


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
        cls, *, parent: Unit, tree: UnitTree, summarized: list[Period], read: list[Period]
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


def trend(period: Period, parent: Unit, *, tree: UnitTree | None = None) -> Trend:
    """``summarize`` for every quarter of last year and this year up to ``period``.

    Reads each set once for all eight quarters (a fixed number of queries whatever the size
    of the tree) and builds every quarter's summary with ``summarize`` itself.
    """
    tree = tree or UnitTree.load()
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
