"""Login, logout and failed logins go to the audit log (等保: 安全审计)."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from districts.identity import awaiting_second_factor

from .context import client_ip
from .models import Action
from .services import audit_record


def _ip(request):
    return client_ip(request) if request is not None else None


@receiver(user_logged_in)
def on_login(sender, request, user, **kwargs):
    if awaiting_second_factor(user):
        # "登录成功" waits for the code (districts.signin.second_factor_passed).
        audit_record(
            actor=user,
            action=Action.LOGIN_PASSWORD_OK,
            summary="密码正确，等待两步验证",
            ip=_ip(request),
        )
        return
    audit_record(actor=user, action=Action.LOGIN, summary="登录成功", ip=_ip(request))


@receiver(user_logged_out)
def on_logout(sender, request, user, **kwargs):
    if user is not None:
        audit_record(actor=user, action=Action.LOGOUT, summary="退出登录", ip=_ip(request))


@receiver(user_login_failed)
def on_login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    audit_record(
        actor=None,
        action=Action.LOGIN_FAILED,
        summary=f"登录失败：{username}",
        detail={"username": username},
        ip=_ip(request),
    )


@receiver(user_locked_out)
def on_locked_out(sender, request, username, ip_address, **kwargs):
    audit_record(
        actor=None,
        action=Action.LOGIN_LOCKED,
        summary=f"连续登录失败，锁定：{username or ip_address}",
        detail={"username": username or "", "locked_ip": ip_address or ""},
        ip=ip_address,
    )
