"""A clerk's figures through the API: the entry form's service and rules (draft, then
submit), the version for conflicts (409), a Chinese message per field (400), bounds on what
is sent, and a read-only token refused."""

from decimal import Decimal as D

import pytest

from audit.models import AuditEvent
from indicators.models import Figure, Report
from tests.fixtures.api import api_client

URL = "/api/v1/periods/2023Q3/units/370481/report/"
GOOD = {
    "invention_grants": "150",
    "valid_inventions": "860",
    "certified_enterprises": "4",
    "pct_applications": "1",
    "infringement_rulings": "0",
}


def put(client, figures=None, version=0, submit=False, url=URL, **extra):
    body = {"version": version, "figures": {**GOOD, **(figures or {})}, "submit": submit, **extra}
    return client.put(url, body, format="json")


def stored():
    return {
        f.indicator.code: f.value
        for f in Figure.objects.filter(
            report__unit__code="370481", report__period__year=2023, report__period__number=3
        ).select_related("indicator")
    }


def test_a_clerk_saves_a_draft_then_submits(tengzhou_clerk):
    client = api_client(tengzhou_clerk)
    response = put(client, version=0)
    assert response.status_code == 200, response.json()
    assert response.json()["state"] == "draft" and response.json()["version"] == 1
    assert stored() == {k: D(v) for k, v in GOOD.items()}
    response = put(client, {"invention_grants": "151"}, version=1, submit=True)
    assert response.status_code == 200, response.json()
    report = Report.objects.get(unit__code="370481", period__year=2023, period__number=3)
    assert report.state == Report.State.SUBMITTED and report.submitted_by == tengzhou_clerk
    assert AuditEvent.objects.filter(action="report_submitted", actor=tengzhou_clerk).exists()
    assert response.json()["editable"] is False and response.json()["blocked"]


def test_a_stale_version_is_a_409_with_a_chinese_message_and_the_current_version(
    tengzhou_clerk,
):
    client = api_client(tengzhou_clerk)
    put(client, version=0)
    response = put(client, {"invention_grants": "200"}, version=0)
    assert response.status_code == 409
    assert "已被他人修改" in response.json()["detail"] and response.json()["version"] == 1
    assert stored()["invention_grants"] == D(150)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("abc", "不是数字"),
        ("-5", "不能为负数"),
        ("150.5", "只能填整数"),
        ("100", "不能小于上季度（2023年上半年）的 104件"),
        (True, "不是有效的字符串"),
    ],
)
def test_a_bad_figure_is_a_400_with_a_chinese_message_beside_it(tengzhou_clerk, value, message):
    response = put(api_client(tengzhou_clerk), {"invention_grants": value})
    assert response.status_code == 400
    errors = response.json()["errors"]
    key = next(k for k in errors if k.startswith("figures") or k == "invention_grants")
    assert message in errors[key][0]
    assert stored() == {}


def test_submitting_needs_every_figure(tengzhou_clerk):
    response = put(api_client(tengzhou_clerk), {"pct_applications": ""}, submit=True)
    assert response.status_code == 400
    assert "请填写" in response.json()["errors"]["pct_applications"][0]


def test_a_submitted_report_cannot_be_changed_and_says_why(tengzhou_clerk):
    client = api_client(tengzhou_clerk)
    put(client, submit=True)
    response = put(client, {"invention_grants": "170"}, version=2)
    assert response.status_code == 409
    assert "已报送" in response.json()["detail"]


def test_a_read_only_token_is_refused_writes(tengzhou_clerk):
    response = put(api_client(tengzhou_clerk, read_only=True))
    assert response.status_code == 403 and response.json()["detail"] == "只读令牌不能修改数据。"
    assert not Report.objects.filter(unit__code="370481", period__number=3).exists()


@pytest.mark.parametrize("role", ["viewer", "sysadmin", "auditor"])
def test_a_role_without_entry_gets_403(seed, role, request):
    response = put(api_client(request.getfixturevalue(role)))
    assert response.status_code == 403


def test_office_staff_cannot_enter_a_districts_figures(office):
    assert put(api_client(office)).status_code == 404


def test_another_districts_clerk_gets_404(xuecheng_clerk):
    assert put(api_client(xuecheng_clerk)).status_code == 404


def test_bodies_beyond_the_bounds_are_refused_before_reading(tengzhou_clerk):
    client = api_client(tengzhou_clerk)
    huge = {"version": 0, "figures": {"x": "1" * 39}, "explanations": {"x": "长" * 70000}}
    response = client.put(URL, huge, format="json")
    assert response.status_code == 413 and "请求体最多" in response.json()["detail"]
    many = {f"code{n}": "1" for n in range(300)}
    response = client.put(URL, {"version": 0, "figures": many}, format="json")
    assert response.status_code == 400 and "最多 200 项" in response.json()["detail"]


