"""Personal API tokens: created and revoked by their owner on the 「API 令牌」 page, shown
once, stored as a digest, audited; a token acts only for an active, unlocked user."""

import hashlib

import pytest
from django.conf import settings
from django.urls import reverse

from api.models import ApiToken
from api.services import TOKENS_MAX, token_create
from audit.models import AuditEvent
from districts.identity import normalize_username
from tests.fixtures.api import api_client

URL = "/api/v1/units/"


def _create(client, name="省平台", read_only=False):
    data = {"name": name, **({"read_only": "on"} if read_only else {})}
    return client.post(reverse("tokens:tokens"), data)


def test_the_home_page_links_to_the_tokens_page(client_for, tengzhou_clerk):
    html = client_for(tengzhou_clerk).get(reverse("indicators:home")).content.decode()
    assert reverse("tokens:tokens") in html


def test_a_new_token_is_shown_once_and_stored_only_as_its_digest(client_for, tengzhou_clerk):
    c = client_for(tengzhou_clerk)
    response = _create(c)
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    secret = response.context["created"][1]
    assert secret.startswith("zzip_") and secret in response.content.decode()
    token = ApiToken.objects.get(user=tengzhou_clerk)
    assert token.digest == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in {token.prefix, token.name, token.digest}
    assert secret not in c.get(reverse("tokens:tokens")).content.decode()
    event = AuditEvent.objects.filter(summary__startswith="创建 API 令牌").latest("id")
    assert event.actor == tengzhou_clerk and secret not in str(event.detail)


def test_a_revoked_token_is_refused_and_the_revocation_audited(client_for, tengzhou_clerk):
    c = client_for(tengzhou_clerk)
    secret = _create(c).context["created"][1]
    assert api_client(token=secret).get(URL).status_code == 200
    token = ApiToken.objects.get(user=tengzhou_clerk)
    response = c.post(reverse("tokens:tokens"), {"revoke": token.pk})
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    response = api_client(token=secret).get(URL)
    assert response.status_code == 401 and response.json()["detail"] == "令牌无效或已吊销。"
    assert AuditEvent.objects.filter(summary__startswith="吊销 API 令牌").exists()


def test_nobody_revokes_someone_elses_token(client_for, tengzhou_clerk, xuecheng_clerk):
    secret = token_create(user=xuecheng_clerk, name="薛城", read_only=False)[1]
    other = ApiToken.objects.get(user=xuecheng_clerk)
    c = client_for(tengzhou_clerk)
    assert c.post(reverse("tokens:tokens"), {"revoke": other.pk}).status_code == 404
    for junk in ["9" * 40, "²", "-1", ""]:
        assert c.post(reverse("tokens:tokens"), {"revoke": junk}).status_code == 404
    assert api_client(token=secret).get(URL).status_code == 200


def test_a_token_needs_a_name_and_a_person_has_at_most_ten(client_for, tengzhou_clerk):
    c = client_for(tengzhou_clerk)
    response = _create(c, name="  ")
    assert response.status_code == 400 and "请填写用途" in response.content.decode()
    response = _create(c, name="长" * 51)
    assert response.status_code == 400
    for n in range(TOKENS_MAX):
        assert _create(c, name=f"程序{n}").status_code == 200
    response = _create(c, name="再来一个")
    assert response.status_code == 400 and "最多 10 个" in response.content.decode()
    assert ApiToken.objects.filter(user=tengzhou_clerk).count() == TOKENS_MAX


def test_the_tokens_page_needs_a_sign_in(client):
    response = client.get(reverse("tokens:tokens"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_a_token_of_a_disabled_account_is_refused(tengzhou_clerk):
    client = api_client(tengzhou_clerk)
    tengzhou_clerk.is_active = False
    tengzhou_clerk.save()
    assert client.get(URL).status_code == 401


def test_a_token_of_a_locked_account_is_refused(tengzhou_clerk):
    from axes.models import AccessAttempt

    client = api_client(tengzhou_clerk)
    AccessAttempt.objects.create(
        username=normalize_username("tengzhou"),
        ip_address="10.0.0.1",
        user_agent="x",
        failures_since_start=settings.AXES_FAILURE_LIMIT,
        get_data="",
        post_data="",
        http_accept="",
        path_info="/login/",
    )
    response = client.get(URL)
    assert response.status_code == 401 and "锁定" in response.json()["detail"]


@pytest.mark.parametrize(
    "header",
    ["Bearer", "Bearer a b", "Bearer zzip_" + "x" * 200, "Bearer nottoken", "Token zzip_wrong"],
)
def test_a_malformed_or_unknown_token_is_a_401_never_a_500(seed, header):
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get(URL)
    assert response.status_code == 401 and response.json()["detail"]


def test_without_a_token_the_api_asks_for_one(seed):
    response = api_client().get(URL)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_token_records_when_it_was_last_used(tengzhou_clerk):
    client = api_client(tengzhou_clerk)
    assert ApiToken.objects.get().last_used_at is None
    client.get(URL)
    assert ApiToken.objects.get().last_used_at is not None


def test_a_token_stops_when_its_accounts_role_unit_or_password_changes(
    tengzhou_clerk, sysadmin, xuecheng_clerk
):
    """A token acts for the person as they were when they made it: an administrator who
    moves them, changes their role or resets their password after a compromise ends it."""
    from districts import services as accounts

    def works(secret) -> int:
        return api_client(token=secret).get("/api/v1/units/").status_code

    _, secret = token_create(user=tengzhou_clerk, name="甲", read_only=True)
    assert works(secret) == 200
    accounts.account_update(actor=sysadmin, user=tengzhou_clerk, unit=xuecheng_clerk.profile.unit)
    response = api_client(token=secret).get("/api/v1/units/")
    assert response.status_code == 401 and "角色或单位已变更" in response.json()["detail"]

    tengzhou_clerk.refresh_from_db()
    _, secret = token_create(user=tengzhou_clerk, name="乙", read_only=True)
    assert works(secret) == 200
    accounts.account_password_set(actor=sysadmin, user=tengzhou_clerk, password="Xin#Zhang2024")
    response = api_client(token=secret).get("/api/v1/units/")
    assert response.status_code == 401 and "密码已重设或修改" in response.json()["detail"]


def test_the_api_serves_when_the_shared_cache_is_down(tengzhou_clerk, monkeypatch):
    """The rate count lives in the shared cache; a cache that fails costs the count, never
    the request (as the summary's cache)."""
    from django.core.cache import cache

    def down(*args, **kwargs):
        raise ConnectionError("redis down")

    monkeypatch.setattr(cache, "get", down)
    monkeypatch.setattr(cache, "set", down)
    assert api_client(tengzhou_clerk).get(URL).status_code == 200


def test_using_a_token_counts_as_using_the_account(tengzhou_clerk):
    """disable_inactive_accounts reads last_login: an account used only through the API is
    not disabled as unused."""
    type(tengzhou_clerk).objects.filter(pk=tengzhou_clerk.pk).update(last_login=None)
    assert api_client(tengzhou_clerk).get(URL).status_code == 200
    tengzhou_clerk.refresh_from_db()
    assert tengzhou_clerk.last_login is not None
