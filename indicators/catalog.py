"""Which indicators a period has, as it had them: the one place every form, table, file, import
and check asks.

An open or future period has the indicators in force now (its frequency, between their first
and last period). A closed period has those it was closed with, frozen on the period
(``Period.frozen``): adding, retiring or renaming an indicator later never changes a closed
period's tables.
"""

from __future__ import annotations

from decimal import Decimal

from . import calendar
from .models import Indicator, IndicatorSet, Period, TableLayout

# The indicator fields a closed period keeps.
FROZEN_FIELDS = (
    "id",
    "code",
    "name",
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
    "reporter",
    "reporting_unit_id",
    "formula",
    "rank_by",
)
_DECIMALS = {"yoy_threshold"}


def live_indicators() -> list[Indicator]:
    return list(Indicator.objects.select_related("indicator_set").order_by("order", "code"))


def in_force(period: Period, indicators: list[Indicator] | None = None) -> list[Indicator]:
    """The indicators in force in ``period`` now (ignoring what a closed period froze)."""
    indicators = live_indicators() if indicators is None else indicators
    return [i for i in indicators if i.in_force(period)]


def freeze(period: Period) -> dict:
    """What a period keeps when it is closed: its indicators and the table layouts as they
    are now."""
    rows = []
    for ind in in_force(period):
        row = {}
        for name in FROZEN_FIELDS:
            value = getattr(ind, name)
            row[name] = format(value, "f") if isinstance(value, Decimal) else value
        rows.append(row)
    return {"indicators": rows, "layouts": live_layouts()}


# --- The official table's layout --------------------------------------------------------------


def live_layouts() -> list[dict]:
    """Every table layout as it is now, as plain data (what a closed period freezes)."""
    return [
        {
            "name": layout.name,
            "unit_id": layout.unit_id,
            "first_period": layout.first_period,
            "expand": layout.expand,
            "columns": [
                {"code": c.indicator.code, "measure": c.measure, "heading": c.heading}
                for c in layout.columns.all()
            ],
        }
        for layout in TableLayout.objects.prefetch_related("columns__indicator")
    ]


def _starts(code: str):
    try:
        return calendar.end_date(*calendar.parse_code(code)) if code else None
    except calendar.PeriodCodeError:
        return None


def layout_for(period: Period, unit) -> dict | None:
    """The layout of ``unit``'s table in ``period``: the unit's own, else every table's;
    the latest that has started by the period. None: the indicators' own columns."""
    if period.status == Period.Status.CLOSED and period.frozen and "layouts" in period.frozen:
        layouts = period.frozen["layouts"]
    else:
        layouts = live_layouts()
    end = period.end_date
    fitting = [
        lay
        for lay in layouts
        if lay["unit_id"] in (unit.pk, None)
        and (_starts(lay["first_period"]) is None or _starts(lay["first_period"]) <= end)
    ]
    if not fitting:
        return None
    return max(
        fitting,
        key=lambda lay: (lay["unit_id"] is not None, _starts(lay["first_period"]) or end.min),
    )


def _thawed(row: dict, frequency: str) -> Indicator:
    fields = {k: v for k, v in row.items() if k in FROZEN_FIELDS}
    for name in _DECIMALS:
        if fields.get(name) is not None:
            fields[name] = Decimal(fields[name])
    ind = Indicator(**fields)
    # A frozen indicator is read, never saved; its set only tells its frequency.
    ind.indicator_set = IndicatorSet(name="", frequency=frequency)
    ind.frozen = True
    return ind


def indicators_for(period: Period) -> list[Indicator]:
    """The indicators of ``period``, in the office's order: frozen for a closed period."""
    if period.status == Period.Status.CLOSED and period.frozen:
        return [_thawed(row, period.frequency) for row in period.frozen.get("indicators", [])]
    return in_force(period)


def entered(indicators: list[Indicator]) -> list[Indicator]:
    """Those a unit enters (not computed by a formula)."""
    return [i for i in indicators if not i.is_derived]


def for_unit(period: Period, unit, *, is_leaf: bool) -> list[Indicator]:
    """What ``unit`` itself enters for ``period``: a reporting unit at the bottom of the tree
    enters the indicators of every such unit; a unit named by an indicator enters that one."""
    return [i for i in indicators_for(period) if i.reported_by(unit, is_leaf=is_leaf)]


def takes_target(indicator: Indicator, year: int) -> bool:
    """Whether ``indicator`` has an annual target for ``year``: it has targets, is entered,
    and is in force in some period of that year."""
    if not indicator.has_target or indicator.is_derived:
        return False
    frequency = indicator.indicator_set.frequency
    return any(
        indicator.in_force(Period(frequency=frequency, year=year, number=n))
        for n in range(1, calendar.last_number(frequency) + 1)
    )


def with_targets(year: int) -> list[Indicator]:
    """Indicators with an annual target for ``year``, in the office's order."""
    return [i for i in live_indicators() if takes_target(i, year)]
