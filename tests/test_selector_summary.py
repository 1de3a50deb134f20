"""The summary selector reproduces the seed's table and reads a fixed number of sets."""

from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from districts import tree
from districts.models import Population, Unit
from indicators.models import Figure, Indicator, Period, Report, Target
from indicators.selectors import summarize
from tests.fixtures.reports import history

# The table as published (DOMAIN.md): grants, target, completion, valid, net growth, target,
# per 10,000, certified, PCT, rulings.
SEED = {
    "滕州市": ("104", "196", "53.1", "828", "89", "869", "5.26", "3", "0", "0"),
    "薛城区": ("41", "75", "54.7", "628", "32", "646", "12.93", "3", "0", "0"),
    "市中区": ("68", "183", "37.2", "572", "35", "658", "9.04", "1", "3", "2"),
    "山亭区": ("33", "41", "80.5", "185", "22", "190", "4.55", "0", "0", "0"),
    "峄城区": ("16", "60", "26.7", "353", "19", "374", "9.74", "4", "0", "0"),
    "台儿庄区": ("21", "44", "47.7", "367", "21", "375", "12.03", "0", "1", "0"),
    "高新区": ("43", "138", "31.2", "574", "37", "628", "53.20", "21", "1", "0"),
    "全市": ("326", "737", "44.2", "3507", "255", "3740", "9.10", "32", "5", "2"),
}


def _as_tuple(row):
    g = row.cells["invention_grants"]
    v = row.cells["valid_inventions"]
    c = row.cells
    return tuple(
        D(x)
        for x in (
            g.value,
            g.target,
            g.completion,
            v.value,
            v.net_growth,
            v.target,
            v.per_capita,
            c["certified_enterprises"].value,
            c["pct_applications"].value,
            c["infringement_rulings"].value,
        )
    )


def test_summary_reproduces_every_number_of_the_seed_table(city, q2_2023):
    s = summarize(q2_2023, city)
    assert [r.label for r in s.all_rows] == list(SEED)
    for row in s.all_rows:
        assert _as_tuple(row) == tuple(D(x) for x in SEED[row.label]), row.label


def test_summary_names_the_units_behind_the_benchmark(city, q2_2023):
    s = summarize(q2_2023, city)
    # 序时进度 is 50% at H1: 市中, 峄城, 台儿庄, 高新区 are below it.
    assert [r.label for r in s.behind("invention_grants")] == [
        "市中区",
        "峄城区",
        "台儿庄区",
        "高新区",
    ]
    assert s.total.cells["invention_grants"].gap == D("-5.8")


def test_summary_ranks_by_completion_with_no_rank_for_the_total(city, q2_2023):
    s = summarize(q2_2023, city)
    ranks = {r.label: r.cells["invention_grants"].rank for r in s.rows}
    assert ranks["山亭区"] == 1 and ranks["薛城区"] == 2 and ranks["峄城区"] == 7
    assert s.total.cells["invention_grants"].rank is None


def test_drafts_do_not_count_in_the_summary(city, q2_2023, tengzhou):
    Report.objects.filter(unit=tengzhou, period=q2_2023).update(
        state=Report.State.DRAFT, source=Report.Source.ENTERED
    )
    s = summarize(q2_2023, city)
    assert s.rows[0].cells["invention_grants"].value is None
    assert s.total.cells["invention_grants"].value == D(326 - 104)
    assert s.states["draft"] == 1


def test_city_per_capita_uses_the_citys_own_population_not_the_districts_sum(city, q2_2023):
    s = summarize(q2_2023, city)
    district_sum = sum(r.population.value for r in s.rows)
    assert district_sum == D("387.45")
    assert s.total.cells["valid_inventions"].per_capita == D("9.10")  # 3507 / 385.40


def test_missing_population_gives_no_per_capita(city, q2_2023, tengzhou):
    Population.objects.filter(unit=tengzhou).delete()
    s = summarize(q2_2023, city)
    assert s.rows[0].cells["valid_inventions"].per_capita is None
    assert s.rows[0].cells["valid_inventions"].value == D(828)


def test_year_on_year_appears_when_last_years_quarter_exists(city, q2_2023, tengzhou, office):

    q2_2022 = Period.objects.create(year=2022, number=2, status=Period.Status.CLOSED)
    history(office, tengzhou, q2_2022, {"invention_grants": D(80)})
    s = summarize(q2_2023, city)
    assert s.rows[0].cells["invention_grants"].yoy == D("30.00")
    assert s.rows[1].cells["invention_grants"].yoy is None


def _add_units(city, period, n):
    """n extra districts, each with a target, a population and a submitted report."""
    grants = Indicator.objects.get(code="invention_grants")
    units = Unit.objects.bulk_create(
        Unit(
            code=f"X{i:04d}",
            name=f"测试区{i}",
            kind=Unit.Kind.DISTRICT,
            parent=city,
            order=1000 + i,
        )
        for i in range(n)
    )
    Population.objects.bulk_create(
        Population(unit=u, year=2022, value=D(10), source="测试") for u in units
    )
    Target.objects.bulk_create(
        Target(unit=u, indicator=grants, year=2023, value=D(10)) for u in units
    )
    reports = Report.objects.bulk_create(
        Report(unit=u, period=period, state=Report.State.SUBMITTED) for u in units
    )
    Figure.objects.bulk_create(Figure(report=r, indicator=grants, value=D(3)) for r in reports)
    tree.closure_rebuild()  # units loaded in bulk, as a national tree would be


