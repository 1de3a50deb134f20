"""Every route, every role (等保 访问控制). A new route without an entry here fails the suite.

Each entry: HTTP method, the URL's arguments, and the roles allowed. An allowed role gets
exactly 200 for a GET and 302 for a POST (or what ALLOWED_STATUS says); any other signed-in
role gets exactly 403 (404 for another unit's object); an anonymous visitor is
sent to the login page. Admin pages are checked model by model against ADMIN_PERMISSIONS.
"""

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse

from districts.access import ADMIN_PERMISSIONS
from notices.models import Notice
from notices.services import notify
from tests.fixtures.circulars import issued_file

ROLES = ["anonymous", "tengzhou_clerk", "office", "viewer", "sysadmin", "auditor"]
SIGNED_IN = set(ROLES) - {"anonymous"}
PUBLIC = {"anonymous", *SIGNED_IN}

MATRIX = {
    "login": ("get", {}, PUBLIC),
    "favicon": ("get", {}, PUBLIC),
    "logout": ("post", {}, SIGNED_IN),
    "password_change": ("get", {}, SIGNED_IN),
    "locked_accounts": ("get", {}, {"office", "sysadmin"}),
    "otp_setup": ("get", {}, SIGNED_IN),
    "otp_verify": ("get", {}, SIGNED_IN),
    "indicators:home": ("get", {}, SIGNED_IN),
    "indicators:report_edit": (
        "get",
        {"period_code": "2023Q3", "unit_code": "370481"},
        {"tengzhou_clerk"},
    ),
    "indicators:summary_pick": ("get", {}, {"office", "viewer"}),
    "indicators:summary": (
        "get",
        {"period_code": "2023Q2", "unit_code": "370400"},
        {"office", "viewer"},
    ),
    "indicators:summary_xlsx": (
        "get",
        {"period_code": "2023Q2", "unit_code": "370400"},
        {"office", "viewer"},
    ),
    "indicators:review": ("get", {"period_code": "2023Q2", "unit_code": "370481"}, {"office"}),
    "indicators:completeness": (
        "get",
        {"period_code": "2023Q3", "unit_code": "370400"},
        {"office"},
    ),
    "indicators:extension_grant": (
        "post",
        {"period_code": "2023Q3", "unit_code": "370403"},
        {"office"},
    ),
    "notices:read": ("post", {"notice_id": "own_inbox"}, SIGNED_IN),
    "circulars:index": ("get", {}, {"office", "viewer"}),
    "circulars:circular": (
        "get",
        {"period_code": "2023Q2", "unit_code": "370400"},
        {"office", "viewer"},
    ),
    "circulars:issue": ("post", {"period_code": "2023Q2", "unit_code": "370400"}, {"office"}),
    "circulars:correct": ("post", {"period_code": "2023Q2", "unit_code": "370400"}, {"office"}),
    "circulars:draft_docx": (
        "get",
        {"period_code": "2023Q2", "unit_code": "370400"},
        {"office"},
    ),
    "circulars:file": ("get", {"file_id": "issued"}, {"office", "viewer"}),
    "tokens:tokens": ("get", {}, SIGNED_IN),
    "indicators:target_sheet_pick": ("get", {}, {"office"}),
    "indicators:target_sheet": ("get", {"year": 2023}, {"office"}),
    "indicators:target_sheet_xlsx": ("get", {"year": 2023}, {"office"}),
    "indicators:target_sheet_confirm": ("post", {"year": 2023}, {"office"}),
    "indicators:template_upload": (
        "get",
        {"period_code": "2023Q3", "unit_code": "370481"},
        {"tengzhou_clerk"},
    ),
    "indicators:template_xlsx": (
        "get",
        {"period_code": "2023Q3", "unit_code": "370481"},
        {"tengzhou_clerk"},
    ),
    "indicators:template_confirm": (
        "post",
        {"period_code": "2023Q3", "unit_code": "370481"},
        {"tengzhou_clerk"},
    ),
    "indicators:summary_docx": (
        "get",
        {"period_code": "2023Q2", "unit_code": "370400"},
        {"office", "viewer"},
    ),
    "indicators:dashboard_pick": ("get", {}, {"tengzhou_clerk", "office", "viewer"}),
    "indicators:dashboard": (
        "get",
        {"period_code": "2023Q2", "unit_code": "370400"},
        {"office", "viewer"},
    ),
    "indicators:progress": (
        "get",
        {"period_code": "2023Q2", "unit_code": "370481"},
        {"tengzhou_clerk", "office", "viewer"},
    ),
}


# What an allowed role gets where it is not a page (200 for a GET) or a redirect after a
# POST (302): the pickers send you on to the current period or year.
ALLOWED_STATUS = {
    "favicon": 301,
    "indicators:dashboard_pick": 302,
    "indicators:summary_pick": 302,
    "indicators:target_sheet_pick": 302,
}


# Roles that hold the right but not for the unit in the URL (another unit's report): 404.
OUT_OF_SCOPE = {
    route: {"office"}
    for route in (
        "indicators:report_edit",
        "indicators:template_upload",
        "indicators:template_xlsx",
        "indicators:template_confirm",
    )
}


