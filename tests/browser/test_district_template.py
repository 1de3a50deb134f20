"""滕州市's clerk fills 2023 前三季度 offline: downloads the Excel template, fills it (here with
openpyxl, as Excel or WPS would), uploads it, checks the preview and confirms; the figures
are saved as a draft, still to be submitted.

Demo data: 滕州市 reported 104 grants and 828 valid patents at 2023 Q2.
"""

import openpyxl
import pytest
from playwright.sync_api import expect

from indicators.models import Report

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("demo_data")]

FORM = "/reports/2023Q3/370481/"
TEMPLATE = "/sheets/template/2023Q3/370481/"
# Rows 7–11 of the template hold the five indicators in the office's order; E is the value.
TYPED = {"E7": 150, "E8": 860, "E9": 4, "E10": 1, "E11": 0}


def test_clerk_downloads_fills_uploads_previews_and_confirms_the_template(
    live_server, open_page, log_in, shot, console_errors, tmp_path
):
    page = open_page()
    log_in(page, "tengzhou")
    page.get_by_role("link", name="用 Excel 模板填报").click()
    page.wait_for_url(f"{live_server.url}{TEMPLATE}")
    shot(page, "template-page")

    with page.expect_download() as info:
        page.get_by_role("link", name="下载 Excel 模板").click()
    download = info.value
    assert download.suggested_filename == "2023年前三季度滕州市填报模板.xlsx"
    path = tmp_path / download.suggested_filename
    download.save_as(path)

    book = openpyxl.load_workbook(path)
    sheet = book["填报表"]
    assert sheet["A2"].value == "填报单位：滕州市（370481）"
    assert sheet["F7"].value == 104  # last quarter, for reference
    for address, value in TYPED.items():
        sheet[address] = value
    sheet["J7"] = "本季度授权集中下证"
    book.save(path)

    page.locator("input[type=file]").set_input_files(str(path))
    page.get_by_role("button", name="上传并预览").click()
    preview = page.locator("#preview")
    expect(preview).to_contain_text("核对上传的表格")
    row = preview.locator("tr", has_text="发明专利授权量")
    expect(row).to_contain_text("（空）")
    expect(row).to_contain_text("150")
    expect(row).to_contain_text("本季度授权集中下证")
    shot(page, "preview")
    # Nothing is written before the confirmation; not even an empty report.
    assert not Report.objects.filter(
        unit__code="370481", period__year=2023, period__number=3
    ).exists()

    page.get_by_role("button", name="确认，保存为草稿").click()
    page.wait_for_url(f"{live_server.url}{FORM}")
    expect(page.locator(".messages")).to_contain_text("已按上传的表格保存草稿")
    expect(page.locator(".state")).to_have_text("草稿")
    expect(page.locator("#id_invention_grants")).to_have_value("150")
    shot(page, "saved-draft")

    report = Report.objects.get(unit__code="370481", period__year=2023, period__number=3)
    assert report.state == Report.State.DRAFT
    assert {f.indicator.code: int(f.value) for f in report.figures.select_related("indicator")} == {
        "invention_grants": 150,
        "valid_inventions": 860,
        "certified_enterprises": 4,
        "pct_applications": 1,
        "infringement_rulings": 0,
    }
    assert console_errors == []


def test_a_template_with_a_wrong_figure_is_refused_in_the_browser(
    live_server, open_page, log_in, shot, tmp_path
):
    page = open_page()
    log_in(page, "tengzhou")
    page.goto(f"{live_server.url}{TEMPLATE}")
    with page.expect_download() as info:
        page.get_by_role("link", name="下载 Excel 模板").click()
    path = tmp_path / "filled.xlsx"
    info.value.save_as(path)
    book = openpyxl.load_workbook(path)
    book["填报表"]["E7"] = 90  # below last quarter's 104: a cumulative figure cannot fall
    book.save(path)

    page.locator("input[type=file]").set_input_files(str(path))
    page.get_by_role("button", name="上传并预览").click()
    alert = page.locator("#preview [role=alert]")
    expect(alert).to_contain_text("E7（发明专利授权量）")
    expect(alert).to_contain_text("不能小于上季度（2023年上半年）的 104件")
    expect(page.get_by_role("button", name="确认，保存为草稿")).to_have_count(0)
    shot(page, "refused")
