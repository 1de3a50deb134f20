"""The report's life: who may move it where, deadlines, extensions, soft checks, records."""

import datetime
from decimal import Decimal as D
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import Action, AuditEvent
from districts.access import NotNow
from indicators import services
from indicators.models import Figure, Period, Report, Transition
from notices.models import Notice

GOOD = {
    "invention_grants": "150",
    "valid_inventions": "860",
    "certified_enterprises": "4",
    "pct_applications": "1",
    "infringement_rulings": "0",
}


def local(*args):
    """A wall-clock time in Zaozhuang (deadlines are local dates)."""
    return datetime.datetime(*args, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def q3_report(tengzhou, q3_2023):
    """Tengzhou's 2023Q3 report to be: nothing is stored until its first save."""
    return Report(unit=tengzhou, period=q3_2023)


def current(report) -> Report:
    """The stored report (its pk filled in on the caller's object too)."""
    stored = Report.objects.get(unit=report.unit, period=report.period)
    report.pk, report.id = stored.pk, stored.pk
    return stored


def version(report) -> int:
    stored = Report.objects.filter(unit=report.unit, period=report.period).first()
    return stored.version if stored else 0


def save(report, user, submit=False, **changes):
    saved = services.report_save(
        unit=report.unit,
        period=report.period,
        raw={**GOOD, **changes},
        expected_version=version(report),
        submit=submit,
        user=user,
    )
    report.pk, report.id = saved.pk, saved.pk
    return saved


def approve(report, user):
    return services.report_approve(
        report_id=current(report).pk, user=user, expected_version=version(report)
    )


def return_(report, user, reason):
    return services.report_return(
        report_id=current(report).pk, user=user, reason=reason, expected_version=version(report)
    )


def reopen(report, user, reason):
    return services.report_reopen(
        report_id=current(report).pk, user=user, reason=reason, expected_version=version(report)
    )


def test_clerk_submits_office_approves_and_the_report_is_locked(q3_report, tengzhou_clerk, office):
    save(q3_report, tengzhou_clerk, submit=True)
    approve(q3_report, office)
    q3_report.refresh_from_db()
    assert q3_report.state == Report.State.APPROVED
    assert q3_report.reviewed_by == office
    with pytest.raises(services.FigureErrors) as exc:
        save(q3_report, tengzhou_clerk, invention_grants="999")
    assert "已审核" in exc.value.errors[""][0]
    assert Figure.objects.get(report=q3_report, indicator__code="invention_grants").value == D(150)


@pytest.mark.parametrize("who", ["tengzhou_clerk", "viewer"])
def test_only_office_staff_approve_return_or_reopen(seed, q3_report, tengzhou_clerk, who, request):
    save(q3_report, tengzhou_clerk, submit=True)
    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        approve(q3_report, user)
    with pytest.raises(PermissionDenied):
        return_(q3_report, user, "x")
    with pytest.raises(PermissionDenied):
        reopen(q3_report, user, "x")
    q3_report.refresh_from_db()
    assert q3_report.state == Report.State.SUBMITTED


def test_a_draft_cannot_be_approved_or_returned(q3_report, tengzhou_clerk, office):
    save(q3_report, tengzhou_clerk)
    with pytest.raises(NotNow):
        approve(q3_report, office)
    with pytest.raises(NotNow):
        return_(q3_report, office, "数字不对")
    with pytest.raises(NotNow):
        reopen(q3_report, office, "数字不对")


def test_return_needs_a_reason_and_lets_the_clerk_fix_and_resubmit(
    q3_report, tengzhou_clerk, office
):
    save(q3_report, tengzhou_clerk, submit=True)
    with pytest.raises(ValidationError):
        return_(q3_report, office, "   ")
    return_(q3_report, office, "授权量与国知局数据不符")
    q3_report.refresh_from_db()
    assert q3_report.state == Report.State.RETURNED
    assert q3_report.return_reason == "授权量与国知局数据不符"
    notice = Notice.objects.get(user=tengzhou_clerk, kind=Notice.Kind.RETURNED)
    assert "授权量与国知局数据不符" in notice.message
    save(q3_report, tengzhou_clerk, submit=True, invention_grants="148")
    q3_report.refresh_from_db()
    assert q3_report.state == Report.State.SUBMITTED
    from indicators.selectors import changes_since_return

    changes = changes_since_return(q3_report)
    assert [(c.indicator.code, c.old, c.new) for c in changes] == [
        ("invention_grants", D(150), D(148))
    ]


def test_reopen_needs_approved_and_a_reason_and_is_recorded(q3_report, tengzhou_clerk, office):
    save(q3_report, tengzhou_clerk, submit=True)
    approve(q3_report, office)
    with pytest.raises(ValidationError):
        reopen(q3_report, office, "")
    reopen(q3_report, office, "国知局更正了数据")
    q3_report.refresh_from_db()
    assert q3_report.state == Report.State.RETURNED
    event = AuditEvent.objects.filter(action=Action.REPORT_REOPENED).get()
    assert event.actor == office and event.detail["reason"] == "国知局更正了数据"
    save(q3_report, tengzhou_clerk, invention_grants="152")  # the clerk can edit again


def test_every_transition_leaves_an_audit_row_and_a_transition_with_the_figures(
    q3_report, tengzhou_clerk, office, tengzhou
):
    save(q3_report, tengzhou_clerk, submit=True)
    return_(q3_report, office, "核对")
    save(q3_report, tengzhou_clerk, submit=True)
    approve(q3_report, office)
    actions = list(
        AuditEvent.objects.filter(object_id=str(q3_report.pk), action__startswith="report_")
        .order_by("id")
        .values_list("action", "actor_name")
    )
    assert actions == [
        (Action.REPORT_SUBMITTED, "tengzhou"),
        (Action.REPORT_RETURNED, "office"),
        (Action.REPORT_SUBMITTED, "tengzhou"),
        (Action.REPORT_APPROVED, "office"),
    ]
    for event in AuditEvent.objects.filter(
        object_id=str(q3_report.pk), action__startswith="report_"
    ):
        assert event.unit == tengzhou and event.at and event.detail["period"] == "2023Q3"
    assert Transition.objects.filter(report=q3_report).count() == 4
    assert (
        Transition.objects.filter(report=q3_report, to_state="returned")
        .get()
        .figures["invention_grants"]
        == "150"
    )


def _deadline(q3_2023, day):
    q3_2023.deadline = day
    q3_2023.save()


def test_after_the_deadline_the_clerk_cannot_edit(q3_report, q3_2023, tengzhou_clerk):
    _deadline(q3_2023, datetime.date(2026, 10, 15))
    with (
        time_machine.travel(local(2026, 10, 16, 9, 0), tick=False),
        pytest.raises(services.FigureErrors) as exc,
    ):
        save(q3_report, tengzhou_clerk)
    assert "截止" in exc.value.errors[""][0]
    # A refused first save creates nothing: no report, no figure.
    assert not Report.objects.filter(unit=q3_report.unit, period=q3_2023).exists()


def test_an_extension_lets_exactly_that_unit_edit_until_its_date(
    q3_report, q3_2023, tengzhou, tengzhou_clerk, xuecheng_clerk, office
):
    _deadline(q3_2023, datetime.date(2026, 10, 15))
    xuecheng_report = Report(unit=xuecheng_clerk.profile.unit, period=q3_2023)
    with time_machine.travel(local(2026, 10, 16, 9, 0), tick=False):
        services.extension_grant(
            period=q3_2023,
            unit=tengzhou,
            until=datetime.date(2026, 10, 18),
            reason="系统故障",
            user=office,
        )
        save(q3_report, tengzhou_clerk)  # allowed
        with pytest.raises(services.FigureErrors):
            save(xuecheng_report, xuecheng_clerk)
    with time_machine.travel(local(2026, 10, 18, 23, 0), tick=False):
        save(q3_report, tengzhou_clerk, invention_grants="151")  # the last day still counts
    with (
        time_machine.travel(local(2026, 10, 19, 9, 0), tick=False),
        pytest.raises(services.FigureErrors),
    ):
        save(q3_report, tengzhou_clerk, invention_grants="152")
    assert Figure.objects.get(report=q3_report, indicator__code="invention_grants").value == D(151)
    assert AuditEvent.objects.filter(action=Action.EXTENSION_GRANTED, unit=tengzhou).exists()


def test_only_office_grants_extensions_and_not_into_the_past(
    q3_2023, tengzhou, tengzhou_clerk, office
):
    with pytest.raises(PermissionDenied):
        services.extension_grant(
            period=q3_2023,
            unit=tengzhou,
            until=datetime.date(2099, 1, 1),
            reason="x",
            user=tengzhou_clerk,
        )
    with pytest.raises(ValidationError):
        services.extension_grant(
            period=q3_2023, unit=tengzhou, until=datetime.date(2000, 1, 1), reason="x", user=office
        )


def test_a_falling_stock_needs_an_explanation_to_submit(q3_report, tengzhou_clerk):
    with pytest.raises(services.FigureErrors) as exc:
        save(q3_report, tengzhou_clerk, submit=True, valid_inventions="800")
    assert "存量下降" in exc.value.errors["valid_inventions"][0]
    save(q3_report, tengzhou_clerk, valid_inventions="800")  # a draft may be saved without one
    save(
        q3_report,
        tengzhou_clerk,
        submit=True,
        valid_inventions="800",
        explain_valid_inventions="28件专利因未缴年费失效",
    )
    fig = Figure.objects.get(report=q3_report, indicator__code="valid_inventions")
    assert fig.explanation == "28件专利因未缴年费失效"


def test_a_big_move_against_last_year_needs_an_explanation(
    q3_report, tengzhou, tengzhou_clerk, office
):
    Period.objects.create(year=2022, number=3, status=Period.Status.CLOSED)
    services.history_record(
        actor=office, unit=tengzhou, period="2022Q3", values={"invention_grants": D(50)}
    )
    with pytest.raises(services.FigureErrors) as exc:
        save(q3_report, tengzhou_clerk, submit=True)  # 150 vs 50: +200%
    assert "比去年同期增长 200.0%" in exc.value.errors["invention_grants"][0]
    save(q3_report, tengzhou_clerk, submit=True, explain_invention_grants="新增两家高企集中授权")


def test_completeness_counts(q3_2023, city, tengzhou, tengzhou_clerk, xuecheng_clerk, office):
    from indicators.selectors import completeness

    r1 = Report(unit=tengzhou, period=q3_2023)
    save(r1, tengzhou_clerk, submit=True)
    r2 = Report(unit=xuecheng_clerk.profile.unit, period=q3_2023)
    save(r2, xuecheng_clerk, submit=True)
    return_(r2, office, "核对")
    c = completeness(q3_2023, city)
    assert c.counts == {
        "reported": 1,
        "missing": 7,  # five districts, and the city's own city-wide figures
        "approved": 0,
        "returned": 1,
        "submitted": 1,
        "signing": 0,
        "late": 0,
    }
    # The city's own report first, then the districts in the office's order.
    assert [r.unit.label for r in c.rows][:3] == ["枣庄市", "滕州市", "薛城区"]
    approve(r1, office)
    c = completeness(q3_2023, city)
    assert c.counts["approved"] == 1 and c.counts["reported"] == 1


def test_a_submission_after_the_deadline_counts_as_late(
    q3_2023, city, tengzhou, tengzhou_clerk, office
):
    from indicators.selectors import completeness

    _deadline(q3_2023, datetime.date(2026, 10, 15))
    r = Report(unit=tengzhou, period=q3_2023)
    with time_machine.travel(local(2026, 10, 16, 9, 0), tick=False):
        services.extension_grant(
            period=q3_2023,
            unit=tengzhou,
            until=datetime.date(2026, 10, 17),
            reason="x",
            user=office,
        )
        save(r, tengzhou_clerk, submit=True)
    c = completeness(q3_2023, city)
    row = next(r for r in c.rows if r.unit == tengzhou)
    assert row.on_time(q3_2023.deadline) is True  # within its extension
    _deadline(q3_2023, datetime.date(2026, 10, 15))
    from indicators.models import Extension

    Extension.objects.all().delete()
    c = completeness(q3_2023, city)
    row = next(r for r in c.rows if r.unit == tengzhou)
    assert row.on_time(q3_2023.deadline) is False
    assert c.counts["late"] == 1


def test_an_approved_report_of_a_closed_period_cannot_be_reopened(
    q3_report, tengzhou_clerk, office, q3_2023
):
    save(q3_report, tengzhou_clerk, submit=True)
    approve(q3_report, office)
    q3_2023.status = Period.Status.CLOSED
    q3_2023.save()
    with pytest.raises(NotNow, match="不在填报期内"):
        reopen(q3_report, office, "更正")
    q3_report.refresh_from_db()
    assert q3_report.state == Report.State.APPROVED


def test_a_long_return_reason_is_kept_whole(q3_report, tengzhou_clerk, office):
    save(q3_report, tengzhou_clerk, submit=True)
    reason = "请核对授权量。" * 100  # 700 characters
    return_(q3_report, office, reason)
    assert Notice.objects.get(user=tengzhou_clerk, kind=Notice.Kind.RETURNED).message.endswith(
        reason
    )


def test_a_save_without_explanation_fields_keeps_the_stored_explanations(q3_report, tengzhou_clerk):
    save(q3_report, tengzhou_clerk, valid_inventions="800", explain_valid_inventions="年费失效")
    save(q3_report, tengzhou_clerk, valid_inventions="801")
    fig = Figure.objects.get(report=q3_report, indicator__code="valid_inventions")
    assert fig.value == 801 and fig.explanation == "年费失效"
    save(q3_report, tengzhou_clerk, valid_inventions="801", explain_valid_inventions="")
    fig.refresh_from_db()
    assert fig.explanation == ""


def test_no_extension_for_a_closed_period(q3_2023, tengzhou, office):
    q3_2023.status = Period.Status.CLOSED
    q3_2023.save()
    with pytest.raises(ValidationError, match="不在填报期内"):
        services.extension_grant(
            period=q3_2023,
            unit=tengzhou,
            until=datetime.date(2099, 1, 1),
            reason="补报",
            user=office,
        )


def test_approving_from_a_stale_page_is_refused(q3_report, tengzhou_clerk, office):
    """Tab 1 shows 120; the report is returned and resubmitted as 999 elsewhere; tab 1's
    approval must not approve figures its reviewer never saw."""
    save(q3_report, tengzhou_clerk, submit=True, invention_grants="120")
    seen = version(q3_report)
    return_(q3_report, office, "核对")
    save(q3_report, tengzhou_clerk, submit=True, invention_grants="999")
    with pytest.raises(services.ConflictError):
        services.report_approve(report_id=q3_report.pk, user=office, expected_version=seen)
    with pytest.raises(services.ConflictError):
        services.report_return(
            report_id=q3_report.pk, user=office, reason="x", expected_version=seen
        )
    assert current(q3_report).state == Report.State.SUBMITTED
    approve(q3_report, office)  # from a fresh page it goes through
    assert current(q3_report).state == Report.State.APPROVED


def test_reopening_from_a_stale_page_is_refused(q3_report, tengzhou_clerk, office):
    """Tab 1 shows the approved 120; meanwhile it is reopened, corrected to 999 and approved
    again elsewhere: tab 1's reopening must not act on a report it never saw."""
    save(q3_report, tengzhou_clerk, submit=True, invention_grants="120")
    approve(q3_report, office)
    seen = version(q3_report)
    reopen(q3_report, office, "核对")
    save(q3_report, tengzhou_clerk, submit=True, invention_grants="999")
    approve(q3_report, office)
    with pytest.raises(services.ConflictError):
        services.report_reopen(
            report_id=q3_report.pk, user=office, reason="再核对", expected_version=seen
        )
    assert current(q3_report).state == Report.State.APPROVED


def test_a_reason_too_long_is_refused_whole_never_cut(q3_report, tengzhou_clerk, office):
    with pytest.raises(services.FigureErrors) as exc:
        save(q3_report, tengzhou_clerk, explain_invention_grants="长" * 2001)
    assert "情况说明最多 2000 字" in exc.value.errors["invention_grants"][0]
    save(q3_report, tengzhou_clerk, submit=True)
    with pytest.raises(ValidationError, match="最多 2000 字，现在有 2001 字"):
        return_(q3_report, office, "长" * 2001)
    assert current(q3_report).state == Report.State.SUBMITTED


def test_full_width_digits_and_thousands_separators_are_read_as_typed(q3_report, tengzhou_clerk):
    save(q3_report, tengzhou_clerk, invention_grants="１５０", valid_inventions="8,60")
    assert (
        Figure.objects.get(report=current(q3_report), indicator__code="invention_grants").value
        == 150
    )
    assert (
        Figure.objects.get(report=current(q3_report), indicator__code="valid_inventions").value
        == 860
    )


def test_a_nul_byte_in_a_reason_never_reaches_the_database(q3_report, tengzhou_clerk, office):
    save(q3_report, tengzhou_clerk, submit=True)
    return_(q3_report, office, "请\x00核对")
    assert current(q3_report).return_reason == "请核对"
