"""Period codes (2023Q2) as URLs and the command line spell them."""

import pytest
from django.http import Http404

from indicators.periods import PeriodCodeError, parse_period_code, period_or_404


@pytest.mark.parametrize(
    ("text", "expected"), [("2023Q2", (2023, 2)), ("2024q4", (2024, 4)), (" 2023Q1 ", (2023, 1))]
)
def test_period_code_gives_year_and_quarter(text, expected):
    assert parse_period_code(text) == expected


@pytest.mark.parametrize("text", ["2023Q5", "2023Q0", "abc", "", "23Q2", "2023-2"])
def test_malformed_period_code_is_refused_in_chinese(text):
    with pytest.raises(PeriodCodeError, match="填报期"):
        parse_period_code(text)


def test_period_or_404_finds_the_period(q2_2023):
    assert period_or_404("2023Q2") == q2_2023


@pytest.mark.parametrize("code", ["2019Q2", "2023Q9", "x"])
def test_period_or_404_is_a_404_for_unknown_or_malformed_codes(seed, code):
    with pytest.raises(Http404):
        period_or_404(code)
