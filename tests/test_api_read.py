"""The API's reads: each endpoint open to exactly its roles (a token of each), another unit's
data a 404, and the figures the same as the pages' (one summary, decimals as strings)."""

import pytest

from indicators.selectors import completeness, summarize
from tests.fixtures.api import api_client, staff_of

ROLES = ["tengzhou_clerk", "office", "viewer", "sysadmin", "auditor"]
READERS = {"tengzhou_clerk", "office", "viewer"}
V = "/api/v1"
ENDPOINTS = {
    "units": (f"{V}/units/", READERS),
    "unit": (f"{V}/units/370481/", READERS),
    "periods": (f"{V}/periods/", READERS),
    "indicators": (f"{V}/periods/2023Q2/indicators/", READERS),
    "figures": (f"{V}/periods/2023Q2/units/370481/figures/", READERS),
    "summary": (f"{V}/periods/2023Q2/units/370400/summary/", {"office", "viewer"}),
    "completeness": (f"{V}/periods/2023Q3/units/370400/completeness/", {"office"}),
    "report": (f"{V}/periods/2023Q3/units/370481/report/", {"tengzhou_clerk", "office"}),
}


@pytest.mark.parametrize("endpoint", sorted(ENDPOINTS))
@pytest.mark.parametrize("role", ROLES)
def test_each_endpoint_is_open_to_exactly_its_roles(seed, endpoint, role, request):
    url, allowed = ENDPOINTS[endpoint]
    response = api_client(request.getfixturevalue(role), read_only=True).get(url)
    expected = 200 if role in allowed else 403
    assert response.status_code == expected, (endpoint, role, response.content[:200])
    if expected == 403:
        assert response.json()["detail"].startswith("你的角色无权")


@pytest.mark.parametrize(
    "url",
    [
        f"{V}/units/370481/",
        f"{V}/periods/2023Q2/units/370481/figures/",
        f"{V}/periods/2023Q3/units/370481/report/",
    ],
)
def test_a_clerk_of_another_unit_gets_404(xuecheng_clerk, url):
    response = api_client(xuecheng_clerk).get(url)
    assert response.status_code == 404
    assert response.json() == {"detail": "没有这个单位，或你无权访问它。"}


@pytest.mark.parametrize(
    "url",
    [
        f"{V}/units/370400/",
        f"{V}/periods/2023Q2/units/370400/figures/",
        f"{V}/periods/2023Q2/units/370400/summary/",
        f"{V}/periods/2023Q3/units/370400/completeness/",
        f"{V}/periods/2023Q3/units/370403/report/",
    ],
)
def test_office_staff_of_a_district_get_404_for_the_city_and_its_other_units(tengzhou, url):
    outsider = staff_of(tengzhou, "office", "tz_office")
    assert api_client(outsider).get(url).status_code == 404


def test_an_unknown_period_or_unit_is_a_404_with_a_reason(office):
    client = api_client(office)
    response = client.get(f"{V}/periods/2023Q9/units/370400/summary/")
    assert response.status_code == 404 and response.json()["detail"]
    assert client.get(f"{V}/periods/2023Q2/units/nobody/summary/").status_code == 404
    assert client.get(f"{V}/periods/{'9' * 500}/units/370400/summary/").status_code == 404


def test_a_clerk_sees_only_their_own_unit(tengzhou_clerk):
    client = api_client(tengzhou_clerk)
    units = client.get(f"{V}/units/").json()
    assert [u["code"] for u in units["results"]] == ["370481"]
    figures = client.get(f"{V}/periods/2023Q2/units/370481/figures/").json()["results"]
    assert figures and {f["unit"] for f in figures} == {"370481"}


def test_units_form_a_tree_by_their_parents_codes(office):
    units = api_client(office).get(f"{V}/units/").json()
    assert units["count"] == 8
    by_code = {u["code"]: u for u in units["results"]}
    assert by_code["370400"]["parent"] is None and not by_code["370400"]["leaf"]
    assert by_code["370481"]["parent"] == "370400" and by_code["370481"]["leaf"]