@pytest.mark.parametrize(
    "body",
    [
        "{bad json",
        "[]",
        '{"version": -1}',
        '{"version": "x", "figures": []}',
        '{"version": 0, "figures": {"invention_grants": {"a": 1}}}',
        '{"version": 99999999999999999999}',
        '{"version": 0, "figures": {"invention_grants": "1e999999"}}',
        '{"version": 0, "figures": {"invention_grants": "\\u0000"}}',
    ],
)
def test_malformed_bodies_are_a_400_never_a_500(tengzhou_clerk, body):
    response = api_client(tengzhou_clerk).put(URL, body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert response.json()["detail"]


def test_the_office_enters_the_citys_own_figures(office, city):
    url = "/api/v1/periods/2023Q3/units/370400/report/"
    client = api_client(office)
    lines = client.get(url).json()["lines"]
    figures = {line["indicator"]: "70000" for line in lines}
    response = client.put(url, {"version": 0, "figures": figures}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["state"] == "draft"


def test_the_rate_limit_is_per_token_with_a_chinese_message(monkeypatch, tengzhou_clerk, viewer):
    from django.core.cache import cache

    from api.throttling import PerTokenThrottle

    cache.clear()
    monkeypatch.setattr(PerTokenThrottle, "THROTTLE_RATES", {"token": "3/minute"})
    client = api_client(tengzhou_clerk)
    codes = [client.get("/api/v1/periods/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    response = client.get("/api/v1/periods/")
    assert "请求太频繁" in response.json()["detail"] and response["Retry-After"]
    assert api_client(viewer).get("/api/v1/periods/").status_code == 200
    cache.clear()


CORRECTION = "/api/v1/periods/2023Q3/units/370481/report/correction/"


def _submitted(client):
    return put(client, submit=True).json()


def correct(client, figures, version, reason="数据更正"):
    body = {"version": version, "figures": {**GOOD, **figures}, "reason": reason}
    return client.post(CORRECTION, body, format="json")


def test_a_correction_reopens_and_resubmits_the_report_for_review(tengzhou_clerk, office):
    client = api_client(tengzhou_clerk)
    report = _submitted(client)
    response = correct(client, {"invention_grants": "160"}, report["version"])
    assert response.status_code == 200, response.json()
    assert response.json()["state"] == "submitted"
    assert stored()["invention_grants"] == D(160)
    assert AuditEvent.objects.filter(
        action="report_reopened", summary__contains="报送更正"
    ).exists()
    assert office.notices.filter(message__contains="更正").exists()


def test_a_correction_with_the_same_figures_changes_nothing(tengzhou_clerk):
    client = api_client(tengzhou_clerk)
    report = _submitted(client)
    response = correct(client, {}, report["version"])
    assert response.status_code == 200 and response.json()["version"] == report["version"]


def test_a_draft_needs_no_correction_and_a_stale_one_is_a_409(tengzhou_clerk):
    client = api_client(tengzhou_clerk)
    put(client)
    response = correct(client, {"invention_grants": "160"}, 1)
    assert response.status_code == 409 and "可直接填报" in response.json()["detail"]
    report = put(client, version=1, submit=True)
    response = correct(client, {"invention_grants": "160"}, report.json()["version"] - 1)
    assert response.status_code == 409 and "已被他人修改" in response.json()["detail"]


def test_a_correction_after_the_deadline_is_a_409_with_the_reason(tengzhou_clerk, q3_2023):
    import datetime

    client = api_client(tengzhou_clerk)
    report = _submitted(client)
    q3_2023.deadline = datetime.date(2020, 1, 1)
    q3_2023.save(update_fields=["deadline"])
    response = correct(client, {"invention_grants": "160"}, report["version"])
    assert response.status_code == 409 and "已于2020年1月1日截止" in response.json()["detail"]
    assert stored()["invention_grants"] == D(150)


def test_a_correction_needs_a_reason_and_valid_figures(tengzhou_clerk):
    client = api_client(tengzhou_clerk)
    report = _submitted(client)
    response = correct(client, {"invention_grants": "x"}, report["version"])
    assert (
        response.status_code == 400
        and "不是数字" in response.json()["errors"]["invention_grants"][0]
    )
    response = client.post(CORRECTION, {"version": report["version"]}, format="json")
    assert response.status_code == 400 and "reason" in response.json()["errors"]
    assert Report.objects.get(unit__code="370481", period__number=3).state == "submitted"


@pytest.mark.parametrize(
    ("who", "status"), [("office", 403), ("viewer", 403), ("xuecheng_clerk", 404)]
)
def test_only_the_units_own_clerk_sends_a_correction(seed, tengzhou_clerk, who, status, request):
    report = _submitted(api_client(tengzhou_clerk))
    response = correct(api_client(request.getfixturevalue(who)), {}, report["version"])
    assert response.status_code == status


def test_a_read_only_token_cannot_send_a_correction(tengzhou_clerk):
    report = _submitted(api_client(tengzhou_clerk))
    response = correct(api_client(tengzhou_clerk, read_only=True), {}, report["version"])
    assert response.status_code == 403
