"""The audit chain's anchor outside the database.

The hash chain shows a record changed or removed in the middle, but not records cut off the
end: what is left is still a whole chain. So each committed record also appends one line to
a file outside the database (settings.AUDIT_ANCHOR_FILE):

    <id> <chain length> <hash> <mark> <HMAC of the rest>

written after the commit (a rolled-back record leaves no line), under an exclusive lock, and
only when it is later than the file's last line (two processes may commit in one order and
append in the other; the later record implies the earlier). The mark is "+" for an ordinary
record and "R" where the anchored chain legitimately starts again: after a restore, or an
explicit re-anchor (`verify_audit --reanchor`). Lines before the last "R" are history.

audit_anchor_check() compares the table with the lines since the last "R": every line's
record must still be in the table with the same hash, unless a purge removed it. A missing
one means records were cut after it; how many is the line's chain length minus the records
the table still holds up to that id. The file only ever grows: keep it where the database's
users cannot write (e.g. `chattr +a`, append-only, on the server).
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import itertools
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from .models import Action, AuditEvent

ORDINARY, RESTART = "+", "R"
_TAIL = 4096  # bytes read back to find the last line; a line is under 200


@dataclass(frozen=True)
class Line:
    number: int  # 1-based line number in the file
    id: int
    length: int
    hash: str
    mark: str


@dataclass
class AnchorReport:
    ok: bool
    message: str
    warning: bool = False  # no anchor to compare with: not a broken log, but not checked
    missing: int = 0  # records cut off, when not ok


def anchor_path() -> Path | None:
    value = getattr(settings, "AUDIT_ANCHOR_FILE", "")
    return Path(value) if value else None


def _mac(event_id: int, length: int, digest: str, mark: str) -> str:
    key = (settings.AUDIT_HMAC_KEY or settings.SECRET_KEY).encode()
    text = f"zzip-audit-anchor {event_id} {length} {digest} {mark}"
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()


def _format(event_id: int, length: int, digest: str, mark: str) -> bytes:
    return f"{event_id} {length} {digest} {mark} {_mac(event_id, length, digest, mark)}\n".encode()


def _parse(raw: bytes, number: int) -> Line | None:
    """A line whose form or HMAC does not hold is None."""
    try:
        event_id, length, digest, mark, mac = raw.decode("ascii").split()
        line = Line(number, int(event_id), int(length), digest, mark)
    except ValueError:
        return None
    if mark not in (ORDINARY, RESTART):
        return None
    if not hmac.compare_digest(mac, _mac(line.id, line.length, line.hash, line.mark)):
        return None
    return line


def _last_line(f) -> Line | None:
    f.seek(0, os.SEEK_END)
    size = f.tell()
    f.seek(max(0, size - _TAIL))
    tail = f.read().rstrip(b"\n").rsplit(b"\n", 1)[-1]
    return _parse(tail, 0) if tail else None


def anchor_append(event: AuditEvent, *, restart: bool = False) -> None:
    """Appends ``event``'s line (audit_record calls this after its commit)."""
    path = anchor_path()
    if path is None or event.chain_length is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o640)
    with os.fdopen(fd, "a+b") as f:
        # Several workers and cron append to one file: one at a time, whole lines.
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            last = None if restart else _last_line(f)
            if last is not None and last.id >= event.id:
                return  # a later record of the same chain is anchored already
            f.write(
                _format(event.id, event.chain_length, event.hash, RESTART if restart else ORDINARY)
            )
            f.flush()
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def _lines(path: Path) -> Iterator[Line | tuple[int, bytes]]:
    with path.open("rb") as f:
        for number, raw in enumerate(f, start=1):
            raw = raw.rstrip(b"\n")
            if raw:
                yield _parse(raw, number) or (number, raw)


def _purged_through() -> int:
    """The highest id a purge removed: lines up to it have lawfully lost their record."""
    through = 0
    for detail in AuditEvent.objects.filter(action=Action.AUDIT_PURGED).values_list(
        "detail", flat=True
    ):
        through = max(through, int(detail.get("last_removed_id") or 0))
    first = AuditEvent.objects.order_by("id").values_list("id", "prev_hash").first()
    if first is not None and first[1]:
        # The chain walk has accepted this first record's link as a purge's anchor (a purge
        # written before purges recorded the last id they removed).
        through = max(through, first[0] - 1)
    return through


def audit_anchor_check() -> AnchorReport:
    """Compares the table with the anchor file; run after audit_verify found the chain whole."""
    path = anchor_path()
    if path is None:
        return AnchorReport(
            True, "未设置 AUDIT_ANCHOR_FILE，无法发现末尾被截去的记录。", warning=True
        )
    if not path.exists():
        return AnchorReport(
            True,
            f"锚点文件 {path} 不存在，无法发现末尾被截去的记录"
            "（新系统在写入第一条审计记录后才有这个文件）。",
            warning=True,
        )
    lines = []
    for item in _lines(path):
        if isinstance(item, tuple):
            return AnchorReport(
                False, f"锚点文件 {path} 第 {item[0]} 行格式不对或签名不符（被改动过）。"
            )
        if item.mark == RESTART:
            lines = []
        lines.append(item)
    if not lines:
        return AnchorReport(
            True, f"锚点文件 {path} 是空的，无法发现末尾被截去的记录。", warning=True
        )
    return _compare(path, lines)


def _compare(path: Path, lines: list[Line]) -> AnchorReport:
    for before, after in itertools.pairwise(lines):
        if after.id <= before.id:
            return AnchorReport(False, f"锚点文件 {path} 第 {after.number} 行的编号顺序不对。")
    purged = _purged_through()
    first_id = lines[0].id
    present = AuditEvent.objects.filter(id__lt=first_id).count()  # records below the cursor
    rows = iter(
        AuditEvent.objects.filter(id__gte=first_id)
        .order_by("id")
        .values_list("id", "hash")
        .iterator(chunk_size=2000)
    )
    row = next(rows, None)
    cut = None  # (line, records the table holds up to its id) of the last line not found
    for line in lines:
        while row is not None and row[0] < line.id:
            present += 1
            row = next(rows, None)
        if row is not None and row[0] == line.id:
            if row[1] != line.hash:
                return AnchorReport(
                    False,
                    f"编号 {line.id} 的审计记录与锚点文件第 {line.number} 行不符（被改动过）。",
                )
        elif line.id > purged:
            cut = (line, present)
    last = lines[-1]
    if cut is not None:
        line, held = cut
        missing = max(line.length - held, 1)
        since = AuditEvent.objects.filter(id__gt=line.id).count()
        if held == 0 and since == 0:
            message = (
                f"审计记录全部缺失：锚点文件记到编号 {line.id}（当时共 {line.length} 条），"
                "表中一条也没有。"
            )
        else:
            message = (
                f"审计记录缺少 {missing} 条：锚点文件记到编号 {line.id}"
                f"（当时共 {line.length} 条），"
                f"表中编号 {line.id} 及之前只有 {held} 条，其后的记录被截去"
                + (f"（截去后又写入了 {since} 条）。" if since else "。")
            )
        return AnchorReport(False, message, missing=missing)
    later = AuditEvent.objects.filter(id__gt=last.id).count()
    message = f"与锚点文件一致：记到编号 {last.id}（共 {last.length} 条）"
    if later:
        message += f"，其后 {later} 条尚未写入锚点"
    if lines[0].mark == RESTART:
        message += f"；锚点自编号 {lines[0].id} 起重设（恢复数据库或 --reanchor）"
    return AnchorReport(True, message + "。")
