"""The official computations, without a database (DOMAIN.md, "Computations")."""

from decimal import Decimal as D

import pytest

from indicators import computations as calc


def test_completion_rounds_half_up_to_one_decimal_as_the_seed_prints():
    assert calc.completion(D(104), D(196)) == D("53.1")
    assert calc.completion(D(326), D(737)) == D("44.2")
    assert calc.completion(D(33), D(41)) == D("80.5")


def test_completion_half_way_rounds_up_not_to_even():
    # 1/8 = 12.5% → 12.5; 1/16 = 6.25% → 6.3 (banker's rounding would give 6.2)
    assert calc.completion(D(1), D(16)) == D("6.3")
    assert calc.completion(D(3), D(16)) == D("18.8")


def test_completion_without_target_or_with_zero_target_is_none():
    assert calc.completion(D(5), None) is None
    assert calc.completion(D(5), D(0)) is None
    assert calc.completion(None, D(10)) is None


def test_completion_above_target_is_not_capped():
    assert calc.completion(D(30), D(20)) == D("150.0")


def test_net_growth_is_value_minus_last_year_end():
    assert calc.net_growth(D(828), D(739)) == D(89)
    assert calc.net_growth(D(700), D(739)) == D(-39)
    assert calc.net_growth(D(828), None) is None


def test_per_capita_uses_population_in_ten_thousands_two_places():
    assert calc.per_capita(D(828), D("157.41")) == D("5.26")
    assert calc.per_capita(D(574), D("10.79")) == D("53.20")
    assert calc.per_capita(D(3507), D("385.40")) == D("9.10")


def test_per_capita_without_population_is_none():
    assert calc.per_capita(D(828), None) is None
    assert calc.per_capita(D(828), D(0)) is None


def test_year_on_year_in_percent():
    assert calc.year_on_year(D(115), D(100)) == D("15.00")
    assert calc.year_on_year(D(3507), D(3026)) == D("15.90")
    assert calc.year_on_year(D(90), D(100)) == D("-10.00")


def test_year_on_year_without_last_year_or_from_zero_is_none():
    assert calc.year_on_year(D(5), None) is None
    assert calc.year_on_year(D(5), D(0)) is None
    assert calc.year_on_year(None, D(5)) is None


@pytest.mark.parametrize(("end_month", "expected"), [(3, 25), (6, 50), (9, 75), (12, 100)])
def test_benchmark_is_the_share_of_the_year_elapsed(end_month, expected):
    assert calc.benchmark(end_month) == D(expected)


def test_the_benchmark_of_a_month_is_the_month_over_twelve():
    assert calc.round_half_up(calc.benchmark(7), 2) == D("58.33")
    assert calc.benchmark_gap(D("60.0"), 7) == D("1.7")


def test_benchmark_rejects_a_thirteenth_month():
    with pytest.raises(ValueError):
        calc.benchmark(13)


def test_gap_to_benchmark_in_percentage_points():
    assert calc.benchmark_gap(D("44.2"), 6) == D("-5.8")
    assert calc.benchmark_gap(D("80.5"), 6) == D("30.5")
    assert calc.benchmark_gap(None, 6) is None


def test_ranking_descending_ties_share_a_rank_and_none_is_unranked():
    ranks = calc.rank({"a": D(10), "b": D(30), "c": D(10), "d": None, "e": D(5)})
    assert ranks == {"b": 1, "a": 2, "c": 2, "e": 4, "d": None}


def test_round_half_up_refuses_a_float():
    with pytest.raises(TypeError):
        calc.round_half_up(0.5, 1)


def test_sum_known_ignores_missing_and_is_none_when_nothing_is_known():
    assert calc.sum_known([D(1), None, D(2)]) == D(3)
    assert calc.sum_known([None, None]) is None


def _tree():
    # province → two cities → districts, with a catch-all 市直 under city A
    parents = {"A": "P", "B": "P", "a1": "A", "a2": "A", "a_other": "A", "b1": "B"}
    root = calc.build_tree("P", parents, order=lambda k: k)
    values = {"a1": D(10), "a2": D(5), "a_other": D(2), "b1": D(7)}

    def fill(n):
        n.own = {"x": values.get(n.key)}
        for c in n.children:
            fill(c)

    fill(root)
    return root


def test_roll_up_sums_children_at_every_level_including_a_catch_all_child():
    totals = calc.roll_up(_tree(), ["x"])
    assert totals["A"]["x"] == D(17)
    assert totals["B"]["x"] == D(7)
    assert totals["P"]["x"] == D(24)


def test_parent_ratio_is_recomputed_from_sums_not_averaged():
    # Districts of 1 patent per 1 万人 and 100 per 10 万人: the average of their ratios is
    # 5.5, the real ratio of the parent (101 / 11, with the parent's own population) is 9.18.
    totals = calc.roll_up(
        calc.Node(
            "P", children=[calc.Node("a", own={"x": D(1)}), calc.Node("b", own={"x": D(100)})]
        ),
        ["x"],
    )
    assert calc.per_capita(totals["P"]["x"], D(11)) == D("9.18")


def test_roll_up_ignores_figures_entered_on_a_parent_itself():
    root = calc.Node("P", own={"x": D(999)}, children=[calc.Node("a", own={"x": D(1)})])
    assert calc.roll_up(root, ["x"])["P"]["x"] == D(1)
