"""The rules of figures and reports, each written once.

What a figure may be (``parse_figure``; a cumulative flow between the figures before and
after it, ``cumulative_bounds``), which figures need a word of explanation
(``figures_flags``), when a unit may change its report (``edit_block_reason``), and the
conditions that districts.access asks before a report may be entered, approved, returned,
reopened, extended or recorded as history. The services enforce these; the entry form's live
feedback and the Excel template read the same bounds from here; pages ask ``access.can``.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone

from districts import tree
from districts.access import SYSTEM, Do, condition, role_of
from districts.models import Role
from zzip.numbers import chinese_date, parse_decimal

from . import calendar, catalog, levels
from . import computations as calc
from .lookups import figures_by_unit
from .models import Extension, Figure, Indicator, Period, Report
from .periods import related_periods

# Reasons (return, reopen, extension) and a clerk's explanations: long enough for a real
# paragraph, bounded so that a form cannot carry a book.
TEXT_MAX = 2000


def parse_figure(raw: object, indicator: Indicator) -> Decimal:
    """What a person typed for ``indicator`` as a Decimal, or ValidationError in Chinese."""
    return parse_decimal(
        raw,
        what=indicator.name,
        places=indicator.decimal_places,
        unit_label=indicator.unit_label,
    )


def clean_text(text: object, what: str, *, required: bool) -> str:
    """A reason or an explanation: stripped, required where it must be, never cut."""
    value = ("" if text is None else str(text)).replace("\x00", "").strip()
    if required and not value:
        raise ValidationError(f"请填写{what}。", code="required")
    if len(value) > TEXT_MAX:
        raise ValidationError(
            f"{what}最多 {TEXT_MAX} 字，现在有 {len(value)} 字，请精简后再提交。",
            code="too_long",
        )
    return value


# --- Cumulative flows ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Bounds:
    """What a cumulative figure may be: no less than the period before it that has a counted
    figure, no more than the period after it that has one (both within the year, at the same
    frequency)."""

    low: Decimal | None = None
    low_title: str = ""
    high: Decimal | None = None
    high_title: str = ""

    def error(self, indicator: Indicator, value: Decimal) -> str | None:
        unit = indicator.unit_label
        if self.low is not None and value < self.low:
            return (
                f"{indicator.name}是自1月1日起的累计数，"
                f"不能小于{self.low_title}的 {self.low.normalize():f}{unit}。"
            )
        if self.high is not None and value > self.high:
            return (
                f"{indicator.name}是自1月1日起的累计数，"
                f"不能大于{self.high_title}的 {self.high.normalize():f}{unit}。"
            )
        return None


NO_BOUNDS = Bounds()
PREVIOUS_WORDS = calendar.PREVIOUS_WORDS


def cumulative_bounds(
    *, unit_id: int, period: Period, indicators: Iterable[Indicator]
) -> dict[str, Bounds]:
    """For each flow among ``indicators``, the bounds its figure of ``period`` must keep, from
    the unit's counted figures of the other periods of the same year and frequency (one
    query)."""
    flows = [i for i in indicators if i.is_flow and not i.is_derived]
    if not flows:
        return {}
    rows = Figure.objects.filter(
        report__unit_id=unit_id,
        report__period__frequency=period.frequency,
        report__period__year=period.year,
        report__state__in=Report.COUNTED,
        indicator__code__in=[i.code for i in flows],
    ).exclude(report__period__number=period.number)
    rows = rows.values_list("report__period__number", "indicator__code", "value")
    known: dict[str, dict[int, Decimal]] = {}
    for number, code, value in rows:
        known.setdefault(code, {})[number] = value
    out = {}
    for ind in flows:
        by_number = known.get(ind.code, {})
        before = [n for n in by_number if n < period.number]
        after = [n for n in by_number if n > period.number]
        low_n = max(before) if before else None
        high_n = min(after) if after else None
        out[ind.code] = Bounds(
            low=by_number[low_n] if low_n else None,
            low_title=_period_title(period, low_n),
            high=by_number[high_n] if high_n else None,
            high_title=_period_title(period, high_n),
        )
    return out


def _period_title(period: Period, number: int | None) -> str:
    if number is None:
        return ""
    title = calendar.title(period.frequency, period.year, number)
    if number == period.number - 1:
        return f"{PREVIOUS_WORDS[period.frequency]}（{title}）"
    return title


# --- Soft checks --------------------------------------------------------------------------------


def figures_flags(
    *,
    unit_id: int,
    period: Period,
    values: Mapping[str, Decimal | None],
    indicators: Iterable[Indicator],
    past: dict | None = None,
) -> dict[str, str]:
    """Figures that may be right but need a word of explanation before they are submitted.

    A figure that moves more than the indicator's threshold against the same period last
    year, or a stock that falls against the previous period (or last year's end in the
    year's first period).
    """
    periods = related_periods(period)
    if past is None:
        wanted = [p for key, p in periods.items() if key != "current" and p is not None]
        past = figures_by_unit([unit_id], wanted)

    def figure(key: str, code: str) -> Decimal | None:
        p = periods[key]
        return past.get((p.id, unit_id), {}).get(code) if p is not None else None

    flags: dict[str, str] = {}
    for ind in indicators:
        value = values.get(ind.code)
        if value is None:
            continue
        if not ind.is_flow:
            before_key = "last_year_end" if period.is_first_of_year else "previous"
            before = figure(before_key, ind.code)
            if before is not None and value < before:
                when = "去年年底" if period.is_first_of_year else PREVIOUS_WORDS[period.frequency]
                flags[ind.code] = (
                    f"比{when}减少 {(before - value).normalize():f}{ind.unit_label}（存量下降），"
                    "请说明原因。"
                )
                continue
        if ind.yoy_threshold is not None:
            yoy = calc.year_on_year(value, figure("same_last_year", ind.code))
            if yoy is not None and abs(yoy) > ind.yoy_threshold:
                word = "增长" if yoy > 0 else "下降"
                flags[ind.code] = (
                    f"比去年同期{word} {calc.round_half_up(abs(yoy), 1)}%，"
                    f"超过 {ind.yoy_threshold.normalize():f}% 的提示线，"
                    "请说明原因。"
                )
    return flags


# --- Reports ------------------------------------------------------------------------------------


def _office() -> str:
    """The office as its pages call it (市局, 省局): districts.models.Wording."""
    from districts.models import Wording

    return Wording.current().office_short


def unit_indicators(unit, period: Period) -> list[Indicator]:
    """What ``unit`` itself enters for ``period`` (indicators.catalog.for_unit)."""
    return catalog.for_unit(period, unit, is_leaf=tree.is_leaf(unit))


def nothing_to_report_reason(unit, period: Period) -> str | None:
    """Why a unit has no report of its own for a period, or None when it has one to make:
    a parent's figures are its children's sum (unless it reports some itself)."""
    if unit_indicators(unit, period):
        return None
    if not tree.is_leaf(unit):
        if levels.is_level(unit):
            return None  # it reports its level upward (indicators.levels)
        return f"{unit.name}是汇总单位，不直接填报，由下级单位的数字合计。"
    return f"{unit.name}在{period.title}没有要填报的指标。"


def edit_block_reason(report: Report, *, today: datetime.date | None = None) -> str | None:
    """Why the unit may not change this report now (its clerk's form), or None when it may.

    ``report`` may be unsaved: the report a first save would create. After the deadline
    only an extension granted to the unit (until a date) lets it edit.
    """
    period = report.period
    if report.pk is None and (reason := nothing_to_report_reason(report.unit, period)):
        return reason
    if period.status != Period.Status.OPEN:
        return f"{period.title}不在填报期内，只能查看。"
    if not report.editable_by_clerk:
        if report.state == Report.State.SIGNING:
            who = str(Role.SIGNER.label)
        else:
            who = levels.first_reviewer(report.unit, None) or _office()
        return f"本表{report.get_state_display()}，只能查看。如需修改请联系{who}。"
    return deadline_block_reason(report, today=today)


def deadline_block_reason(report: Report, *, today: datetime.date | None = None) -> str | None:
    """Why the unit's figures may no longer change for lateness: its deadline (a level's is
    later) has passed and no extension covers today. None otherwise."""
    period = report.period
    today = today or timezone.localdate()
    deadline = levels.deadline_of(report.unit, period)
    if deadline is not None and today > deadline:
        extension = Extension.objects.filter(period=period, unit_id=report.unit_id).first()
        if extension is None or today > extension.until:
            return (
                f"{period.title}已于{chinese_date(deadline)}截止，不能再修改。"
                f"如需补报，请联系{_office()}申请延期。"
            )
    return None


def period_ended(period: Period, today: datetime.date | None = None) -> bool:
    """Whether the period is over (today is after its last day)."""
    today = today or timezone.localdate()
    return today > period.end_date


def history_block_reason(report: Report) -> str | None:
    """Why figures of this report may not be recorded as history (by the office's import),
    or None. ``report`` may be unsaved (and its period too: one that does not exist yet)."""
    period = report.period
    title = period.title
    if period.pk is None:
        if not period_ended(period):
            return f"{title}还没有结束，不能导入历史数据。"
    elif period.status == Period.Status.OPEN:
        return f"{title}正在填报中，本期数据由填报员在系统中填报、经{_office()}审核，不能导入。"
    elif period.status == Period.Status.PLANNED:
        return (
            f"{title}尚未开放（未开放的填报期不能导入）。如是往年数据，"
            "请先在管理后台把该填报期设为“已截止”。"
        )
    if reason := nothing_to_report_reason(report.unit, period):
        return reason
    if report.pk is None or report.source == Report.Source.HISTORY:
        return None
    if report.state != Report.State.APPROVED:
        return (
            f"{report.unit.name}{title}的填报表{report.get_state_display()}，正在审核流程中，"
            "不能用导入覆盖。请在审核页处理。"
        )
    return (
        f"{report.unit.name}{title}的数据由填报员报送、经{_office()}审核通过，已锁定，不能用导入修改。"
        "如需更正，请在审核页重新打开，由填报员修改。"
    )


# --- What districts.access asks ------------------------------------------------------------------


@condition(Do.ENTER, Report)
def _may_enter(user, report):
    return edit_block_reason(report)


def level_block_reason(user, report: Report) -> str | None:
    """Why this office member may not review ``report`` under review by level: it is
    another level's to review, or their own level's report has gone up and locks it."""
    if user is SYSTEM or not levels.settings_of(user).review_by_level:
        return None
    if report.unit_id not in levels.reviewed_by(user):
        reviewer = levels.reviewer_of(report.unit)
        return f"{report.unit.name}的表由{reviewer.name if reviewer else '上级'}审核。"
    return levels.level_lock_reason(report)


@condition(Do.SIGN, Report)
def _may_sign(user, report):
    if report.state != Report.State.SIGNING:
        return f"只有待本单位审核的表可以审核，本表{report.get_state_display()}。"
    return None


@condition(Do.APPROVE, Report)
def _may_approve(user, report):
    if report.state != Report.State.SUBMITTED:
        return f"只有已报送的表可以审核通过，本表{report.get_state_display()}。"
    return level_block_reason(user, report)


@condition(Do.RETURN, Report)
def _may_return(user, report):
    if role_of(user) == Role.SIGNER:
        if report.state != Report.State.SIGNING:
            return f"只有待本单位审核的表可以退回，本表{report.get_state_display()}。"
        return None
    if report.state != Report.State.SUBMITTED:
        return f"只有已报送的表可以退回，本表{report.get_state_display()}。"
    return level_block_reason(user, report)


@condition(Do.REOPEN, Report)
def _may_reopen(user, report):
    if report.state == Report.State.APPROVED and (reason := level_block_reason(user, report)):
        return reason
    if report.state != Report.State.APPROVED or report.source != Report.Source.ENTERED:
        if report.source == Report.Source.HISTORY:
            return "这是导入的历史数据，没有经过填报流程；如需更正，请重新导入。"
        return f"只有已审核的表可以重新打开，本表{report.get_state_display()}。"
    if report.period.status != Period.Status.OPEN:
        # Reopened in a closed period the report could be neither edited nor counted.
        return (
            f"{report.period.title}已不在填报期内，重新打开后填报员也无法修改。"
            "请先在管理后台把该填报期设为“填报中”。"
        )
    return None


@condition(Do.EXTEND, Report)
def _may_extend(user, report):
    period = report.period
    if period.status != Period.Status.OPEN:
        return f"{period.title}不在填报期内，不能延期。"
    if report.pk is None and (reason := nothing_to_report_reason(report.unit, period)):
        return reason
    if report.counted:
        return f"{report.unit.name}已{report.get_state_display()}，不需要延期。"
    return None


@condition(Do.HISTORY, Report)
def _may_record_history(user, report):
    return history_block_reason(report)


@condition(Do.CORRECT, Report)
def _may_correct(user, report):
    if report.pk is None or report.state not in (Report.State.SUBMITTED, Report.State.APPROVED):
        return "只有已报送或已审核的表需要报送更正，本表可直接填报。"
    if report.source != Report.Source.ENTERED:
        return "这是导入的历史数据，没有经过填报流程；如需更正，请联系上级重新导入。"
    if report.period.status != Period.Status.OPEN:
        return f"{report.period.title}已不在填报期内，不能报送更正。"
    return deadline_block_reason(report) or levels.level_lock_reason(report)