def test_the_summary_is_the_pages_summary_with_decimals_as_strings(office, city, q2_2023):
    data = api_client(office).get(f"{V}/periods/2023Q2/units/370400/summary/").json()
    s = summarize(q2_2023, city)
    total = data["total"]["cells"]["invention_grants"]
    assert total["value"] == f"{s.total.cells['invention_grants'].value.normalize():f}"
    assert isinstance(total["completion"], str)
    assert [r["unit"] for r in data["rows"]] == [r.unit.code for r in s.rows]
    assert data["title"] == s.title and data["complete"] is True


def test_figures_are_counted_figures_of_the_subtree_in_pages(office, q2_2023):
    client = api_client(office)
    page = client.get(f"{V}/periods/2023Q2/units/370400/figures/?page_size=2").json()
    assert len(page["results"]) == 2 and page["next"] and page["count"] > 2
    assert all(f["state"] in ("submitted", "approved") for f in page["results"])
    assert isinstance(page["results"][0]["value"], str)


def test_a_page_is_never_larger_than_500_and_a_bad_page_is_a_404(office):
    client = api_client(office)
    response = client.get(f"{V}/periods/2023Q2/units/370400/figures/?page_size=100000")
    assert response.status_code == 200
    assert len(response.json()["results"]) <= 500
    response = client.get(f"{V}/periods/2023Q2/units/370400/figures/?page=999")
    assert response.status_code == 404 and response.json()["detail"] == "没有这一页。"
    assert client.get(f"{V}/units/?page=abc").status_code == 404


def test_completeness_counts_as_the_review_page_does(office, city, q3_2023):
    data = api_client(office).get(f"{V}/periods/2023Q3/units/370400/completeness/").json()
    assert data["counts"] == completeness(q3_2023, city).counts
    assert {r["state"] for r in data["rows"]} == {"missing"}


def test_indicators_in_force_list_what_the_period_asks(tengzhou_clerk):
    data = api_client(tengzhou_clerk).get(f"{V}/periods/2023Q2/indicators/").json()
    codes = [i["code"] for i in data]
    assert "invention_grants" in codes and "valid_inventions" in codes


def test_the_schema_describes_the_api(office):
    response = api_client(office).get(f"{V}/schema/?format=json")
    assert response.status_code == 200
    assert f"{V}/periods/{{period_code}}/units/{{unit_code}}/report/" in response.json()["paths"]


def test_a_reviewer_reads_a_districts_report_but_is_told_it_is_not_theirs(office):
    data = api_client(office).get(f"{V}/periods/2023Q2/units/370481/report/").json()
    assert data["state"] == "approved" and data["editable"] is False
    assert data["blocked"] == "不是本人单位的填报表，只能查看。"
    assert {line["indicator"] for line in data["lines"]} >= {"invention_grants"}


def test_reading_figures_takes_the_same_queries_for_one_unit_or_the_whole_city(
    office, django_assert_max_num_queries
):
    client = api_client(office)
    client.get(f"{V}/units/")  # the token's first use writes last_used_at
    # Token, lockout, the rate's counter in the shared cache, then the work: a fixed number.
    with django_assert_max_num_queries(16):
        assert client.get(f"{V}/periods/2023Q2/units/370400/figures/").status_code == 200
    with django_assert_max_num_queries(16):
        assert client.get(f"{V}/units/").status_code == 200


def test_the_docs_page_and_the_schema_need_a_sign_in_or_a_token(seed, client):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 302 and response.url.startswith("/login/")
    assert client.get(f"{V}/schema/").status_code in (401, 403)


def test_the_docs_page_loads_swagger_from_our_static_files_without_inline_script(
    client_for, viewer
):
    html = client_for(viewer).get("/api/v1/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "/static/js/api-docs.js" in html
    assert "<script>" not in html and "https://" not in html
