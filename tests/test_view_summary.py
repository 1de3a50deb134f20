"""The summary page and its Excel download: office and viewers only."""

import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

PAGE = reverse("indicators:summary", args=["2023Q2", "370400"])
XLSX = reverse("indicators:summary_xlsx", args=["2023Q2", "370400"])


@pytest.mark.parametrize("who", ["office", "viewer"])
def test_office_and_viewer_see_the_seed_table(seed, client_for, who, request):
    response = client_for(request.getfixturevalue(who)).get(PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    assert "2023年上半年全市知识产权工作情况" in html
    assert 'rowspan="2">区(市)</th>' in html
    assert 'colspan="3">发明专利授权量</th>' in html
    assert 'colspan="4">有效发明专利拥有量</th>' in html
    for figure in ("53.10", "44.20", "5.26", "53.20", "9.10", "3507", "3740", "255"):
        assert f"<td>{figure}</td>" in html
    rows = [r.label for r in response.context["summary"].all_rows]
    assert rows == ["滕州市", "薛城区", "市中区", "山亭区", "峄城区", "台儿庄区", "高新区", "全市"]


@pytest.mark.parametrize("target", [PAGE, XLSX, reverse("indicators:summary_pick")])
def test_clerk_cannot_see_the_summary(client_for, tengzhou_clerk, target):
    assert client_for(tengzhou_clerk).get(target).status_code == 403


def test_anonymous_is_sent_to_login(seed, client):
    assert client.get(PAGE).status_code == 302


def test_unknown_unit_or_period_is_404(client_for, office):
    c = client_for(office)
    assert c.get(reverse("indicators:summary", args=["2023Q2", "999999"])).status_code == 404
    assert c.get(reverse("indicators:summary", args=["1999Q2", "370400"])).status_code == 404


def test_picker_without_javascript_redirects_to_the_chosen_table(client_for, office):
    response = client_for(office).get(
        reverse("indicators:summary_pick"), {"period": "2023Q2", "unit": "370400"}
    )
    assert response.status_code == 302
    assert response.url == PAGE


def _page_queries(client):
    client.get(PAGE)  # warm the session
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(PAGE).status_code == 200
    return len(ctx.captured_queries)


def test_summary_page_query_count_does_not_grow_with_units(client_for, office, city, q2_2023):
    from tests.test_selector_summary import _add_units

    c = client_for(office)
    with_seven = _page_queries(c)
    _add_units(city, q2_2023, 293)
    assert _page_queries(c) == with_seven
    assert with_seven <= 26


def test_excel_download_is_the_official_table(client_for, office):
    response = client_for(office).get(XLSX)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    ws = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = [[c.value for c in row] for row in ws.iter_rows()]
    flat = [v for row in values for v in row]
    assert "2023年上半年全市知识产权工作情况" in flat
    total = next(row for row in values if row and row[0] in ("全市", "全 市"))
    assert total[1:4] == [326, 737, 44.2] or [str(v) for v in total[1:4]] == ["326", "737", "44.2"]


def test_admin_period_list_links_to_the_summary(client_for, office):
    response = client_for(office).get(reverse("admin:indicators_period_changelist"))
    assert response.status_code == 200
    assert PAGE in response.content.decode()


def test_picker_with_unknown_codes_is_404_not_a_server_error(client_for, office):
    c = client_for(office)
    assert (
        c.get(reverse("indicators:summary_pick"), {"period": "2023Q2", "unit": "a/b"}).status_code
        == 404
    )
    assert (
        c.get(reverse("indicators:summary_pick"), {"period": "x", "unit": "370400"}).status_code
        == 404
    )
