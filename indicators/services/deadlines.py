"""Deadlines: an extension for one unit after its period's deadline, and the reminders that
chase the units that have not reported."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audit.models import Action
from audit.services import audit_record
from districts import tree
from districts.access import SYSTEM, Do, require
from districts.models import Profile, Role, Unit
from notices.models import Notice
from notices.services import notify
from zzip.numbers import chinese_date

from .. import levels
from ..models import Extension, Period, Report, ReviewSettings
from ..rules import clean_text
from .reports import notify_clerks, report_url


def extension_grant(
    *, period: Period, unit: Unit, until: datetime.date, reason: str, user
) -> Extension:
    """Lets one unit keep editing after the deadline, until ``until`` (inclusive)."""
    reason = clean_text(reason, "延期原因", required=True)
    with transaction.atomic():
        report = Report.objects.select_for_update().filter(
            period=period, unit=unit
        ).first() or Report(period=period, unit=unit)
        require(user, Do.EXTEND, report)
        if until < timezone.localdate():
            raise ValidationError("延期日期不能早于今天。", code="past")
        if period.deadline is not None and until <= period.deadline:
            raise ValidationError(
                f"延期日期应晚于报送截止日期（{chinese_date(period.deadline)}）。",
                code="not_later",
            )
        extension, _ = Extension.objects.update_or_create(
            period=period,
            unit=unit,
            defaults={"until": until, "reason": reason, "granted_by": user},
        )
        audit_record(
            actor=user,
            action=Action.EXTENSION_GRANTED,
            unit=unit,
            obj=extension,
            summary=f"{period.title}{unit.name}延期至{chinese_date(until)}：{reason}",
            detail={"period": period.code, "until": until, "reason": reason},
        )
        notify_clerks(
            unit=unit,
            kind=Notice.Kind.EXTENSION,
            message=f"{period.title}的报送已延期至{chinese_date(until)}。",
            url=report_url(report),
            topic=f"period:{period.code}",
        )
        return extension


@dataclass
class ReminderResult:
    notices: int
    emails: int
    units: list[str]


def reminders_send(
    *, days: int, today: datetime.date | None = None, send_email: bool = False
) -> ReminderResult:
    """Reminds the clerks of every unit that has not submitted an open period due within ``days``.

    A unit is reminded at most once a day per period, so cron may run this as often as it likes.
    Overdue periods (still open) are included: late units keep being reminded.
    """
    from django.core.mail import send_mail

    today = today or timezone.localdate()
    result = ReminderResult(0, 0, [])
    top = tree.root()
    if top is None:
        return result
    due = Period.objects.filter(
        status=Period.Status.OPEN,
        deadline__isnull=False,
        deadline__lte=today + datetime.timedelta(days=days),
    )
    settings = ReviewSettings.current()
    for period in due:
        # A report waiting for its unit's sign-off has left the clerk: its signer is reminded.
        done = Report.objects.filter(
            period=period, state__in=[*Report.COUNTED, Report.State.SIGNING]
        ).values("unit_id")
        signing = set(
            Report.objects.filter(period=period, state=Report.State.SIGNING).values_list(
                "unit_id", flat=True
            )
        )
        # Whom to remind, and by when: the clerks of the units at the bottom by the period's
        # deadline; under review by level, each level's office staff by its own, later one.
        deadlines = {u: period.deadline for u in tree.leaves(top.pk).exclude(pk__in=done)}
        leaf_ids = {u.pk for u in deadlines}
        if settings.review_by_level:
            for unit in tree.descendants(top.pk).exclude(pk__in=done).exclude(pk=top.pk):
                if levels.is_level(unit, settings):
                    due_on = levels.deadline_of(unit, period, settings)
                    if due_on <= today + datetime.timedelta(days=days):
                        deadlines[unit] = due_on
        by_id = {u.pk: d for u, d in deadlines.items()}
        by_id.update({unit_id: period.deadline for unit_id in signing})
        topic = f"period:{period.code}"
        reminded_today = set(
            Notice.objects.filter(
                topic=topic, kind=Notice.Kind.REMINDER, created_at__date=today
            ).values_list("user_id", flat=True)
        )
        clerks = (
            Profile.objects.filter(unit_id__in=list(by_id), user__is_active=True)
            .filter(role__in=[Role.CLERK, Role.OFFICE, Role.SIGNER])
            .select_related("user", "unit")
        )
        clerks = [
            p
            for p in clerks
            # A unit's figures are entered by its clerks, a level's by its office staff; a
            # report waiting for sign-off is its signer's.
            if (p.role == Role.SIGNER and p.unit_id in signing)
            or (
                (p.role != Role.SIGNER and p.unit_id not in signing)
                and (p.role == Role.CLERK) == (p.unit_id in leaf_ids)
            )
        ]
        for profile in clerks:
            if profile.user_id in reminded_today:
                continue
            deadline = by_id[profile.unit_id]
            left = (deadline - today).days
            when = (
                f"还有 {left} 天截止"
                if left > 0
                else ("今天截止" if left == 0 else f"已逾期 {-left} 天")
            )
            message = f"{period.title}数据{when}（截止 {chinese_date(deadline)}），" + (
                f"{profile.unit.name}的填报表待你审核，请尽快审核报送。"
                if profile.role == Role.SIGNER
                else f"{profile.unit.name}尚未报送，请尽快填报。"
            )
            with transaction.atomic():
                notify(
                    users=[profile.user],
                    kind=Notice.Kind.REMINDER,
                    message=message,
                    url=report_url(Report(unit=profile.unit, period=period)),
                    topic=topic,
                )
                audit_record(
                    actor=SYSTEM,
                    action=Action.REMINDER_SENT,
                    unit=profile.unit,
                    summary=f"催报：{profile.user.get_username()} {message}",
                    detail={"period": period.code, "user": profile.user.get_username()},
                )
            result.notices += 1
            if profile.unit.name not in result.units:
                result.units.append(profile.unit.name)
            if send_email and profile.user.email:
                send_mail(
                    f"【催报】{period.title}知识产权指标", message, None, [profile.user.email]
                )
                result.emails += 1
    return result
