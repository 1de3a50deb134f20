"""The office issues the 2023 Q3 circular, reopens 滕州市's approved report; the clerk changes a
figure and resubmits; the office approves it, sees the issued circular is out of date and
issues a 更正 listing the change. The issued Word file downloads the same bytes throughout."""

from decimal import Decimal as D

import pytest
from playwright.sync_api import expect

from circulars.models import Circular
from districts.models import Unit
from indicators.models import Period, Report
from tests.fixtures.reports import counted

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("demo_data")]

PAGE = "/circulars/2023Q3/370400/"
FORM = "/reports/2023Q3/370481/"
REVIEW = "/review/2023Q3/370481/"
# 2023 Q3 of every district, above its Q2: grants, valid, certified, PCT, rulings.
Q3 = {
    "370481": (150, 860, 4, 1, 0),
    "370403": (60, 640, 3, 0, 0),
    "370402": (90, 590, 2, 3, 2),
    "370406": (40, 190, 0, 0, 0),
    "370404": (30, 360, 4, 1, 0),
    "370405": (30, 375, 1, 1, 0),
    "370400GX": (70, 590, 22, 2, 1),
}
CODES = ["invention_grants", "valid_inventions", "certified_enterprises", "pct_applications"]


def _approved_q3():
    period = Period.objects.get(frequency="Q", year=2023, number=3)
    for code, values in Q3.items():
        figures = dict(zip([*CODES, "infringement_rulings"], map(D, values), strict=True))
        counted(Unit.objects.get(code=code), period, figures, state=Report.State.APPROVED)


def _download(page, link_name) -> bytes:
    with page.expect_download() as info:
        page.get_by_role("link", name=link_name).first.click()
    with open(info.value.path(), "rb") as f:
        return f.read()


def test_issue_reopen_change_and_correct(live_server, open_page, log_in, shot, console_errors):
    _approved_q3()
    office = open_page()
    log_in(office, "office")
    office.goto(f"{live_server.url}{PAGE}")
    expect(office.locator(".circular-preview")).to_contain_text("发明专利授权量470件")
    asked = []
    office.on("dialog", lambda dialog: asked.append(dialog.message))
    office.get_by_role("button", name="印发", exact=True).click()
    expect(office.locator("#circular-number")).to_contain_text("枣知战办〔")
    # 印发 takes a number for good: the office was asked first (and answered 确定).
    assert asked and "确定印发吗" in asked[0]
    expect(office.locator("#up-to-date")).to_be_visible()
    issued = _download(office, "下载 Word")
    shot(office, "issued")

    office.goto(f"{live_server.url}{REVIEW}")
    office.fill("#reopen-reason", "授权量应按国知局口径核对")
    office.get_by_role("button", name="重新打开").click()
    expect(office.locator(".messages")).to_be_visible()

    clerk = open_page()
    log_in(clerk, "tengzhou")
    clerk.goto(f"{live_server.url}{FORM}")
    clerk.fill("#id_invention_grants", "148")
    clerk.locator("button[name=action][value=submit]").click()
    expect(clerk.locator(".messages")).to_contain_text("的数据已报送")

    office.goto(f"{live_server.url}{REVIEW}")
    office.get_by_role("button", name="审核通过").click()
    expect(office.locator(".messages")).to_be_visible()

    office.goto(f"{live_server.url}{PAGE}")
    changes = office.locator("#out-of-date")
    expect(changes).to_contain_text("滕州市")
    expect(changes).to_contain_text("150")
    expect(changes).to_contain_text("148")
    shot(office, "out-of-date")
    office.get_by_role("button", name="印发更正").click()
    corrections = office.locator("section[aria-labelledby=corrections-title]")
    expect(corrections).to_contain_text("滕州市发明专利授权量（件数）：150更正为148。")
    expect(office.locator("#up-to-date")).to_be_visible()
    shot(office, "corrected")

    # The circular as issued is the same file after the change and the correction.
    assert _download(office, "下载 Word") == issued
    original = Circular.objects.get(kind=Circular.Kind.CIRCULAR)
    correction = Circular.objects.get(kind=Circular.Kind.CORRECTION)
    assert correction.corrects == original
    assert correction.serial == original.serial + 1
    assert console_errors == []
