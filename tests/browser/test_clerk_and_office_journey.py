"""The quarter as the people who use it see it: 滕州市's clerk enters and submits 2023 Q3,
the office finds the figures in the circular's table and downloads it as Excel.

Demo data: 滕州市 (370481) reported 104 grants at 2023 Q2 against a 2023 target of 196;
Q3's 序时进度 is 75%.
"""

import io

import openpyxl
import pytest
from playwright.sync_api import expect

from indicators.models import Report

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("demo_data")]

FORM = "/reports/2023Q3/370481/"
SUMMARY = "/summary/2023Q3/370400/"
PHONE = {"width": 390, "height": 844}
CORRECT = {
    "invention_grants": "150",
    "valid_inventions": "860",
    "certified_enterprises": "4",
    "pct_applications": "1",
    "infringement_rulings": "0",
}


def _fill(page, figures):
    for code, value in figures.items():
        page.fill(f"#id_{code}", value)


def _tengzhou_q3_report():
    return Report.objects.get(unit__code="370481", period__year=2023, period__number=3)


def _no_horizontal_scroll(page):
    return page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")


def test_clerk_corrects_refused_figures_submits_and_office_downloads_the_table(
    live_server, open_page, log_in, shot, console_errors, tmp_path
):
    clerk = open_page()
    log_in(clerk, "tengzhou")
    expect(clerk.locator("main")).to_contain_text("2023年前三季度")
    clerk.get_by_role("link", name="填报本期数据").click()
    clerk.wait_for_url(f"{live_server.url}{FORM}")
    expect(clerk.locator(".state")).to_have_text("未开始")  # nothing is created by looking

    # Live feedback while typing: 118 of 196 is 60.2%, 14.8 points behind 75%.
    clerk.locator("#id_invention_grants").press_sequentially("118")
    live = clerk.locator("[data-live-for=id_invention_grants]")
    expect(live).to_contain_text("序时进度")
    expect(live).to_have_text("完成年指导目标 60.2%，低于序时进度14.8个百分点")
    shot(clerk, "live-feedback")
    # Full-width digits, as a Chinese input method types them, read the same (as the server).
    clerk.fill("#id_invention_grants", "１１８")
    expect(live).to_have_text("完成年指导目标 60.2%，低于序时进度14.8个百分点")

    # Not a number: refused next to the field, the rest kept as typed, nothing saved.
    _fill(clerk, {**CORRECT, "invention_grants": "abc"})
    clerk.click("button[name=action][value=save]")
    grants_error = clerk.locator("#id_invention_grants-error")
    expect(grants_error).to_have_text("“abc”不是数字，请只填阿拉伯数字。")
    expect(clerk.locator(".error-summary")).to_contain_text("没有保存")
    expect(clerk.locator(".error-summary")).to_contain_text("发明专利授权量：“abc”不是数字")
    expect(clerk.locator("p.error")).to_have_count(1)
    expect(clerk.locator("#id_valid_inventions")).to_have_value("860")
    expect(clerk.locator(".messages")).to_have_count(0)
    shot(clerk, "refused-not-a-number")
    # A refused save creates nothing: no report, no figure.
    assert not Report.objects.filter(
        unit__code="370481", period__year=2023, period__number=3
    ).exists()

    # Below last quarter's 104, which a year-to-date count cannot be: refused on submit.
    _fill(clerk, {**CORRECT, "invention_grants": "50"})
    expect(live).to_have_text("累计数不能小于上季度（2023年上半年）的 104件。")
    clerk.click("button[name=action][value=submit]")
    expect(grants_error).to_contain_text("不能小于上季度（2023年上半年）的 104件")
    expect(clerk.locator(".error-summary")).to_contain_text("没有保存")
    expect(clerk.locator(".state")).to_have_text("未开始")  # a refused save creates nothing
    shot(clerk, "refused-below-last-quarter")
    assert not Report.objects.filter(
        unit__code="370481", period__year=2023, period__number=3
    ).exists()

    # A fresh look at the form shows nothing was kept from either attempt.
    clerk.goto(f"{live_server.url}{FORM}")
    for code in CORRECT:
        expect(clerk.locator(f"#id_{code}")).to_have_value("")

    _fill(clerk, CORRECT)
    expect(live).to_have_text("完成年指导目标 76.5%，高于序时进度1.5个百分点")
    clerk.click("button[name=action][value=submit]")
    expect(clerk.locator(".messages li")).to_have_text("2023年前三季度滕州市的数据已报送。")
    expect(clerk.locator(".state")).to_have_text("已报送")
    expect(clerk.locator("#id_invention_grants")).to_have_text("150")
    expect(clerk.locator("button[name=action]")).to_have_count(0)
    shot(clerk, "submitted")
    report = _tengzhou_q3_report()
    assert report.state == Report.State.SUBMITTED
    assert {f.indicator.code: f"{f.value.normalize():f}" for f in report.figures.all()} == CORRECT

    office = open_page()
    log_in(office, "office")
    office.goto(f"{live_server.url}{SUMMARY}")
    table = office.locator("table.official")
    expect(table.locator("caption")).to_have_text("2023年前三季度全市知识产权工作情况")
    tengzhou_row = table.locator("tbody tr", has=office.locator("th", has_text="滕州市"))
    expect(tengzhou_row).to_have_count(1)
    assert "150" in tengzhou_row.locator("td").all_inner_texts()
    shot(office, "summary")

    with office.expect_download() as download_info:
        office.get_by_role("link", name="下载 Excel（通报格式）").click()
    download = download_info.value
    assert download.suggested_filename == "2023年前三季度全市知识产权工作情况.xlsx"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)

    ws = openpyxl.load_workbook(io.BytesIO(saved.read_bytes())).active
    assert "2023年前三季度" in ws["A1"].value
    rows = {row[0]: row[1:] for row in ws.iter_rows(min_row=4, values_only=True)}
    assert 150 in rows["滕州市"]
    assert console_errors == []


def test_entry_form_fits_a_phone_and_labels_every_input(
    live_server, open_page, log_in, shot, console_errors
):
    phone = open_page(viewport=PHONE)
    phone.goto(f"{live_server.url}/login/")
    shot(phone, "login")
    assert _no_horizontal_scroll(phone), "login page scrolls sideways on a phone"
    log_in(phone, "tengzhou")
    shot(phone, "home")
    assert _no_horizontal_scroll(phone), "home page scrolls sideways on a phone"

    phone.goto(f"{live_server.url}{FORM}")
    phone.fill("#id_invention_grants", "118")
    shot(phone, "form")
    assert _no_horizontal_scroll(phone), "entry form scrolls sideways on a phone"

    inputs = phone.locator("input.figure-input")
    expect(inputs).to_have_count(len(CORRECT))
    for code in CORRECT:
        expect(phone.locator(f"input#id_{code}")).to_be_visible()
        label = phone.locator(f"label[for=id_{code}]")
        expect(label).to_have_count(1)
        expect(label).to_be_visible()

    # An error must not push the page wider either.
    phone.fill("#id_invention_grants", "abc")
    phone.click("button[name=action][value=save]")
    expect(phone.locator("#id_invention_grants-error")).to_be_visible()
    shot(phone, "form-errors")
    assert _no_horizontal_scroll(phone), "entry form with errors scrolls sideways on a phone"
    assert console_errors == []
