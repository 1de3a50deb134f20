"""Writes that change state. Each runs in one transaction, locks what it changes, validates,
and records who changed what. Views, admin actions and commands call these; nothing else
writes reports or figures.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from audit.models import Action
from audit.services import audit_record
from districts.models import Profile, Role, Unit

from .models import Extension, Figure, FigureChange, Indicator, Notice, Period, Report, Transition
from .selectors import UnitTree, figures_by_unit, figures_flags, related_periods


class ConflictError(Exception):
    """Someone else saved the report since this form was opened."""

    def __init__(self, report: Report):
        super().__init__("report changed since it was opened")
        self.report = report


@dataclass
class FigureErrors(Exception):
    """Field-level messages, keyed by indicator code ('' for the whole report)."""

    errors: dict[str, list[str]]


def parse_figure(raw: object, indicator: Indicator) -> Decimal:
    """Turns what a person typed into a Decimal for ``indicator`` or raises ValidationError."""
    text = "" if raw is None else str(raw).strip().replace(",", "").replace("，", "")
    if text == "":
        raise ValidationError("请填写%(name)s。", params={"name": indicator.name}, code="required")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValidationError(
            "“%(text)s”不是数字，请只填阿拉伯数字。", params={"text": text}, code="invalid"
        ) from None
    if not value.is_finite():
        raise ValidationError(
            "“%(text)s”不是数字，请只填阿拉伯数字。", params={"text": text}, code="invalid"
        )
    if value < 0:
        raise ValidationError("不能为负数。", code="negative")
    if indicator.decimal_places == 0 and value != value.to_integral_value():
        raise ValidationError(
            "%(name)s以%(unit)s计，只能填整数。",
            params={"name": indicator.name, "unit": indicator.unit_label},
            code="fraction",
        )
    if value.as_tuple().exponent < -indicator.decimal_places:
        raise ValidationError(
            "最多保留 %(places)s 位小数。",
            params={"places": indicator.decimal_places},
            code="places",
        )
    if value >= Decimal("1e13"):
        raise ValidationError("数值过大，请核对。", code="too_large")
    return value


def previous_quarter_figures(*, unit: Unit, period: Period) -> dict[str, Decimal]:
    """The unit's counted figures for the previous quarter of the same year (empty for Q1)."""
    previous = related_periods(period)["previous_quarter"]
    if previous is None:
        return {}
    return figures_by_unit([unit.id], [previous]).get((previous.id, unit.id), {})


def figures_validate(
    *,
    unit: Unit,
    period: Period,
    raw: Mapping[str, object],
    indicators: list[Indicator],
    require_all: bool = True,
) -> dict[str, Decimal | None]:
    """Validates one value per indicator; raises FigureErrors with every problem at once.

    With ``require_all`` off (a draft), a blank stays blank: the value is None.
    """
    errors: dict[str, list[str]] = {}
    values: dict[str, Decimal | None] = {}
    previous = previous_quarter_figures(unit=unit, period=period)
    for ind in indicators:
        if not require_all and str(raw.get(ind.code) or "").strip() == "":
            values[ind.code] = None
            continue
        try:
            value = parse_figure(raw.get(ind.code), ind)
        except ValidationError as exc:
            errors[ind.code] = exc.messages
            continue
        before = previous.get(ind.code)
        if ind.is_flow and before is not None and value < before:
            errors[ind.code] = [
                f"{ind.name}是自1月1日起的累计数，"
                f"不能小于上季度的 {before.normalize():f}{ind.unit_label}。"
            ]
            continue
        values[ind.code] = value
    if errors:
        raise FigureErrors(errors)
    return values


def edit_block_reason(report: Report, *, today: datetime.date | None = None) -> str | None:
    """Why a clerk may not change this report now, or None when they may.

    After the deadline only an extension granted to the unit (until a date) lets it edit.
    """
    period = report.period
    if period.status != Period.Status.OPEN:
        return f"{period.title}不在填报期内，只能查看。"
    if not report.editable_by_clerk:
        return f"本表{report.get_state_display()}，只能查看。如需修改请联系市局。"
    today = today or timezone.localdate()
    if period.deadline is not None and today > period.deadline:
        extension = Extension.objects.filter(period=period, unit_id=report.unit_id).first()
        if extension is None or today > extension.until:
            return (
                f"{period.title}已于{period.deadline:%Y年%-m月%-d日}截止，不能再修改。"
                "如需补报，请联系市局申请延期。"
            )
    return None


def _check_clerk_may_edit(*, user, report: Report) -> None:
    profile = getattr(user, "profile", None)
    if profile is None or profile.role != Role.CLERK or profile.unit_id != report.unit_id:
        raise PermissionDenied("只有本单位填报员可以修改本单位的填报表。")
    reason = edit_block_reason(report)
    if reason:
        raise FigureErrors({"": [reason]})


