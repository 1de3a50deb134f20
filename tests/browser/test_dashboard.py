"""The dashboards in a real Chromium: a leader finds who is behind, reads the charts, saves one
as an image and downloads the Word circular; a clerk sees their own progress; without
JavaScript the same figures are in tables. All under the site's Content-Security-Policy,
with no console error.
"""

import pytest
from docx import Document
from playwright.sync_api import expect

from districts.models import Unit
from indicators.circular import circular_paragraphs
from indicators.models import Period
from indicators.selectors import summarize
from tests.browser.test_content_security_policy import WATCH

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("demo_data")]

DASHBOARD = "/dashboard/2023Q2/370400/"
PROGRESS = "/progress/2023Q2/370481/"
PHONE = {"width": 390, "height": 844}
CHARTS = [
    "#chart-completion-invention_grants",
    "#chart-ranking-invention_grants",
    "#chart-trend-invention_grants",
]


def _page(open_page, **kwargs):
    page = open_page(**kwargs)
    page.context.add_init_script(WATCH)
    return page


def _drawn(page, selector):
    """The chart's container is shown and ECharts has drawn into it."""
    chart = page.locator(selector)
    expect(chart).to_be_visible()
    expect(chart.locator("canvas, svg").first).to_be_attached()
    box = chart.bounding_box()
    assert box["width"] > 200 and box["height"] > 200, (selector, box)


def _series(page, selector, index=0):
    return page.evaluate(
        """([sel, i]) => {
            const chart = echarts.getInstanceByDom(document.querySelector(sel));
            const data = chart.getOption().series[i].data;
            return data.map(d => (d && typeof d === "object") ? d.value : d);
        }""",
        [selector, index],
    )


def _demo_summary():
    period = Period.objects.get(year=2023, number=2)
    return summarize(period, Unit.objects.get(code="370400"))


def test_leader_finds_who_is_behind_reads_the_charts_and_downloads_the_circular(
    live_server, open_page, log_in, shot, console_errors, tmp_path
):
    page = _page(open_page)
    log_in(page, "viewer")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="数据看板").click()
    page.wait_for_url(f"{live_server.url}/dashboard/2023Q3/370400/")
    # The open quarter has nothing counted yet; the leader picks 上半年 (submitted on change).
    expect(page.locator("#reporting-count")).to_have_text("已报送 0 / 7 个填报单位")
    page.select_option("#pick-period", "2023Q2")
    page.wait_for_url(f"{live_server.url}{DASHBOARD}")

    expect(page.locator("h1")).to_contain_text("2023年上半年全市知识产权工作情况")
    behind = page.locator('.behind-list[data-indicator="invention_grants"] .unit-name')
    expect(behind).to_have_text(["市中区", "峄城区", "台儿庄区", "高新区"])
    s = _demo_summary()
    paragraphs = page.locator("#circular-text p")
    expect(paragraphs).to_have_text(circular_paragraphs(s))

    for selector in CHARTS:
        _drawn(page, selector)
        # Drawn: the table moves behind its 数据表 toggle, one click away.
        table = page.locator(selector).locator("xpath=..").locator("details.chart-table")
        expect(table).not_to_have_attribute("open", "")
    # What is drawn is the summary's.
    drawn = _series(page, CHARTS[0])
    assert drawn == [float(r.cells["invention_grants"].completion) for r in s.all_rows]
    shot(page, "dashboard")

    # A tooltip on hover: drawn on the canvas, nothing the policy refuses. ECharts says when
    # it shows one (its showTip event), and where it put its toolbox (the chart's option).
    chart = page.locator(CHARTS[0])
    chart.scroll_into_view_if_needed()
    page.evaluate(
        """sel => {
            window.__tipShown = false;
            echarts.getInstanceByDom(document.querySelector(sel))
                .on("showTip", () => { window.__tipShown = true; });
        }""",
        CHARTS[0],
    )
    box = chart.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_function("() => window.__tipShown === true")
    # ECharts' save-as-image: the toolbox's first icon, where the chart's option puts it.
    icon = page.evaluate(
        """sel => {
            const c = echarts.getInstanceByDom(document.querySelector(sel));
            const t = c.getOption().toolbox[0];
            return {x: c.getWidth() - t.right - t.itemSize / 2, y: t.top + t.itemSize / 2};
        }""",
        CHARTS[0],
    )
    with page.expect_download() as image:
        page.mouse.click(box["x"] + icon["x"], box["y"] + icon["y"])
    assert image.value.suggested_filename == "2023年上半年发明专利授权量目标完成情况.png"

    # Another indicator's ranking: the choice submits itself and the chart is redrawn.
    page.select_option("#pick-rank", "certified_enterprises")
    page.wait_for_url("**rank=certified_enterprises**")
    _drawn(page, "#chart-ranking-certified_enterprises")
    assert _series(page, "#chart-ranking-certified_enterprises")[:2] == [21, 4]

    # The Word circular, read back.
    with page.expect_download() as circular:
        page.get_by_role("link", name="下载 Word 通报").click()
    assert circular.value.suggested_filename == "2023年上半年全市知识产权工作情况通报.docx"
    path = tmp_path / "通报.docx"
    circular.value.save_as(path)
    doc = Document(str(path))
    assert doc.paragraphs[0].text == "2023年上半年全市知识产权工作情况通报"
    (table,) = doc.tables
    assert [c.text for c in table.rows[-1].cells][:4] == ["全市", "326", "737", "44.20"]

    assert console_errors == []


