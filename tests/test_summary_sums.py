"""The summary's sums are exact on every database: PostgreSQL sums numerics; SQLite, which
keeps decimals as binary floats, sums integers of 0.0001, and sends a value too large for
that back to Python."""

from decimal import Decimal as D

from indicators.models import Figure
from indicators.selectors import summarize
from indicators.selectors.summary_data import EXACT_LIMIT

CODE = "invention_grants"


def _set_grants(q2_2023, values):
    figures = list(
        Figure.objects.filter(
            report__period=q2_2023, indicator__code=CODE, report__unit__parent__code="370400"
        ).order_by("report__unit__code")
    )
    for figure, value in zip(figures, values + [D(0)] * len(figures), strict=False):
        figure.value = value
    Figure.objects.bulk_update(figures, ["value"])


def test_tenths_add_up_to_exactly_three_tenths(city, q2_2023):
    _set_grants(q2_2023, [D("0.1"), D("0.2")])
    assert summarize(q2_2023, city).total.cells[CODE].value == D("0.3")


def test_four_places_are_kept_in_every_row_and_the_total(city, q2_2023):
    _set_grants(q2_2023, [D("1.0001"), D("2.0002"), D("0.0003")])
    s = summarize(q2_2023, city)
    assert sorted(r.cells[CODE].value for r in s.rows)[-3:] == [
        D("0.0003"),
        D("1.0001"),
        D("2.0002"),
    ]
    assert s.total.cells[CODE].value == D("3.0006")


def test_a_value_beyond_the_exact_integer_sum_is_still_summed_exactly(city, q2_2023):
    big = D("500000000000.5")
    assert big >= EXACT_LIMIT
    _set_grants(q2_2023, [big, D("0.25")])
    assert summarize(q2_2023, city).total.cells[CODE].value == D("500000000000.75")
