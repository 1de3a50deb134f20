"""Backing up and restoring the whole database, each audited.

PostgreSQL: `pg_dump --format=custom` (one consistent snapshot, however long it runs) and
`pg_restore --clean --single-transaction` (all or nothing). SQLite: the online backup API,
which copies a consistent snapshot while the site keeps running, in both directions.
Connection settings come from DATABASES; the password goes to the client programs in
PGPASSWORD, never on the command line where `ps` would show it.
"""

from __future__ import annotations

import getpass
import hashlib
import os
import re
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.db import connections

from .models import Action
from .services import audit_record

PG_MAGIC = b"PGDMP"
SQLITE_MAGIC = b"SQLite format 3\x00"


class BackupError(Exception):
    """A backup or restore that could not be done; the message says why, in Chinese."""


@dataclass
class BackupFile:
    path: Path
    size: int
    sha256: str
    vendor: str


def default_filename(vendor: str, stamp: str) -> str:
    return f"zzip-{stamp}.{'dump' if vendor == 'postgresql' else 'sqlite3'}"


def database_backup(*, path: Path, actor=None, using: str = "default") -> BackupFile:
    """Writes the database to ``path`` (mode 0600: it holds password hashes and phone
    numbers). The dump goes to a temporary file beside it first, so a failed run never
    leaves a truncated file that looks like a backup."""
    connection = connections[using]
    path = Path(path)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        if connection.vendor == "postgresql":
            _pg_dump(connection, tmp)
        elif connection.vendor == "sqlite":
            _sqlite_copy(connection, tmp)
        else:
            raise BackupError(f"不支持备份 {connection.vendor} 数据库。")
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
    result = _describe(path, connection.vendor)
    audit_record(
        actor=actor,
        action=Action.BACKUP,
        summary=f"备份数据库到 {path}（{result.size} 字节）",
        detail=_detail(result),
    )
    return result


def database_restore(*, path: Path, actor=None, using: str = "default") -> BackupFile:
    """Replaces every table of the database with the backup's. The record of the restore is
    written afterwards, into the restored log, so it survives the restore it records."""
    connection = connections[using]
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"备份文件“{path}”不存在。")
    if connection.in_atomic_block:
        raise BackupError("恢复不能在事务中进行。")
    with path.open("rb") as f:
        head = f.read(len(SQLITE_MAGIC))
    if connection.vendor == "postgresql":
        if not head.startswith(PG_MAGIC):
            raise BackupError(f"“{path}”不是 PostgreSQL 备份（pg_dump 自定义格式）。")
        _pg_restore(connection, path)
    elif connection.vendor == "sqlite":
        if head != SQLITE_MAGIC:
            raise BackupError(f"“{path}”不是 SQLite 数据库文件。")
        _sqlite_restore(connection, path)
    else:
        raise BackupError(f"不支持恢复 {connection.vendor} 数据库。")
    result = _describe(path, connection.vendor)
    # The restored log ends where the backup was taken; the anchor file, which went on, starts
    # again at this record (audit.anchor), and keeps the lines before it as history.
    audit_record(
        actor=actor,
        action=Action.RESTORE,
        summary=f"从 {path} 恢复数据库（{result.size} 字节）",
        detail=_detail(result),
        restart_anchor=True,
    )
    return result


def database_label(using: str = "default") -> str:
    """What a person is about to overwrite, for the restore's confirmation prompt."""
    s = connections[using].settings_dict
    if connections[using].vendor == "sqlite":
        return f"SQLite {s['NAME']}"
    return f"PostgreSQL {s.get('USER') or ''}@{s.get('HOST') or 'localhost'}/{s['NAME']}"


def _describe(path: Path, vendor: str) -> BackupFile:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return BackupFile(path.resolve(), path.stat().st_size, digest.hexdigest(), vendor)


def _detail(result: BackupFile) -> dict:
    return {
        "file": str(result.path),
        "bytes": result.size,
        "sha256": result.sha256,
        "database": result.vendor,
        "os_user": getpass.getuser(),
    }


# --- SQLite -------------------------------------------------------------------------------


def _sqlite_copy(connection, target: Path) -> None:
    connection.ensure_connection()
    # The online backup API reads a consistent snapshot through the live connection, which
    # also works for the in-memory database of the tests.
    destination = sqlite3.connect(target)
    try:
        connection.connection.backup(destination)
        ok = destination.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        destination.close()
    if ok != "ok":
        raise BackupError(f"备份副本的完整性检查未通过：{ok}")


def _sqlite_restore(connection, source_path: Path) -> None:
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)
    try:
        ok = source.execute("PRAGMA integrity_check").fetchone()[0]
        if ok != "ok":
            raise BackupError(f"备份文件的完整性检查未通过：{ok}")
        connection.ensure_connection()
        source.backup(connection.connection)
    except sqlite3.DatabaseError as e:
        raise BackupError(f"无法读取“{source_path}”：{e}") from e
    finally:
        source.close()


# --- PostgreSQL ---------------------------------------------------------------------------

# libpq reads these from the environment; dj-database-url puts e.g. ?sslmode= in OPTIONS.
_PG_OPTIONS = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
}


def _pg_env(settings_dict) -> dict:
    env = dict(os.environ)
    for key, var in [
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
    ]:
        value = settings_dict.get(key)
        if value:
            env[var] = str(value)
    for key, var in _PG_OPTIONS.items():
        value = (settings_dict.get("OPTIONS") or {}).get(key)
        if value:
            env[var] = str(value)
    env["PGAPPNAME"] = "zzip-backup"
    return env


def _run(args: list[str], env: dict) -> str:
    try:
        done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise BackupError(
            f"找不到 {args[0]}；请安装 PostgreSQL 客户端（apt-get install postgresql-client）。"
        ) from None
    if done.returncode != 0:
        raise BackupError(f"{args[0]} 失败（退出码 {done.returncode}）：{done.stderr.strip()}")
    return done.stdout


def _client_major(program: str, env: dict) -> int:
    output = _run([program, "--version"], env)
    match = re.search(r"(\d+)(?:\.\d+)?", output)
    if not match:
        raise BackupError(f"无法识别 {program} 的版本：{output.strip()}")
    return int(match.group(1))


def _check_versions(connection, program: str, env: dict) -> None:
    connection.ensure_connection()
    server = connection.pg_version // 10000
    client = _client_major(program, env)
    if client < server:
        raise BackupError(
            f"{program} 的版本（{client}）低于数据库服务器（{server}），无法处理；"
            f"请安装 postgresql-client-{server}。"
        )


def _pg_dump(connection, target: Path) -> None:
    env = _pg_env(connection.settings_dict)
    _check_versions(connection, "pg_dump", env)
    name = connection.settings_dict["NAME"]
    _run(
        ["pg_dump", "--format=custom", "--no-password", f"--file={target}", f"--dbname={name}"],
        env,
    )
    # Reads the archive's table of contents back: a file that lists is a file that restores.
    _run(["pg_restore", "--list", str(target)], env)


def _pg_restore(connection, source: Path) -> None:
    env = _pg_env(connection.settings_dict)
    _check_versions(connection, "pg_restore", env)
    name = connection.settings_dict["NAME"]
    # --single-transaction: a restore that fails half-way leaves the database as it was.
    # --no-owner/--no-privileges: the tables belong to whoever restores, so a dump from a
    # server where the roles had other names still restores.
    _run(
        [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--no-password",
            f"--dbname={name}",
            str(source),
        ],
        env,
    )
