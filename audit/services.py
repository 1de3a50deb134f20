"""Writing, verifying and purging the audit log.

Each record carries the SHA-256 of its own content and of the previous record's hash, so a
record changed or removed behind the application's back breaks the chain at that point; and
the head of the chain is anchored in a file outside the database (audit.anchor), so records
cut off the end show too.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
from dataclasses import dataclass
from decimal import Decimal
from functools import partial

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from .anchor import anchor_append
from .context import command_line_actor, current_ip
from .models import Action, AuditEvent

# Records younger than this are never purged (网络安全法: at least six months).
MIN_RETENTION_DAYS = 180
_LOCK_KEY = 0x5A5A_1901  # pg_advisory_xact_lock key serialising the chain


def _json_default(value):
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return str(value)


def _digest(event: AuditEvent) -> str:
    content = {
        "at": event.at.isoformat(),
        "actor_id": event.actor_id,
        "actor_name": event.actor_name,
        "action": event.action,
        "unit_id": event.unit_id,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "summary": event.summary,
        "detail": event.detail,
        "ip": event.ip,
        "prev_hash": event.prev_hash,
    }
    if event.chain_length is not None:  # records written before it was kept hash without it
        content["chain_length"] = event.chain_length
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, default=_json_default)
    # Keyed: whoever can write to the table but does not hold the key (kept in the
    # environment, not the database) cannot recompute the chain after changing a record.
    key = (settings.AUDIT_HMAC_KEY or settings.SECRET_KEY).encode()
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()


def _lock_chain():
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
    # SQLite serialises writers itself.


@dataclass(frozen=True)
class Entry:
    """One record to append: what ``audit_record`` takes, for ``audit_records``."""

    actor: object
    action: str
    summary: str
    unit: object = None
    obj: object = None
    detail: dict | None = None
    ip: str | None = None


def audit_record(
    *,
    actor,
    action: str,
    summary: str,
    unit=None,
    obj=None,
    detail: dict | None = None,
    ip: str | None = None,
    restart_anchor: bool = False,
) -> AuditEvent:
    """Appends one record. Call it inside the transaction of the change it records.

    Once that transaction commits, the record's line goes to the anchor file.
    ``restart_anchor`` is for the one record after which the table lawfully no longer
    continues what the file anchored: the record of a restore, or of an explicit re-anchor.
    """
    entry = Entry(actor, action, summary, unit, obj, detail, ip)
    (event,) = audit_records([entry], restart_anchor=restart_anchor)
    return event


def audit_records(entries: list[Entry], *, restart_anchor: bool = False) -> list[AuditEvent]:
    """Appends several records of one change together (the figures of one save): the chain
    is locked once, its head read once and the records inserted at once, so the lock that
    serialises every writer of the log is held for as short a time as one record's."""
    if not entries:
        return []
    for entry in entries:
        if entry.action not in Action.values:
            raise ValueError(f"unknown audit action {entry.action!r}")
    with transaction.atomic():
        _lock_chain()
        last = AuditEvent.objects.order_by("-id").values_list("hash", "chain_length").first()
        last_hash, length = last or ("", 0)
        if last is not None and (
            length is None or any(e.action == Action.AUDIT_PURGED for e in entries)
        ):
            # Counted once: the first record since lengths are kept, and after a purge.
            length = AuditEvent.objects.count()
        events = []
        for entry in entries:
            detail = json.loads(json.dumps(entry.detail or {}, default=_json_default))
            actor = entry.actor
            authenticated = actor is not None and getattr(actor, "is_authenticated", False)
            length += 1
            event = AuditEvent(
                at=timezone.now(),
                actor=actor if authenticated else None,
                # An unauthenticated actor (the command line) names itself; a failed login
                # names the user name it tried.
                actor_name=actor.get_username()
                if authenticated or actor is not None
                else detail.get("username", ""),
                action=entry.action,
                unit=entry.unit,
                object_type=entry.obj._meta.label_lower if entry.obj is not None else "",
                object_id=str(entry.obj.pk) if entry.obj is not None else "",
                summary=entry.summary[:300],
                detail=detail,
                ip=entry.ip if entry.ip is not None else current_ip.get(),
                prev_hash=last_hash,
                chain_length=length,
            )
            event.hash = last_hash = _digest(event)
            events.append(event)
        if len(events) == 1:
            events[0].save()
        else:
            AuditEvent.objects.bulk_create(events)
        for n, event in enumerate(events):
            transaction.on_commit(
                partial(anchor_append, event, restart=restart_anchor and n == 0), robust=True
            )
        return events


