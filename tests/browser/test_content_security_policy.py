"""The Content-Security-Policy in a real Chromium: the admin and the app's pages work under it
with no violation, and the browser does block inline script and style."""

import pytest
from django.urls import reverse

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("demo_data")]

# Reports every violation to the console, where console_errors collects it; Playwright adds
# this before the page's own scripts, and the policy does not apply to it.
WATCH = """
document.addEventListener("securitypolicyviolation", (e) => {
  const where = `${e.sourceFile}:${e.lineNumber}`;
  console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI} ${where}`);
});
"""


def _open(open_page):
    page = open_page()
    page.context.add_init_script(WATCH)
    return page


def test_the_admin_and_the_office_pages_raise_no_policy_violation(
    live_server, open_page, log_in, shot, console_errors
):
    page = _open(open_page)
    log_in(page, "office")
    admin = reverse("admin:index")
    page.goto(f"{live_server.url}{admin}")
    changelists = sorted(
        set(
            page.eval_on_selector_all(
                "#content-main th[scope=row] a",
                "links => links.map(a => a.getAttribute('href'))",
            )
        )
    )
    assert len(changelists) >= 5, changelists
    for changelist in changelists:
        page.goto(f"{live_server.url}{changelist}")
        first = page.locator("#result_list tbody th a").first
        if first.count():
            first.click()
            page.wait_for_load_state()
            # The date widgets' calendar is drawn by the admin's own JavaScript.
            if page.locator(".datetimeshortcuts a").count():
                page.locator(".datetimeshortcuts a").first.click()
    shot(page, "admin-change-form")
    page.goto(f"{live_server.url}{reverse('admin:indicators_period_add')}")
    page.locator(".datetimeshortcuts a[id^='calendarlink']").first.click()
    assert page.locator(".calendarbox").first.is_visible()
    for url in [
        reverse("indicators:summary", args=["2023Q2", "370400"]),
        reverse("indicators:completeness", args=["2023Q3", "370400"]),
    ]:
        page.goto(f"{live_server.url}{url}")
    shot(page, "summary")
    # The admin's pages name no icon, so Chromium asks for /favicon.ico and logs its 404.
    assert [e for e in console_errors if "404 (Not Found)" not in e] == []


def test_the_entry_form_raises_no_policy_violation(live_server, open_page, log_in, console_errors):
    page = _open(open_page)
    log_in(page, "tengzhou")
    page.goto(f"{live_server.url}{reverse('indicators:report_edit', args=['2023Q3', '370481'])}")
    page.fill("#id_invention_grants", "118")
    page.locator("button[name=action][value=save]").click()
    page.wait_for_load_state()
    assert console_errors == []


def test_the_browser_blocks_inline_script_and_style(live_server, open_page, console_errors):
    # The control: were the policy missing or lax, the checks above would pass for nothing.
    page = _open(open_page)
    page.goto(f"{live_server.url}{reverse('login')}")
    page.evaluate(
        """() => {
          const s = document.createElement("script");
          s.textContent = "window.injected = true";
          document.body.appendChild(s);
          document.body.insertAdjacentHTML("beforeend", '<p id="styled" style="color: red">x</p>');
        }"""
    )
    assert page.evaluate("window.injected") is None
    assert page.evaluate("getComputedStyle(document.getElementById('styled')).color") != (
        "rgb(255, 0, 0)"
    )
    violations = [e for e in console_errors if "CSP violation" in e]
    assert any("script-src" in v for v in violations), console_errors
    assert any("style-src" in v for v in violations), console_errors
