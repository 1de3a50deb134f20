"""The office's review, completeness and extension pages, and the clerk's notices."""

import datetime
from decimal import Decimal as D

import pytest
from django.urls import reverse

from indicators import services
from indicators.models import Figure, Report
from notices.models import Notice
from tests.fixtures.reports import return_

GOOD = {
    "invention_grants": "150",
    "valid_inventions": "860",
    "certified_enterprises": "4",
    "pct_applications": "1",
    "infringement_rulings": "0",
}
REVIEW = reverse("indicators:review", args=["2023Q3", "370481"])
COMPLETENESS = reverse("indicators:completeness", args=["2023Q3", "370400"])


@pytest.fixture
def submitted(tengzhou, q3_2023, tengzhou_clerk):
    report = Report(unit=tengzhou, period=q3_2023)
    report = services.report_save(
        unit=report.unit,
        period=report.period,
        raw=GOOD,
        expected_version=0,
        submit=True,
        user=tengzhou_clerk,
    )
    return Report.objects.get(pk=report.pk)


@pytest.mark.parametrize("target", [REVIEW, COMPLETENESS])
@pytest.mark.parametrize("who", ["tengzhou_clerk", "viewer"])
def test_clerks_and_viewers_cannot_review(seed, client_for, submitted, who, target, request):
    c = client_for(request.getfixturevalue(who))
    assert c.get(target).status_code == 403
    assert c.post(REVIEW, {"action": "approve"}).status_code == 403
    submitted.refresh_from_db()
    assert submitted.state == Report.State.SUBMITTED


def test_office_approves_from_the_review_page(client_for, office, submitted):
    c = client_for(office)
    html = c.get(REVIEW).content.decode()
    assert "审核通过" in html and "退回" in html
    response = c.post(REVIEW, {"action": "approve", "version": submitted.version})
    assert response.status_code == 302 and response.url == COMPLETENESS
    submitted.refresh_from_db()
    assert submitted.state == Report.State.APPROVED


def test_return_without_a_reason_shows_the_message_next_to_the_field(client_for, office, submitted):
    response = client_for(office).post(
        REVIEW, {"action": "return", "reason": "  ", "version": submitted.version}
    )
    assert response.status_code == 200
    assert 'id="return-error"' in response.content.decode()
    assert "请填写退回原因" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.state == Report.State.SUBMITTED


def test_clerk_sees_the_return_reason_and_the_reviewer_sees_what_changed(
    client_for, office, tengzhou_clerk, submitted
):
    client_for(office).post(
        REVIEW,
        {"action": "return", "reason": "授权量请按国知局口径核对", "version": submitted.version},
    )
    clerk = client_for(tengzhou_clerk)
    home = clerk.get(reverse("indicators:home")).content.decode()
    assert "授权量请按国知局口径核对" in home
    form_url = reverse("indicators:report_edit", args=["2023Q3", "370481"])
    assert "授权量请按国知局口径核对" in clerk.get(form_url).content.decode()
    submitted.refresh_from_db()
    clerk.post(
        form_url,
        {**GOOD, "invention_grants": "148", "version": submitted.version, "action": "submit"},
    )
    submitted.refresh_from_db()
    assert submitted.state == Report.State.SUBMITTED
    review = client_for(office).get(REVIEW)
    changes = review.context["changes"]
    assert [(c.indicator.code, c.old, c.new) for c in changes] == [
        ("invention_grants", D(150), D(148))
    ]
    assert "退回后修改的数字" in review.content.decode()


def test_clerk_post_to_a_submitted_report_changes_nothing(client_for, tengzhou_clerk, submitted):
    form_url = reverse("indicators:report_edit", args=["2023Q3", "370481"])
    client_for(tengzhou_clerk).post(
        form_url,
        {**GOOD, "invention_grants": "999", "version": submitted.version, "action": "submit"},
    )
    assert Figure.objects.get(report=submitted, indicator__code="invention_grants").value == D(150)


def test_reviewer_sees_the_clerks_explanation_next_to_the_figure(
    client_for, office, tengzhou, q3_2023, tengzhou_clerk
):
    report = Report(unit=tengzhou, period=q3_2023)
    report = services.report_save(
        unit=report.unit,
        period=report.period,
        raw={**GOOD, "valid_inventions": "800", "explain_valid_inventions": "28件因未缴年费失效"},
        expected_version=0,
        submit=True,
        user=tengzhou_clerk,
    )
    html = client_for(office).get(REVIEW).content.decode()
    assert "存量下降" in html and "28件因未缴年费失效" in html


def test_review_of_another_level_unit_that_does_not_exist_is_404(client_for, office):
    assert (
        client_for(office).get(reverse("indicators:review", args=["2023Q3", "999"])).status_code
        == 404
    )


