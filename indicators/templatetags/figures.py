"""Formatting only: template filters never compute a figure, they print one."""

from decimal import Decimal

from django import template

from indicators import circular
from indicators.table import format_figure

register = template.Library()


@register.filter
def figure(value: Decimal | None, places: int = 0) -> str:
    return format_figure(value, int(places))


@register.filter
def percent(value: Decimal | None) -> str:
    """A share such as 序时进度: whole when it is (50), one place when not (58.3)."""
    if value is None:
        return "—"
    return format_figure(value, 0 if value == value.to_integral_value() else 1)


@register.filter
def cell_value(column, row) -> str:
    """The formatted value of a table column for a summary row; * marks a partial sum."""
    text = format_figure(column.value(row), column.places)
    return f"{text}*" if column.partial(row) else text


@register.filter
def versus_benchmark(gap: Decimal | None) -> str:
    """A gap to 序时进度 in the circular's own words (低于序时进度5.8个百分点)."""
    return "—" if gap is None else circular.versus_benchmark(gap)


@register.filter
def get_item(mapping, key):
    """Looks up ``key`` in a dict (templates cannot index by a variable)."""
    return mapping.get(key) if mapping else None


@register.filter
def on_time(row, deadline):
    """Whether a completeness row was submitted by its deadline (or extension)."""
    return row.on_time(deadline)
