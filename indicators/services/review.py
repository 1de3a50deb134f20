"""The review of a report: the unit's own sign-off, the office's approval or return with a
reason, a reopening, and a unit's correction of what it already sent. Each step runs in one
transaction, locks the report, asks districts.access (role, scope, state, level; see
indicators.rules and indicators.levels), checks the version the reviewer saw, and records
the step through indicators.services.reports._transition.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction
from django.urls import reverse

from audit.models import Action
from districts.access import Do, require
from districts.models import Profile, Role, Unit, Wording
from notices.models import Notice
from notices.services import notify

from .. import levels
from ..models import Period, Report
from ..rules import clean_text, unit_indicators
from .reports import (
    ConflictError,
    _transition,
    figures_validate,
    notify_clerks,
    report_save,
    report_url,
)


def _notify_clerks(report: Report, kind: str, message: str) -> None:
    notify_clerks(
        unit=report.unit,
        kind=kind,
        message=message,
        url=report_url(report),
        topic=f"report:{report.pk}",
    )


def _reviewed(report_id: int, *, user, action: str, expected_version: int | None) -> Report:
    report = Report.objects.select_for_update().select_related("period", "unit").get(pk=report_id)
    require(user, action, report)
    if expected_version is not None and report.version != expected_version:
        raise ConflictError(report)
    return report


def report_approve(*, report_id: int, user, expected_version: int | None) -> Report:
    """Office staff approve a submitted report; it is locked from then on.

    ``expected_version`` is the version the reviewer's page showed: if the figures moved
    since (returned and resubmitted elsewhere), the approval is refused (ConflictError).
    """
    with transaction.atomic():
        report = _reviewed(
            report_id, user=user, action=Do.APPROVE, expected_version=expected_version
        )
        _transition(report, Report.State.APPROVED, user=user)
        _notify_clerks(report, Notice.Kind.APPROVED, f"{report.period.title}的数据已审核通过。")
        return report


def report_sign(*, report_id: int, user, expected_version: int | None) -> Report:
    """The unit's signer approves the clerk's report inside the unit: it goes on to the
    office as submitted, with the signer's name on it. Refused on a stale page."""
    with transaction.atomic():
        report = _reviewed(report_id, user=user, action=Do.SIGN, expected_version=expected_version)
        _transition(
            report,
            Report.State.SUBMITTED,
            user=user,
            action=Action.REPORT_APPROVED,
            words="本单位审核通过并报送",
        )
        _notify_clerks(
            report,
            Notice.Kind.APPROVED,
            f"{report.period.title}的数据已通过本单位审核，"
            f"已报送{levels.first_reviewer(report.unit, None) or Wording.current().office_short}。",
        )
        return report


def report_return(*, report_id: int, user, reason: str, expected_version: int | None) -> Report:
    """Office staff send a submitted report back to the unit, saying why."""
    reason = clean_text(reason, "退回原因", required=True)
    with transaction.atomic():
        report = _reviewed(
            report_id, user=user, action=Do.RETURN, expected_version=expected_version
        )
        _transition(report, Report.State.RETURNED, user=user, reason=reason)
        _notify_clerks(report, Notice.Kind.RETURNED, f"{report.period.title}的数据被退回：{reason}")
        return report


def report_reopen(*, report_id: int, user, reason: str, expected_version: int | None) -> Report:
    """Office staff reopen an approved report for the unit to correct, saying why."""
    reason = clean_text(reason, "重新打开的原因", required=True)
    with transaction.atomic():
        report = _reviewed(
            report_id, user=user, action=Do.REOPEN, expected_version=expected_version
        )
        _transition(
            report,
            Report.State.RETURNED,
            user=user,
            reason=reason,
            action=Action.REPORT_REOPENED,
            words="重新打开",
        )
        _notify_clerks(
            report,
            Notice.Kind.REOPENED,
            f"{report.period.title}的数据已重新打开，请修改：{reason}",
        )
        return report


def report_correct(
    *,
    unit: Unit,
    period: Period,
    raw: Mapping[str, object],
    expected_version: int,
    reason: str,
    user,
) -> Report:
    """A unit's changed figures for a report it already submitted (or that was approved; the
    API's push from a lower installation): the report is reopened and resubmitted with them in
    one step, by the entry form's own service and rules, so that its reviewer reviews the
    correction (old → new) and approves it again. Nothing is overwritten silently; figures
    equal to those stored change nothing."""
    reason = clean_text(reason, "更正说明", required=True)
    with transaction.atomic():
        report = (
            Report.objects.select_for_update()
            .select_related("period", "unit")
            .filter(unit=unit, period=period)
            .first()
        ) or Report(unit=unit, period=period)
        require(user, Do.CORRECT, report)
        if report.version != expected_version:
            raise ConflictError(report)
        indicators = unit_indicators(unit, period)
        values = figures_validate(unit=unit, period=period, raw=raw, indicators=indicators)
        stored = dict(report.figures.values_list("indicator__code", "value"))
        if all(stored.get(code) == value for code, value in values.items()):
            return report  # sent again: nothing to correct
        _transition(
            report,
            Report.State.RETURNED,
            user=user,
            reason=f"报送更正：{reason}",
            action=Action.REPORT_REOPENED,
            words="报送更正",
        )
        # A refused figure raises here and the reopening above is rolled back with it.
        report = report_save(
            unit=unit,
            period=period,
            raw=raw,
            expected_version=report.version,
            submit=True,
            user=user,
        )
        if report.state != Report.State.SUBMITTED:
            return report  # with its unit's signer first, who is told by the save
        reviewer = levels.reviewer_of(unit)
        notify(
            users=Profile.objects.filter(
                role=Role.OFFICE, unit=reviewer, user__is_active=True
            ).values_list("user_id", flat=True),
            kind=Notice.Kind.REOPENED,
            message=f"{unit.name}报送了{period.title}数据的更正，请重新审核：{reason}",
            url=reverse("indicators:review", args=[period.code, unit.code]),
            topic=f"report:{report.pk}",
        )
        return report