def test_completeness_page_lists_every_unit_with_counts(client_for, office, submitted):
    response = client_for(office).get(COMPLETENESS)
    assert response.status_code == 200
    counts = response.context["c"].counts
    assert counts["reported"] == 1 and counts["missing"] == 7
    html = response.content.decode()
    for name in ("枣庄市", "滕州市", "薛城区", "高新区"):
        assert name in html
    assert "滕州市填报员" in html


def test_office_grants_an_extension_from_the_completeness_page(client_for, office, xuecheng_clerk):
    url = reverse("indicators:extension_grant", args=["2023Q3", "370403"])
    from indicators.models import Period

    deadline = Period.objects.get(year=2023, number=3).deadline
    early = client_for(office).post(url, {"until": deadline.isoformat(), "reason": "停电"})
    assert "延期日期应晚于报送截止日期" in early.content.decode()
    until = (deadline + datetime.timedelta(days=5)).isoformat()
    response = client_for(office).post(url, {"until": until, "reason": "停电"})
    assert response.status_code == 302
    home = client_for(xuecheng_clerk).get(reverse("indicators:home")).content.decode()
    assert "本单位已延期至" in home
    assert Notice.objects.filter(user=xuecheng_clerk, kind=Notice.Kind.EXTENSION).exists()


def test_bad_extension_input_gets_a_message_and_changes_nothing(client_for, office):
    url = reverse("indicators:extension_grant", args=["2023Q3", "370403"])
    response = client_for(office).post(url, {"until": "明天", "reason": "停电"})
    assert response.status_code == 200
    assert "请填写延期日期" in response.content.decode()
    response = client_for(office).post(url, {"until": "2099-01-01", "reason": ""})
    assert "请填写延期原因" in response.content.decode()
    from indicators.models import Extension

    assert not Extension.objects.exists()


def test_clerk_cannot_grant_extensions(client_for, tengzhou_clerk):
    url = reverse("indicators:extension_grant", args=["2023Q3", "370481"])
    assert (
        client_for(tengzhou_clerk).post(url, {"until": "2099-01-01", "reason": "x"}).status_code
        == 403
    )


def test_clerk_marks_a_notice_read_but_not_someone_elses(
    client_for, tengzhou_clerk, xuecheng_clerk
):
    mine = Notice.objects.create(user=tengzhou_clerk, kind=Notice.Kind.REMINDER, message="催报")
    theirs = Notice.objects.create(user=xuecheng_clerk, kind=Notice.Kind.REMINDER, message="催报")
    c = client_for(tengzhou_clerk)
    assert c.post(reverse("notices:read", args=[theirs.id])).status_code == 404
    assert c.post(reverse("notices:read", args=[mine.id])).status_code == 302
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.read_at is not None and theirs.read_at is None


def test_report_page_shows_its_own_history(client_for, tengzhou_clerk, office, submitted):
    return_(submitted, office, "核对")
    html = (
        client_for(tengzhou_clerk)
        .get(reverse("indicators:report_edit", args=["2023Q3", "370481"]))
        .content
    )
    html = html.decode()
    assert (
        "本表记录" in html and "已报送 → 已退回" in html and "发明专利授权量：（空） → 150" in html
    )


def test_a_draft_never_submitted_opens_for_review_without_an_error(
    client_for, office, tengzhou, q3_2023, tengzhou_clerk
):
    services.report_save(
        unit=tengzhou,
        period=q3_2023,
        raw={"invention_grants": "120"},
        expected_version=0,
        submit=False,
        user=tengzhou_clerk,
    )
    response = client_for(office).get(REVIEW)
    assert response.status_code == 200
    html = response.content.decode()
    assert "尚未报送" in html and "等待填报员提交后才能审核" in html
    assert 'value="approve"' not in html


def test_a_stale_review_page_approves_nothing(client_for, office, tengzhou_clerk, submitted):
    """Tab 1 shows 150; the report is returned and resubmitted as 999 elsewhere."""
    c = client_for(office)
    seen = c.get(REVIEW).context["report"].version
    return_(submitted, office, "核对")
    services.report_save(
        unit=submitted.unit,
        period=submitted.period,
        raw={**GOOD, "invention_grants": "999"},
        expected_version=Report.objects.get(pk=submitted.pk).version,
        submit=True,
        user=tengzhou_clerk,
    )
    response = c.post(REVIEW, {"action": "approve", "version": seen})
    assert response.status_code == 200
    assert "为避免审核你没有看到的数字，这次操作没有执行" in response.content.decode()
    assert Report.objects.get(pk=submitted.pk).state == Report.State.SUBMITTED
    response = c.post(REVIEW, {"action": "approve"})  # a page without the version
    assert "页面已过期" in response.content.decode()
    assert Report.objects.get(pk=submitted.pk).state == Report.State.SUBMITTED
