"""backup and restore round-trip on whatever database the suite runs on (SQLite locally,
PostgreSQL on CI): back up, change the data, restore, and the original data is back.

pg_dump reads committed data from its own connection, hence a transactional database here.
Its flush at the end of each test empties every table, the rows of data migrations (the five
indicators) included: the serialized rollback puts them back for the next transactional test,
and `migrated_rows_put_back` for the tests pytest-django runs after the transactional ones
(those that reach the database only through request.getfixturevalue).
"""

import io
import stat

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections

from audit.models import Action, AuditEvent
from audit.services import audit_verify
from districts.models import Population, Unit


@pytest.fixture(scope="module")
def migrated_rows_put_back(django_db_blocker):
    """After this module's transactional tests, the database as migrations left it."""
    yield
    with django_db_blocker.unblock():
        for alias in connections:
            contents = getattr(connections[alias], "_test_serialized_contents", None)
            if contents:
                connections[alias].creation.deserialize_db_from_string(contents)


def run(name, *args, **kwargs):
    out = io.StringIO()
    call_command(name, *args, stdout=out, **kwargs)
    return out.getvalue()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("migrated_rows_put_back")
def test_backup_then_restore_brings_the_original_data_back(seed, tmp_path):
    tengzhou = Unit.objects.get(code="370481")
    populations = Population.objects.count()
    backup = tmp_path / "zzip.backup"

    assert "已备份到" in run("backup", "-o", str(backup))
    assert backup.stat().st_size > 0
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    recorded = AuditEvent.objects.get(action=Action.BACKUP)
    assert recorded.detail["file"] == str(backup.resolve())
    audit_before_restore = AuditEvent.objects.count()

    Unit.objects.filter(pk=tengzhou.pk).update(name="改名后的滕州")
    Population.objects.filter(unit=tengzhou).delete()
    Unit.objects.create(code="999999", name="备份后新建", kind=Unit.Kind.OTHER)

    assert "恢复数据库" in run("restore", str(backup), yes=True)

    assert Unit.objects.get(code="370481").name == tengzhou.name
    assert Population.objects.count() == populations
    assert not Unit.objects.filter(code="999999").exists()
    # The log is the backup's (the record of the backup was written after the copy, so it is
    # not in it) plus the record of this restore, and the chain holds.
    assert AuditEvent.objects.count() == audit_before_restore
    assert not AuditEvent.objects.filter(action=Action.BACKUP).exists()
    restored = AuditEvent.objects.order_by("-id").first()
    assert restored.action == Action.RESTORE
    assert restored.detail["sha256"] == recorded.detail["sha256"]
    assert audit_verify().broken_at is None
    # The anchor file outside the database went on past the backup (its record is gone now):
    # the restore starts it again, so verify_audit does not report a cut tail.
    output = run("verify_audit")
    assert "链完整" in output and f"锚点自编号 {restored.id} 起重设" in output
    # The restored database takes new rows without clashing with restored ids.
    Unit.objects.create(code="888888", name="恢复后新建", kind=Unit.Kind.OTHER)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("migrated_rows_put_back")
def test_backup_into_a_directory_names_the_file_by_time(seed, tmp_path):
    run("backup", "-o", str(tmp_path))
    (written,) = tmp_path.iterdir()
    suffix = ".dump" if connection.vendor == "postgresql" else ".sqlite3"
    assert written.name.startswith("zzip-") and written.name.endswith(suffix)


def test_backup_into_a_missing_directory_is_refused(db, tmp_path):
    with pytest.raises(CommandError, match="不存在"):
        run("backup", "-o", str(tmp_path / "nowhere" / "zzip.backup"))
    assert not AuditEvent.objects.filter(action=Action.BACKUP).exists()


def test_restore_refuses_a_file_that_is_not_a_backup_and_changes_nothing(seed, tmp_path):
    bogus = tmp_path / "notes.txt"
    bogus.write_text("这不是备份")
    units = Unit.objects.count()
    with pytest.raises(CommandError, match="恢复失败"):
        run("restore", str(bogus), yes=True)
    assert Unit.objects.count() == units
    assert not AuditEvent.objects.filter(action=Action.RESTORE).exists()


def test_restore_without_yes_asks_and_refuses_when_nobody_can_answer(db, tmp_path, monkeypatch):
    backup = tmp_path / "zzip.backup"
    backup.write_bytes(b"anything")
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    with pytest.raises(CommandError, match="--yes"):
        run("restore", str(backup))
