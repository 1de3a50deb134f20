"""A clerk creates an API token in the browser, sees it once, uses it, and revokes it; the
API's Swagger page runs from our own static files under the Content-Security-Policy."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("demo_data")]

WATCH = """
document.addEventListener("securitypolicyviolation", (e) => {
  console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`);
});
"""


def test_a_clerk_creates_uses_and_revokes_a_token(live_server, open_page, log_in, shot):
    page = open_page()
    log_in(page, "tengzhou")
    page.get_by_role("link", name="API 令牌").click()
    page.fill("#token-name", "省平台")
    page.get_by_role("button", name="创建令牌").click()
    secret = page.locator("#new-token").inner_text().strip()
    assert secret.startswith("zzip_")
    shot(page, "token-shown-once")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert client.get("/api/v1/units/").status_code == 200
    page.goto(f"{live_server.url}{reverse('tokens:tokens')}")  # shown once, never again
    assert page.locator("#new-token").count() == 0
    page.get_by_role("button", name="吊销").click()
    page.get_by_text("已吊销令牌").wait_for()
    assert client.get("/api/v1/units/").status_code == 401


def test_the_swagger_page_works_under_our_policy(
    live_server, open_page, log_in, shot, console_errors
):
    page = open_page()
    page.context.add_init_script(WATCH)
    requested = []
    page.on("request", lambda r: requested.append(r.url))
    log_in(page, "office")
    page.goto(f"{live_server.url}{reverse('api:docs')}")
    # Swagger UI drew the operations it read from /api/v1/schema/.
    page.locator(".opblock-summary-path", has_text="/summary/").first.wait_for()
    assert page.locator(".opblock").count() >= 10
    shot(page, "swagger")
    assert all(url.startswith(live_server.url) for url in requested), requested
    assert not [e for e in console_errors if "CSP" in e or "Refused" in e], console_errors
