"""In-app notices: a message to one person, shown on their home page until they mark it read.

This app knows people only as the user model; what a notice is about is its kind, its text,
where it leads (url) and a topic string ("report:12", "period:2023Q3", "account:5") by which
the sender recognises its own notices again.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Notice(models.Model):
    class Kind(models.TextChoices):
        RETURNED = "returned", _("退回")
        APPROVED = "approved", _("审核通过")
        REOPENED = "reopened", _("重新打开")
        REMINDER = "reminder", _("催报提醒")
        EXTENSION = "extension", _("延期")
        ACCOUNT = "account", _("账号变动")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        on_delete=models.CASCADE,
        related_name="notices",
    )
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    message = models.TextField(_("内容"))
    url = models.CharField(_("链接"), max_length=300, blank=True)
    topic = models.CharField(_("事由"), max_length=100, blank=True, db_index=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("站内通知")
        verbose_name_plural = _("站内通知")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="notice_user_unread_idx")]

    def __str__(self):
        return f"{self.get_kind_display()}：{self.message[:40]}"
