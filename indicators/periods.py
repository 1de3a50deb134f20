"""Periods by their codes, as URLs, commands, imports and sheets name them: ``2023Q2`` is
2023 上半年, ``2025M07`` is 2025年1—7月, ``2024Y`` is 2024年全年 (indicators.calendar)."""

from __future__ import annotations

from django.db.models import Q
from django.http import Http404

from zzip.numbers import FIRST_YEAR, LAST_YEAR

from . import calendar
from .calendar import QUARTER_TITLES, Frequency, PeriodCodeError, parse_code
from .models import Period

__all__ = ["PeriodCodeError", "parse_code"]


def period_by_code(code: str) -> Period | None:
    frequency, year, number = parse_code(code)
    return Period.objects.filter(frequency=frequency, year=year, number=number).first()


def period_or_404(code: str) -> Period:
    """The period of a URL's code; a malformed or unknown code is a 404, never a 500."""
    try:
        frequency, year, number = parse_code(code)
    except PeriodCodeError as e:
        raise Http404(str(e)) from e
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise Http404(f"没有填报期 {code[:20]}。")
    period = Period.objects.filter(frequency=frequency, year=year, number=number).first()
    if period is None:
        raise Http404(f"没有填报期 {calendar.code(frequency, year, number)}。")
    return period


# How offices write a quarter in a spreadsheet's 季度 column.
_QUARTER_WORDS = {
    **{str(q): q for q in range(1, 5)},
    **{f"Q{q}": q for q in range(1, 5)},
    **{t: q for q, t in QUARTER_TITLES.items()},
    "二季度": 2,
    "三季度": 3,
    "四季度": 4,
    "第一季度": 1,
    "第二季度": 2,
    "第三季度": 3,
    "第四季度": 4,
}


def parse_quarter(text: str) -> int:
    """A quarter as an office writes it (2, Q2, 上半年, 第二季度) → 2, or PeriodCodeError."""
    quarter = _QUARTER_WORDS.get((text or "").strip().upper().removesuffix(".0"))
    if quarter is None:
        raise PeriodCodeError(
            f"季度“{(text or '')[:20]}”不对，应为 1–4（1 一季度、2 上半年、3 前三季度、4 全年）。"
        )
    return quarter


# --- The periods a period is compared with --------------------------------------------------


def related_keys(period: Period) -> dict[str, list[tuple[str, int, int]]]:
    """(frequency, year, number) of the periods a period is compared with, in order of
    preference: itself, the one before it in the year, the same one last year, and the end
    of last year (the same frequency's last period, else another frequency's that also ends
    on 31 December)."""
    f, year, number = period.frequency, period.year, period.number
    return {
        "current": [(f, year, number)],
        "previous": [(f, year, number - 1)] if number > 1 else [],
        "same_last_year": [(f, year - 1, number)],
        "last_year_end": [
            (other, year - 1, calendar.last_number(other))
            for other in calendar.YEAR_END_PREFERENCE[Frequency(f)]
        ],
    }


def pick(keys: dict[str, list[tuple]], found: dict[tuple, Period]) -> dict[str, Period | None]:
    return {
        name: next((found[k] for k in wanted if k in found), None) for name, wanted in keys.items()
    }


def key_of(period: Period) -> tuple[str, int, int]:
    return (period.frequency, period.year, period.number)


def related_periods(period: Period) -> dict[str, Period | None]:
    """The periods ``period`` is compared with, in one query (None where none exists)."""
    keys = related_keys(period)
    q = Q()
    for wanted in keys.values():
        for f, year, number in wanted:
            q |= Q(frequency=f, year=year, number=number)
    found = {key_of(p): p for p in Period.objects.filter(q)}
    found[key_of(period)] = period
    return pick(keys, found)


def year_periods(frequency: str, years: list[int], *, up_to: Period | None = None):
    """The periods of ``frequency`` in ``years`` (up to ``up_to``), oldest first."""
    qs = Period.objects.filter(frequency=frequency, year__in=years).order_by("year", "number")
    if up_to is not None:
        qs = qs.filter(Q(year__lt=up_to.year) | Q(year=up_to.year, number__lte=up_to.number))
    return list(qs)
