"""A unit's report through its life: saved as a draft, submitted, approved or returned with a
reason, reopened. Each step runs in one transaction, locks the report, asks districts.access
(role, scope and the report's state, see indicators.rules), checks the version the person
saw, and records the step (Transition, FigureChange, audit log).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from audit.models import Action
from audit.services import Entry, audit_record, audit_records
from districts import tree
from districts.access import Do, require, role_of
from districts.models import Profile, Role, Unit
from notices.models import Notice
from notices.services import notify

from .. import levels
from ..models import Figure, FigureChange, Indicator, Period, Report, ReviewSettings, Transition
from ..rules import clean_text, cumulative_bounds, figures_flags, parse_figure, unit_indicators


class ConflictError(Exception):
    """Someone else changed the report since this page was opened."""

    def __init__(self, report: Report):
        super().__init__("report changed since it was opened")
        self.report = report


@dataclass
class FigureErrors(Exception):
    """Field-level messages, keyed by indicator code ('' for the whole report)."""

    errors: dict[str, list[str]]


def figures_validate(
    *,
    unit: Unit,
    period: Period,
    raw: Mapping[str, object],
    indicators: list[Indicator],
    require_all: bool = True,
) -> dict[str, Decimal | None]:
    """Parses one value per indicator and keeps each cumulative flow between the figures of
    the periods before and after it; raises FigureErrors with every problem at once.

    With ``require_all`` off (a draft), a blank stays blank: the value is None.
    """
    errors: dict[str, list[str]] = {}
    values: dict[str, Decimal | None] = {}
    bounds = cumulative_bounds(unit_id=unit.pk, period=period, indicators=indicators)
    for ind in indicators:
        if not require_all and str(raw.get(ind.code) or "").strip() == "":
            values[ind.code] = None
            continue
        try:
            value = parse_figure(raw.get(ind.code), ind)
        except ValidationError as exc:
            errors[ind.code] = exc.messages
            continue
        problem = bounds[ind.code].error(ind, value) if ind.code in bounds else None
        if problem:
            errors[ind.code] = [problem]
            continue
        values[ind.code] = value
    if errors:
        raise FigureErrors(errors)
    return values


def _shown(value: Decimal | None) -> str:
    return "（空）" if value is None else f"{value.normalize():f}"


def write_figures(
    *, report: Report, values: Mapping[str, Decimal | None], indicators: list[Indicator], user
) -> list[FigureChange]:
    """Creates, updates or clears figures of a locked report, recording each real change
    (FigureChange and the audit log); returns the changes."""
    by_code = {i.code: i for i in indicators}
    existing = {f.indicator_id: f for f in report.figures.select_for_update()}
    changes = []
    for code, value in values.items():
        ind = by_code[code]
        fig = existing.get(ind.id)
        old = fig.value if fig is not None else None
        if old == value:
            continue
        changes.append(
            FigureChange(
                report=report, indicator=ind, old_value=old, new_value=value, changed_by=user
            )
        )
        if value is None:
            fig.delete()
        elif fig is None:
            Figure.objects.create(report=report, indicator=ind, value=value)
        else:
            fig.value = value
            fig.save(update_fields=["value"])
    FigureChange.objects.bulk_create(changes)
    # One record a figure, written together: the log's lock is held as briefly as for one.
    audit_records(
        [
            Entry(
                actor=user,
                action=Action.FIGURE_CHANGED,
                unit=report.unit,
                obj=report,
                summary=f"{report.period.title}{report.unit.name} {change.indicator.name}："
                f"{_shown(change.old_value)} → {_shown(change.new_value)}",
                detail={
                    "period": report.period.code,
                    "indicator": change.indicator.code,
                    "old": change.old_value,
                    "new": change.new_value,
                },
            )
            for change in changes
        ]
    )
    return changes


def _locked_report(*, unit: Unit, period: Period, create: bool) -> Report:
    """The unit's report for the period, locked; created (unsaved until the caller saves)
    when there is none and ``create`` says so."""
    report = (
        Report.objects.select_for_update()
        .select_related("period", "unit")
        .filter(unit=unit, period=period)
        .first()
    )
    if report is None:
        report = Report(unit=unit, period=period)
    return report


def report_save(
    *,
    unit: Unit,
    period: Period,
    raw: Mapping[str, object],
    expected_version: int,
    submit: bool,
    user,
) -> Report:
    """Saves a unit's figures as a draft, or submits them.

    The report is created by its first valid save, never by looking or by a refused save.
    Its row is locked for the transaction; a version that moved since the form was opened
    means someone else saved in between, and the save is refused (ConflictError) rather than
    silently overwriting their figures. ``raw`` may carry ``explain_<code>``: the clerk's
    explanation of a flagged figure, required to submit it.
    """
    try:
        with transaction.atomic():
            return _report_save(
                unit=unit,
                period=period,
                raw=raw,
                expected_version=expected_version,
                submit=submit,
                user=user,
            )
    except IntegrityError:
        # Two first saves at once: the other one created the report; ours is the late one.
        report = Report.objects.get(unit=unit, period=period)
        raise ConflictError(report) from None


def _report_save(*, unit, period, raw, expected_version, submit, user) -> Report:
    report = _locked_report(unit=unit, period=period, create=True)
    try:
        require(user, Do.ENTER, report)
    except ValidationError as exc:
        raise FigureErrors({"": exc.messages}) from None
    if report.version != expected_version:
        raise ConflictError(report)
    indicators = unit_indicators(unit, period)
    values = figures_validate(
        unit=unit, period=period, raw=raw, indicators=indicators, require_all=submit
    )
    # An explanation not sent (a caller without those fields) keeps what is stored.
    stored = dict(report.figures.values_list("indicator__code", "explanation")) if report.pk else {}
    explanations, errors = dict(stored), {}
    for ind in indicators:
        key = f"explain_{ind.code}"
        if key in raw:
            try:
                explanations[ind.code] = clean_text(raw[key], "情况说明", required=False)
            except ValidationError as exc:
                errors[ind.code] = exc.messages
    if errors:
        raise FigureErrors(errors)
    if submit:
        _check_level_complete(unit, period)
        flags = figures_flags(unit_id=unit.pk, period=period, values=values, indicators=indicators)
        missing = {
            code: [f"{message}请在“情况说明”中写明后再提交。"]
            for code, message in flags.items()
            if not explanations.get(code)
        }
        if missing:
            raise FigureErrors(missing)
    report.version += 1
    report.updated_by = user
    report.save()
    write_figures(report=report, values=values, indicators=indicators, user=user)
    for fig in report.figures.select_related("indicator"):
        explanation = explanations.get(fig.indicator.code, "")
        if fig.explanation != explanation:
            fig.explanation = explanation
            fig.save(update_fields=["explanation"])
    if submit:
        if _needs_signoff(report, user):
            _transition(report, Report.State.SIGNING, user=user)
            _notify_signers(report)
        else:
            _transition(report, Report.State.SUBMITTED, user=user)
    else:
        audit_record(
            actor=user,
            action=Action.REPORT_SAVED,
            unit=report.unit,
            obj=report,
            summary=f"{period.title}{unit.name}保存草稿",
            detail={"period": period.code, "version": report.version},
        )
    return report


def _needs_signoff(report: Report, user) -> bool:
    """A clerk's report goes to the unit's own signer first where the installation says so;
    a unit without a signer cannot submit until it has one (nobody skips the sign-off)."""
    if role_of(user) != Role.CLERK or not ReviewSettings.current().unit_signoff:
        return False
    if not Profile.objects.filter(
        unit=report.unit, role=Role.SIGNER, user__is_active=True
    ).exists():
        raise FigureErrors(
            {
                "": [
                    f"{report.unit.name}还没有单位审核人账号，提交的表无人审核。"
                    "请联系系统管理员为本单位建立“单位审核人”账号后再提交。"
                ]
            }
        )
    return True


def _check_level_complete(unit: Unit, period: Period) -> None:
    """A level's report goes up only once every report it reviews is approved."""
    if not levels.is_level(unit):
        return
    waiting = levels.unapproved_below(unit, period, lock=True)
    if waiting:
        names = "、".join(u.name for u in waiting[:8]) + (
            f"等 {len(waiting)} 个单位" if len(waiting) > 8 else ""
        )
        raise FigureErrors(
            {"": [f"下级还有未审核通过的表（{names}），全部审核通过后才能报送本级汇总表。"]}
        )


