"""A monthly path end to end: 2025M07 opened, a clerk enters, the office approves, the table,
its files and its text; the cumulative rule, net growth, 同比 and 序时进度 of a month."""

import io
from decimal import Decimal as D

import openpyxl
import pytest
from django.urls import reverse

from indicators.models import Figure, Report
from indicators.selectors import summarize, trend
from tests.fixtures.monthly import monthly_set

FORM = reverse("indicators:report_edit", args=["2025M07", "370481"])
# 滕州市's 2025年1—7月, as the clerk submits it (with the explanation its 同比 asks for).
SUBMITTED = {
    "monthly_grants": "14",
    "monthly_valid": "110",
    "explain_monthly_grants": "两家企业集中授权",
    "version": 0,
    "action": "submit",
}


@pytest.fixture
def july(office):
    return monthly_set(office)


def test_the_month_asks_only_its_own_indicators_with_the_months_references(
    client_for, tengzhou_clerk, july
):
    response = client_for(tengzhou_clerk).get(FORM)
    assert response.status_code == 200
    lines = {line.indicator.code: line for line in response.context["form"].lines}
    assert set(lines) == {"monthly_grants", "monthly_valid"}
    assert lines["monthly_grants"].previous == D(10)  # 2025年1—6月
    assert lines["monthly_grants"].target == D(20)
    assert lines["monthly_valid"].last_year_end == D(100)  # 2024M12
    assert lines["monthly_grants"].same_last_year == D(5)  # 2024年1—7月
    html = response.content.decode()
    assert "2025年1—7月" in html and "上月" in html
    assert "58.3%" in html  # 序时进度: 7 ÷ 12


def test_a_clerk_enters_the_office_approves_and_the_table_follows(
    client_for, tengzhou_clerk, office, city, july
):
    clerk = client_for(tengzhou_clerk)
    refused = clerk.post(
        FORM, {"monthly_grants": "8", "monthly_valid": "110", "version": 0, "action": "submit"}
    )
    assert "不能小于上月（2025年1—6月）的 10件" in refused.content.decode()
    assert not Report.objects.filter(period=july).exists()
    done = clerk.post(
        FORM,
        {
            "monthly_grants": "14",
            "monthly_valid": "110",
            "explain_monthly_grants": "两家企业集中授权",  # +180% on 2024年1—7月
            "version": 0,
            "action": "submit",
        },
    )
    assert done.status_code == 302
    report = Report.objects.get(period=july, unit__code="370481")
    review = reverse("indicators:review", args=["2025M07", "370481"])
    approved = client_for(office).post(review, {"action": "approve", "version": report.version})
    assert approved.status_code == 302
    report.refresh_from_db()
    assert report.state == Report.State.APPROVED
    assert Figure.objects.filter(report=report).count() == 2

    s = summarize(july, city)
    assert s.title == "2025年1—7月全市知识产权工作情况"
    tengzhou = s.rows[0].cells
    assert tengzhou["monthly_grants"].completion == D("70.0")  # 14 of 20
    assert tengzhou["monthly_grants"].gap == D("11.7")  # 70.0 − 58.33…
    assert tengzhou["monthly_grants"].yoy == D("180.00")  # (14 − 5) ÷ 5
    assert tengzhou["monthly_valid"].net_growth == D(10)  # 110 − 100 at the end of 2024
    assert s.total.cells["monthly_grants"].partial  # one unit of seven


def test_the_months_files_and_text_name_the_month_as_the_office_does(
    client_for, office, city, july
):
    c = client_for(office)
    page = c.get(reverse("indicators:summary", args=["2025M07", "370400"]))
    assert page.status_code == 200
    assert "2025年1—7月全市知识产权工作情况" in page.content.decode()
    xlsx = c.get(reverse("indicators:summary_xlsx", args=["2025M07", "370400"]))
    ws = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert ws["A1"].value == "2025年1—7月全市知识产权工作情况"
    docx = c.get(reverse("indicators:summary_docx", args=["2025M07", "370400"]))
    assert docx.status_code == 200
    dashboard = c.get(reverse("indicators:dashboard", args=["2025M07", "370400"]))
    assert dashboard.status_code == 200


def test_a_stock_of_a_month_is_written_at_the_months_end(
    office, city, july, tengzhou_clerk, tengzhou
):
    from indicators.circular import figures_paragraph

    june = summarize(july.__class__.objects.get(frequency="M", year=2025, number=6), city)
    text = figures_paragraph(june)
    assert text.startswith("2025年1—6月，全市发明专利授权量（月度）")
    assert "截至2025年6月底，全市有效发明专利拥有量（月度）" in text


def test_the_trend_of_a_month_runs_over_the_months(office, city, july):
    t = trend(july, city)
    assert t.labels[0] == "1月" and t.labels[-1] == "12月"
    assert t.summaries[(2025, 6)] is not None and t.summaries[(2024, 12)] is not None
    assert t.summaries[(2025, 8)] is None


def test_a_months_completeness_extension_and_reminders(
    client_for, tengzhou_clerk, office, city, july
):
    import datetime

    from django.core.management import call_command

    from indicators import services
    from indicators.selectors import completeness
    from notices.models import Notice

    client_for(tengzhou_clerk).post(FORM, SUBMITTED)
    c = completeness(july, city)
    assert c.counts["reported"] == 1 and c.counts["missing"] == 6
    page = client_for(office).get(reverse("indicators:completeness", args=["2025M07", "370400"]))
    assert page.status_code == 200 and "2025年1—7月" in page.content.decode()
    # Past the month's deadline a unit that has not reported gets an extension and a reminder.
    xuecheng = city.children.get(code="370403")
    later = july.deadline + datetime.timedelta(days=1)
    services.extension_grant(
        period=july,
        unit=xuecheng,
        until=later + datetime.timedelta(days=3),
        reason="系统故障",
        user=office,
    )
    assert Notice.objects.filter(topic="period:2025M07", kind=Notice.Kind.EXTENSION).exists()
    call_command("remind_deadlines", days=30, stdout=io.StringIO())
    reminders = Notice.objects.filter(topic="period:2025M07", kind=Notice.Kind.REMINDER)
    assert reminders.filter(message__contains="2025年1—7月").count() == 6
    assert not reminders.filter(user=tengzhou_clerk).exists()


def test_export_summary_takes_a_months_code(tmp_path, july, tengzhou_clerk, client_for):
    from django.core.management import call_command

    client_for(tengzhou_clerk).post(FORM, SUBMITTED)
    out = tmp_path / "july.xlsx"
    call_command("export_summary", "2025M07", "-o", str(out), stdout=io.StringIO())
    ws = openpyxl.load_workbook(out).active
    assert "2025年1—7月" in str(ws["A1"].value)
    assert any(c.value == "滕州市" for row in ws.iter_rows() for c in row)
