"""The audit log: append-only, each record chained to the previous one by a hash."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    """Raised on any attempt to change or delete an audit record."""


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("审计记录只能追加，不能修改。")

    def delete(self):
        raise AppendOnlyError("审计记录只能追加，不能删除。")

    def _purge(self):
        """Deletes old records; only audit.services.audit_purge may call this."""
        return super().delete()


class Action(models.TextChoices):
    LOGIN = "login", _("登录")
    LOGOUT = "logout", _("退出")
    LOGIN_FAILED = "login_failed", _("登录失败")
    LOGIN_LOCKED = "login_locked", _("登录锁定")
    # The password was right; "登录" follows only once the second factor is proved.
    LOGIN_PASSWORD_OK = "login_password_ok", _("密码正确，待两步验证")
    OTP_FAILED = "otp_failed", _("两步验证失败")
    FIGURE_CHANGED = "figure_changed", _("修改数值")
    REPORT_SAVED = "report_saved", _("保存草稿")
    REPORT_SUBMITTED = "report_submitted", _("报送")
    REPORT_APPROVED = "report_approved", _("审核通过")
    REPORT_RETURNED = "report_returned", _("退回")
    REPORT_REOPENED = "report_reopened", _("重新打开")
    PERIOD_CHANGED = "period_changed", _("修改填报期")
    EXTENSION_GRANTED = "extension_granted", _("延期")
    TARGET_CHANGED = "target_changed", _("修改目标")
    POPULATION_CHANGED = "population_changed", _("修改人口")
    INDICATOR_CHANGED = "indicator_changed", _("修改指标")
    UNIT_CHANGED = "unit_changed", _("修改单位")
    ACCOUNT_CHANGED = "account_changed", _("修改账号")
    # An account that can read every figure (office staff, viewer): created, raised to such a
    # role, or enabled again. The office is told in-app; the auditor filters on this.
    ACCOUNT_PRIVILEGED = "account_privileged", _("授予主管部门/查看权限")
    EXPORT = "export", _("导出")
    IMPORT = "import", _("导入")
    REMINDER_SENT = "reminder_sent", _("催报提醒")
    AUDIT_PURGED = "audit_purged", _("清理审计记录")
    AUDIT_REANCHORED = "audit_reanchored", _("重设审计锚点")
    BACKUP = "backup", _("备份数据库")
    RESTORE = "restore", _("恢复数据库")
    OTHER = "other", _("其他")


class AuditEvent(models.Model):
    at = models.DateTimeField(_("时间"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    # The name is kept as written, so the record stays readable if the account is renamed.
    actor_name = models.CharField(_("操作人账号"), max_length=150, blank=True)
    action = models.CharField(_("操作"), max_length=30, choices=Action.choices, db_index=True)
    unit = models.ForeignKey(
        "districts.Unit",
        verbose_name=_("单位"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    object_type = models.CharField(_("对象类型"), max_length=50, blank=True)
    object_id = models.CharField(_("对象编号"), max_length=50, blank=True)
    summary = models.CharField(_("摘要"), max_length=300)
    detail = models.JSONField(_("详情"), default=dict, blank=True)
    ip = models.GenericIPAddressField(_("客户端地址"), null=True, blank=True)
    prev_hash = models.CharField(_("前一条哈希"), max_length=64, blank=True)
    # How many records the log held once this one was written, itself included: the anchor
    # file outside the database (audit.anchor) keeps it, so a cut tail shows how much is gone.
    # Empty for records written before it was kept.
    chain_length = models.PositiveBigIntegerField(_("链长度"), null=True, blank=True)
    hash = models.CharField(_("哈希"), max_length=64)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        ordering = ["-id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]

    def __str__(self):
        when = f"{timezone.localtime(self.at):%Y-%m-%d %H:%M:%S}"
        return f"{when} {self.actor_name} {self.get_action_display()} {self.summary}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("审计记录只能追加，不能修改。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("审计记录只能追加，不能删除。")