def _queries(city, period):
    with CaptureQueriesContext(connection) as ctx:
        summarize(period, city)
    return len(ctx.captured_queries)


@pytest.mark.parametrize("extra_units", [293])
def test_summary_query_count_is_the_same_for_7_units_and_300(city, q2_2023, extra_units):
    before = _queries(city, q2_2023)
    _add_units(city, q2_2023, extra_units)
    after = _queries(city, q2_2023)
    assert before == after
    assert before <= 12
    s = summarize(q2_2023, city)
    assert len(s.rows) == 300
    assert s.total.cells["invention_grants"].value == D(326 + 3 * extra_units)


def test_summary_of_a_province_rolls_up_through_cities(city, q2_2023):
    province = Unit.objects.create(code="370000", name="山东省", kind=Unit.Kind.PROVINCE)
    Unit.objects.filter(pk=city.pk).update(parent=province)
    other_city = Unit.objects.create(
        code="370100", name="济南市", kind=Unit.Kind.CITY, parent=province
    )
    other_district = Unit.objects.create(
        code="370102", name="历下区", kind=Unit.Kind.DISTRICT, parent=other_city
    )
    direct = Unit.objects.create(
        code="370100QT", name="市直", kind=Unit.Kind.OTHER, parent=other_city
    )
    tree.closure_rebuild()
    grants = Indicator.objects.get(code="invention_grants")
    for unit, value in ((other_district, 50), (direct, 7)):
        r = Report.objects.create(unit=unit, period=q2_2023, state=Report.State.APPROVED)
        Figure.objects.create(report=r, indicator=grants, value=D(value))
    Population.objects.create(unit=province, year=2022, value=D("10000"), source="测试")
    s = summarize(q2_2023, province)
    by_label = {r.label: r for r in s.all_rows}
    assert by_label["枣庄市"].cells["invention_grants"].value == D(326)
    assert by_label["济南市"].cells["invention_grants"].value == D(57)
    assert s.total.cells["invention_grants"].value == D(383)
    assert s.total.leaves == 9


def test_a_total_over_units_that_have_not_all_reported_is_marked_and_gives_no_ratios(
    city, q3_2023, tengzhou, tengzhou_clerk, client_for, office
):
    from indicators import services

    report = Report(unit=tengzhou, period=q3_2023)
    raw = {
        "invention_grants": "150",
        "valid_inventions": "860",
        "certified_enterprises": "4",
        "pct_applications": "1",
        "infringement_rulings": "0",
    }
    report = services.report_save(
        unit=report.unit,
        period=report.period,
        raw=raw,
        expected_version=0,
        submit=True,
        user=tengzhou_clerk,
    )
    s = summarize(q3_2023, city)
    assert not s.complete
    total = s.total.cells["valid_inventions"]
    assert total.partial and total.value == D(860)
    # 860 against the whole city's end-2022 stock would read as a loss of 2,392 patents.
    assert total.net_growth is None and total.per_capita is None and total.completion is None
    tengzhou_row = s.rows[0].cells["valid_inventions"]
    assert not tengzhou_row.partial and tengzhou_row.net_growth == D(121)
    html = client_for(office).get(f"/summary/{q3_2023.code}/{city.code}/").content.decode()
    assert "<td>860*</td>" in html and "标 * 的合计只含已报送的单位" in html


def test_a_parent_is_compared_with_last_year_only_when_every_unit_has_last_years_figure(
    city, q2_2023, tengzhou, office
):

    q2_2022 = Period.objects.create(year=2022, number=2, status=Period.Status.CLOSED)
    history(office, tengzhou, q2_2022, {"invention_grants": D(80)})
    s = summarize(q2_2023, city)
    assert s.rows[0].cells["invention_grants"].yoy == D("30.00")
    # 326 against 80 from one district would read as +307.5%: the city gets no 同比 instead.
    assert s.total.cells["invention_grants"].yoy is None
    assert s.total.cells["invention_grants"].same_last_year is None


def test_a_stock_has_a_completion_but_no_gap_to_the_benchmark(city, q2_2023):
    s = summarize(q2_2023, city)
    valid = s.total.cells["valid_inventions"]
    assert valid.completion == D("93.8")  # 3507 / 3740
    assert valid.gap is None
    assert s.behind("valid_inventions") == []


def test_a_district_without_a_target_leaves_the_city_without_a_completion(
    city, q2_2023, tengzhou, client_for, office
):
    from indicators.circular import circular_text

    Target.objects.filter(unit=tengzhou, indicator__code="invention_grants", year=2023).delete()
    s = summarize(q2_2023, city)
    total = s.total.cells["invention_grants"]
    # 326 against the other six targets (541) would read 60.3%, 10.3 points ahead of 序时进度.
    assert total.target == D(541) and total.target_partial
    assert total.completion is None and total.gap is None
    assert not s.complete
    assert s.rows[0].cells["invention_grants"].completion is None
    assert "60.3" not in circular_text(s)
    html = client_for(office).get(f"/summary/{q2_2023.code}/{city.code}/").content.decode()
    assert "<td>541*</td>" in html
