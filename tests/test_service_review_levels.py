"""Review at every level (indicators.levels): a sign-off inside the unit, and a province that
reviews its cities' reports after each city has reviewed its districts."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import AuditEvent
from districts.access import Do, can
from districts.models import Role
from indicators import levels, services
from indicators.models import Report, ReviewSettings
from indicators.selectors import completeness, summarize
from notices.models import Notice
from tests.fixtures.levels import FIGURES, approve, person, report_of, submit, two_levels

# The demo's 2023 前三季度 figures of a district that keep every cumulative rule.
Q3 = {
    "invention_grants": "150",
    "valid_inventions": "860",
    "certified_enterprises": "4",
    "pct_applications": "1",
    "infringement_rulings": "0",
}


@pytest.fixture
def tree(office):
    return two_levels(office)


def test_the_demo_keeps_one_level_and_no_signoff(seed):
    settings = ReviewSettings.current()
    assert not settings.unit_signoff and not settings.review_by_level


# --- Sign-off inside the unit ------------------------------------------------------------------


def test_a_clerks_report_waits_for_the_units_signer_before_it_reaches_the_office(
    tengzhou, tengzhou_clerk, q3_2023, office, city
):
    services.review_settings_save(
        actor=office, unit_signoff=True, review_by_level=False, days_per_level=5
    )
    signer = person("tz_signer", tengzhou, Role.SIGNER)
    report = submit(tengzhou, q3_2023, tengzhou_clerk, Q3)
    assert report.state == Report.State.SIGNING
    assert Notice.objects.filter(user=signer, message__contains="请审核").exists()
    # Not yet the office's: nothing to approve, and the total does not count it.
    assert not can(office, Do.APPROVE, report)
    assert summarize(q3_2023, city).rows[0].cells["invention_grants"].value is None
    assert not can(tengzhou_clerk, Do.ENTER, report)  # locked while it waits

    signed = services.report_sign(report_id=report.pk, user=signer, expected_version=report.version)
    assert signed.state == Report.State.SUBMITTED
    assert (signed.signed_by, signed.submitted_by) == (signer, tengzhou_clerk)
    assert AuditEvent.objects.filter(summary__contains="本单位审核通过并报送").exists()
    approve(tengzhou, q3_2023, office)
    assert report_of(tengzhou, q3_2023).state == Report.State.APPROVED


def test_the_signer_returns_the_report_to_the_clerk_with_a_reason(
    tengzhou, tengzhou_clerk, q3_2023, office
):
    services.review_settings_save(
        actor=office, unit_signoff=True, review_by_level=False, days_per_level=5
    )
    signer = person("tz_signer", tengzhou, Role.SIGNER)
    report = submit(tengzhou, q3_2023, tengzhou_clerk, Q3)
    with pytest.raises(ValidationError):  # the office cannot return what it has not received
        services.report_return(
            report_id=report.pk, user=office, reason="x", expected_version=report.version
        )
    returned = services.report_return(
        report_id=report.pk,
        user=signer,
        reason="授权量请与台账核对",
        expected_version=report.version,
    )
    assert returned.state == Report.State.RETURNED
    assert returned.return_reason == "授权量请与台账核对"
    assert Notice.objects.filter(user=tengzhou_clerk, message__contains="台账").exists()
    assert can(tengzhou_clerk, Do.ENTER, returned)


def test_a_stale_signoff_page_is_refused(tengzhou, tengzhou_clerk, q3_2023, office):
    services.review_settings_save(
        actor=office, unit_signoff=True, review_by_level=False, days_per_level=5
    )
    signer = person("tz_signer", tengzhou, Role.SIGNER)
    report = submit(tengzhou, q3_2023, tengzhou_clerk, Q3)
    with pytest.raises(services.ConflictError):
        services.report_sign(report_id=report.pk, user=signer, expected_version=report.version - 1)


def test_without_a_signer_the_unit_cannot_submit_and_nothing_is_saved(
    tengzhou, tengzhou_clerk, q3_2023, office
):
    services.review_settings_save(
        actor=office, unit_signoff=True, review_by_level=False, days_per_level=5
    )
    with pytest.raises(services.FigureErrors) as refused:
        submit(tengzhou, q3_2023, tengzhou_clerk, Q3)
    assert "还没有单位审核人账号" in refused.value.errors[""][0]
    assert not Report.objects.filter(unit=tengzhou, period=q3_2023).exists()


def test_the_office_enters_its_own_figures_without_a_signer(city, office, q3_2023):
    services.review_settings_save(
        actor=office, unit_signoff=True, review_by_level=False, days_per_level=5
    )
    raw = {"new_trademarks": "4000", "valid_trademarks": "64000"}
    report = services.report_save(
        unit=city, period=q3_2023, raw=raw, expected_version=0, submit=False, user=office
    )
    assert report.state == Report.State.DRAFT


def test_a_signer_acts_for_their_own_unit_only(
    tengzhou, tengzhou_clerk, xuecheng_clerk, q3_2023, office, client_for
):
    services.review_settings_save(
        actor=office, unit_signoff=True, review_by_level=False, days_per_level=5
    )
    signer = person("tz_signer", tengzhou, Role.SIGNER)
    person("xc_signer", xuecheng_clerk.profile.unit, Role.SIGNER)
    other = submit(
        xuecheng_clerk.profile.unit,
        q3_2023,
        xuecheng_clerk,
        {**Q3, "invention_grants": "60", "valid_inventions": "640"},
    )
    with pytest.raises(PermissionDenied):
        services.report_sign(report_id=other.pk, user=signer, expected_version=other.version)
    c = client_for(signer)
    assert c.get(f"/review/{q3_2023.code}/{other.unit.code}/").status_code == 404
    assert c.get(f"/summary/{q3_2023.code}/370400/").status_code == 403
    assert c.get(f"/reports/{q3_2023.code}/{tengzhou.code}/").status_code == 403


def test_a_signer_belongs_to_a_unit_at_the_bottom(city, office, sysadmin):
    from districts.services.accounts import account_create_errors

    errors = account_create_errors(
        actor=sysadmin, username="s1", name="", unit=city, role=Role.SIGNER, phone="", email=""
    )
    assert "单位审核人只能属于没有下级的单位" in errors["unit"][0]


def test_signoff_cannot_be_turned_off_while_reports_wait_for_it(
    tengzhou, tengzhou_clerk, q3_2023, office
):
    services.review_settings_save(
        actor=office, unit_signoff=True, review_by_level=False, days_per_level=5
    )
    person("tz_signer", tengzhou, Role.SIGNER)
    submit(tengzhou, q3_2023, tengzhou_clerk, Q3)
    with pytest.raises(ValidationError) as refused:
        services.review_settings_save(
            actor=office, unit_signoff=False, review_by_level=False, days_per_level=5
        )
    assert "等待本单位审核" in str(refused.value)
    assert ReviewSettings.current().unit_signoff


def test_only_the_office_changes_the_review_settings_and_it_is_audited(office, viewer):
    with pytest.raises(PermissionDenied):
        services.review_settings_save(
            actor=viewer, unit_signoff=True, review_by_level=True, days_per_level=5
        )
    with pytest.raises(ValidationError):
        services.review_settings_save(
            actor=office, unit_signoff=True, review_by_level=True, days_per_level=-1
        )
    services.review_settings_save(
        actor=office, unit_signoff=True, review_by_level=True, days_per_level=7
    )
    event = AuditEvent.objects.get(summary__startswith="修改审核流程")
    assert event.detail["after"] == {
        "unit_signoff": True,
        "review_by_level": True,
        "days_per_level": 7,
    }


# --- Level by level --------------------------------------------------------------------------


def test_each_level_reviews_the_units_below_it_and_no_other(tree):
    city1 = tree.cities[0]
    district = tree.districts[0]
    report = submit(district, tree.period, tree.clerks[0])
    assert levels.reviewer_of(district) == city1
    assert levels.reviewer_of(city1) == tree.province
    assert can(tree.city_offices[0], Do.APPROVE, report)
    assert not can(tree.province_office, Do.APPROVE, report)  # the city reviews it
    assert not can(tree.city_offices[1], Do.APPROVE, report)  # another city's: out of scope
    approve(district, tree.period, tree.city_offices[0])
    assert report_of(district, tree.period).state == Report.State.APPROVED


def test_a_city_submits_its_level_once_every_district_is_approved(tree):
    city1 = tree.cities[0]
    first, second = tree.districts[:2]
    submit(first, tree.period, tree.clerks[0])
    approve(first, tree.period, tree.city_offices[0])
    with pytest.raises(services.FigureErrors) as refused:
        submit(city1, tree.period, tree.city_offices[0], raw={})
    assert "第1市2区" in refused.value.errors[""][0]
    assert not Report.objects.filter(unit=city1, period=tree.period).exists()
    submit(second, tree.period, tree.clerks[1])
    approve(second, tree.period, tree.city_offices[0])
    level = submit(city1, tree.period, tree.city_offices[0], raw={})
    assert level.state == Report.State.SUBMITTED
    assert can(tree.province_office, Do.APPROVE, level)


def _city_one_sent_up(tree) -> Report:
    for district, clerk in zip(tree.districts[:2], tree.clerks[:2], strict=True):
        submit(district, tree.period, clerk)
        approve(district, tree.period, tree.city_offices[0])
    return submit(tree.cities[0], tree.period, tree.city_offices[0], raw={})


def test_a_return_goes_back_one_level_with_its_reason(tree):
    level = _city_one_sent_up(tree)
    district_report = report_of(tree.districts[0], tree.period)
    # Sent up: the city can no longer reopen what it approved.
    assert not can(tree.city_offices[0], Do.REOPEN, district_report)
    services.report_return(
        report_id=level.pk,
        user=tree.province_office,
        reason="第1市1区的授权量与省统计不符",
        expected_version=level.version,
    )
    assert report_of(tree.cities[0], tree.period).state == Report.State.RETURNED
    notice = Notice.objects.get(user=tree.city_offices[0], kind=Notice.Kind.RETURNED)
    assert "与省统计不符" in notice.message
    assert not Notice.objects.filter(user__in=tree.clerks, kind=Notice.Kind.RETURNED).exists()
    # Back at the city: it may reopen its district for the clerk to correct.
    services.report_reopen(
        report_id=district_report.pk,
        user=tree.city_offices[0],
        reason="省局退回：请核对授权量",
        expected_version=district_report.version,
    )
    assert report_of(tree.districts[0], tree.period).state == Report.State.RETURNED


def test_an_approved_level_locks_the_level_below(tree):
    level = _city_one_sent_up(tree)
    services.report_approve(
        report_id=level.pk, user=tree.province_office, expected_version=level.version
    )
    district_report = report_of(tree.districts[0], tree.period)
    with pytest.raises(ValidationError) as refused:
        services.report_reopen(
            report_id=district_report.pk,
            user=tree.city_offices[0],
            reason="再改",
            expected_version=district_report.version,
        )
    assert "已报送上级" in refused.value.messages[0]


def test_completeness_and_deadlines_follow_each_level(tree):
    province_view = completeness(tree.period, tree.province)
    assert [r.unit.name for r in province_view.rows] == ["第1市", "第2市"]
    assert province_view.rows[0].deadline == datetime.date(2099, 10, 15)
    city_view = completeness(tree.period, tree.cities[0])
    assert [r.unit.name for r in city_view.rows] == ["第1市", "第1市1区", "第1市2区"]
    assert [r.deadline for r in city_view.rows] == [datetime.date(2099, 10, 15), None, None]
    assert levels.deadline_of(tree.districts[0], tree.period) == datetime.date(2099, 10, 10)


def test_reminders_reach_each_level_by_its_own_deadline(tree):
    _city_one_sent_up(tree)
    result = services.reminders_send(days=3, today=datetime.date(2099, 10, 13))
    ours = Notice.objects.filter(kind=Notice.Kind.REMINDER, topic=f"period:{tree.period.code}")
    reminded = set(ours.values_list("user__username", flat=True))
    # 第2市's district is overdue; 第2市 itself is due in two days; 第1市 has sent its level.
    assert reminded == {"clerk990201", "city2"}
    assert "第2市" in result.units and "第1市" not in result.units
    assert "还有 2 天截止" in ours.get(user__username="city2").message


def test_the_province_reads_a_level_report_beside_its_summary(tree, client_for):
    level = _city_one_sent_up(tree)
    page = client_for(tree.province_office).get(f"/review/{tree.period.code}/990100/")
    html = page.content.decode()
    assert page.status_code == 200 and "本级汇总表" in html and "审核通过" in html
    assert f"/summary/{tree.period.code}/990100/" in html
    assert level.figures.count() == 0  # the level's figures are its districts' sums
    assert summarize(tree.period, tree.province).total.cells["invention_grants"].value == 60
    assert FIGURES["invention_grants"] == "30"


def test_a_correction_from_below_waits_until_the_level_is_returned(tree):
    _city_one_sent_up(tree)
    report = report_of(tree.districts[0], tree.period)
    with pytest.raises(ValidationError) as refused:
        services.report_correct(
            unit=tree.districts[0],
            period=tree.period,
            raw={**FIGURES, "invention_grants": "31"},
            expected_version=report.version,
            reason="补录一件",
            user=tree.clerks[0],
        )
    assert "已报送上级" in refused.value.messages[0]
    assert report_of(tree.districts[0], tree.period).state == Report.State.APPROVED


def test_a_report_waiting_for_sign_off_reminds_its_signer_not_its_clerk(
    tengzhou, tengzhou_clerk, q3_2023, office
):
    services.review_settings_save(
        actor=office, unit_signoff=True, review_by_level=False, days_per_level=5
    )
    signer = person("tz_signer", tengzhou, Role.SIGNER)
    submit(tengzhou, q3_2023, tengzhou_clerk, Q3)
    services.reminders_send(days=3, today=q3_2023.deadline)
    ours = Notice.objects.filter(kind=Notice.Kind.REMINDER, topic=f"period:{q3_2023.code}")
    assert not ours.filter(user=tengzhou_clerk).exists()
    assert "待你审核" in ours.get(user=signer).message
    assert ours.filter(user__username="xuecheng").exists()  # still to report
