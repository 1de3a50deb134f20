"""Personal API tokens: a person's key for programs that act for them through /api/v1/.

Only a digest is stored (SHA-256 of a 256-bit random secret: a secret that long needs no slow
hash); the secret is shown once, when it is created. A token acts with its user's role and
units, nothing more, and only while the user is active and not locked out.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField(_("用途"), max_length=50)
    # The first characters of the secret, so that a person can tell their tokens apart.
    prefix = models.CharField(_("前缀"), max_length=12)
    digest = models.CharField(_("摘要"), max_length=64, unique=True, editable=False)
    read_only = models.BooleanField(_("只读"), default=False)
    # The account as it was when the token was made: a token stops when its user's role or
    # unit changes (api.authentication), so it never carries rights the person was not given.
    role = models.CharField(_("创建时的角色"), max_length=10, blank=True, editable=False)
    unit_id_at_creation = models.BigIntegerField(_("创建时的单位"), null=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(digest=""), name="apitoken_digest_set"),
        ]

    def __str__(self):
        return f"{self.name}（{self.prefix}…）"

    @property
    def active(self) -> bool:
        return self.revoked_at is None
