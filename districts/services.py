"""Writes about people: password changes, unlocking, second factor. Each is audited."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from audit.models import Action
from audit.services import audit_record

from .access import UNLOCK_ROLES, role_of
from .models import Profile


def password_changed(*, user, by_admin=None) -> None:
    """Records a new password: by the person themself (policy satisfied) or set by an
    administrator (temporary: the person must change it at the next login)."""
    with transaction.atomic():
        profile = Profile.objects.select_for_update().filter(user=user).first()
        if profile is not None:
            profile.must_change_password = by_admin is not None
            profile.password_changed_at = timezone.now()
            profile.save(update_fields=["must_change_password", "password_changed_at"])
        audit_record(
            actor=by_admin or user,
            action=Action.ACCOUNT_CHANGED,
            unit=profile.unit if profile else None,
            obj=user,
            summary=(
                f"重设 {user.get_username()} 的密码（下次登录须修改）"
                if by_admin
                else "修改本人密码"
            ),
            detail={"username": user.get_username(), "by_admin": by_admin is not None},
        )


def locked_out() -> list:
    """Access attempts that lock a user name or an address now."""
    from axes.models import AccessAttempt

    cutoff = timezone.now() - settings.AXES_COOLOFF_TIME
    return list(
        AccessAttempt.objects.filter(
            failures_since_start__gte=settings.AXES_FAILURE_LIMIT, attempt_time__gte=cutoff
        ).order_by("-attempt_time")
    )


def account_unlock(*, actor, username: str = "", ip: str = "") -> int:
    """Clears the failed logins of a user name or an address; office staff or sysadmin."""
    from axes.utils import reset

    if role_of(actor) not in UNLOCK_ROLES:
        raise PermissionDenied("只有市局工作人员或系统管理员可以解锁账号。")
    if not username and not ip:
        raise ValueError("username or ip")
    with transaction.atomic():
        count = reset(username=username or None, ip=ip or None)
        audit_record(
            actor=actor,
            action=Action.ACCOUNT_CHANGED,
            summary=f"解锁：{username or ip}",
            detail={"unlocked_username": username, "unlocked_ip": ip, "attempts_cleared": count},
        )
    return count


def otp_device_confirmed(*, user, device) -> None:
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        audit_record(
            actor=user,
            action=Action.ACCOUNT_CHANGED,
            obj=user,
            summary="启用两步验证（TOTP）",
            detail={"username": user.get_username()},
        )


def unit_parent_check(*, unit, parent) -> None:
    """The reporting tree stays a tree with one top: no unit under itself or its own child."""
    from django.core.exceptions import ValidationError

    from .models import Unit

    if parent is None:
        others = Unit.objects.filter(parent__isnull=True, active=True).exclude(pk=unit.pk)
        if others.exists():
            raise ValidationError(f"已有顶级单位“{others.first().name}”，请选择上级单位。")
        return
    node = parent
    while node is not None:
        if unit.pk is not None and node.pk == unit.pk:
            raise ValidationError("上级单位不能是本单位或本单位的下级。")
        node = node.parent
