"""The clerk's entry form: who may open it, what it shows, what it refuses."""

from decimal import Decimal as D

import pytest
from django.urls import reverse

from indicators.models import Figure, FigureChange, Period, Report

GOOD = {
    "invention_grants": "150",
    "valid_inventions": "860",
    "certified_enterprises": "4",
    "pct_applications": "1",
    "infringement_rulings": "0",
}


def url(period="2023Q3", unit="370481"):
    return reverse("indicators:report_edit", args=[period, unit])


def post(client, data=None, action="save", version=0, period="2023Q3", unit="370481"):
    payload = {**GOOD, **(data or {}), "version": version, "action": action}
    return client.post(url(period, unit), payload)


def stored(unit_code="370481", year=2023, quarter=3):
    return {
        f.indicator.code: f.value
        for f in Figure.objects.filter(
            report__unit__code=unit_code, report__period__year=year, report__period__number=quarter
        ).select_related("indicator")
    }


def test_anonymous_is_sent_to_login(seed, client):
    response = client.get(url())
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_clerk_sees_their_form_with_target_last_quarter_and_last_year_end(
    client_for, tengzhou_clerk
):
    response = client_for(tengzhou_clerk).get(url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "2023年前三季度 · 滕州市" in html
    lines = {line.indicator.code: line for line in response.context["form"].lines}
    assert lines["invention_grants"].target == D(196)
    assert lines["invention_grants"].previous == D(104)
    assert lines["valid_inventions"].last_year_end == D(739)
    assert lines["valid_inventions"].previous == D(828)
    assert 'for="id_invention_grants"' in html
    assert "<script>" not in html  # JavaScript only from static files


def test_clerk_cannot_open_another_districts_report(client_for, xuecheng_clerk):
    assert client_for(xuecheng_clerk).get(url(unit="370481")).status_code == 404
    assert client_for(xuecheng_clerk).post(url(unit="370481"), GOOD).status_code == 404
    assert not Report.objects.filter(unit__code="370481", period__number=3).exists()


@pytest.mark.parametrize("who", ["office", "viewer"])
def test_office_and_viewer_cannot_use_the_clerk_form(seed, client_for, who, request):
    user = request.getfixturevalue(who)
    # The office enters its own unit's figures only: a district's form is out of its reach.
    assert client_for(user).get(url()).status_code == (404 if who == "office" else 403)


def test_unknown_period_is_404(client_for, tengzhou_clerk):
    assert client_for(tengzhou_clerk).get(url(period="2031Q1")).status_code == 404
    assert client_for(tengzhou_clerk).get(url(period="2023Q9")).status_code == 404


def test_clerk_saves_a_draft_then_submits(client_for, tengzhou_clerk):
    c = client_for(tengzhou_clerk)
    c.get(url())
    response = post(c, version=0)
    assert response.status_code == 302
    report = Report.objects.get(unit__code="370481", period__number=3, period__year=2023)
    assert report.state == Report.State.DRAFT
    assert stored() == {k: D(v) for k, v in GOOD.items()}
    response = post(c, {"invention_grants": "151"}, action="submit", version=report.version)
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.state == Report.State.SUBMITTED
    assert report.submitted_by == tengzhou_clerk
    assert stored()["invention_grants"] == D(151)
    change = FigureChange.objects.filter(report=report, indicator__code="invention_grants").first()
    assert (change.old_value, change.new_value, change.changed_by) == (
        D(150),
        D(151),
        tengzhou_clerk,
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "请填写发明专利授权量"),
        ("abc", "不是数字"),
        ("-5", "不能为负数"),
        ("150.5", "只能填整数"),
        ("100", "不能小于上季度（2023年上半年）的 104件"),
    ],
)
def test_bad_input_gets_a_chinese_message_next_to_the_field_and_saves_nothing(
    client_for, tengzhou_clerk, value, message
):
    c = client_for(tengzhou_clerk)
    c.get(url())
    response = post(c, {"invention_grants": value}, action="submit")
    assert response.status_code == 200
    form = response.context["form"]
    assert any(message in e for e in form.errors["invention_grants"])
    html = response.content.decode()
    assert 'id="id_invention_grants-error"' in html
    assert message in html
    assert stored() == {}
    # Nothing is created by looking or by a refused save.
    assert not Report.objects.filter(
        unit__code="370481", period__number=3, period__year=2023
    ).exists()


