"""How an installation reviews its reports: a sign-off inside each unit, and review level by
level up the tree. One row (pk 1), edited by the office in the admin through
indicators.services.workflow; the defaults (neither) serve until it is saved."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReviewSettings(models.Model):
    unit_signoff = models.BooleanField(
        _("填报后须经本单位审核人审核"),
        default=False,
        help_text=_(
            "开启后，填报员提交的表先到本单位的“单位审核人”，审核通过后才报送主管部门；"
            "单位审核人也可以退回填报员修改。"
        ),
    )
    review_by_level = models.BooleanField(
        _("逐级审核"),
        default=False,
        help_text=_(
            "开启后，每个汇总单位（如省下的市）审核其下级的表，全部审核通过后把本级汇总表"
            "报送上级（如省）审核；上级退回时退回到本级，上级审核通过后本级不能再重新打开"
            "下级的表。关闭时，由最上级主管部门直接审核每个填报单位。"
        ),
    )
    days_per_level = models.PositiveSmallIntegerField(
        _("每级汇总报送期限（天）"),
        default=5,
        help_text=_("逐级审核时，汇总单位报送本级汇总表的截止日期比其下级晚几天。"),
    )

    class Meta:
        verbose_name = _("审核流程")
        verbose_name_plural = _("审核流程")
        constraints = [
            models.CheckConstraint(condition=models.Q(pk=1), name="reviewsettings_singleton"),
        ]

    def __str__(self):
        return str(_("审核流程"))

    @classmethod
    def current(cls) -> ReviewSettings:
        return cls.objects.filter(pk=1).first() or cls(pk=1)
