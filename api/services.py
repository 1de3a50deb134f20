"""Writes of the API's own: personal tokens created and revoked by their owner, in one
transaction each, audited. (A unit's correction of a report it already sent is a report's
service: indicators.services.report_correct.)"""

from __future__ import annotations

import hashlib
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audit.models import Action
from audit.services import audit_record
from districts.models import Profile
from indicators.rules import clean_text

from .models import ApiToken

TOKEN_PREFIX = "zzip_"
# A person's live tokens, at most: enough for a few programs, not a drawer of forgotten keys.
TOKENS_MAX = 10
NAME_MAX = 50


def token_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def token_create(*, user, name: str, read_only: bool) -> tuple[ApiToken, str]:
    """A new token of ``user``'s own; returns it and its secret, which is never stored."""
    name = clean_text(name, "用途", required=True)
    if len(name) > NAME_MAX:
        raise ValidationError(f"用途最多 {NAME_MAX} 字。", code="too_long")
    if getattr(user, "profile", None) is None or not user.is_active:
        raise ValidationError("没有角色的账号不能创建令牌。", code="no_role")
    with transaction.atomic():
        # Serialises one person's creations, so two at once cannot pass the limit together.
        profile = Profile.objects.select_for_update().get(user=user)
        live = ApiToken.objects.filter(user=user, revoked_at=None).count()
        if live >= TOKENS_MAX:
            raise ValidationError(
                f"每人最多 {TOKENS_MAX} 个有效令牌，请先吊销不用的令牌。", code="too_many"
            )
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token = ApiToken.objects.create(
            user=user,
            name=name,
            prefix=secret[: len(TOKEN_PREFIX) + 6],
            digest=token_digest(secret),
            read_only=bool(read_only),
            role=profile.role,
            unit_id_at_creation=profile.unit_id,
        )
        audit_record(
            actor=user,
            action=Action.ACCOUNT_CHANGED,
            obj=token,
            unit=user.profile.unit,
            summary=f"创建 API 令牌：{name}（{token.prefix}…{'，只读' if read_only else ''}）",
            detail={"token": token.pk, "prefix": token.prefix, "read_only": token.read_only},
        )
    return token, secret


def token_revoke(*, user, token_id: int) -> ApiToken:
    """Revokes one of ``user``'s own tokens (someone else's is not found)."""
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token_id, user=user)
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            audit_record(
                actor=user,
                action=Action.ACCOUNT_CHANGED,
                obj=token,
                unit=user.profile.unit,
                summary=f"吊销 API 令牌：{token.name}（{token.prefix}…）",
                detail={"token": token.pk, "prefix": token.prefix},
            )
    return token
