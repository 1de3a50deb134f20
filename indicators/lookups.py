"""Small reads that the rules, the services and the selectors share: the periods a period is
compared with, and the counted figures of some units in some periods. One query each.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Q

from .models import Figure, Period, Report


def related_keys(period: Period) -> dict[str, tuple[int, int]]:
    """(year, quarter) of the periods a period is compared with: the period itself, the end
    of last year, the same quarter last year and the previous quarter."""
    return {
        "current": (period.year, period.quarter),
        "last_year_end": (period.year - 1, 4),
        "same_quarter_last_year": (period.year - 1, period.quarter),
        "previous_quarter": (period.year, period.quarter - 1),
    }


def related_periods(period: Period) -> dict[str, Period | None]:
    """The period itself, the end of last year, the same quarter last year and the previous
    quarter, in one query (None where a period does not exist)."""
    wanted = related_keys(period)
    q = Q()
    for year, quarter in wanted.values():
        q |= Q(year=year, quarter=quarter)
    found = {(p.year, p.quarter): p for p in Period.objects.filter(q)}
    found[(period.year, period.quarter)] = period
    return {name: found.get(key) for name, key in wanted.items()}


def figures_by_unit(
    unit_ids: list[int], periods: list[Period], states: Iterable[str] = Report.COUNTED
) -> dict[tuple[int, int], dict[str, Decimal]]:
    """{(period_id, unit_id): {indicator_code: value}} for the given reports, in one query."""
    out: dict[tuple[int, int], dict[str, Decimal]] = {}
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
