"""Accounts nobody has used for a while are disabled (等保 2.0: 及时删除或停用多余的、过期的账户).

Nobody is spared, superusers included. Here a superuser cannot sign in at all (三权分立,
districts.backends.RoleBackend), so there is no break-glass login for an exemption to keep
alive; and a privileged account unused for months is the one an assessor looks for first.
The way back in for a disabled administrator is another administrator (用户 in the admin),
or the server: `manage.py create_account` makes a new one; both are recorded.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from audit.models import Action
from audit.services import audit_record

from .models import Profile


@dataclass
class Disabled:
    username: str
    last_seen: datetime.datetime  # last login, or the account's creation if never used
    never_logged_in: bool


def accounts_disable_inactive(*, days: int, actor=None) -> list[Disabled]:
    """Deactivates every active account whose last login (or creation, when it never
    logged in) is more than ``days`` days ago; one audit record per account."""
    if days < 1:
        raise ValueError("days must be at least 1")
    cutoff = timezone.now() - datetime.timedelta(days=days)
    stale = Q(last_login__lt=cutoff) | Q(last_login__isnull=True, date_joined__lt=cutoff)
    done = []
    with transaction.atomic():
        users = list(
            get_user_model()
            .objects.select_for_update()
            .filter(stale, is_active=True)
            .order_by("username")
        )
        units = {
            p.user_id: p.unit for p in Profile.objects.filter(user__in=users).select_related("unit")
        }
        for user in users:
            user.is_active = False
            user.save(update_fields=["is_active"])
            last_seen = user.last_login or user.date_joined
            entry = Disabled(user.get_username(), last_seen, user.last_login is None)
            when = f"{timezone.localtime(last_seen):%Y-%m-%d}"
            audit_record(
                actor=actor,
                action=Action.ACCOUNT_CHANGED,
                unit=units.get(user.pk),
                obj=user,
                summary=(
                    f"停用 {days} 天未使用的账号 {entry.username}"
                    f"（{'创建于' if entry.never_logged_in else '最后登录'} {when}）"
                ),
                # Not "username": audit_record would take that for the actor's name.
                detail={
                    "account": entry.username,
                    "disabled_inactive_days": days,
                    "last_login": user.last_login,
                    "date_joined": user.date_joined,
                },
            )
            done.append(entry)
    return done
