"""A small read that the rules, the services and the selectors share: the counted figures of
some units in some periods, in one query."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from .models import Figure, Period, Report


def figures_by_unit(
    unit_ids: list[int], periods: list[Period], states: Iterable[str] = Report.COUNTED
) -> dict[tuple[int, int], dict[str, Decimal]]:
    """{(period_id, unit_id): {indicator_code: value}} for the given reports, in one query."""
    out: dict[tuple[int, int], dict[str, Decimal]] = {}
    periods = [p for p in periods if p is not None and p.pk is not None]
    if not unit_ids or not periods:
        return out
    rows = Figure.objects.filter(
        report__unit_id__in=unit_ids,
        report__period__in=periods,
        report__state__in=list(states),
    ).values_list("report__period_id", "report__unit_id", "indicator__code", "value")
    for period_id, unit_id, code, value in rows:
        out.setdefault((period_id, unit_id), {})[code] = value
    return out