def _routes(patterns, namespace=None):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace or namespace
            # The API answers 401/403/404 in JSON, not with the login page: its own matrix
            # is tests/test_api_read.py and tests/test_api_report.py.
            if ns not in ("admin", "api"):
                yield from _routes(p.url_patterns, ns)
        else:
            yield f"{namespace}:{p.name}" if namespace else p.name


def test_every_route_has_an_entry_in_the_matrix():
    routes = set(_routes(get_resolver().url_patterns))
    assert routes - set(MATRIX) == set(), "new routes need an entry in MATRIX"
    assert set(MATRIX) - routes == set(), "MATRIX names routes that no longer exist"


def _client(role, request):
    c = Client()
    if role != "anonymous":
        c.force_login(request.getfixturevalue(role))
    return c


@pytest.mark.parametrize("route", sorted(MATRIX))
@pytest.mark.parametrize("role", ROLES)
def test_route_is_open_to_exactly_its_roles(seed, route, role, request):
    method, kwargs, allowed = MATRIX[route]
    c = _client(role, request)
    if kwargs.get("notice_id") == "own":
        owner = request.getfixturevalue("office" if role == "anonymous" else role)
        kwargs = {
            "notice_id": Notice.objects.create(user=owner, kind="reminder", message="测试").id
        }
    elif kwargs.get("notice_id") == "own_inbox":
        owner = request.getfixturevalue("office" if role == "anonymous" else role)
        (notice,) = notify(users=[owner], kind="account", message="测试")
        kwargs = {"notice_id": notice.id}
    elif kwargs.get("file_id") == "issued":
        kwargs = {"file_id": issued_file().pk}
    url = reverse(route, kwargs=kwargs)
    data = {"until": "2099-01-01", "reason": "矩阵测试"} if method == "post" else None
    response = getattr(c, method)(url, data)
    login_url = reverse("login")
    to_login = response.status_code == 302 and response.url.startswith(login_url)
    if role in allowed:
        expected = ALLOWED_STATUS.get(route, 200 if method == "get" else 302)
        assert response.status_code == expected, (route, role, response.status_code)
        assert not to_login or route == "logout", (route, role)
    elif role == "anonymous":
        assert to_login, (route, response.status_code)
    else:
        expected = 404 if role in OUT_OF_SCOPE.get(route, ()) else 403
        assert response.status_code == expected, (route, role, response.status_code)


@pytest.mark.parametrize("role", ROLES)
def test_admin_index_is_for_office_and_the_two_administrators(seed, role, request):
    response = _client(role, request).get(reverse("admin:index"))
    if role in ("office", "sysadmin", "auditor"):
        assert response.status_code == 200
    elif role == "anonymous":
        assert response.status_code == 302
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("role", ["office", "sysadmin", "auditor"])
def test_each_admin_role_sees_exactly_its_models(seed, role, request):
    c = _client(role, request)
    allowed = ADMIN_PERMISSIONS[role]
    for model in admin.site._registry:
        key = model._meta.label_lower
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        # A one-row model's list opens that row (or its add page): followed.
        status = c.get(url, follow=True).status_code
        if "view" in allowed.get(key, ()):
            assert status == 200, (role, key, status)
        else:
            assert status == 403, (role, key, status)


def test_sysadmin_manages_accounts_but_not_business_data_or_audit(client_for, sysadmin):
    from audit.models import AuditEvent

    c = client_for(sysadmin)
    assert c.get(reverse("admin:auth_user_add")).status_code == 200
    assert c.get(reverse("admin:indicators_target_add")).status_code == 403
    event = AuditEvent.objects.first()
    assert (
        c.post(
            reverse("admin:audit_auditevent_delete", args=[event.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert c.get(reverse("indicators:summary", args=["2023Q2", "370400"])).status_code == 403


def test_nobody_edits_their_own_role(client_for, sysadmin):
    url = reverse("admin:auth_user_change", args=[sysadmin.pk])
    html = client_for(sysadmin).get(url).content.decode()
    assert 'name="profile-0-role"' not in html


def test_admin_refuses_a_fractional_or_parent_target_and_a_loop_in_the_tree(
    client_for, office, city, tengzhou
):
    from indicators.models import Indicator, Target

    c = client_for(office)
    grants = Indicator.objects.get(code="invention_grants")
    target = Target.objects.get(unit=tengzhou, indicator=grants, year=2023)
    url = reverse("admin:indicators_target_change", args=[target.pk])
    data = {"unit": tengzhou.pk, "indicator": grants.pk, "year": 2023, "value": "195.5"}
    response = c.post(url, data)
    assert response.status_code == 200 and "只能填整数" in response.content.decode()
    # A target is named by its unit, indicator and year: those are fixed once it exists.
    response = c.post(
        reverse("admin:indicators_target_add"),
        {**data, "unit": city.pk, "year": 2024, "value": "800"},
    )
    assert response.status_code == 200 and "汇总单位" in response.content.decode()
    assert not Target.objects.filter(unit=city).exists()
    target.refresh_from_db()
    assert target.value == 196 and target.unit == tengzhou
    unit_url = reverse("admin:districts_unit_change", args=[city.pk])
    form = {"code": city.code, "name": city.name, "kind": "city", "order": 0, "active": "on"}
    response = c.post(unit_url, {**form, "parent": tengzhou.pk})
    assert response.status_code == 200 and "不能是本单位或本单位的下级" in response.content.decode()
    city.refresh_from_db()
    assert city.parent is None
