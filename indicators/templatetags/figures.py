"""Formatting only: template filters never compute a figure, they print one."""

from decimal import Decimal

from django import template

from indicators.table import format_figure

register = template.Library()


@register.filter
def figure(value: Decimal | None, places: int = 0) -> str:
    return format_figure(value, int(places))


@register.filter
def cell_value(column, row) -> str:
    """The formatted value of a table column for a summary row."""
    return format_figure(column.value(row), column.places)


@register.filter
def signed(value: Decimal | None, places: int = 1) -> str:
    """A gap in percentage points with its sign: +3.5 / −5.8."""
    if value is None:
        return "—"
    text = format_figure(abs(value), int(places))
    return f"+{text}" if value > 0 else (f"−{text}" if value < 0 else text)
