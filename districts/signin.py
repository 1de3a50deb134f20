"""Writes about signing in: unlocking an account, enrolling and proving the second factor.
Each is audited; django-axes keeps the failed attempts (districts.lockout)."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from audit.models import Action
from audit.services import audit_record

from .access import Do, require
from .identity import normalize_username


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

    require(actor, Do.UNLOCK)
    if not username and not ip:
        raise ValueError("username or ip")
    key = normalize_username(username)  # the lockout's own key (districts.lockout)
    with transaction.atomic():
        count = reset(username=key or None, ip=ip or None)
        audit_record(
            actor=actor,
            action=Action.ACCOUNT_CHANGED,
            summary=f"解锁：{key or ip}",
            detail={"unlocked_username": key, "unlocked_ip": ip, "attempts_cleared": count},
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


def account_locked(request) -> bool:
    """Whether the signed-in person's account is locked now (by anyone's failures)."""
    from axes.handlers.proxy import AxesProxyHandler

    return AxesProxyHandler.is_locked(request, {"username": request.user.get_username()})


def second_factor_passed(*, request, device) -> None:
    """The code was right: the session is verified, the sign-in is complete (recorded now,
    not at the password), and the account's failed attempts are cleared."""
    from axes.handlers.proxy import AxesProxyHandler
    from django_otp import login as otp_login

    otp_login(request, device)
    # Now that the session is verified, axes clears the failures (districts.lockout).
    AxesProxyHandler.user_logged_in(sender=__name__, request=request, user=request.user)
    audit_record(actor=request.user, action=Action.LOGIN, summary="登录成功（已通过两步验证）")


def second_factor_failed(*, request) -> bool:
    """A wrong code: recorded, and counted as a failed sign-in of the account, so a stolen
    password gives no more than the lockout's tries at the code. True once that locks it."""
    from axes.handlers.proxy import AxesProxyHandler

    user = request.user
    audit_record(
        actor=user,
        action=Action.OTP_FAILED,
        summary=f"两步验证失败：{user.get_username()}",
        detail={"username": user.get_username()},
    )
    AxesProxyHandler.user_login_failed(
        sender=__name__, credentials={"username": user.get_username()}, request=request
    )
    return bool(getattr(request, "axes_locked_out", False))
