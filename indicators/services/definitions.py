"""What is reported, and when: indicators (in force from a first to a last period, reported by
the bottom units or by one unit, or computed by a formula) and periods (opened, closed; a
closed period keeps the indicators it was closed with). The admin calls these.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import transaction

from audit.models import Action
from audit.services import audit_record
from districts.access import Do, require
from notices.models import Notice
from zzip.numbers import FIRST_YEAR, LAST_YEAR

from .. import calendar, catalog, formulas
from ..models import Indicator, Period, Report
from .reports import _transition, notify_clerks, report_url

CODE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
INDICATOR_FIELDS = (
    "code",
    "name",
    "indicator_set",
    "unit_label",
    "kind",
    "has_target",
    "has_per_capita",
    "has_net_growth",
    "decimal_places",
    "order",
    "in_table",
    "yoy_threshold",
    "column_title",
    "value_heading",
    "description",
    "first_period",
    "last_period",
    "reporter",
    "reporting_unit",
    "formula",
    "rank_by",
)


# --- Periods ---------------------------------------------------------------------------------


def period_errors(period: Period) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if period.frequency not in calendar.PERIODS_PER_YEAR:
        errors["frequency"] = ["请选择频率（月度、季度或年度）。"]
        return errors
    if not FIRST_YEAR <= (period.year or 0) <= LAST_YEAR:
        errors["year"] = [f"年份应在 {FIRST_YEAR}–{LAST_YEAR} 之间。"]
    if not calendar.valid_number(period.frequency, period.number or 0):
        last = calendar.last_number(period.frequency)
        errors["number"] = [f"{period.get_frequency_display()}的期数应为 1–{last}。"]
    elif (
        Period.objects.filter(frequency=period.frequency, year=period.year, number=period.number)
        .exclude(pk=period.pk)
        .exists()
    ):
        errors["number"] = [f"已有填报期 {period.code}。"]
    return errors


def period_save(*, actor, period: Period | None = None, **fields) -> Period:
    """Creates or changes a period. Closing it freezes its indicators as they are; opening it
    again lets it follow the indicators in force."""
    require(actor, Do.REFERENCE)
    with transaction.atomic():
        created = period is None or period.pk is None
        if created:
            target = Period(**fields)
            old = {}
        else:
            target = Period.objects.select_for_update().get(pk=period.pk)
            old = {f: getattr(target, f) for f in fields}
            for name, value in fields.items():
                setattr(target, name, value)
        errors = period_errors(target)
        if errors:
            raise ValidationError(errors)
        changed = {
            f: {"old": old.get(f), "new": getattr(target, f)}
            for f in fields
            if created or old.get(f) != getattr(target, f)
        }
        if not changed:
            return target
        if target.status == Period.Status.CLOSED and (created or "status" in changed):
            target.frozen = catalog.freeze(target)
        elif target.status != Period.Status.CLOSED:
            target.frozen = None
        target.save()
        audit_record(
            actor=actor,
            action=Action.PERIOD_CHANGED,
            obj=target,
            summary=f"{'新增' if created else '修改'}填报期：{target.title}（{target.code}，"
            f"{target.get_status_display()}）",
            detail={"period": target.code, "changed": changed, "created": created},
        )
        if period is not None:
            period.__dict__.update(target.__dict__)
        return target


def period_create_closed(*, actor, frequency: str, year: int, number: int, why: str) -> Period:
    """A past period created closed (history of a period the system never had)."""
    existing = Period.objects.filter(frequency=frequency, year=year, number=number).first()
    if existing is not None:
        return existing
    period = Period(frequency=frequency, year=year, number=number, status=Period.Status.CLOSED)
    period.frozen = catalog.freeze(period)
    period.save()
    audit_record(
        actor=actor,
        action=Action.PERIOD_CHANGED,
        obj=period,
        summary=f"{why}：{period.title}（已截止）",
        detail={"period": period.code, "status": period.status},
    )
    return period


# --- Indicators ------------------------------------------------------------------------------


def indicator_errors(ind: Indicator) -> dict[str, list[str]]:
    """What is wrong with ``ind`` as it stands (not yet saved), by field."""
    errors: dict[str, list[str]] = {}

    def add(field, message):
        errors.setdefault(field, []).append(message)

    if not CODE.match(ind.code or ""):
        add("code", "编码只能用字母、数字和下划线，且以字母开头，如 invention_grants。")
    elif Indicator.objects.filter(code=ind.code).exclude(pk=ind.pk).exists():
        add("code", f"编码 {ind.code} 已被其他指标使用。")
    if not ind.name:
        add("name", "名称为空。")
    if ind.indicator_set_id is None:
        add("indicator_set", "请选择指标组（决定填报频率）。")
        return errors
    frequency = ind.indicator_set.frequency
    bounds = {}
    for field in ("first_period", "last_period"):
        text = (getattr(ind, field) or "").strip()
        setattr(ind, field, text.upper())
        if not text:
            continue
        try:
            f, year, number = calendar.parse_code(text)
        except calendar.PeriodCodeError as exc:
            add(field, str(exc))
            continue
        if f != frequency:
            add(
                field,
                f"{ind.indicator_set.name}是{ind.indicator_set.get_frequency_display()}指标组，"
                f"填报期应写成如 {calendar.code(frequency, year, 1)}。",
            )
            continue
        setattr(ind, field, calendar.code(f, year, number))
        bounds[field] = (year, number)
    if len(bounds) == 2 and bounds["last_period"] < bounds["first_period"]:
        add("last_period", "最后填报期不能早于首个填报期。")
    if ind.kind != Indicator.Kind.STOCK and (ind.has_net_growth or ind.has_per_capita):
        add("kind", "净增长和万人比只用于存量指标（期末数）。")
    if ind.reporter == Indicator.Reporter.UNIT and ind.reporting_unit_id is None:
        add("reporting_unit", "请选择由哪个单位填报。")
    if ind.reporter == Indicator.Reporter.LEAVES:
        ind.reporting_unit = None
    if ind.formula:
        others = Indicator.objects.exclude(pk=ind.pk)
        known = set(others.values_list("code", flat=True))
        derived = dict(others.exclude(formula="").values_list("code", "formula"))
        try:
            formulas.validate(ind.code, ind.formula, derived, known)
        except formulas.FormulaError as exc:
            add("formula", str(exc))
        if ind.reporter == Indicator.Reporter.UNIT:
            add("reporter", "由公式计算的指标不由单位填报，请选“各基层填报单位”。")
    return errors


def indicator_save(*, actor, indicator: Indicator | None = None, **fields) -> Indicator:
    """Creates or changes an indicator; one audit record. An indicator that comes into force
    in an open period asks the units that already reported it for the new figure: their
    report goes back to them with a notice (reasons and steps recorded)."""
    require(actor, Do.REFERENCE)
    unknown = set(fields) - set(INDICATOR_FIELDS)
    if unknown:
        raise TypeError(f"indicator_save: unknown fields {sorted(unknown)}")
    with transaction.atomic():
        created = indicator is None or indicator.pk is None
        if created:
            target = Indicator(**fields)
        else:
            target = Indicator.objects.select_for_update().get(pk=indicator.pk)
        open_periods = list(Period.objects.filter(status=Period.Status.OPEN))
        before = set() if created else {p.pk for p in open_periods if target.in_force(p)}
        old = {f: _shown(getattr(target, f)) for f in fields} if not created else {}
        for name, value in fields.items():
            setattr(target, name, value)
        errors = indicator_errors(target)
        if errors:
            raise ValidationError(errors)
        changed = {
            f: {"old": old.get(f), "new": _shown(getattr(target, f))}
            for f in fields
            if created or old.get(f) != _shown(getattr(target, f))
        }
        if not changed:
            return target
        target.save()
        audit_record(
            actor=actor,
            action=Action.INDICATOR_CHANGED,
            obj=target,
            summary=f"{'新增' if created else '修改'}指标：{target.name}（{target.code}）",
            detail={"changed": changed, "created": created},
        )
        newly = [p for p in open_periods if target.in_force(p) and p.pk not in before]
        if not target.is_derived:
            for period in newly:
                _ask_for_the_new_figure(actor=actor, indicator=target, period=period)
        if indicator is not None:
            indicator.__dict__.update(target.__dict__)
        return target


def _shown(value):
    if hasattr(value, "pk"):
        return value.pk
    return format(value, "f") if hasattr(value, "as_tuple") else value


def _ask_for_the_new_figure(*, actor, indicator: Indicator, period: Period) -> None:
    reason = f"新增指标“{indicator.name}”，请补报后重新提交。"
    reports = Report.objects.select_for_update().filter(
        period=period, state__in=Report.COUNTED, source=Report.Source.ENTERED
    )
    for report in reports.select_related("unit", "period"):
        if indicator.code not in {
            i.code for i in catalog.for_unit(period, report.unit, is_leaf=_leaf(report.unit))
        }:
            continue
        _transition(
            report,
            Report.State.RETURNED,
            user=actor,
            reason=reason,
            action=Action.REPORT_RETURNED,
            words="退回补报新增指标",
        )
        notify_clerks(
            unit=report.unit,
            kind=Notice.Kind.RETURNED,
            message=f"{period.title}{reason}",
            url=report_url(report),
            topic=f"report:{report.pk}",
        )


def _leaf(unit) -> bool:
    from districts import tree

    return tree.is_leaf(unit)
