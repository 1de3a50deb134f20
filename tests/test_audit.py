"""The audit log: every change leaves a record, and records cannot be changed."""

import pytest
from django.db import connection
from django.urls import reverse

from audit.models import Action, AppendOnlyError, AuditEvent
from audit.services import audit_record, audit_verify


def test_audit_records_cannot_be_changed_or_deleted(seed):
    event = AuditEvent.objects.first()
    event.summary = "tampered"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().update(summary="x")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()


def test_chain_verifies_and_detects_a_row_changed_behind_the_applications_back(seed):
    assert audit_verify().broken_at is None
    victim = AuditEvent.objects.order_by("id")[3]
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditevent SET summary = %s WHERE id = %s", ["改过", victim.id]
        )
    report = audit_verify()
    assert report.broken_at == victim.id


def test_chain_detects_a_deleted_row(seed):
    victim = AuditEvent.objects.order_by("id")[3]
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [victim.id])
    nxt = AuditEvent.objects.filter(id__gt=victim.id).order_by("id").first()
    assert audit_verify().broken_at == nxt.id


def test_login_logout_and_failed_login_are_recorded_with_the_address(seed, client):
    client.post(reverse("login"), {"username": "tengzhou", "password": "wrong"})
    failed = AuditEvent.objects.filter(action=Action.LOGIN_FAILED).first()
    assert failed.detail["username"] == "tengzhou" and failed.ip == "127.0.0.1"
    client.post(reverse("login"), {"username": "tengzhou", "password": "Zzip@2023demo"})
    assert AuditEvent.objects.filter(action=Action.LOGIN, actor_name="tengzhou").exists()
    client.post(reverse("logout"))
    assert AuditEvent.objects.filter(action=Action.LOGOUT, actor_name="tengzhou").exists()


def test_a_figure_change_records_unit_period_indicator_old_new_who_and_address(
    client_for, tengzhou_clerk, tengzhou
):
    c = client_for(tengzhou_clerk)
    url = reverse("indicators:report_edit", args=["2023Q3", "370481"])
    c.get(url)
    data = {
        "invention_grants": "150",
        "valid_inventions": "860",
        "certified_enterprises": "4",
        "pct_applications": "1",
        "infringement_rulings": "0",
        "version": 0,
        "action": "save",
    }
    c.post(url, data)
    c.post(url, {**data, "invention_grants": "151", "version": 1})
    event = AuditEvent.objects.filter(
        action=Action.FIGURE_CHANGED, detail__indicator="invention_grants"
    ).first()
    assert event.unit == tengzhou
    assert event.actor == tengzhou_clerk
    assert event.detail == {
        "period": "2023Q3",
        "indicator": "invention_grants",
        "old": "150",
        "new": "151",
    }
    assert event.ip == "127.0.0.1"
    assert event.at is not None
    assert AuditEvent.objects.filter(action=Action.REPORT_SAVED, unit=tengzhou).count() == 2


def test_excel_download_is_recorded(client_for, office):
    client_for(office).get(reverse("indicators:summary_xlsx", args=["2023Q2", "370400"]))
    assert AuditEvent.objects.filter(action=Action.EXPORT, actor=office).exists()


def test_unknown_action_is_refused(seed):
    with pytest.raises(ValueError):
        audit_record(actor=None, action="nonsense", summary="x")


def test_auditor_reads_the_audit_log_and_nobody_changes_it(client_for, auditor, sysadmin, office):
    event = AuditEvent.objects.first()
    c = client_for(auditor)
    assert c.get(reverse("admin:audit_auditevent_changelist")).status_code == 200
    assert c.get(reverse("admin:audit_auditevent_change", args=[event.id])).status_code == 200
    response = c.post(reverse("admin:audit_auditevent_change", args=[event.id]), {"summary": "x"})
    assert response.status_code == 403
    assert c.get(reverse("admin:audit_auditevent_delete", args=[event.id])).status_code == 403
    for other in (sysadmin, office):
        c = client_for(other)
        assert c.get(reverse("admin:audit_auditevent_changelist")).status_code == 403
        assert (
            c.post(
                reverse("admin:audit_auditevent_delete", args=[event.id]), {"post": "yes"}
            ).status_code
            == 403
        )
    assert AuditEvent.objects.filter(pk=event.pk, summary=event.summary).exists()


def test_auditor_filters_the_log_by_unit_user_action_and_date(
    client_for, auditor, tengzhou, office
):
    c = client_for(auditor)
    url = reverse("admin:audit_auditevent_changelist")
    today = AuditEvent.objects.first().at
    response = c.get(
        url,
        {
            "action__exact": Action.FIGURE_CHANGED,
            "unit__id__exact": tengzhou.id,
            "actor__id__exact": office.id,
            "at__year": today.year,
        },
    )
    assert response.status_code == 200
    shown = list(response.context["cl"].queryset)
    assert shown and all(e.unit == tengzhou and e.actor == office for e in shown)
    assert all(e.action == Action.FIGURE_CHANGED for e in shown)


def test_auditor_exports_the_log_as_csv_with_formulas_escaped(client_for, auditor):
    audit_record(actor=None, action=Action.OTHER, summary="=HYPERLINK(1)")
    ids = list(AuditEvent.objects.values_list("id", flat=True)[:5])
    response = client_for(auditor).post(
        reverse("admin:audit_auditevent_changelist"),
        {"action": "export_csv", "_selected_action": ids},
    )
    assert response.status_code == 200
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff时间,操作人,操作")
    assert "'=HYPERLINK(1)" in text
    assert AuditEvent.objects.filter(action=Action.EXPORT, actor=auditor).exists()


def test_the_figures_of_one_save_are_recorded_together_in_the_chain(
    tengzhou, tengzhou_clerk, q3_2023, django_assert_max_num_queries
):
    """Five figures, five records, one lock of the chain: a save holds the log's lock (which
    every writer waits for) no longer than one record's."""
    import itertools

    from indicators import services

    raw = {
        "invention_grants": "150",
        "valid_inventions": "860",
        "certified_enterprises": "4",
        "pct_applications": "1",
        "infringement_rulings": "0",
    }
    before = AuditEvent.objects.count()
    with django_assert_max_num_queries(40):
        services.report_save(
            unit=tengzhou,
            period=q3_2023,
            raw=raw,
            expected_version=0,
            submit=False,
            user=tengzhou_clerk,
        )
    new = list(AuditEvent.objects.order_by("id")[before:])
    assert [e.action for e in new].count(Action.FIGURE_CHANGED) == 5
    assert [e.chain_length for e in new] == list(
        range(new[0].chain_length, new[0].chain_length + 6)
    )
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(new))
    assert audit_verify().broken_at is None