def report_can_open(*, unit: Unit, period: Period) -> None:
    """Raises ValidationError when the unit has no report to start for the period."""
    if not UnitTree.load().is_leaf(unit.id):
        raise ValidationError("汇总单位不直接填报，由下级单位的数字合计。")
    if period.status != Period.Status.OPEN:
        raise ValidationError(f"{period.title}不在填报期内，{unit.name}没有这一期的数据。")


def report_open(*, unit: Unit, period: Period, user) -> Report:
    """The unit's report for the period; an empty draft is created only while it is open.

    Looking at a closed or future period creates nothing (a stray draft there would block
    the office's history import and mean nothing to anyone).
    """
    report = Report.objects.filter(unit=unit, period=period).first()
    if report is not None:
        return report
    report_can_open(unit=unit, period=period)
    report, _created = Report.objects.get_or_create(unit=unit, period=period)
    return report


def target_check(*, unit: Unit, indicator: Indicator, value) -> Decimal:
    """The rules of a target set in the admin, by field; the import and the 年度目标下达表 apply
    the same ones (indicators.resources, indicators.sheets)."""
    if not indicator.has_target:
        raise ValidationError({"indicator": f"{indicator.name}没有年度指导目标。"})
    if not UnitTree.load().is_leaf(unit.id):
        raise ValidationError(
            {"unit": f"{unit.name}是汇总单位，它的目标是下级单位目标之和，不单独下达。"}
        )
    try:
        return parse_figure(value, indicator)
    except ValidationError as exc:
        raise ValidationError({"value": exc.messages}) from None


def _shown(value: Decimal | None) -> str:
    return "（空）" if value is None else f"{value.normalize():f}"


def _write_figures(
    *, report: Report, values: Mapping[str, Decimal | None], indicators: list[Indicator], user
) -> int:
    """Creates, updates or clears figures, recording each real change; returns how many."""
    by_code = {i.code: i for i in indicators}
    existing = {f.indicator_id: f for f in report.figures.select_for_update()}
    changes = []
    for code, value in values.items():
        ind = by_code[code]
        fig = existing.get(ind.id)
        if value is None:
            if fig is not None:
                changes.append(
                    FigureChange(
                        report=report,
                        indicator=ind,
                        old_value=fig.value,
                        new_value=None,
                        changed_by=user,
                    )
                )
                fig.delete()
            continue
        if fig is None:
            Figure.objects.create(report=report, indicator=ind, value=value)
            changes.append(
                FigureChange(
                    report=report, indicator=ind, old_value=None, new_value=value, changed_by=user
                )
            )
        elif fig.value != value:
            changes.append(
                FigureChange(
                    report=report,
                    indicator=ind,
                    old_value=fig.value,
                    new_value=value,
                    changed_by=user,
                )
            )
            fig.value = value
            fig.save(update_fields=["value"])
    FigureChange.objects.bulk_create(changes)
    for change in changes:
        ind = change.indicator
        old, new = _shown(change.old_value), _shown(change.new_value)
        audit_record(
            actor=user,
            action=Action.FIGURE_CHANGED,
            unit=report.unit,
            obj=report,
            summary=f"{report.period.title}{report.unit.name} {ind.name}：{old} → {new}",
            detail={
                "period": report.period.code,
                "indicator": ind.code,
                "old": change.old_value,
                "new": change.new_value,
            },
        )
    return len(changes)


def report_save(
    *, report_id: int, raw: Mapping[str, object], expected_version: int, submit: bool, user
) -> Report:
    """Saves a clerk's figures as a draft, or submits them.

    The report row is locked for the transaction; a version that moved since the form was
    opened means someone else saved in between, and the save is refused (ConflictError)
    rather than silently overwriting their figures. ``raw`` may carry ``explain_<code>``:
    the clerk's explanation of a flagged figure, required to submit it.
    """
    with transaction.atomic():
        report = (
            Report.objects.select_for_update().select_related("period", "unit").get(pk=report_id)
        )
        _check_clerk_may_edit(user=user, report=report)
        if report.version != expected_version:
            raise ConflictError(report)
        indicators = list(Indicator.objects.filter(active=True))
        values = figures_validate(
            unit=report.unit,
            period=report.period,
            raw=raw,
            indicators=indicators,
            require_all=submit,
        )
        # An explanation not sent (a caller without those fields) keeps what is stored.
        explanations = dict(report.figures.values_list("indicator__code", "explanation"))
        explanations |= {
            i.code: str(raw[f"explain_{i.code}"] or "").strip()[:1000]
            for i in indicators
            if f"explain_{i.code}" in raw
        }
        if submit:
            flags = figures_flags(
                unit=report.unit, period=report.period, values=values, indicators=indicators
            )
            missing = {
                code: [f"{message}请在“情况说明”中写明后再提交。"]
                for code, message in flags.items()
                if not explanations.get(code)
            }
            if missing:
                raise FigureErrors(missing)
        _write_figures(report=report, values=values, indicators=indicators, user=user)
        for fig in report.figures.select_related("indicator"):
            explanation = explanations.get(fig.indicator.code, "")
            if fig.explanation != explanation:
                fig.explanation = explanation
                fig.save(update_fields=["explanation"])
        report.version += 1
        report.updated_by = user
        report.save(update_fields=["version", "updated_by", "updated_at"])
        if submit:
            _transition(report, Report.State.SUBMITTED, user=user)
        else:
            audit_record(
                actor=user,
                action=Action.REPORT_SAVED,
                unit=report.unit,
                obj=report,
                summary=f"{report.period.title}{report.unit.name}保存草稿",
                detail={"period": report.period.code, "version": report.version},
            )
        return report