def test_the_generated_text_is_copied_with_one_click(
    live_server, open_page, log_in, console_errors
):
    page = _page(open_page)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    log_in(page, "office")
    page.goto(f"{live_server.url}{DASHBOARD}")
    button = page.locator("button[data-copy]")
    expect(button).to_have_text("复制文字")
    button.click()
    expect(button).to_have_text("已复制")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.split("\n") == circular_paragraphs(_demo_summary())
    assert console_errors == []


def test_clerk_sees_own_progress_rank_and_gap_on_a_phone(
    live_server, open_page, log_in, shot, console_errors
):
    page = _page(open_page, viewport=PHONE)
    log_in(page, "tengzhou")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="本单位进度").click()
    page.wait_for_url(f"{live_server.url}/progress/2023Q3/370481/")
    expect(page.locator(".notice")).to_contain_text("本单位本期数据尚未报送")
    page.select_option("#pick-period", "2023Q2")
    page.wait_for_url(f"{live_server.url}{PROGRESS}")
    grants = page.locator('.metric[data-indicator="invention_grants"]')
    expect(grants).to_contain_text("高于序时进度3.1个百分点")
    expect(grants).to_contain_text("第 3 名（共 7 个单位）")
    _drawn(page, "#chart-progress")
    assert _series(page, "#chart-progress") == [53.1]
    _drawn(page, "#chart-trend-invention_grants")
    assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")
    shot(page, "clerk-progress-phone")
    assert console_errors == []


def test_without_javascript_every_chart_is_a_table(live_server, browser, log_in, shot):
    context = browser.new_context(java_script_enabled=False, locale="zh-CN")
    page = context.new_page()
    try:
        log_in(page, "office")
        page.goto(f"{live_server.url}{DASHBOARD}")
        for selector in CHARTS:
            expect(page.locator(selector)).to_be_hidden()
        tables = page.locator("details.chart-table table")
        expect(tables).to_have_count(3)
        expect(tables.first).to_be_visible()
        first_row = tables.first.locator("tbody tr").first.locator("th, td")
        expect(first_row).to_have_text(["滕州市", "104", "196", "53.10", "+3.1", "3"])
        expect(page.get_by_role("button", name="复制文字")).to_be_hidden()
        shot(page, "dashboard-without-javascript")
    finally:
        context.close()


# A4 landscape less print.css's 12 mm margins: 273 mm at 96 px to the inch.
A4_LANDSCAPE_PRINTABLE = {"width": 1031, "height": 737}


def test_pages_print_without_navigation_and_fit_a4_landscape(
    live_server, open_page, log_in, console_errors
):
    page = _page(open_page, viewport=A4_LANDSCAPE_PRINTABLE)
    log_in(page, "office")
    for url in ("/summary/2023Q2/370400/", DASHBOARD):
        page.goto(f"{live_server.url}{url}")
        page.emulate_media(media="print")
        expect(page.locator(".site-header")).to_be_hidden()
        expect(page.locator("form.picker").first).to_be_hidden()
        expect(page.locator("main h1")).to_be_visible()
        assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth"), url
        page.emulate_media(media="screen")
    # Printed, the dashboard keeps its charts and drops its controls.
    page.emulate_media(media="print")
    for selector in CHARTS:
        expect(page.locator(selector)).to_be_visible()
    expect(page.locator("button[data-copy]")).to_be_hidden()
    assert console_errors == []
