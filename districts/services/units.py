"""Writes about the unit tree and populations. Each checks access, validates, locks what it
changes, keeps the tree's closure table in step and writes one audit record of one shape."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from audit.models import Action
from audit.services import audit_record
from zzip.numbers import parse_decimal, parse_year

from .. import tree
from ..access import Do, require
from ..models import Population, Unit

# --- Units and populations -------------------------------------------------------------------

UNIT_FIELDS = ("code", "division_code", "name", "short_name", "kind", "parent", "order", "active")
POPULATION_PLACES = 2
POPULATION_MAX = Decimal("1e8")  # 万人: more than any country
SOURCE_MAX = 200


@dataclass
class Saved:
    """What a write service did: the object, whether it was new, what changed (old, new)."""

    obj: object
    created: bool
    changed: dict[str, dict[str, object]]

    @property
    def unchanged(self) -> bool:
        return not self.created and not self.changed


def _value_of(obj, field: str):
    value = getattr(obj, f"{field}_id" if field == "parent" else field)
    return value


def _shown(obj, field: str):
    if field == "parent":
        return obj.parent.code if obj.parent_id else ""
    value = getattr(obj, field)
    return format(value, "f") if isinstance(value, Decimal) else value


def unit_errors(unit: Unit) -> dict[str, list[str]]:
    """What is wrong with ``unit`` as it stands (not yet saved), by field; empty when nothing.

    The admin form shows these beside its fields; ``unit_save`` checks them again under lock.
    """
    errors: dict[str, list[str]] = {}

    def add(field, message):
        errors.setdefault(field, []).append(message)

    code = unit.code or ""
    if not code:
        add("code", "编码为空。")
    elif len(code) > 20 or any(ch.isspace() for ch in code) or "\x00" in code:
        add("code", f"编码“{code[:30]}”不对：最多 20 个字符，不能有空格。")
    elif Unit.objects.filter(code=code).exclude(pk=unit.pk).exists():
        add("code", f"编码 {code} 已被其他单位使用。")
    if not unit.name:
        add("name", "名称为空。")
    elif len(unit.name) > 50:
        add("name", "名称最多 50 个字。")
    if len(unit.short_name or "") > 20:
        add("short_name", "表中名称最多 20 个字。")
    division = unit.division_code or ""
    if len(division) > 12 or (division and not division.isdigit()):
        add("division_code", f"行政区划代码“{division[:20]}”不对，应为最多 12 位数字。")
    if unit.kind not in Unit.Kind.values:
        kinds = "、".join(str(label) for _v, label in Unit.Kind.choices)
        add("kind", f"类型不对，应为：{kinds}。")
    if unit.order is None or unit.order < 0:
        add("order", "排列顺序应为不小于 0 的整数。")
    parent = unit.parent if unit.parent_id else None
    if parent is None:
        others = Unit.objects.filter(parent__isnull=True, active=True).exclude(pk=unit.pk)
        if unit.active and others.exists():
            top = others.first()
            add(
                "parent",
                f"上级单位为空表示最上级单位，但已有最上级单位 {top.name}（{top.code}）。"
                "只能有一个最上级单位，请选择上级单位。",
            )
    else:
        if unit.pk is not None and tree.is_below(parent.pk, unit.pk):
            add("parent", "上级单位不能是本单位或本单位的下级。")
        elif unit.active and not parent.active:
            add("parent", f"上级单位 {parent.name} 已停用，不能在它下面启用单位。")
    if unit.pk is not None and not unit.active:
        below = Unit.objects.filter(parent_id=unit.pk, active=True)
        if below.exists():
            names = "、".join(below.values_list("name", flat=True)[:5])
            add("active", f"{unit.name}下还有启用中的单位（{names}），请先停用或移走它们。")
    return errors


def unit_save(*, actor, unit: Unit | None = None, via: str = "管理后台", **fields) -> Saved:
    """Creates a unit (``unit`` None) or changes the given fields of one, keeping the tree a
    tree with one top and its closure table in step; one audit record per real change.

    ``fields`` are model fields (``parent`` a Unit or None). Raises ValidationError by field.
    """
    require(actor, Do.REFERENCE)
    unknown = set(fields) - set(UNIT_FIELDS)
    if unknown:
        raise TypeError(f"unit_save: unknown fields {sorted(unknown)}")
    with transaction.atomic():
        created = unit is None or unit.pk is None
        if created:
            target = Unit(**{"order": 0, "active": True, **fields})
            before = {}
        else:
            target = Unit.objects.select_for_update().get(pk=unit.pk)
            before = {f: (_value_of(target, f), _shown(target, f)) for f in UNIT_FIELDS}
            for name, value in fields.items():
                setattr(target, name, value)
        errors = unit_errors(target)
        if errors:
            raise ValidationError(errors)
        changed = {
            f: {"old": before[f][1], "new": _shown(target, f)}
            for f in UNIT_FIELDS
            if not created and before[f][0] != _value_of(target, f)
        }
        if not created and not changed:
            return Saved(target, False, {})
        target.save()
        if created or "parent" in changed:
            tree.closure_attach(target)
        audit_record(
            actor=actor,
            action=Action.UNIT_CHANGED,
            unit=target,
            obj=target,
            summary=f"{'新增' if created else '修改'}填报单位：{target.name}（{target.code}）"
            + (f"（{'、'.join(changed)}）" if changed else "")
            + f"（{via}）",
            detail={"changed": changed, "created": created, "via": via},
        )
        if unit is not None:
            unit.__dict__.update(target.__dict__)
        return Saved(target, created, changed)


def population_errors(
    *, unit: Unit | None, year, value, source: str, population: Population | None = None
) -> tuple[dict[str, list[str]], int | None, Decimal | None]:
    """Parses and checks a population; returns (errors by field, year, value)."""
    errors: dict[str, list[str]] = {}
    parsed_year = parsed_value = None
    if unit is None:
        errors["unit"] = ["请选择单位。"]
    try:
        parsed_year = parse_year(year)
    except ValidationError as exc:
        errors["year"] = exc.messages
    try:
        parsed_value = parse_decimal(
            value, what="常住人口", places=POPULATION_PLACES, positive=True, maximum=POPULATION_MAX
        )
    except ValidationError as exc:
        errors["value"] = [
            m.replace("最多保留 2 位小数", "常住人口以万人计，最多保留两位小数")
            for m in exc.messages
        ]
    source = (source or "").strip()
    if not source:
        errors["source"] = ["请填写来源（如：2022年国民经济和社会发展统计公报）。"]
    elif len(source) > SOURCE_MAX:
        errors["source"] = [f"来源最多 {SOURCE_MAX} 个字。"]
    if unit is not None and parsed_year is not None:
        clash = Population.objects.filter(unit=unit, year=parsed_year)
        if population is not None and population.pk is not None:
            clash = clash.exclude(pk=population.pk)
        if clash.exists():
            errors.setdefault("year", []).append(
                f"{unit.name}已有{parsed_year}年的常住人口，请修改那一条。"
            )
    return errors, parsed_year, parsed_value


def population_save(
    *,
    actor,
    unit: Unit,
    year,
    value,
    source: str,
    population: Population | None = None,
    via: str = "管理后台",
) -> Saved:
    """Creates or changes one unit's year-end resident population (万人) with its source.

    Without ``population`` the unit and year find the stored one, if any (an import's key).
    """
    require(actor, Do.REFERENCE)
    with transaction.atomic():
        if population is None or population.pk is None:
            year_key = None
            with contextlib.suppress(ValidationError):
                year_key = parse_year(year)
            population = (
                Population.objects.select_for_update().filter(unit=unit, year=year_key).first()
                if unit is not None and year_key is not None
                else None
            )
        else:
            population = Population.objects.select_for_update().get(pk=population.pk)
        errors, year, value = population_errors(
            unit=unit, year=year, value=value, source=source, population=population
        )
        if errors:
            raise ValidationError(errors)
        source = source.strip()
        created = population is None
        if created:
            population = Population(unit=unit, year=year, value=value, source=source)
            changed = {}
        else:
            new = {"unit": unit.code, "year": year, "value": value, "source": source}
            old = {
                "unit": population.unit.code,
                "year": population.year,
                "value": population.value,
                "source": population.source,
            }
            changed = {k: {"old": old[k], "new": new[k]} for k in new if old[k] != new[k]}
            if not changed:
                return Saved(population, False, {})
            population.unit, population.year = unit, year
            population.value, population.source = value, source
        population.save()
        old_value = None if created else changed.get("value", {}).get("old", population.value)
        audit_record(
            actor=actor,
            action=Action.POPULATION_CHANGED,
            unit=unit,
            obj=population,
            summary=f"{unit.name}{year}年常住人口："
            f"{'（无）' if old_value is None else format(old_value.normalize(), 'f')} → "
            f"{format(value.normalize(), 'f')}万人（{via}）",
            detail={"changed": changed, "created": created, "via": via},
        )
        return Saved(population, created, changed)