def test_a_draft_may_leave_figures_blank_and_clear_one_later(client_for, tengzhou_clerk):
    c = client_for(tengzhou_clerk)
    c.get(url())
    blanks = {code: "" for code in GOOD}
    assert post(c, {**blanks, "invention_grants": "120"}).status_code == 302
    assert stored() == {"invention_grants": D(120)}
    assert post(c, blanks, version=1).status_code == 302
    assert stored() == {}
    change = FigureChange.objects.filter(indicator__code="invention_grants").first()
    assert (change.old_value, change.new_value) == (D(120), None)
    response = post(c, blanks, action="submit", version=2)
    assert response.status_code == 200
    assert "请填写发明专利授权量" in response.content.decode()
    assert (
        Report.objects.get(unit__code="370481", period__number=3, period__year=2023).state
        == "draft"
    )


def test_a_stock_may_fall_below_last_quarter(client_for, tengzhou_clerk):
    c = client_for(tengzhou_clerk)
    c.get(url())
    assert post(c, {"valid_inventions": "800"}).status_code == 302
    assert stored()["valid_inventions"] == D(800)


def test_a_submitted_report_cannot_be_changed_by_the_clerk(client_for, tengzhou_clerk):
    c = client_for(tengzhou_clerk)
    c.get(url())
    post(c, action="submit")
    report = Report.objects.get(unit__code="370481", period__number=3, period__year=2023)
    response = post(c, {"invention_grants": "999"}, version=report.version)
    assert response.status_code == 200
    assert "只能查看" in response.content.decode()
    assert stored()["invention_grants"] == D(150)


def test_a_closed_period_cannot_be_edited(client_for, tengzhou_clerk):
    Period.objects.filter(year=2023, number=3).update(status=Period.Status.CLOSED)
    c = client_for(tengzhou_clerk)
    response = post(c)
    assert response.status_code == 200
    assert "不在填报期内" in response.content.decode()
    assert stored() == {}


def test_a_later_save_from_a_stale_form_is_refused_and_shows_current_figures(
    client_for, tengzhou_clerk
):
    first_tab = client_for(tengzhou_clerk)
    second_tab = client_for(tengzhou_clerk)
    first_tab.get(url())
    second_tab.get(url())
    assert post(first_tab, {"invention_grants": "160"}, version=0).status_code == 302
    response = post(second_tab, {"invention_grants": "170"}, version=0)
    assert response.status_code == 200
    html = response.content.decode()
    assert "没有保存" in html
    assert "170" in html  # what the clerk typed is shown, not lost
    assert response.context["form"].initial["invention_grants"] == "160"
    assert stored()["invention_grants"] == D(160)


