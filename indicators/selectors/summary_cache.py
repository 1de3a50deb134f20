"""A period's summary kept in the shared cache, so that fifty people opening the same table
compute it once, and nobody ever sees a stale figure.

The key holds the data version: the id of the audit log's latest record of a change. Every
write is audited in its own transaction (the house rule), and the audit chain serialises its
writers until they commit (audit.services), so that id grows with every committed change, in
commit order: a summary cached under a version was computed from data at least that new,
and the first read after a save asks for a new key. (The key also holds that record's hash,
so a database restored from a backup never meets a summary cached before the restore.)
Records that change no figure (sign-ins, downloads, backups, reminders) leave it as it was.

The cache is Django's default (zzip/settings.py, CACHES): Redis where ``REDIS_URL`` is set,
else the database's cache table, shared by every app server either way, never one process's
memory. A cache that fails (Redis down, the table missing) costs only the time: the summary
is computed as if nothing were cached.
"""

from __future__ import annotations

import logging

from django.core.cache import cache

from audit.models import Action, AuditEvent

from ..models import Period
from .summary import Summary, Trend, summarize, trend

log = logging.getLogger(__name__)

# Raise when Summary, Trend or what they hold change shape, so that a new release never reads
# an old release's pickles.
SHAPE = 1
# A version that nobody asks for any more simply expires.
TIMEOUT_SECONDS = 60 * 60

# Audit actions that change nothing a summary reads.
UNCHANGING = (
    Action.LOGIN,
    Action.LOGOUT,
    Action.LOGIN_FAILED,
    Action.LOGIN_LOCKED,
    Action.LOGIN_PASSWORD_OK,
    Action.OTP_FAILED,
    Action.EXPORT,
    Action.REMINDER_SENT,
    Action.BACKUP,
    Action.AUDIT_PURGED,
    Action.AUDIT_REANCHORED,
)


def data_version() -> str:
    """The latest audited change: its id and the start of its hash ("0" before any). The hash
    tells a restored database's records from those the backup did not have, which may have
    had the same ids."""
    latest = (
        AuditEvent.objects.exclude(action__in=UNCHANGING)
        .order_by("-id")
        .values_list("id", "hash")
        .first()
    )
    return f"{latest[0]}-{latest[1][:12]}" if latest else "0"


def _key(what: str, period: Period, parent) -> str:
    return f"summary:{SHAPE}:{what}:{period.pk}:{parent.pk}:{data_version()}"


def _cached(what: str, period: Period, parent, compute):
    if period.pk is None:
        return compute()
    try:
        key = _key(what, period, parent)
        found = cache.get(key)
    except Exception:  # the cache is an optimisation: never a reason to fail a page
        log.warning("summary cache unavailable", exc_info=True)
        return compute()
    if found is not None:
        return found
    value = compute()
    try:
        cache.set(key, value, TIMEOUT_SECONDS)
    except Exception:
        log.warning("summary cache unavailable", exc_info=True)
    return value


def cached_summary(period: Period, parent) -> Summary:
    """``summarize(period, parent)``, from the shared cache when nothing changed since."""
    return _cached("table", period, parent, lambda: summarize(period, parent))


def cached_trend(period: Period, parent) -> Trend:
    """``trend(period, parent)``, from the shared cache when nothing changed since."""
    return _cached("trend", period, parent, lambda: trend(period, parent))
