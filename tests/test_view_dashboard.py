"""The dashboards and the Word download: what they show is the summary's, for whom, and at a
cost that does not grow with the number of units.

Chart data is read back from the page's json_script blocks, the way static/js/charts.js
reads it, and compared with ``summarize`` called here independently.
"""

import html
import io
import json
import re
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from docx import Document

from audit.models import Action, AuditEvent
from districts.models import Unit
from indicators.circular import circular_paragraphs
from indicators.models import Period
from indicators.selectors import summarize
from tests.fixtures.reports import counted, history
from tests.test_selector_summary import _add_units

DASHBOARD = reverse("indicators:dashboard", args=["2023Q2", "370400"])
PROGRESS = reverse("indicators:progress", args=["2023Q2", "370481"])
DOCX = reverse("indicators:summary_docx", args=["2023Q2", "370400"])
PICK = reverse("indicators:dashboard_pick")


def _page(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _chart(page: str, key: str) -> dict:
    m = re.search(rf'<script id="chart-data-{key}" type="application/json">(.*?)</script>', page)
    assert m, f"no chart data {key}"
    return json.loads(m[1])


def _table_after(page: str, key: str) -> list[list[str]]:
    """The rows of the table that backs chart ``key``, as text."""
    start = page.index(f'id="chart-data-{key}"')
    table = page[page.index("<tbody>", start) : page.index("</tbody>", start)]
    return [
        [
            html.unescape(re.sub(r"<[^>]+>", "", c))
            for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", r)
        ]
        for r in re.findall(r"<tr>(.*?)</tr>", table, re.S)
    ]


def _float(value):
    return None if value is None else float(value)


# Who sees what.


@pytest.mark.parametrize("who", ["office", "viewer"])
def test_office_and_viewer_see_the_citys_headline_figures(seed, client_for, who, request):
    page = _page(client_for(request.getfixturevalue(who)), DASHBOARD)
    assert "2023年上半年全市知识产权工作情况" in page
    grants = re.search(r'data-indicator="invention_grants">(.*?)</article>', page, re.S)[1]
    assert '<span class="figure">326</span>' in grants
    assert "<dd>737件</dd>" in grants
    assert "<dd>44.2%</dd>" in grants
    assert "低于序时进度5.8个百分点" in grants
    valid = re.search(r'data-indicator="valid_inventions">(.*?)</article>', page, re.S)[1]
    assert '<span class="figure">3507</span>' in valid
    assert "<dd>+255件</dd>" in valid  # net growth
    assert "<dd>9.10件</dd>" in valid  # 万人比
    assert "已报送 7 / 7 个填报单位" in page


def test_clerk_cannot_open_the_office_dashboard(client_for, tengzhou_clerk):
    assert client_for(tengzhou_clerk).get(DASHBOARD).status_code == 403


@pytest.mark.parametrize("who", ["sysadmin", "auditor"])
def test_administrators_see_no_business_figures(seed, client_for, who, request):
    c = client_for(request.getfixturevalue(who))
    for url in (DASHBOARD, PROGRESS, DOCX, PICK):
        assert c.get(url).status_code == 403, url


def test_anonymous_is_sent_to_login(seed, client):
    for url in (DASHBOARD, PROGRESS, DOCX, PICK):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_unknown_period_or_unit_is_404(client_for, office):
    c = client_for(office)
    assert c.get(reverse("indicators:dashboard", args=["1999Q2", "370400"])).status_code == 404
    assert c.get(reverse("indicators:dashboard", args=["2023Q2", "999999"])).status_code == 404
    assert c.get(reverse("indicators:dashboard", args=["2023Q9", "370400"])).status_code == 404
    assert c.get(PICK, {"period": "not-a-period"}).status_code == 404


def test_picker_without_javascript_lands_on_the_chosen_dashboard(client_for, office):
    c = client_for(office)
    response = c.get(PICK, {"period": "2023Q2", "unit": "370400"})
    assert response.status_code == 302 and response.url == DASHBOARD
    latest = c.get(PICK)
    assert latest.url == reverse("indicators:dashboard", args=["2023Q3", "370400"])
    # A unit with no units below it has a progress page, not a dashboard.
    leaf = c.get(PICK, {"period": "2023Q2", "unit": "370481"})
    assert leaf.url == PROGRESS
    assert c.get(reverse("indicators:dashboard", args=["2023Q2", "370481"])).url == PROGRESS


def test_no_period_yet_says_what_to_do(client_for, office):
    Period.objects.update(status=Period.Status.PLANNED)
    response = client_for(office).get(PICK)
    assert response.status_code == 200
    assert "还没有开放过的填报期" in response.content.decode()


def test_no_indicator_in_force_gives_an_empty_dashboard_not_an_error(client_for, office):
    from indicators.models import Indicator

    Indicator.objects.update(last_period="2023Q2")  # every indicator retired after 上半年
    q3 = reverse("indicators:dashboard", args=["2023Q3", "370400"])
    page = _page(client_for(office), q3)
    assert "2023年前三季度，全市尚无已报送的数据。" in page
    assert '<div class="chart' not in page
    progress = reverse("indicators:progress", args=["2023Q3", "370481"])
    assert "<figure" not in _page(client_for(office), progress)
    # 上半年, closed, keeps the indicators it was closed with.
    assert "发明专利授权量" in _page(client_for(office), DASHBOARD)


# Every number is the summary's.


def test_units_named_behind_are_exactly_those_below_the_benchmark(
    client_for, office, city, q2_2023
):
    page = _page(client_for(office), DASHBOARD)
    listed = re.search(
        r'<ul class="behind-list" data-indicator="invention_grants">(.*?)</ul>', page, re.S
    )[1]
    named = re.findall(r'class="unit-name">([^<]+)</a>', listed)
    s = summarize(q2_2023, city)
    below = [r.label for r in s.rows if r.cells["invention_grants"].completion < s.benchmark]
    assert named == below == ["市中区", "峄城区", "台儿庄区", "高新区"]
    assert "完成 26.7%，低于序时进度23.3个百分点" in listed


def test_completion_chart_and_its_table_are_the_summarys(client_for, office, city, q2_2023):
    page = _page(client_for(office), DASHBOARD)
    s = summarize(q2_2023, city)
    data = _chart(page, "completion-invention_grants")
    assert data["kind"] == "completion"
    assert data["categories"] == [r.label for r in s.all_rows]
    assert data["values"] == [_float(r.cells["invention_grants"].completion) for r in s.all_rows]
    assert data["values"][:3] == [53.1, 54.7, 37.2]
    assert data["behind"] == [r.cells["invention_grants"].completion < 50 for r in s.all_rows]
    assert data["benchmark"] == 50.0
    assert data["total_index"] == 7
    rows = _table_after(page, "completion-invention_grants")
    assert rows[0] == ["滕州市", "104", "196", "53.10", "+3.1", "3"]
    assert rows[-1] == ["全市", "326", "737", "44.20", "-5.8", ""]
    # A stock is not compared with 序时进度: no completion chart for it.
    assert 'id="chart-data-completion-valid_inventions"' not in page


def test_ranking_chart_follows_the_summarys_ranks(client_for, office, city, q2_2023):
    s = summarize(q2_2023, city)
    for code in ("invention_grants", "certified_enterprises"):
        page = _page(client_for(office), DASHBOARD, rank=code)
        data = _chart(page, f"ranking-{code}")
        by_rank = sorted(s.rows, key=lambda r: r.cells[code].rank)
        assert data["categories"] == [r.label for r in by_rank]
        assert data["ranks"] == [r.cells[code].rank for r in by_rank]
        measure = "completion" if code == "invention_grants" else "value"
        assert data["values"] == [_float(getattr(r.cells[code], measure)) for r in by_rank]
    # 贯标: 高新区 21, then 峄城区 4, then 滕州市 and 薛城区 tied at 3.
    assert data["categories"][:4] == ["高新区", "峄城区", "滕州市", "薛城区"]
    assert data["ranks"][:4] == [1, 2, 3, 3]


def test_an_unknown_choice_falls_back_to_the_default_chart(client_for, office):
    page = _page(client_for(office), DASHBOARD, rank="nope", trend="nope", trend_unit="nope")
    assert _chart(page, "ranking-invention_grants")
    data = _chart(page, "trend-invention_grants")
    assert [s["name"] for s in data["series"]][2] == "滕州市 2022年"


@pytest.fixture
def last_year(seed, office):
    """2022 上半年 and 2022 全年 figures of 滕州市 and 薛城区, approved."""
    q2 = Period.objects.create(year=2022, number=2, status=Period.Status.CLOSED)
    q4 = Period.objects.get(year=2022, number=4)
    for code, grants_h1, grants_year in (("370481", 80, 170), ("370403", 30, 66)):
        unit = Unit.objects.get(code=code)
        history(office, unit, q2, {"invention_grants": D(grants_h1)})
        history(office, unit, q4, {"invention_grants": D(grants_year)})
    return q2, q4


def test_trend_chart_is_the_summary_of_each_quarter(client_for, office, city, last_year):
    q2_2022, q4_2022 = last_year
    page = _page(client_for(office), DASHBOARD, trend="invention_grants", trend_unit="370403")
    data = _chart(page, "trend-invention_grants")
    series = {s["name"]: s["values"] for s in data["series"]}
    xuecheng = Unit.objects.get(code="370403")
    q2_2023 = Period.objects.get(year=2023, number=2)

    def value(period, unit):
        s = summarize(period, city)
        row = s.total if unit == city else next(r for r in s.rows if r.unit == unit)
        return _float(row.cells["invention_grants"].value)

    # Other units have no 2022 figure: the 2022 city totals are partial sums, not drawn.
    assert series["全市 2022年"] == [None, None, None, None]
    assert (
        series["全市 2023年"]
        == [None, value(q2_2023, city), None, None]
        == [None, 326.0, None, None]
    )
    assert series["薛城区 2022年"] == [
        None,
        value(q2_2022, xuecheng),
        None,
        value(q4_2022, xuecheng),
    ]
    assert series["薛城区 2022年"] == [None, 30.0, None, 66.0]
    assert series["薛城区 2023年"] == [None, 41.0, None, None]
    assert [s["last_year"] for s in data["series"]] == [True, False, True, False]
    rows = _table_after(page, "trend-invention_grants")
    # 季度 | 全市 2022 | 全市 2023 | 全市 同比 | 薛城区 2022 | 薛城区 2023 | 薛城区 同比
    # (The city's 同比 column is left out: the summary compares 326 with the partial 110.)
    assert rows[1][:3] + rows[1][4:] == ["上半年", "110*", "326", "30", "41", "+36.67"]
    assert rows[3] == ["全年", "236*", "—", "—", "66", "—", "—"]
    assert "标 * 的数只含已报送的单位，图中不画。" in page


def test_the_generated_paragraph_is_on_the_dashboard(client_for, office, city, q2_2023):
    page = _page(client_for(office), DASHBOARD)
    block = re.search(r'<div id="circular-text" class="circular-text">(.*?)</div>', page, re.S)[1]
    shown = [html.unescape(p) for p in re.findall(r"<p>(.*?)</p>", block)]
    assert shown == circular_paragraphs(summarize(q2_2023, city))


def test_a_partial_total_is_starred_on_the_dashboard(client_for, office, tengzhou, q3_2023):
    counted(tengzhou, q3_2023, {"invention_grants": D(150)})
    page = _page(client_for(office), reverse("indicators:dashboard", args=["2023Q3", "370400"]))
    grants = re.search(r'data-indicator="invention_grants">(.*?)</article>', page, re.S)[1]
    assert '<span class="figure">150</span>' in grants
    assert '<span class="partial"' in grants
    assert "已报送 1 / 7 个填报单位" in page
    assert "尚未报送或未报全：薛城区、市中区、山亭区、峄城区、台儿庄区、高新区" in page


def test_charts_work_without_javascript_and_without_inline_script(client_for, office):
    page = _page(client_for(office), DASHBOARD)
    # Every chart container starts hidden (charts.js shows it) and has its table open.
    containers = re.findall(r'<div class="chart [^"]*"[^>]*>', page)
    assert len(containers) == 3
    assert all(" hidden" in c for c in containers)
    assert page.count('<details class="chart-table" open>') == 3
    # Scripts: our static files and JSON data only; ECharts from our own static files.
    for tag in re.findall(r"<script[^>]*>", page):
        assert 'src="/static/' in tag or 'type="application/json"' in tag, tag
    assert 'src="/static/vendor/echarts/echarts.min.js"' in page
    assert "style=" not in page and " on" + "click=" not in page


# One unit's progress.


def test_clerk_sees_own_progress_with_rank_and_gap(client_for, tengzhou_clerk):
    page = _page(client_for(tengzhou_clerk), PROGRESS)
    grants = re.search(r'data-indicator="invention_grants">(.*?)</article>', page, re.S)[1]
    assert '<span class="figure">104</span>' in grants
    assert "<dd>53.1%</dd>" in grants
    assert "高于序时进度3.1个百分点" in grants
    assert "第 3 名（共 7 个单位）" in grants
    progress = _chart(page, "progress")
    assert progress["categories"] == ["发明专利授权量"]
    assert progress["values"] == [53.1]
    # No other unit's name or figure on a clerk's page.
    for other in ("薛城区", "市中区", "山亭区", "峄城区", "台儿庄区", "高新区", "全市"):
        assert other not in page, other
    assert reverse("indicators:report_edit", args=["2023Q2", "370481"]) in page
    # The city's own city-wide figures are not the district's: no empty cards for them.
    assert 'data-indicator="well_known_marks"' not in page


def test_clerk_cannot_see_another_units_progress(client_for, tengzhou_clerk):
    other = reverse("indicators:progress", args=["2023Q2", "370403"])
    assert client_for(tengzhou_clerk).get(other).status_code == 404


def test_clerks_dashboard_link_opens_their_own_unit(client_for, tengzhou_clerk):
    c = client_for(tengzhou_clerk)
    assert c.get(PICK).url == reverse("indicators:progress", args=["2023Q3", "370481"])
    # The unit asked for is ignored: a clerk's is their own.
    assert c.get(PICK, {"period": "2023Q2", "unit": "370403"}).url == PROGRESS


def test_a_draft_is_not_counted_and_the_clerk_is_told(client_for, tengzhou_clerk, q3_2023):
    page = _page(
        client_for(tengzhou_clerk), reverse("indicators:progress", args=["2023Q3", "370481"])
    )
    assert "本单位本期数据尚未报送" in page
    assert "第 " not in page  # no rank without counted figures


# Query budgets: the same number of queries for 7 units and for 300.


def _queries(client, url):
    client.get(url)  # warm the session
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    ("who", "url"),
    [("office", DASHBOARD), ("office", PROGRESS), ("tengzhou_clerk", PROGRESS)],
)
def test_query_count_does_not_grow_with_units(seed, client_for, city, q2_2023, who, url, request):
    c = client_for(request.getfixturevalue(who))
    with_seven = _queries(c, url)
    _add_units(city, q2_2023, 293)
    assert _queries(c, url) == with_seven
    assert with_seven <= 40