_TRANSITION_ACTIONS = {
    Report.State.SIGNING: (Action.REPORT_SUBMITTED, "提交本单位审核"),
    Report.State.SUBMITTED: (Action.REPORT_SUBMITTED, "报送"),
    Report.State.APPROVED: (Action.REPORT_APPROVED, "审核通过"),
    Report.State.RETURNED: (Action.REPORT_RETURNED, "退回修改"),
}


def _snapshot(report: Report) -> dict[str, str]:
    return {
        code: f"{value.normalize():f}"
        for code, value in report.figures.values_list("indicator__code", "value")
    }


def _transition(
    report: Report, to_state: str, *, user, reason: str = "", action: str = "", words: str = ""
) -> Transition:
    """Moves a locked report to ``to_state``, keeping the figures of that moment and a record.
    Every step moves the version on, so a page opened before it cannot act on what it never
    showed."""
    step = Transition.objects.create(
        report=report,
        from_state=report.state,
        to_state=to_state,
        actor=user,
        reason=reason,
        figures=_snapshot(report),
    )
    now = timezone.now()
    fields = ["state", "version", "updated_at"]
    report.state = to_state
    report.version += 1
    if to_state == Report.State.SIGNING:
        report.submitted_at, report.submitted_by = now, user
        report.signed_at = report.signed_by = None
        report.return_reason = ""
        fields += ["submitted_at", "submitted_by", "signed_at", "signed_by", "return_reason"]
    elif to_state == Report.State.SUBMITTED and step.from_state == Report.State.SIGNING:
        # Signed off inside the unit: it reaches the office now, submitted by its clerk.
        report.submitted_at, report.signed_at, report.signed_by = now, now, user
        fields += ["submitted_at", "signed_at", "signed_by"]
    elif to_state == Report.State.SUBMITTED:
        report.submitted_at, report.submitted_by = now, user
        report.signed_at = report.signed_by = None
        report.return_reason = ""
        fields += ["submitted_at", "submitted_by", "signed_at", "signed_by", "return_reason"]
    elif to_state == Report.State.APPROVED:
        report.reviewed_at, report.reviewed_by = now, user
        fields += ["reviewed_at", "reviewed_by"]
    elif to_state == Report.State.RETURNED:
        report.reviewed_at, report.reviewed_by = now, user
        report.return_reason = reason
        fields += ["reviewed_at", "reviewed_by", "return_reason"]
    report.save(update_fields=fields)
    default_action, default_words = _TRANSITION_ACTIONS[to_state]
    action, words = action or default_action, words or default_words
    audit_record(
        actor=user,
        action=action,
        unit=report.unit,
        obj=report,
        summary=f"{report.period.title}{report.unit.name}{words}"
        + (f"：{reason}" if reason else ""),
        detail={
            "period": report.period.code,
            "from": step.from_state,
            "to": to_state,
            "reason": reason,
            "version": report.version,
        },
    )
    return step


def report_url(report: Report) -> str:
    return reverse("indicators:report_edit", args=[report.period.code, report.unit.code])


def notify_clerks(*, unit: Unit, kind: str, message: str, url: str = "", topic: str = "") -> None:
    """A notice to everyone who enters ``unit``'s figures: its clerks, or for a summarising
    unit (a level, a city's own figures) its office staff."""
    role = Role.CLERK if tree.is_leaf(unit) else Role.OFFICE
    clerks = Profile.objects.filter(unit=unit, role=role, user__is_active=True)
    notify(
        users=clerks.values_list("user_id", flat=True),
        kind=kind,
        message=message,
        url=url,
        topic=topic,
    )


def _notify_signers(report: Report) -> None:
    signers = Profile.objects.filter(unit=report.unit, role=Role.SIGNER, user__is_active=True)
    notify(
        users=signers.values_list("user_id", flat=True),
        kind=Notice.Kind.REMINDER,
        message=f"{report.unit.name}{report.period.title}的填报表已提交，请审核。",
        url=reverse("indicators:review", args=[report.period.code, report.unit.code]),
        topic=f"report:{report.pk}",
    )
