"""Period codes (2023Q2, 2025M07, 2024Y) as URLs, commands and imports spell them, and the
calendar of a period: its months, its titles, the periods it is compared with."""

import datetime

import pytest
from django.http import Http404

from indicators import calendar
from indicators.calendar import PeriodCodeError, parse_code
from indicators.models import Period
from indicators.periods import period_or_404, related_periods


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2023Q2", ("Q", 2023, 2)),
        ("2024q4", ("Q", 2024, 4)),
        (" 2023Q1 ", ("Q", 2023, 1)),
        ("2025M07", ("M", 2025, 7)),
        ("2025m7", ("M", 2025, 7)),
        ("2024Y", ("Y", 2024, 1)),
    ],
)
def test_a_period_code_gives_frequency_year_and_number(text, expected):
    assert parse_code(text) == expected


@pytest.mark.parametrize(
    "text", ["2023Q5", "2023Q0", "abc", "", "23Q2", "2023-2", "2025M13", "2025M", "2024Y2"]
)
def test_a_malformed_period_code_is_refused_in_chinese(text):
    with pytest.raises(PeriodCodeError, match="填报期"):
        parse_code(text)


@pytest.mark.parametrize(
    ("frequency", "number", "flow", "stock", "months", "end"),
    [
        ("Q", 2, "2023年上半年", "2023年上半年", (4, 6), datetime.date(2023, 6, 30)),
        ("Q", 4, "2023年全年", "2023年全年", (10, 12), datetime.date(2023, 12, 31)),
        ("M", 7, "2023年1—7月", "截至2023年7月底", (7, 7), datetime.date(2023, 7, 31)),
        ("M", 1, "2023年1月", "截至2023年1月底", (1, 1), datetime.date(2023, 1, 31)),
        ("M", 2, "2023年1—2月", "截至2023年2月底", (2, 2), datetime.date(2023, 2, 28)),
        ("Y", 1, "2023年全年", "2023年全年", (1, 12), datetime.date(2023, 12, 31)),
    ],
)
def test_a_periods_titles_months_and_end(frequency, number, flow, stock, months, end):
    assert calendar.title(frequency, 2023, number) == flow
    assert calendar.stock_title(frequency, 2023, number) == stock
    assert (
        calendar.start_month(frequency, number),
        calendar.end_month(frequency, number),
    ) == months
    assert calendar.end_date(frequency, 2023, number) == end


def test_period_or_404_finds_the_period(q2_2023):
    assert period_or_404("2023Q2") == q2_2023


@pytest.mark.parametrize("code", ["2019Q2", "2023Q9", "x", "2023M06", "2023\x00Q2"])
def test_period_or_404_is_a_404_for_unknown_or_malformed_codes(seed, code):
    with pytest.raises(Http404):
        period_or_404(code)


def test_a_month_compares_with_the_month_before_last_year_and_the_last_year_end(seed):
    make = lambda f, y, n: Period.objects.create(frequency=f, year=y, number=n)  # noqa: E731
    july, june, july_2024 = make("M", 2025, 7), make("M", 2025, 6), make("M", 2024, 7)
    q4 = make("Q", 2024, 4)
    related = related_periods(july)
    assert related["previous"] == june and related["same_last_year"] == july_2024
    # No 2024M12: the quarter ending on 31 December stands in for it.
    assert related["last_year_end"] == q4
    december = make("M", 2024, 12)
    assert related_periods(july)["last_year_end"] == december
    assert related_periods(make("M", 2025, 1))["previous"] is None