class TransitionError(ValidationError):
    """The report is not in a state that allows this step."""


_TRANSITION_ACTIONS = {
    Report.State.SUBMITTED: (Action.REPORT_SUBMITTED, "报送市局"),
    Report.State.APPROVED: (Action.REPORT_APPROVED, "审核通过"),
    Report.State.RETURNED: (Action.REPORT_RETURNED, "退回修改"),
}


def _snapshot(report: Report) -> dict[str, str]:
    return {
        code: f"{value.normalize():f}"
        for code, value in report.figures.values_list("indicator__code", "value")
    }


def _transition(
    report: Report, to_state: str, *, user, reason: str = "", reopen: bool = False
) -> Transition:
    """Moves a locked report to ``to_state``, keeping the figures of that moment and a record."""
    step = Transition.objects.create(
        report=report,
        from_state=report.state,
        to_state=to_state,
        actor=user,
        reason=reason,
        figures=_snapshot(report),
    )
    now = timezone.now()
    fields = ["state", "updated_at"]
    report.state = to_state
    if to_state == Report.State.SUBMITTED:
        report.submitted_at, report.submitted_by = now, user
        report.return_reason = ""
        fields += ["submitted_at", "submitted_by", "return_reason"]
    elif to_state == Report.State.APPROVED:
        report.reviewed_at, report.reviewed_by = now, user
        fields += ["reviewed_at", "reviewed_by"]
    elif to_state == Report.State.RETURNED:
        report.reviewed_at, report.reviewed_by = now, user
        report.return_reason = reason
        fields += ["reviewed_at", "reviewed_by", "return_reason"]
    report.save(update_fields=fields)
    action, words = _TRANSITION_ACTIONS[to_state]
    if reopen:
        action, words = Action.REPORT_REOPENED, "重新打开"
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
        },
    )
    return step


def _require_office(user) -> None:
    profile = getattr(user, "profile", None)
    if profile is None or profile.role != Role.OFFICE:
        raise PermissionDenied("只有市局工作人员可以审核。")


def _locked_report(report_id: int) -> Report:
    return Report.objects.select_for_update().select_related("period", "unit").get(pk=report_id)


def _notify_clerks(report: Report, kind: str, message: str) -> None:
    clerks = Profile.objects.filter(unit_id=report.unit_id, role=Role.CLERK, user__is_active=True)
    Notice.objects.bulk_create(
        Notice(user_id=p.user_id, kind=kind, report=report, period=report.period, message=message)
        for p in clerks
    )


