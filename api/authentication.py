"""``Authorization: Bearer zzip_…``: a personal token (api.models.ApiToken) signs in its user
for one request. The user must be active, hold a role and not be locked out; a revoked,
unknown or malformed token is refused the same way, saying nothing about which it was."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone
from rest_framework import authentication, exceptions

from districts.identity import normalize_username
from districts.middleware import password_change_due

from .models import ApiToken
from .services import TOKEN_PREFIX, token_digest

# A real token is the prefix and 43 characters; anything much longer is not worth hashing.
_MAX_LENGTH = 100
# last_used_at is written at most this often per token, not on every request.
_TOUCH_EVERY = datetime.timedelta(minutes=5)


def locked_out(user) -> bool:
    """Whether django-axes locks the account now (too many failed sign-ins)."""
    from axes.models import AccessAttempt

    cutoff = timezone.now() - settings.AXES_COOLOFF_TIME
    return AccessAttempt.objects.filter(
        username=normalize_username(user.get_username()),
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
        attempt_time__gte=cutoff,
    ).exists()


def stale_reason(token: ApiToken, profile) -> str | None:
    """Why the account no longer stands behind the token, or None: a token acts for the
    person as they were when they made it, and as the sign-in policy lets them act now."""
    if (token.role, token.unit_id_at_creation) != (profile.role, profile.unit_id):
        return "令牌创建后账号的角色或单位已变更，令牌已失效，请重新创建。"
    if profile.password_changed_at is not None and profile.password_changed_at > token.created_at:
        return "令牌创建后账号的密码已重设或修改，令牌已失效，请重新创建。"
    if password_change_due(profile.user):
        return "令牌所属账号须先登录网页修改密码，修改后请重新创建令牌。"
    return None


class TokenAuthentication(authentication.BaseAuthentication):
    keywords = ("bearer", "token")

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower().decode(errors="replace") not in self.keywords:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("令牌格式不对，应为 Authorization: Bearer 令牌。")
        try:
            secret = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("令牌无效或已吊销。") from None
        if not secret.startswith(TOKEN_PREFIX) or len(secret) > _MAX_LENGTH:
            raise exceptions.AuthenticationFailed("令牌无效或已吊销。")
        token = (
            ApiToken.objects.select_related("user", "user__profile", "user__profile__unit")
            .filter(digest=token_digest(secret), revoked_at=None)
            .first()
        )
        if token is None:
            raise exceptions.AuthenticationFailed("令牌无效或已吊销。")
        user = token.user
        if not user.is_active or getattr(user, "profile", None) is None:
            raise exceptions.AuthenticationFailed("令牌所属账号已停用。")
        if locked_out(user):
            raise exceptions.AuthenticationFailed("令牌所属账号因多次登录失败被锁定。")
        if reason := stale_reason(token, user.profile):
            raise exceptions.AuthenticationFailed(reason)
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > _TOUCH_EVERY:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        # An account used only through its token is in use: disable_inactive_accounts reads
        # last_login, kept here at most once a day.
        if user.last_login is None or now - user.last_login > datetime.timedelta(days=1):
            type(user).objects.filter(pk=user.pk).update(last_login=now)
        return user, token

    def authenticate_header(self, request):
        return 'Bearer realm="api"'