@dataclass
class ChainReport:
    checked: int
    broken_at: int | None  # id of the first record whose hash or link does not hold
    reason: str = ""


def _anchored(first: AuditEvent) -> bool:
    """Whether the oldest record is where the chain legitimately starts: the very first record
    ever written, or the first one a purge kept, whose link the purge record holds as its
    anchor. The purge record is itself in the chain, so its anchor is checked with it."""
    if first.prev_hash == "":
        return True
    return AuditEvent.objects.filter(
        action=Action.AUDIT_PURGED, id__gte=first.id, detail__anchor=first.prev_hash
    ).exists()


def audit_verify() -> ChainReport:
    """Walks the chain from the oldest record; reports the first broken link."""
    previous = None
    checked = 0
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        if previous is None and not _anchored(event):
            return ChainReport(
                checked, event.id, "之前的记录被删除，且没有清理审计记录的操作与之对应"
            )
        if previous is not None and event.prev_hash != previous:
            return ChainReport(checked, event.id, "与前一条记录的链接不符（前一条被改动或删除）")
        if _digest(event) != event.hash:
            return ChainReport(checked, event.id, "内容与哈希不符（记录被改动）")
        previous = event.hash
        checked += 1
    return ChainReport(checked, None)


def audit_purge(*, before: datetime.datetime, actor) -> int:
    """Removes records older than ``before``; refuses to touch the last 180 days.

    Only the oldest run of records goes, up to the first one not older than ``before``, so
    the chain never gets a hole in the middle (a clock set back could otherwise interleave
    old and new times). The purge record keeps the hash of the last record removed as the
    anchor that audit_verify accepts for the first record kept.
    """
    limit = timezone.now() - datetime.timedelta(days=MIN_RETENTION_DAYS)
    if before > limit:
        raise ValueError(
            f"审计记录至少保留 {MIN_RETENTION_DAYS} 天，不能清理 {limit:%Y-%m-%d} 之后的记录。"
        )
    with transaction.atomic():
        _lock_chain()
        old = AuditEvent.objects.all()
        first_kept = (
            AuditEvent.objects.filter(at__gte=before).order_by("id").values_list("id", flat=True)
        ).first()
        if first_kept is not None:
            old = old.filter(id__lt=first_kept)
        anchor, last_removed_id = old.order_by("-id").values_list("hash", "id").first() or ("", 0)
        count = old.count()
        old._purge()
        audit_record(
            actor=actor,
            action=Action.AUDIT_PURGED,
            summary=f"清理 {before:%Y-%m-%d} 之前的审计记录 {count} 条",
            # last_removed_id: the anchor file's lines up to it lost their record lawfully.
            detail={
                "before": before,
                "count": count,
                "anchor": anchor,
                "last_removed_id": last_removed_id,
            },
        )
    return count


def audit_reanchor(*, actor, reason: str) -> AuditEvent:
    """Starts the anchor file afresh at the table's head, e.g. after the file was lost or a
    development database was recreated. The act is itself recorded, and the file keeps the
    lines before it, so an examiner sees where and why the anchor was reset."""
    if not reason.strip():
        raise ValueError("重设锚点须说明原因。")
    from .anchor import anchor_path

    detail = {"reason": reason.strip(), "file": str(anchor_path() or "")}
    if actor is None:
        detail["username"] = command_line_actor()
    return audit_record(
        actor=actor,
        action=Action.AUDIT_REANCHORED,
        summary=f"重设审计锚点：{reason.strip()}"[:300],
        detail=detail,
        restart_anchor=True,
    )
