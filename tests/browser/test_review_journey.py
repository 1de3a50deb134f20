"""The office returns 滕州市's submitted 2023 Q3 report with a reason; the clerk sees it, fixes
the figure and resubmits; the office sees what changed and approves it."""

import pytest
from playwright.sync_api import expect

from indicators.models import Report

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("demo_data")]

FORM = "/reports/2023Q3/370481/"
REVIEW = "/review/2023Q3/370481/"
COMPLETENESS = "/completeness/2023Q3/370400/"
FIGURES = {
    "invention_grants": "150",
    "valid_inventions": "860",
    "certified_enterprises": "4",
    "pct_applications": "1",
    "infringement_rulings": "0",
}


def _submit(page, figures):
    for code, value in figures.items():
        page.fill(f"#id_{code}", value)
    page.locator("button[name=action][value=submit]").click()


def test_return_fix_resubmit_approve(live_server, open_page, log_in, shot, console_errors):
    clerk = open_page()
    log_in(clerk, "tengzhou")
    clerk.goto(f"{live_server.url}{FORM}")
    _submit(clerk, FIGURES)
    expect(clerk.locator(".messages")).to_contain_text("的数据已报送")

    office = open_page()
    log_in(office, "office")
    office.goto(f"{live_server.url}{COMPLETENESS}")
    expect(office.locator(".counts")).to_contain_text("已报1")
    office.get_by_role("link", name="审核").click()
    office.wait_for_url(f"{live_server.url}{REVIEW}")
    # A return without a reason is refused next to the field.
    office.get_by_role("button", name="退回").click()
    expect(office.locator("#return-error")).to_contain_text("请填写退回原因")
    office.fill("#return-reason", "授权量请按国知局口径核对，应为148件")
    office.get_by_role("button", name="退回").click()
    office.wait_for_url(f"{live_server.url}{COMPLETENESS}")
    expect(office.locator(".messages")).to_contain_text("已退回")

    clerk.goto(f"{live_server.url}/")
    expect(clerk.locator(".notices")).to_contain_text("授权量请按国知局口径核对")
    clerk.goto(f"{live_server.url}{FORM}")
    expect(clerk.locator(".returned-banner")).to_contain_text("应为148件")
    shot(clerk, "returned")
    clerk.fill("#id_invention_grants", "148")
    clerk.locator("button[name=action][value=submit]").click()
    expect(clerk.locator(".messages")).to_contain_text("的数据已报送")

    office.goto(f"{live_server.url}{REVIEW}")
    changes = office.locator("table.changes")
    expect(changes).to_contain_text("发明专利授权量")
    expect(changes).to_contain_text("150")
    expect(changes).to_contain_text("148")
    shot(office, "review-changes")
    office.get_by_role("button", name="审核通过").click()
    office.wait_for_url(f"{live_server.url}{COMPLETENESS}")
    expect(office.locator(".counts")).to_contain_text("已审核1")

    clerk.goto(f"{live_server.url}{FORM}")
    expect(clerk.locator(".notice")).to_contain_text("已审核")
    expect(clerk.locator("#id_invention_grants")).to_have_text("148")
    assert (
        Report.objects.get(unit__code="370481", period__year=2023, period__number=3).state
        == "approved"
    )
    assert console_errors == []