def test_an_approved_period_shows_read_only_figures(client_for, tengzhou_clerk):
    response = client_for(tengzhou_clerk).get(url(period="2023Q2"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "只能查看" in html
    assert 'name="invention_grants"' not in html
    assert ">104<" in html


def test_a_refused_stale_save_shows_the_explanations_typed_too(client_for, tengzhou_clerk):
    first_tab, second_tab = client_for(tengzhou_clerk), client_for(tengzhou_clerk)
    first_tab.get(url())
    second_tab.get(url())
    post(first_tab, {"invention_grants": "160"}, version=0)
    response = post(
        second_tab, {"valid_inventions": "800", "explain_valid_inventions": "28件因未缴年费失效"}
    )
    assert "28件因未缴年费失效" in response.content.decode()


def test_looking_at_a_closed_period_creates_no_report(client_for, tengzhou_clerk):
    from indicators.models import Period

    Period.objects.create(year=2022, number=2, status=Period.Status.CLOSED)
    response = client_for(tengzhou_clerk).get(url(period="2022Q2"))
    assert response.status_code == 200
    assert "不在填报期内" in response.content.decode()
    assert not Report.objects.filter(
        unit__code="370481", period__year=2022, period__number=2
    ).exists()


def test_opening_the_form_creates_nothing_until_the_first_save(client_for, tengzhou_clerk):
    c = client_for(tengzhou_clerk)
    response = c.get(url())
    assert response.status_code == 200 and "未开始" in response.content.decode()
    assert not Report.objects.filter(
        unit__code="370481", period__year=2023, period__number=3
    ).exists()
    assert post(c).status_code == 302
    assert (
        Report.objects.get(unit__code="370481", period__year=2023, period__number=3).state
        == "draft"
    )


def test_full_width_digits_are_saved_as_the_live_feedback_reads_them(client_for, tengzhou_clerk):
    c = client_for(tengzhou_clerk)
    assert post(c, {"invention_grants": "１５０", "valid_inventions": "８６０"}).status_code == 302
    assert stored()["invention_grants"] == D(150) and stored()["valid_inventions"] == D(860)


def test_the_office_enters_the_citys_own_figures_on_the_same_form(client_for, office, city):
    """The city-wide figures no district breaks down: the office enters them for the city."""
    from indicators.models import Period, Report
    from indicators.selectors import summarize

    c = client_for(office)
    form_url = reverse("indicators:report_edit", args=["2023Q3", "370400"])
    response = c.get(form_url)
    assert response.status_code == 200
    codes = [line.indicator.code for line in response.context["form"].lines]
    assert "new_trademarks" in codes and "invention_grants" not in codes
    home = c.get(reverse("indicators:home")).content.decode()
    assert "枣庄市本级填报" in home
    raw = {code: "70000" for code in codes}  # above 上半年 for every cumulative one
    raw |= {"new_trademarks": "４８００", "version": 0, "action": "save"}  # full-width
    saved = c.post(form_url, raw)
    assert saved.status_code == 302, saved.context["form"].errors
    report = Report.objects.get(unit=city, period__year=2023, period__number=3)
    assert report.figures.get(indicator__code="new_trademarks").value == 4800
    # Not counted until it is submitted, as any unit's report.
    q3 = Period.objects.get(year=2023, number=3)
    assert summarize(q3, city).total.cells["new_trademarks"].value is None
    raw |= {"version": report.version, "action": "submit"}
    assert c.post(form_url, raw).status_code == 302
    assert summarize(q3, city).total.cells["new_trademarks"].value == 4800
    # The districts' rows have none of it: nobody below reports a city-wide figure.
    assert summarize(q3, city).rows[0].cells["new_trademarks"].expected == 0


def test_a_return_and_a_reopening_are_told_apart_on_the_form(client_for, tengzhou_clerk, office):
    from indicators import services

    c = client_for(tengzhou_clerk)
    post(c, GOOD, action="submit")
    report = Report.objects.get(unit__code="370481", period__year=2023, period__number=3)
    services.report_return(
        report_id=report.pk, user=office, reason="请核对授权量", expected_version=report.version
    )
    page = c.get(url()).content.decode()
    assert "退回原因：</strong>请核对授权量" in page and "重新打开" not in page
    report.refresh_from_db()
    post(c, GOOD, action="submit", version=report.version)
    report.refresh_from_db()
    services.report_approve(report_id=report.pk, user=office, expected_version=report.version)
    report.refresh_from_db()
    services.report_reopen(
        report_id=report.pk, user=office, reason="补充说明", expected_version=report.version
    )
    page = c.get(url()).content.decode()
    assert "已审核的表被重新打开：</strong>补充说明" in page