def test_dashboard_of_300_units_draws_them_all(client_for, office, city, q2_2023):
    _add_units(city, q2_2023, 293)
    page = _page(client_for(office), DASHBOARD)
    assert len(_chart(page, "completion-invention_grants")["categories"]) == 301
    assert len(_chart(page, "ranking-invention_grants")["categories"]) == 300


# The Word circular download.


@pytest.mark.parametrize("who", ["office", "viewer"])
def test_office_and_viewer_download_the_circular(seed, client_for, who, request):
    response = client_for(request.getfixturevalue(who)).get(DOCX)
    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert "attachment" in response["Content-Disposition"]
    assert "filename*=utf-8''" in response["Content-Disposition"]
    doc = Document(io.BytesIO(response.content))
    assert doc.paragraphs[0].text == "2023年上半年全市知识产权工作情况通报"


def test_every_download_is_in_the_audit_log(client_for, viewer):
    client_for(viewer).get(DOCX)
    event = AuditEvent.objects.filter(action=Action.EXPORT).latest("id")
    assert event.actor == viewer
    assert event.summary == "下载 Word 通报：2023年上半年全市知识产权工作情况"
    assert event.detail == {"period": "2023Q2", "unit": "370400", "format": "docx"}


def test_circular_of_a_unit_without_units_below_is_404(client_for, office):
    url = reverse("indicators:summary_docx", args=["2023Q2", "370481"])
    assert client_for(office).get(url).status_code == 404


