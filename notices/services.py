"""Sending and reading notices. Callers decide who hears what; this module only delivers."""

from __future__ import annotations

from collections.abc import Iterable

from django.http import Http404
from django.utils import timezone

from .models import Notice


def notify(*, users: Iterable, kind: str, message: str, url: str = "", topic: str = "") -> list:
    """One unread notice to each of ``users`` (user objects or ids), in one query."""
    if kind not in Notice.Kind.values:
        raise ValueError(f"unknown notice kind {kind!r}")
    ids = list(dict.fromkeys(getattr(u, "pk", u) for u in users))
    return Notice.objects.bulk_create(
        Notice(user_id=uid, kind=kind, message=message, url=url[:300], topic=topic[:100])
        for uid in ids
    )


def unread(user, *, limit: int = 20) -> list[Notice]:
    if not getattr(user, "is_authenticated", False):
        return []
    return list(Notice.objects.filter(user=user, read_at__isnull=True)[:limit])


def notice_read(*, user, notice_id: int) -> Notice:
    """Marks one of the user's own notices read; another person's is a 404."""
    notice = Notice.objects.filter(pk=notice_id, user=user).first()
    if notice is None:
        raise Http404("没有这条通知。")
    if notice.read_at is None:
        notice.read_at = timezone.now()
        notice.save(update_fields=["read_at"])
    return notice
