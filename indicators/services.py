"""Writes that change state. Each runs in one transaction, locks what it changes, validates,
and records who changed what. Views, admin actions and commands call these; nothing else
writes reports or figures.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from audit.models import Action
from audit.services import audit_record
from districts.models import Role, Unit

from .models import Figure, FigureChange, Indicator, Period, Report
from .selectors import UnitTree, figures_by_unit, related_periods


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
    *, unit: Unit, period: Period, raw: Mapping[str, object], indicators: list[Indicator]
) -> dict[str, Decimal]:
    """Validates one value per indicator; raises FigureErrors with every problem at once."""
    errors: dict[str, list[str]] = {}
    values: dict[str, Decimal] = {}
    previous = previous_quarter_figures(unit=unit, period=period)
    for ind in indicators:
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


def _check_clerk_may_edit(*, user, report: Report) -> None:
    profile = getattr(user, "profile", None)
    if profile is None or profile.role != Role.CLERK or profile.unit_id != report.unit_id:
        raise PermissionDenied("只有本单位填报员可以修改本单位的填报表。")
    if report.period.status != Period.Status.OPEN:
        raise FigureErrors({"": [f"{report.period.title}不在填报期内，不能修改。"]})
    if not report.editable_by_clerk:
        raise FigureErrors({"": [f"本表{report.get_state_display()}，不能再修改。"]})


def report_open(*, unit: Unit, period: Period, user) -> Report:
    """The unit's report for the period, created as an empty draft on first opening."""
    if not UnitTree.load().is_leaf(unit.id):
        raise ValidationError("汇总单位不直接填报，由下级单位的数字合计。")
    report, _created = Report.objects.get_or_create(unit=unit, period=period)
    return report


def _write_figures(
    *, report: Report, values: Mapping[str, Decimal], indicators: list[Indicator], user
) -> int:
    """Creates or updates figures, recording each real change; returns how many changed."""
    by_code = {i.code: i for i in indicators}
    existing = {f.indicator_id: f for f in report.figures.select_for_update()}
    changes = []
    for code, value in values.items():
        ind = by_code[code]
        fig = existing.get(ind.id)
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
        old = "（空）" if change.old_value is None else f"{change.old_value.normalize():f}"
        audit_record(
            actor=user,
            action=Action.FIGURE_CHANGED,
            unit=report.unit,
            obj=report,
            summary=f"{report.period.title}{report.unit.name} {ind.name}：{old} → "
            f"{change.new_value.normalize():f}",
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
    rather than silently overwriting their figures.
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
            unit=report.unit, period=report.period, raw=raw, indicators=indicators
        )
        _write_figures(report=report, values=values, indicators=indicators, user=user)
        report.version += 1
        report.updated_by = user
        fields = ["version", "updated_by", "updated_at"]
        if submit:
            report.state = Report.State.SUBMITTED
            report.submitted_at = timezone.now()
            report.submitted_by = user
            fields += ["state", "submitted_at", "submitted_by"]
        report.save(update_fields=fields)
        audit_record(
            actor=user,
            action=Action.REPORT_SUBMITTED if submit else Action.REPORT_SAVED,
            unit=report.unit,
            obj=report,
            summary=f"{report.period.title}{report.unit.name}"
            + ("报送市局" if submit else "保存草稿"),
            detail={"period": report.period.code, "version": report.version},
        )
        return report


def history_record(*, unit: Unit, period: Period, values: Mapping[str, Decimal], user) -> Report:
    """Records figures of a past period as approved history (demo data, imports of old years)."""
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
        report.submitted_at = report.submitted_at or now
        report.submitted_by = report.submitted_by or user
        report.save()
        return report