def test_clerk_cannot_download_the_circular(client_for, tengzhou_clerk):
    assert client_for(tengzhou_clerk).get(DOCX).status_code == 403


def test_summary_page_links_the_word_circular_and_the_dashboard(client_for, office):
    page = _page(client_for(office), reverse("indicators:summary", args=["2023Q2", "370400"]))
    assert f'href="{DOCX}"' in page
    assert f'href="{DASHBOARD}"' in page


def test_the_clerks_trend_offers_no_other_unit_and_the_dashboards_does(
    client_for, tengzhou_clerk, office
):
    own = client_for(tengzhou_clerk).get("/progress/2023Q2/370481/").content.decode()
    assert 'id="pick-trend"' in own and 'id="pick-trend-unit"' not in own and "薛城区" not in own
    board = client_for(office).get("/dashboard/2023Q2/370400/").content.decode()
    assert 'id="pick-trend-unit"' in board


def test_the_dashboard_summarises_its_period_once(client_for, office, monkeypatch):
    from indicators.selectors import summary as summary_module

    calls = []
    real = summary_module.summarize

    def counting(period, parent, **kwargs):
        calls.append(period.code)
        return real(period, parent, **kwargs)

    monkeypatch.setattr(summary_module, "summarize", counting)
    assert client_for(office).get(DASHBOARD).status_code == 200
    assert calls.count("2023Q2") == 1
