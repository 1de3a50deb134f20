"""A month, as a province that reports monthly would use it: 滕州市's clerk enters 2025年1—7月
on the form (the cumulative rule against 1—6月 caught as typed), the office approves it and
downloads the month's table."""

import io

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from indicators.models import Report
from tests.fixtures.monthly import monthly_set

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("demo_data")]

FORM = "/reports/2025M07/370481/"
REVIEW = "/review/2025M07/370481/"
SUMMARY = "/summary/2025M07/370400/"


def test_a_clerk_enters_a_month_and_the_office_approves_and_downloads_it(
    live_server, open_page, log_in, shot, console_errors
):
    monthly_set(get_user_model().objects.get(username="office"))
    clerk = open_page()
    log_in(clerk, "tengzhou")
    expect(clerk.locator("main")).to_contain_text("2025年1—7月")
    clerk.goto(f"{live_server.url}{FORM}")
    expect(clerk.locator("h1")).to_contain_text("2025年1—7月")
    expect(clerk.locator(".reference").first).to_contain_text("上月")
    grants = clerk.locator("#id_monthly_grants")
    grants.press_sequentially("8")
    live = clerk.locator("[data-live-for=id_monthly_grants]")
    expect(live).to_have_text("累计数不能小于上月（2025年1—6月）的 10件。")
    grants.fill("14")
    expect(live).to_have_text("完成年指导目标 70.0%，高于序时进度11.7个百分点")
    clerk.fill("#id_monthly_valid", "110")
    clerk.locator("details.explain").first.locator("summary").click()
    clerk.fill("#id_explain_monthly_grants", "两家企业集中授权")
    clerk.locator("button[name=action][value=submit]").click()
    expect(clerk.locator(".messages")).to_contain_text("2025年1—7月滕州市的数据已报送")
    shot(clerk, "submitted")

    office = open_page()
    log_in(office, "office")
    office.goto(f"{live_server.url}{REVIEW}")
    expect(office.locator("main")).to_contain_text("两家企业集中授权")
    office.get_by_role("button", name="审核通过").click()
    expect(office.locator(".messages")).to_contain_text("已审核通过")
    july = Report.objects.get(
        unit__code="370481", period__frequency="M", period__year=2025, period__number=7
    )
    assert july.state == "approved"

    office.goto(f"{live_server.url}{SUMMARY}")
    expect(office.locator("h1")).to_contain_text("2025年1—7月全市知识产权工作情况")
    with office.expect_download() as download:
        office.get_by_role("link", name="下载 Excel（通报格式）").click()
    # Playwright names the file without an extension, which openpyxl refuses: read bytes.
    ws = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes())).active
    assert ws["A1"].value == "2025年1—7月全市知识产权工作情况"
    shot(office, "summary")
    assert console_errors == []
