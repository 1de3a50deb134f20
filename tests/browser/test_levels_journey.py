"""Two levels of review in the browser: a district's clerk submits to the city, the city
approves its districts and sends its level up, the province returns it with a reason, the
city sees why and sends it again, the province approves, and the city can no longer reopen
what it approved."""

import pytest
from playwright.sync_api import expect

from indicators.models import Report
from tests.fixtures.levels import FIGURES, approve, submit, two_levels

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("demo_data")]


def test_a_city_reviews_its_districts_and_the_province_reviews_the_city(
    live_server, office, open_page, log_in, shot, console_errors
):
    tree = two_levels(office)
    period = tree.period.code
    # The second district is submitted and approved without the browser.
    submit(tree.districts[1], tree.period, tree.clerks[1])
    approve(tree.districts[1], tree.period, tree.city_offices[0])

    clerk = open_page()
    log_in(clerk, "clerk990101")
    clerk.goto(f"{live_server.url}/reports/{period}/990101/")
    expect(clerk.locator("button[name=action][value=submit]")).to_have_text("提交第1市")
    for code, value in FIGURES.items():
        clerk.fill(f"#id_{code}", value)
    clerk.locator("button[name=action][value=submit]").click()
    expect(clerk.locator(".messages")).to_contain_text("的数据已报送")

    city = open_page()
    log_in(city, "city1")
    city.goto(f"{live_server.url}/completeness/{period}/990100/")
    expect(city.locator("tbody tr").first).to_contain_text("本级汇总表")
    city.goto(f"{live_server.url}/review/{period}/990101/")
    city.get_by_role("button", name="审核通过").click()
    expect(city.locator(".messages")).to_contain_text("已审核通过")

    # The city's level goes up from its own entry page.
    city.goto(f"{live_server.url}/reports/{period}/990100/")
    expect(city.locator("button[name=action][value=submit]")).to_have_text("提交测试省")
    city.locator("button[name=action][value=submit]").click()
    expect(city.locator(".messages")).to_contain_text("的数据已报送")

    province = open_page()
    log_in(province, "office")
    province.goto(f"{live_server.url}/completeness/{period}/990000/")
    rows = province.locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("已报送")
    province.goto(f"{live_server.url}/review/{period}/990100/")
    expect(province.locator(".notice").first).to_contain_text("本级汇总表")
    province.fill("#return-reason", "第1市1区授权量与省统计不符，请核对")
    province.get_by_role("button", name="退回").click()
    expect(province.locator(".messages")).to_contain_text("已退回")

    city.goto(f"{live_server.url}/")
    expect(city.locator(".notices")).to_contain_text("与省统计不符")
    city.goto(f"{live_server.url}/reports/{period}/990100/")
    city.locator("button[name=action][value=submit]").click()
    expect(city.locator(".messages")).to_contain_text("的数据已报送")

    province.goto(f"{live_server.url}/review/{period}/990100/")
    province.get_by_role("button", name="审核通过").click()
    expect(province.locator(".messages")).to_contain_text("已审核通过")
    shot(province, "province-approved")

    city.goto(f"{live_server.url}/review/{period}/990101/")
    expect(city.locator(".review-actions")).to_contain_text("已报送上级")
    expect(city.get_by_role("button", name="重新打开")).to_have_count(0)
    shot(city, "city-locked")
    assert Report.objects.get(unit=tree.cities[0], period=tree.period).state == "approved"
    assert console_errors == []
