"""Reads about one report or one period's reports: the entry form's reference figures, what
changed since a return, a report's history, and who has reported.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from districts import tree
from districts.models import Unit

from .. import catalog, levels
from .. import computations as calc
from ..lookups import figures_by_unit
from ..models import (
    Extension,
    FigureChange,
    Indicator,
    Period,
    Report,
    ReviewSettings,
    Target,
    Transition,
)
from ..periods import related_periods
from ..rules import NO_BOUNDS, Bounds, cumulative_bounds, figures_flags, unit_indicators


@dataclass
class EntryLine:
    """What a clerk sees beside one input: the figures that help type the right number."""

    indicator: Indicator
    current: Decimal | None
    target: Decimal | None
    previous: Decimal | None
    last_year_end: Decimal | None
    same_last_year: Decimal | None
    completion: Decimal | None
    gap: Decimal | None
    explanation: str = ""
    flag: str | None = None  # the soft check's message for the stored value
    # What a cumulative flow may be (indicators.rules): the form's live feedback and the
    # Excel template check the same bounds the service enforces.
    bounds: Bounds = NO_BOUNDS


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

    indicators = unit_indicators(unit, period)
    flags = figures_flags(
        unit_id=unit.id, period=period, values=own, indicators=indicators, past=counted
    )
    bounds = cumulative_bounds(unit_id=unit.id, period=period, indicators=indicators)
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
                previous=past("previous", ind.code),
                last_year_end=past("last_year_end", ind.code),
                same_last_year=past("same_last_year", ind.code),
                completion=done,
                gap=calc.benchmark_gap(done, period.end_month) if ind.is_benchmarked else None,
                explanation=explanations.get(ind.code, ""),
                flag=flags.get(ind.code),
                bounds=bounds.get(ind.code, NO_BOUNDS),
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
    for ind in unit_indicators(report.unit, report.period):
        before = step.figures.get(ind.code)
        old = Decimal(before) if before is not None else None
        new = now.get(ind.code)
        if old != new:
            out.append(Change(ind, old, new))
    return out


def was_reopened(report: Report) -> bool:
    """Whether the report is back with its unit because an approved report was reopened
    (its last step to 已退回 came from 已审核), not returned from review."""
    if report.pk is None or report.state != Report.State.RETURNED:
        return False
    last = (
        Transition.objects.filter(report=report, to_state=Report.State.RETURNED)
        .order_by("-at", "-id")
        .values_list("from_state", flat=True)
        .first()
    )
    return last == Report.State.APPROVED


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
    period: Period
    report: Report | None
    extension_until: object = None
    # The row's own due date where it differs from the period's (a level's report, later).
    deadline: object = None

    @property
    def subject(self) -> Report:
        """The unit's report, or the one its first save would create (for access checks)."""
        return self.report or Report(unit=self.unit, period=self.period)

    @property
    def state(self) -> str:
        return self.report.state if self.report else "missing"

    @property
    def state_label(self) -> str:
        return self.report.get_state_display() if self.report else "未开始"

    @property
    def submitted(self) -> bool:
        """Whether it has reached its reviewer (a report waiting for the unit's own sign-off
        has not)."""
        return (
            self.report is not None
            and self.report.submitted_at is not None
            and self.state not in ("draft", Report.State.SIGNING)
        )

    def on_time(self, deadline=None) -> bool | None:
        """True/False once submitted and a deadline exists (the row's own, else ``deadline``);
        None otherwise."""
        deadline = self.deadline or deadline
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
        reported = sum(1 for r in self.rows if r.state in Report.COUNTED)
        return {
            "reported": reported,
            "missing": len(self.rows) - reported,
            "approved": sum(1 for r in self.rows if r.state == "approved"),
            "returned": sum(1 for r in self.rows if r.state == "returned"),
            "submitted": sum(1 for r in self.rows if r.state == "submitted"),
            "signing": sum(1 for r in self.rows if r.state == Report.State.SIGNING),
            "late": sum(1 for r in self.rows if r.on_time(self.period.deadline) is False),
        }


def completeness(
    period: Period, parent: Unit, *, subtree: tree.Subtree | None = None
) -> Completeness:
    """Every unit under ``parent`` (itself included) that reports for the period, with its
    report's state: the units at the bottom of the tree, and any unit that enters figures of
    its own (a city's city-wide figures), first."""
    subtree = subtree or tree.Subtree.of(parent)
    own = {
        i.reporting_unit_id
        for i in catalog.indicators_for(period)
        if i.reporting_unit_id in subtree.units and not i.is_derived
    }
    settings = ReviewSettings.current()
    level_deadlines = {}
    if settings.review_by_level:
        # Level by level: the units this level reviews (down to the next levels), its own
        # report first; a level's report is due later than the reports it reviews.
        below = levels.reviewees(parent, settings=settings, subtree=subtree)
        leaf_ids = []
        for uid in [parent.id, *below]:
            unit = subtree.units[uid]
            level = levels.is_level(unit, settings)
            if level:
                level_deadlines[uid] = levels.deadline_of(unit, period, settings)
            if level or uid in own or (subtree.is_leaf(uid) and uid != parent.id):
                leaf_ids.append(uid)
    else:
        own_first = [uid for uid in subtree.descendants(parent.id) if uid in own]
        leaf_ids = own_first + [u for u in subtree.leaves(parent.id) if u not in own]
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
        rows=[
            CompletenessRow(
                subtree.units[u], period, reports.get(u), extensions.get(u), level_deadlines.get(u)
            )
            for u in leaf_ids
        ],
    )
