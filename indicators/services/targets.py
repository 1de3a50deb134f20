"""Annual guidance targets (年指导目标): one service for the admin form, the raw-data import and
the 年度目标下达表 alike. A target belongs to a reporting unit (a parent's is its children's
sum) and to an indicator in use that has targets; its value is parsed like a figure.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from audit.models import Action
from audit.services import audit_record
from districts import tree
from districts.access import Do, require
from districts.models import Unit
from districts.services import Saved
from zzip.numbers import parse_decimal, parse_year

from .. import catalog
from ..models import Indicator, Target


def _number(value: Decimal | None) -> str:
    return "（无）" if value is None else f"{value.normalize():f}"


def target_errors(
    *, unit: Unit | None, indicator: Indicator | None, year, value
) -> tuple[dict[str, list[str]], int | None, Decimal | None]:
    """Parses and checks one target; returns (errors by field, year, value)."""
    errors: dict[str, list[str]] = {}
    parsed_year = parsed_value = None
    try:
        parsed_year = parse_year(year)
    except ValidationError as exc:
        errors["year"] = exc.messages
    if unit is None:
        errors["unit"] = ["请选择单位。"]
    elif not unit.active:
        errors["unit"] = [f"{unit.name}（{unit.code}）已停用，不能下达目标。"]
    if indicator is None:
        errors["indicator"] = ["请选择指标。"]
    elif not indicator.has_target or indicator.is_derived:
        errors["indicator"] = [f"“{indicator.name}”不设年度指导目标。"]
    elif parsed_year is not None and not catalog.takes_target(indicator, parsed_year):
        errors["indicator"] = [f"“{indicator.name}”在{parsed_year}年不填报，不能下达目标。"]
    elif unit is not None and "unit" not in errors:
        if indicator.reporter == indicator.Reporter.UNIT:
            if unit.pk != indicator.reporting_unit_id:
                errors["unit"] = [
                    f"“{indicator.name}”由{indicator.reporting_unit.name}填报，目标也下达给它。"
                ]
        elif not tree.is_leaf(unit):
            errors["unit"] = [f"{unit.name}是汇总单位，它的目标是下级单位目标之和，不单独下达。"]
    if indicator is not None and "indicator" not in errors:
        try:
            parsed_value = parse_decimal(
                value,
                what=f"{indicator.name}的目标值",
                places=indicator.decimal_places,
                unit_label=indicator.unit_label,
            )
        except ValidationError as exc:
            errors["value"] = exc.messages
    return errors, parsed_year, parsed_value


class TargetsChanged(Exception):
    """Targets moved between the preview and the confirmation; nothing was written."""

    def __init__(self, where: list[str]):
        super().__init__("targets changed since the preview")
        self.where = where


UNCHECKED = object()


@dataclass
class TargetChange:
    """One target a 年度目标下达表 sets: the value the preview showed (``old``) and the new one."""

    unit: Unit
    indicator: Indicator
    old: Decimal | None
    new: object


def target_set(
    *,
    actor,
    unit: Unit | None,
    indicator: Indicator | None,
    year,
    value,
    expected=UNCHECKED,
    via: str = "管理后台",
) -> Saved:
    """Sets one unit's target of one indicator for a year; one audit record per change.

    With ``expected`` (the value a preview showed, None for none), a target that differs
    from it by now is not written: TargetsChanged. Raises ValidationError by field.
    """
    require(actor, Do.TARGETS)
    try:
        with transaction.atomic():
            return _set(
                actor=actor,
                unit=unit,
                indicator=indicator,
                year=year,
                value=value,
                expected=expected,
                via=via,
            )
    except IntegrityError:
        # Created by someone else between our read and our write (the unit lock makes this
        # rare): the preview no longer holds.
        raise TargetsChanged([f"{unit.name} · {indicator.name}"]) from None


def _set(*, actor, unit, indicator, year, value, expected, via) -> Saved:
    errors, year, value = target_errors(unit=unit, indicator=indicator, year=year, value=value)
    if errors:
        raise ValidationError(errors)
    # Locking the unit serialises every write of its targets, creations included.
    list(Unit.objects.select_for_update().filter(pk=unit.pk).values_list("pk", flat=True))
    target = (
        Target.objects.select_for_update().filter(unit=unit, indicator=indicator, year=year).first()
    )
    old = target.value if target is not None else None
    if expected is not UNCHECKED and old != expected:
        raise TargetsChanged([f"{unit.name} · {indicator.name}"])
    if old == value:
        return Saved(target, False, {})
    created = target is None
    if created:
        target = Target.objects.create(unit=unit, indicator=indicator, year=year, value=value)
    else:
        target.value = value
        target.save(update_fields=["value"])
    audit_record(
        actor=actor,
        action=Action.TARGET_CHANGED,
        unit=unit,
        obj=target,
        summary=f"{year}年{unit.name}{indicator.name}目标：{_number(old)} → {_number(value)}"
        f"（{via}）",
        detail={"year": year, "indicator": indicator.code, "old": old, "new": value, "via": via},
    )
    return Saved(target, created, {"value": {"old": old, "new": value}})


def targets_set(
    *, actor, year: int, changes: list[TargetChange], via: str, file_name: str = ""
) -> int:
    """Writes the targets a confirmed 年度目标下达表 changes, all or nothing; returns how many.

    Every value is checked again by ``target_set``; if any stored target differs from what
    the preview showed, nothing is written (TargetsChanged, naming every such target).
    """
    require(actor, Do.TARGETS)
    with transaction.atomic():
        # Lock the units in one order, so two confirmations never wait on each other.
        units = Unit.objects.select_for_update().filter(pk__in={c.unit.pk for c in changes})
        list(units.order_by("pk").values_list("pk", flat=True))
        stale, written = [], 0
        for change in changes:
            try:
                saved = target_set(
                    actor=actor,
                    unit=change.unit,
                    indicator=change.indicator,
                    year=year,
                    value=change.new,
                    expected=change.old,
                    via=via,
                )
            except TargetsChanged as exc:
                stale.extend(exc.where)
                continue
            except ValidationError as exc:
                raise ValidationError(
                    f"{change.unit.name} · {change.indicator.name}：{' '.join(exc.messages)}"
                ) from None
            written += 0 if saved.unchanged else 1
        if stale:
            raise TargetsChanged(stale)
        audit_record(
            actor=actor,
            action=Action.IMPORT,
            summary=f"上传{year}年度目标下达表：修改 {written} 个目标",
            detail={"kind": "target_sheet", "year": year, "changed": written, "file": file_name},
        )
        return written