def _clean_reason(reason: str, what: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(f"请填写{what}原因。", code="reason_required")
    return reason[:1000]


def report_approve(*, report_id: int, user) -> Report:
    """Office staff approve a submitted report; it is locked from then on."""
    _require_office(user)
    with transaction.atomic():
        report = _locked_report(report_id)
        if report.state != Report.State.SUBMITTED:
            raise TransitionError(f"只有已报送的表可以审核通过，本表{report.get_state_display()}。")
        _transition(report, Report.State.APPROVED, user=user)
        _notify_clerks(
            report, Notice.Kind.APPROVED, f"{report.period.title}的数据已由市局审核通过。"
        )
        return report


def report_return(*, report_id: int, user, reason: str) -> Report:
    """Office staff send a submitted report back to the unit, saying why."""
    _require_office(user)
    reason = _clean_reason(reason, "退回")
    with transaction.atomic():
        report = _locked_report(report_id)
        if report.state != Report.State.SUBMITTED:
            raise TransitionError(f"只有已报送的表可以退回，本表{report.get_state_display()}。")
        _transition(report, Report.State.RETURNED, user=user, reason=reason)
        _notify_clerks(
            report, Notice.Kind.RETURNED, f"{report.period.title}的数据被市局退回：{reason}"
        )
        return report


def report_reopen(*, report_id: int, user, reason: str) -> Report:
    """Office staff reopen an approved report for the unit to correct, saying why."""
    _require_office(user)
    reason = _clean_reason(reason, "重新打开的")
    with transaction.atomic():
        report = _locked_report(report_id)
        if report.state != Report.State.APPROVED:
            raise TransitionError(f"只有已审核的表可以重新打开，本表{report.get_state_display()}。")
        if report.period.status != Period.Status.OPEN:
            # Reopened in a closed period the report could be neither edited nor counted.
            raise TransitionError(
                f"{report.period.title}已不在填报期内，重新打开后填报员也无法修改。"
                "请先在管理后台把该填报期设为“填报中”。"
            )
        _transition(report, Report.State.RETURNED, user=user, reason=reason, reopen=True)
        _notify_clerks(
            report,
            Notice.Kind.REOPENED,
            f"{report.period.title}的数据已由市局重新打开，请修改：{reason}",
        )
        return report


def extension_grant(
    *, period: Period, unit: Unit, until: datetime.date, reason: str, user
) -> Extension:
    """Lets one unit keep editing after the deadline, until ``until`` (inclusive)."""
    _require_office(user)
    if period.status != Period.Status.OPEN:
        raise ValidationError(f"{period.title}不在填报期内，不能延期。", code="closed")
    reason = _clean_reason(reason, "延期")
    if until < timezone.localdate():
        raise ValidationError("延期日期不能早于今天。", code="past")
    if period.deadline is not None and until <= period.deadline:
        raise ValidationError(
            f"延期日期应晚于报送截止日期（{period.deadline:%Y-%m-%d}）。", code="not_later"
        )
    if not UnitTree.load().is_leaf(unit.id):
        raise ValidationError("汇总单位不直接填报，不能延期。")
    with transaction.atomic():
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
            summary=f"{period.title}{unit.name}延期至{until:%Y-%m-%d}：{reason}",
            detail={"period": period.code, "until": until, "reason": reason},
        )
        report = Report.objects.filter(period=period, unit=unit).first()
        Notice.objects.bulk_create(
            Notice(
                user_id=p.user_id,
                kind=Notice.Kind.EXTENSION,
                report=report,
                period=period,
                message=f"{period.title}的报送已延期至{until:%Y年%-m月%-d日}。",
            )
            for p in Profile.objects.filter(unit=unit, role=Role.CLERK, user__is_active=True)
        )
        return extension


def history_record(
    *,
    unit: Unit,
    period: Period,
    values: Mapping[str, Decimal],
    user,
    submitted_at: datetime.datetime | None = None,
) -> Report:
    """Records figures of a past period as approved history (demo data, imports of old years)."""
    _require_office(user)
    with transaction.atomic():
        report, _ = Report.objects.select_for_update().get_or_create(unit=unit, period=period)
        indicators = list(Indicator.objects.filter(code__in=list(values)))
        unknown = set(values) - {i.code for i in indicators}
        if unknown:
            raise ValidationError(f"未知指标编码：{'、'.join(sorted(unknown))}")
        for ind in indicators:
            parse_figure(values[ind.code], ind)
        _write_figures(report=report, values=values, indicators=indicators, user=user)
        now = timezone.now()
        report.state = Report.State.APPROVED
        report.version += 1
        report.updated_by = user
        report.submitted_at = submitted_at or report.submitted_at or now
        report.submitted_by = report.submitted_by or user
        report.save()
        return report


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
    tree = UnitTree.load()
    result = ReminderResult(0, 0, [])
    due = Period.objects.filter(
        status=Period.Status.OPEN,
        deadline__isnull=False,
        deadline__lte=today + datetime.timedelta(days=days),
    )
    for period in due:
        done = set(
            Report.objects.filter(
                period=period, state__in=[Report.State.SUBMITTED, Report.State.APPROVED]
            ).values_list("unit_id", flat=True)
        )
        late_units = [uid for uid in tree.units if tree.is_leaf(uid) and uid not in done]
        reminded_today = set(
            Notice.objects.filter(
                period=period, kind=Notice.Kind.REMINDER, created_at__date=today
            ).values_list("user_id", flat=True)
        )
        clerks = Profile.objects.filter(
            unit_id__in=late_units, role=Role.CLERK, user__is_active=True
        ).select_related("user", "unit")
        left = (period.deadline - today).days
        when = (
            f"还有 {left} 天截止"
            if left > 0
            else ("今天截止" if left == 0 else f"已逾期 {-left} 天")
        )
        for profile in clerks:
            if profile.user_id in reminded_today:
                continue
            message = (
                f"{period.title}数据{when}（截止 {period.deadline:%Y年%-m月%-d日}），"
                f"{profile.unit.name}尚未报送，请尽快填报。"
            )
            with transaction.atomic():
                Notice.objects.create(
                    user=profile.user, kind=Notice.Kind.REMINDER, period=period, message=message
                )
                audit_record(
                    actor=None,
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
