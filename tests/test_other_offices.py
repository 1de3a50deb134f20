"""The same product for another office: a province that ranks its cities by 万人比 with a
catch-all 省直, and a city whose 市本级 subtotal lists its districts beneath it. Their pages and
files carry their own words, never the demo's city."""

import io
from decimal import Decimal as D

import openpyxl
import pytest
from django.urls import reverse
from docx import Document

from indicators.exports.docx import circular_docx_bytes
from indicators.exports.xlsx import summary_xlsx_bytes
from indicators.models import Period
from indicators.selectors import summarize
from tests.fixtures.offices import city_with_subtotal, province


def _period(code):
    return Period.objects.get(frequency="Q", year=int(code[:4]), number=int(code[5]))


@pytest.fixture
def the_province(office):
    return province(office)


def test_the_province_ranks_its_cities_by_per_capita_and_never_the_catch_all(the_province):
    top, code = the_province
    s = summarize(_period(code), top)
    assert s.unit_heading == "市" and s.total.label == "全省" and s.members_word == "各市"
    assert s.title == "2024年上半年全省知识产权工作情况"
    rows = {r.label: r.cells["valid_inventions"] for r in s.rows}
    # 第1市: 1007 patents for 110万 people (9.15); 第14市: 1098 for 240万 (4.58).
    assert rows["第1市"].per_capita == D("9.15") and rows["第1市"].rank == 1
    assert rows["第14市"].per_capita == D("4.58") and rows["第14市"].rank == 14
    assert rows["省直"].rank is None and rows["省直"].per_capita is None
    assert s.total.cells["valid_inventions"].rank is None
    # The total is every unit's sum, the catch-all included; its ratio its own population's.
    total = s.total.cells["valid_inventions"]
    assert total.value == sum(D(1000 + 7 * n) for n in range(1, 15)) + 60
    assert total.per_capita == (total.value / D(5000)).quantize(D("0.01"))
    # The catch-all has no population to miss.
    assert s.without_population == []


def test_the_provinces_table_is_its_own_layout_with_a_rank_column(the_province):
    top, code = the_province
    s = summarize(_period(code), top)
    ws = openpyxl.load_workbook(io.BytesIO(summary_xlsx_bytes(s))).active
    assert ws["A2"].value == "市"
    assert ["".join(ws.cell(3, c).value.split()) for c in range(2, 6)] == [
        "件数",
        "比去年年底净增长（件）",
        "万人比（件）",
        "排名",
    ]
    body = {ws.cell(r, 1).value: [ws.cell(r, c).value for c in range(2, 6)] for r in range(4, 20)}
    assert body["第1市"][:2] == [1007, 106] and body["第1市"][3] == 1
    assert f"{body['第1市'][2]:.2f}" == "9.15"
    assert body["省直"] == [60, 10, "—", "—"]
    assert body["全省"][3] == "—"


def test_nothing_of_the_province_says_zaozhuang(client_for, office, the_province):
    top, code = the_province
    office.first_name = "张明"  # the demo calls its account 市局工作人员: a person's name
    office.save(update_fields=["first_name"])
    c = client_for(office)
    pages = [
        reverse("indicators:home"),
        reverse("indicators:summary", args=[code, top.code]),
        reverse("indicators:dashboard", args=[code, top.code]),
        reverse("indicators:completeness", args=["2023Q3", top.code]),
    ]
    for url in pages:
        response = c.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        # Neither the demo's city nor a city's words (市局, 全市, 区(市)) on a province's pages.
        for word in ("枣庄", "市局", "全市", "区(市)", "区（市）"):
            assert word not in html, (url, word)
        assert "测试省知识产权指标系统" in html, url
    s = summarize(_period(code), top)
    ws = openpyxl.load_workbook(io.BytesIO(summary_xlsx_bytes(s))).active
    assert not any("枣庄" in str(cell.value or "") for row in ws.iter_rows() for cell in row)
    doc = Document(io.BytesIO(circular_docx_bytes(s)))
    words = [p.text for p in doc.paragraphs]
    words += [cell.text for t in doc.tables for row in t.rows for cell in row.cells]
    words += [doc.core_properties.author or "", doc.core_properties.title or ""]
    for word in ("枣庄", "市局", "全市", "区(市)"):
        assert not any(word in w for w in words), word
    assert doc.core_properties.author == "测试省知识产权局"


def test_the_dashboards_say_what_each_ranking_orders_by(client_for, office, the_province):
    top, code = the_province
    c = client_for(office)
    page = c.get(reverse("indicators:dashboard", args=[code, top.code]) + "?rank=valid_inventions")
    assert "按万人比排名" in page.content.decode()
    city = top.children.get(code="990100")
    progress = c.get(reverse("indicators:progress", args=[code, city.code])).content.decode()
    assert "按万人比" in progress


def test_a_subtotal_lists_its_districts_beneath_it_and_the_sums_hold(office):
    top, code = city_with_subtotal(office)
    s = summarize(_period(code), top)
    labels = [r.indented_label for r in s.rows]
    assert labels[0] == "市本级"
    assert labels[1:11] == [f"\u3000第{n}区" for n in range(1, 11)]
    assert labels[11:] == ["第2县", "第3县", "第4县"]
    by_label = {r.label: r for r in s.rows}
    subtotal = by_label["市本级"]
    assert subtotal.expanded and subtotal.cells["invention_grants"].value == sum(range(1, 11))
    assert subtotal.cells["invention_grants"].target == 200
    assert s.total.cells["invention_grants"].value == sum(range(1, 14))
    # Ranked: the ten districts and the three counties together; never the subtotal.
    assert subtotal.cells["invention_grants"].rank is None
    ranks = sorted(r.cells["invention_grants"].rank for r in s.rows if r.ranked)
    assert ranks == list(range(1, 14))
    assert s.unit_heading == "县(市、区)"
    ws = openpyxl.load_workbook(io.BytesIO(summary_xlsx_bytes(s))).active
    assert ws["A5"].value == "\u3000第1区" and ws["A2"].value == "县(市、区)"


def test_the_demo_keeps_the_seeds_table_with_the_default_layout(city, q2_2023):
    s = summarize(q2_2023, city)
    assert s.layout is None and s.unit_heading == "区(市)" and s.total.label == "全市"
    ranks = {r.label: r.cells["invention_grants"].rank for r in s.rows}
    assert ranks["山亭区"] == 1  # by completion, as the seed's office ranks


def test_the_dashboards_ranking_chart_ranks_as_the_table_does(the_province):
    from indicators.charts import ranking_chart
    from indicators.models import Indicator

    top, code = the_province
    s = summarize(_period(code), top)
    chart = ranking_chart(s, Indicator.objects.get(code="valid_inventions"))
    assert chart.data["measure"] == "万人比（件）"
    assert chart.data["categories"][0] == "第1市" and chart.data["values"][0] == 9.15
    assert "省直" not in chart.data["categories"]  # listed in the table, never ranked
    assert chart.rows[-1][:2] == ["省直", "—"]
