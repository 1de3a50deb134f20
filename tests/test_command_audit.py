"""verify_audit and purge_audit: the chain is checked from the command line, and records are
kept at least 180 days; a purge is audited and does not look like tampering afterwards."""

import datetime
import io

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from audit.models import Action, AuditEvent
from audit.services import audit_record, audit_verify

NOW = datetime.datetime(2026, 11, 25, 9, 0, tzinfo=datetime.UTC)


def run(name, **kwargs):
    out = io.StringIO()
    call_command(name, stdout=out, **kwargs)
    return out.getvalue()


def _raw(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _record(summary, days_ago):
    """An audit record written ``days_ago`` days before NOW (save refuses later edits)."""
    with time_machine.travel(NOW - datetime.timedelta(days=days_ago), tick=False):
        return audit_record(actor=None, action=Action.OTHER, summary=summary)


@pytest.fixture
def history(empty_db):
    """Records of 400, 181 and 179 days ago and of today, written in that order."""
    return {days: _record(f"{days} 天前", days) for days in (400, 181, 179, 0)}


def test_verify_reports_how_many_records_it_checked_and_the_last_one(seed):
    last = AuditEvent.objects.order_by("-id").first()
    assert run("verify_audit") == (
        f"已校验 {AuditEvent.objects.count()} 条审计记录，链完整。\n"
        f"最后一条：编号 {last.id}，哈希 {last.hash}\n"
    )


def test_the_chain_is_keyed_a_recomputed_hash_without_the_key_does_not_verify(seed):
    import hashlib

    from audit.services import audit_verify

    victim = AuditEvent.objects.order_by("id").last()
    # Someone with write access changes the record and recomputes a plain SHA-256.
    _raw(
        "UPDATE audit_auditevent SET summary = %s, hash = %s WHERE id = %s",
        ["改过", hashlib.sha256(b"x").hexdigest(), victim.id],
    )
    assert audit_verify().broken_at == victim.id


def test_verify_fails_with_the_id_of_a_row_changed_with_raw_sql(seed):
    victim = AuditEvent.objects.order_by("id")[2]
    _raw("UPDATE audit_auditevent SET summary = %s WHERE id = %s", ["改过", victim.id])
    with pytest.raises(CommandError) as failed:
        run("verify_audit")
    assert failed.value.returncode == 1
    assert f"编号 {victim.id} 处断开" in str(failed.value)
    assert "内容与哈希不符" in str(failed.value)


def test_verify_detects_the_oldest_rows_deleted_without_a_purge(history):
    _raw("DELETE FROM audit_auditevent WHERE id = %s", [history[400].id])
    with pytest.raises(CommandError) as failed:
        run("verify_audit")
    assert f"编号 {history[181].id} 处断开" in str(failed.value)


def test_purge_keeps_179_day_old_records_and_removes_181_day_old_ones(history):
    with time_machine.travel(NOW, tick=False):
        output = run("purge_audit", days=180)
    assert "审计记录 2 条" in output
    remaining = set(AuditEvent.objects.values_list("id", flat=True))
    assert history[400].id not in remaining and history[181].id not in remaining
    assert history[179].id in remaining and history[0].id in remaining
    purge = AuditEvent.objects.get(action=Action.AUDIT_PURGED)
    assert purge.detail["count"] == 2
    assert purge.at == NOW


def test_the_chain_still_verifies_after_a_purge(history):
    with time_machine.travel(NOW, tick=False):
        run("purge_audit", days=180)
    assert "链完整" in run("verify_audit")


def test_a_row_deleted_after_a_purge_is_still_detected(history):
    with time_machine.travel(NOW, tick=False):
        run("purge_audit", days=180)
    # The first record kept is anchored by the purge; removing it as well breaks the chain.
    _raw("DELETE FROM audit_auditevent WHERE id = %s", [history[179].id])
    assert audit_verify().broken_at == history[0].id


def test_a_second_purge_that_removes_the_first_purge_record_still_verifies(history):
    with time_machine.travel(NOW, tick=False):
        run("purge_audit", days=180)
    _record("今天之后", -1)
    with time_machine.travel(NOW + datetime.timedelta(days=200), tick=False):
        output = run("purge_audit", days=180)
    assert "审计记录 4 条" in output  # 179 days ago, today, the first purge, tomorrow
    assert AuditEvent.objects.filter(action=Action.AUDIT_PURGED).count() == 1
    assert "链完整" in run("verify_audit")


def test_purge_refuses_to_remove_anything_younger_than_180_days(history):
    with time_machine.travel(NOW, tick=False), pytest.raises(CommandError) as refused:
        run("purge_audit", days=179)
    assert "至少保留 180 天" in str(refused.value)
    assert AuditEvent.objects.count() == 4
    assert not AuditEvent.objects.filter(action=Action.AUDIT_PURGED).exists()


def test_purge_with_nothing_old_enough_removes_nothing_and_is_recorded(empty_db):
    _record("昨天", 1)
    with time_machine.travel(NOW, tick=False):
        assert "审计记录 0 条" in run("purge_audit", days=365)
    assert AuditEvent.objects.count() == 2
    assert "链完整" in run("verify_audit")


def test_purge_never_leaves_a_hole_when_times_are_out_of_order(empty_db):
    # A clock set back: an old time written after a recent one. The purge stops at the
    # first record it must keep, so the chain stays whole.
    first = _record("一年前", 365)
    kept = _record("十天前", 10)
    late = _record("时钟回拨后写的", 300)
    with time_machine.travel(NOW, tick=False):
        assert "审计记录 1 条" in run("purge_audit", days=180)
    assert not AuditEvent.objects.filter(id=first.id).exists()
    assert AuditEvent.objects.filter(id__in=[kept.id, late.id]).count() == 2
    assert "链完整" in run("verify_audit")
