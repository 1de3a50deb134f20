"""Figures of past periods recorded as history, the service called directly: it is safe on its
own, whoever calls it (the import, the demo, a script)."""

import datetime
from decimal import Decimal as D

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import Action
from districts.access import NotNow
from indicators import services
from indicators.models import Figure, Period, Report, Transition
from tests.fixtures.audit import last_event, new_events
from tests.fixtures.reports import approve, save, submit

GOOD = {
    "invention_grants": "150",
    "valid_inventions": "860",
    "certified_enterprises": "4",
    "pct_applications": "1",
    "infringement_rulings": "0",
}


def record(office, unit, year, quarter, **values):
    return services.history_record(
        actor=office, unit=unit, period=f"{year}Q{quarter}", values=values
    )


def test_history_of_an_ended_quarter_creates_it_closed_and_records_every_step(office, tengzhou):
    mark = last_event()
    saved = record(office, tengzhou, 2022, 3, invention_grants="1,234")  # typed as in Excel
    report = saved.report
    assert saved.report_created and saved.added == 1
    assert report.state == Report.State.APPROVED and report.source == Report.Source.HISTORY
    assert report.period.status == Period.Status.CLOSED
    assert Figure.objects.get(report=report).value == D(1234)
    step = Transition.objects.get(report=report)
    assert (step.from_state, step.to_state, step.actor) == ("draft", "approved", office)
    actions = list(new_events(mark).values_list("action", flat=True))
    assert Action.PERIOD_CHANGED in actions and Action.FIGURE_CHANGED in actions
    assert Action.IMPORT in actions


def test_the_same_figures_again_change_nothing_and_a_correction_is_kept(office, tengzhou):
    record(office, tengzhou, 2022, 3, invention_grants="100")
    mark = last_event()
    assert record(office, tengzhou, 2022, 3, invention_grants="100").unchanged
    assert not new_events(mark).exists()
    corrected = record(office, tengzhou, 2022, 3, invention_grants="101")
    assert corrected.changed == 1
    assert Transition.objects.filter(report=corrected.report).count() == 1  # still history


def test_an_open_period_is_the_clerks_not_historys(office, tengzhou):
    with pytest.raises(NotNow, match="正在填报中"):
        record(office, tengzhou, 2023, 3, invention_grants="150")
    assert not Report.objects.filter(unit=tengzhou, period__year=2023, period__number=3).exists()


def test_a_planned_or_unfinished_quarter_is_refused(office, tengzhou):
    Period.objects.create(year=2024, number=1, status=Period.Status.PLANNED)
    with pytest.raises(NotNow, match="尚未开放"):
        record(office, tengzhou, 2024, 1, invention_grants="1")
    with (
        time_machine.travel(datetime.datetime(2026, 11, 25, tzinfo=datetime.UTC), tick=False),
        pytest.raises(NotNow, match="还没有结束"),
    ):
        record(office, tengzhou, 2026, 4, invention_grants="1")
    assert not Period.objects.filter(year=2026, number=4).exists()


@pytest.mark.parametrize("state", ["draft", "submitted", "returned"])
def test_a_report_in_the_clerks_workflow_is_never_overwritten(
    office, tengzhou, tengzhou_clerk, q3_2023, state
):
    report = save(tengzhou, q3_2023, tengzhou_clerk, GOOD, submit=state != "draft")
    if state == "returned":
        services.report_return(
            report_id=report.pk, user=office, reason="核对", expected_version=report.version
        )
    q3_2023.status = Period.Status.CLOSED  # even once the period is closed
    q3_2023.save()
    with pytest.raises(NotNow, match="正在审核流程中"):
        record(office, tengzhou, 2023, 3, invention_grants="999")
    assert Figure.objects.get(report=report, indicator__code="invention_grants").value == 150


def test_a_report_approved_through_review_is_locked_against_history(
    office, tengzhou, tengzhou_clerk, q3_2023
):
    report = approve(submit(tengzhou, q3_2023, tengzhou_clerk, GOOD), office)
    q3_2023.status = Period.Status.CLOSED
    q3_2023.save()
    with pytest.raises(NotNow, match="经市局审核通过，已锁定"):
        record(office, tengzhou, 2023, 3, invention_grants="999")
    assert record(office, tengzhou, 2023, 3, invention_grants="150").unchanged  # equal: fine
    report.refresh_from_db()
    assert report.source == Report.Source.ENTERED


def test_a_reopened_report_is_rechecked_under_lock_and_left_to_the_clerk(
    office, tengzhou, tengzhou_clerk, q3_2023
):
    """The race of a long import and a reopen: the import rechecks the report under its lock,
    so it sees the reopening and leaves the clerk's figures alone."""
    report = approve(submit(tengzhou, q3_2023, tengzhou_clerk, GOOD), office)
    report.refresh_from_db()
    services.report_reopen(
        report_id=report.pk, user=office, reason="更正", expected_version=report.version
    )
    q3_2023.status = Period.Status.CLOSED
    q3_2023.save()
    with pytest.raises(NotNow):
        record(office, tengzhou, 2023, 3, invention_grants="999")
    report.refresh_from_db()
    assert report.state == Report.State.RETURNED


def test_a_cumulative_flow_keeps_its_order_within_the_year_both_ways(office, tengzhou):
    record(office, tengzhou, 2022, 2, invention_grants="50")
    with pytest.raises(services.FigureErrors) as low:
        record(office, tengzhou, 2022, 3, invention_grants="40")
    assert "不能小于上季度（2022年上半年）的 50件" in low.value.errors["invention_grants"][0]
    with pytest.raises(services.FigureErrors) as high:
        record(office, tengzhou, 2022, 1, invention_grants="60")
    assert "不能大于2022年上半年的 50件" in high.value.errors["invention_grants"][0]


def test_a_parent_unit_has_no_history_of_its_own(office, city):
    with pytest.raises(NotNow, match="汇总单位"):
        record(office, city, 2022, 3, invention_grants="1")


def test_a_bad_figure_or_an_unknown_indicator_is_refused(office, tengzhou):
    with pytest.raises(services.FigureErrors) as exc:
        record(office, tengzhou, 2022, 3, invention_grants="１２.５")
    assert exc.value.errors["invention_grants"] == ["发明专利授权量以件计，只能填整数。"]
    with pytest.raises(services.FigureErrors) as exc:
        record(office, tengzhou, 2022, 3, no_such="1")
    assert exc.value.errors == {"no_such": ["未知指标编码“no_such”。"]}


@pytest.mark.parametrize("who", ["tengzhou_clerk", "viewer", "sysadmin"])
def test_only_office_staff_record_history(seed, request, who, tengzhou):
    with pytest.raises(PermissionDenied):
        record(request.getfixturevalue(who), tengzhou, 2022, 3, invention_grants="1")


def test_history_needs_an_account_to_record_it_under(tengzhou):
    from districts.access import SYSTEM

    with pytest.raises(ValidationError, match="ZZIP_ACTOR"):
        record(SYSTEM, tengzhou, 2022, 3, invention_grants="1")
