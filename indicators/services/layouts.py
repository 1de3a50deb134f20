"""The official table's layout: which indicators and which of their columns, in which order,
with which headings, for whose tables and from which period on. The admin calls these; the
table (indicators.table) reads what they wrote, and a closed period keeps the layouts it was
closed with (indicators.catalog.freeze).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from audit.models import Action
from audit.services import audit_record
from districts.access import Do, require

from .. import calendar
from ..models import Indicator, TableColumn, TableLayout

# A4 landscape holds this many indicator columns without a number wrapping (issue 14).
MAX_COLUMNS = 16
LAYOUT_FIELDS = ("name", "unit", "first_period", "expand")
M = TableColumn.Measure


@dataclass(frozen=True)
class ColumnSpec:
    indicator: Indicator
    measure: str
    heading: str = ""
    order: int = 0


def column_errors(indicator: Indicator | None, measure: str) -> list[str]:
    """Why ``indicator`` has no ``measure`` column: a target column without targets, a 万人比
    of an indicator not divided by population, a net growth of a flow."""
    if indicator is None:
        return ["请选择指标。"]
    if measure not in M.values:
        return ["请选择列。"]
    name = indicator.name
    if measure in (M.TARGET, M.COMPLETION) and not indicator.has_target:
        return [f"“{name}”没有年度指导目标，不能有“{M(measure).label}”列。"]
    if measure == M.PER_CAPITA and not indicator.has_per_capita:
        return [f"“{name}”不计算万人比。"]
    if measure == M.NET_GROWTH and not indicator.has_net_growth:
        return [f"“{name}”不计算比去年年底净增长。"]
    if measure == M.RANK and indicator.reporter == Indicator.Reporter.UNIT:
        return [f"“{name}”由一个单位填报，各单位之间没有排名。"]
    return []


def columns_errors(columns: list[ColumnSpec], *, each: bool = True) -> list[str]:
    """What is wrong with a layout's list of columns as a whole, and (``each``) one by one
    (the admin shows those beside their rows instead)."""
    problems: list[str] = []
    seen: set[tuple[int, str]] = set()
    for spec in columns:
        if each:
            problems.extend(column_errors(spec.indicator, spec.measure))
        key = (spec.indicator.pk if spec.indicator else 0, spec.measure)
        if spec.indicator is not None and key in seen:
            problems.append(f"“{spec.indicator.name}”的“{M(spec.measure).label}”列重复了。")
        seen.add(key)
        if len(spec.heading or "") > 40:
            problems.append("列标题最多 40 个字。")
    if not columns:
        problems.append("表式至少要有一列。")
    if len(columns) > MAX_COLUMNS:
        problems.append(
            f"一张表最多 {MAX_COLUMNS} 列（A4 横向放得下而数字不折行），现在是 {len(columns)} 列。"
        )
    return problems


def layout_errors(
    *, name: str, first_period: str, expand: str, columns: list[ColumnSpec] | None
) -> dict:
    """Why the layout cannot be saved, by field ("columns" for its columns; None: not
    checked here, as when the admin's inline rows check them)."""
    errors: dict[str, list[str]] = {}
    if not (name or "").strip():
        errors["name"] = ["请填写名称。"]
    elif len(name.strip()) > 60:
        errors["name"] = ["名称最多 60 个字。"]
    if first_period:
        try:
            calendar.parse_code(first_period.strip().upper())
        except calendar.PeriodCodeError as exc:
            errors["first_period"] = [str(exc)]
    if expand not in TableLayout.Expand.values:
        errors["expand"] = ["请选择下级单位是否展开。"]
    if columns is not None and (problems := columns_errors(columns)):
        errors["columns"] = problems
    return errors


def _as_data(layout: TableLayout | None, columns) -> dict:
    if layout is None:
        return {}
    return {
        "name": layout.name,
        "unit": layout.unit.code if layout.unit_id else None,
        "first_period": layout.first_period,
        "expand": layout.expand,
        "columns": [f"{c.indicator.code}·{c.measure}·{c.heading}" for c in columns],
    }


def layout_save(
    *,
    actor,
    layout: TableLayout | None = None,
    name: str,
    unit=None,
    first_period: str = "",
    expand: str = TableLayout.Expand.NONE,
    columns: list[ColumnSpec],
) -> TableLayout:
    """Creates or replaces a layout and its columns in one transaction, audited."""
    require(actor, Do.REFERENCE, unit)
    first_period = (first_period or "").strip().upper()
    errors = layout_errors(name=name, first_period=first_period, expand=expand, columns=columns)
    if errors:
        raise ValidationError(errors)
    ordered = sorted(enumerate(columns), key=lambda pair: (pair[1].order, pair[0]))
    with transaction.atomic():
        if layout is not None and layout.pk:
            target = TableLayout.objects.select_for_update().get(pk=layout.pk)
            before = _as_data(target, target.columns.select_related("indicator"))
        else:
            target, before = TableLayout(), {}
        target.name, target.unit, target.first_period, target.expand = (
            name.strip(),
            unit,
            first_period,
            expand,
        )
        target.save()
        target.columns.all().delete()
        TableColumn.objects.bulk_create(
            TableColumn(
                layout=target,
                indicator=spec.indicator,
                measure=spec.measure,
                heading=(spec.heading or "").strip(),
                order=position,
            )
            for position, (_index, spec) in enumerate(ordered, start=1)
        )
        after = _as_data(target, target.columns.select_related("indicator"))
        if after != before:
            audit_record(
                actor=actor,
                action=Action.INDICATOR_CHANGED,
                unit=unit,
                obj=target,
                summary=f"{'修改' if before else '新增'}附件表表式：{target.name}"
                f"（{len(columns)} 列）",
                detail={"before": before, "after": after},
            )
    if layout is not None:
        layout.__dict__.update(target.__dict__)
    return target


def layout_delete(*, actor, layout: TableLayout) -> None:
    require(actor, Do.REFERENCE, layout.unit)
    with transaction.atomic():
        target = TableLayout.objects.select_for_update().get(pk=layout.pk)
        before = _as_data(target, target.columns.select_related("indicator"))
        target.delete()
        audit_record(
            actor=actor,
            action=Action.INDICATOR_CHANGED,
            unit=layout.unit,
            summary=f"删除附件表表式：{before['name']}",
            detail={"before": before},
        )
