"""The audit chain anchored outside the database (audit.anchor): records cut off the end of the
log, or the whole log, are reported by verify_audit with how many are missing; purges,
restores and an explicit re-anchor are not mistaken for a cut."""

import datetime
import io
import threading

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from audit.anchor import anchor_append, audit_anchor_check
from audit.models import Action, AuditEvent
from audit.services import audit_purge, audit_record

NOW = datetime.datetime(2026, 11, 25, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def write(empty_db, django_capture_on_commit_callbacks):
    """write(n) → n committed records (their on-commit anchoring runs), oldest first."""

    def make(n, summary="记录", **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return [
                audit_record(actor=None, action=Action.OTHER, summary=f"{summary} {i}", **kwargs)
                for i in range(n)
            ]

    return make


def verify():
    out, err = io.StringIO(), io.StringIO()
    call_command("verify_audit", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def delete_after(record_id):
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id > %s", [record_id])


def lines(path):
    return path.read_text().splitlines()


def test_each_committed_record_appends_its_id_length_and_hash(write, audit_anchor_file):
    records = write(3)
    rows = [line.split() for line in lines(audit_anchor_file)]
    assert [(int(r[0]), int(r[1]), r[2], r[3]) for r in rows] == [
        (e.id, e.chain_length, e.hash, "+") for e in records
    ]
    assert [e.chain_length for e in records] == [1, 2, 3]
    out, err = verify()
    assert f"与锚点文件一致：记到编号 {records[-1].id}（共 3 条）" in out and not err


def test_a_rolled_back_record_leaves_no_anchor(write, audit_anchor_file):
    write(1)
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(actor=None, action=Action.OTHER, summary="回滚")
        raise RuntimeError
    write(1)
    assert len(lines(audit_anchor_file)) == 2
    assert "链完整" in verify()[0]


def test_cutting_the_last_50_records_is_reported_with_how_many_are_missing(write):
    records = write(80)
    delete_after(records[29].id)
    with pytest.raises(CommandError) as failed:
        verify()
    assert failed.value.returncode == 1
    assert "审计记录缺少 50 条" in str(failed.value)
    assert f"表中编号 {records[-1].id} 及之前只有 30 条" in str(failed.value)


def test_deleting_every_record_is_reported_with_how_many_there_were(write):
    write(12)
    delete_after(0)
    with pytest.raises(CommandError, match=r"审计记录全部缺失.*当时共 12 条"):
        verify()


def test_a_cut_stays_visible_after_new_records_are_written(write):
    records = write(60)
    delete_after(records[9].id)  # 50 gone; the application goes on writing
    write(5)
    with pytest.raises(CommandError) as failed:
        verify()
    assert "审计记录缺少 50 条" in str(failed.value) and "又写入了 5 条" in str(failed.value)


def test_wiping_the_log_and_starting_a_new_chain_is_reported(write):
    write(20)
    delete_after(0)
    write(3)  # a fresh chain: its first record links to nothing
    with pytest.raises(CommandError, match="缺少 20 条"):
        verify()


def test_a_changed_anchor_line_is_reported(write, audit_anchor_file):
    records = write(3)
    text = audit_anchor_file.read_text().replace(f"{records[1].id} 2 ", f"{records[1].id} 9 ")
    audit_anchor_file.write_text(text)
    with pytest.raises(CommandError, match="第 2 行格式不对或签名不符"):
        verify()


def test_without_an_anchor_file_verify_warns_and_still_checks_the_chain(db, audit_anchor_file):
    audit_record(actor=None, action=Action.OTHER, summary="未提交到锚点")
    out, err = verify()
    assert "链完整" in out
    assert "不存在，无法发现末尾被截去的记录" in err


def test_a_purge_is_not_mistaken_for_a_cut(write, django_capture_on_commit_callbacks):
    with time_machine.travel(NOW - datetime.timedelta(days=400), tick=False):
        old = write(5, "旧")
    with time_machine.travel(NOW, tick=False):
        write(3, "新")
        with django_capture_on_commit_callbacks(execute=True):
            audit_purge(before=NOW - datetime.timedelta(days=180), actor=None)
    assert not AuditEvent.objects.filter(id__in=[e.id for e in old]).exists()
    purge = AuditEvent.objects.get(action=Action.AUDIT_PURGED)
    assert purge.chain_length == 4 and purge.detail["last_removed_id"] == old[-1].id
    out, _err = verify()
    assert "链完整" in out and f"与锚点文件一致：记到编号 {purge.id}（共 4 条）" in out


def test_a_restore_starts_the_anchor_again_and_says_so(write, audit_anchor_file):
    records = write(30)
    # As if the database were put back to a backup taken after the tenth record ...
    delete_after(records[9].id)
    # ... and the restore recorded itself (audit.backups.database_restore).
    (restore,) = write(1, "恢复", restart_anchor=True)
    assert lines(audit_anchor_file)[-1].split()[3] == "R"
    assert restore.chain_length == 11
    out, _err = verify()
    assert f"锚点自编号 {restore.id} 起重设" in out
    write(2)
    delete_after(restore.id)
    with pytest.raises(CommandError, match="缺少 2 条"):
        verify()


def test_reanchor_restarts_a_lost_or_foreign_anchor_and_is_itself_recorded(
    write, django_capture_on_commit_callbacks
):
    write(10)
    delete_after(0)
    with pytest.raises(CommandError):
        verify()
    with pytest.raises(CommandError, match="须说明原因"):
        call_command("verify_audit", "--reanchor", " ", stdout=io.StringIO())
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("verify_audit", "--reanchor", "开发库重建", stdout=out)
    record = AuditEvent.objects.get(action=Action.AUDIT_REANCHORED)
    assert "已从编号" in out.getvalue() and record.detail["reason"] == "开发库重建"
    assert record.actor_name.startswith("命令行:")
    assert "链完整" in verify()[0]


def test_concurrent_appends_keep_whole_lines_in_order(db, audit_anchor_file, settings):
    events = [
        AuditEvent(id=i, chain_length=i, hash=f"{i:064x}") for i in range(1, 201)
    ]  # unsaved: only their id, length and hash are written
    threads = [
        threading.Thread(target=lambda chunk=events[k::8]: [anchor_append(e) for e in chunk])
        for k in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ids = [int(line.split()[0]) for line in lines(audit_anchor_file)]
    assert ids == sorted(ids) and ids[-1] == 200  # an older line arriving late is dropped
    assert all(len(line.split()) == 5 for line in lines(audit_anchor_file))


def test_the_report_of_a_whole_log_names_the_anchor(write):
    records = write(2)
    report = audit_anchor_check()
    assert report.ok and not report.warning and str(records[-1].id) in report.message
