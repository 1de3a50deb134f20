"""How much, by whom: targets, reports, their figures and every change of them, extensions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from districts.models import Unit

from .definitions import Indicator, Period


class Extension(models.Model):
    """Office staff let one unit keep editing a period after its deadline, until a date."""

    period = models.ForeignKey(
        Period, verbose_name=_("填报期"), on_delete=models.CASCADE, related_name="extensions"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("单位"), on_delete=models.CASCADE, related_name="extensions"
    )
    until = models.DateField(_("延期至"))
    reason = models.TextField(_("原因"))
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("批准人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    granted_at = models.DateTimeField(_("批准时间"), auto_now=True)

    class Meta:
        verbose_name = _("延期")
        verbose_name_plural = _("延期")
        constraints = [
            models.UniqueConstraint(fields=["period", "unit"], name="extension_unique_period_unit"),
        ]

    def __str__(self):
        return f"{self.unit} {self.period} 延期至 {self.until:%Y-%m-%d}"


class Target(models.Model):
    """Annual guidance target (年指导目标) of one unit for one indicator."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("单位"), on_delete=models.CASCADE, related_name="targets"
    )
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("指标"), on_delete=models.PROTECT, related_name="targets"
    )
    year = models.PositiveIntegerField(_("年份"))
    value = models.DecimalField(_("目标值"), max_digits=18, decimal_places=4)

    class Meta:
        verbose_name = _("年度指导目标")
        verbose_name_plural = _("年度指导目标")
        ordering = ["-year", "unit__order", "indicator__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "indicator", "year"], name="target_unique_unit_indicator_year"
            ),
            models.CheckConstraint(condition=Q(value__gte=0), name="target_not_negative"),
        ]

    def __str__(self):
        return f"{self.unit} {self.year}年 {self.indicator}：{self.value.normalize():f}"


class Report(models.Model):
    """One unit's figures for one period."""

    class State(models.TextChoices):
        DRAFT = "draft", _("草稿")
        # Submitted by the clerk, waiting for the unit's own sign-off (ReviewSettings).
        SIGNING = "signing", _("待本单位审核")
        SUBMITTED = "submitted", _("已报送")
        RETURNED = "returned", _("已退回")
        APPROVED = "approved", _("已审核")

    class Source(models.TextChoices):
        ENTERED = "entered", _("单位填报")
        HISTORY = "history", _("历史数据导入")

    # Figures that count in a summary: a draft or a returned report is still the unit's own.
    COUNTED = (State.SUBMITTED, State.APPROVED)
    # States in which the unit's clerk may still change the figures.
    CLERK_STATES = (State.DRAFT, State.RETURNED)

    unit = models.ForeignKey(
        Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="reports"
    )
    period = models.ForeignKey(
        Period, verbose_name=_("填报期"), on_delete=models.PROTECT, related_name="reports"
    )
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.DRAFT)
    source = models.CharField(
        _("来源"),
        max_length=10,
        choices=Source.choices,
        default=Source.ENTERED,
        help_text=_(
            "单位填报：由单位在系统中填报，经审核流程；历史数据：由主管部门作为已审核的往期数据导入。"
        ),
    )
    version = models.PositiveIntegerField(
        _("版本"),
        default=0,
        help_text=_("每次保存或审核加一，用来发现两人同时修改（或在旧页面上审核）。"),
    )
    updated_at = models.DateTimeField(_("最后修改时间"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("最后修改人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("报送人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    return_reason = models.TextField(_("退回原因"), blank=True)
    signed_at = models.DateTimeField(_("本单位审核时间"), null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("本单位审核人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("填报表")
        verbose_name_plural = _("填报表")
        ordering = ["-period__year", "-period__number", "unit__order"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "period"], name="report_unique_unit_period"),
            models.CheckConstraint(
                condition=Q(state__in=["draft", "signing", "submitted", "returned", "approved"]),
                name="report_state_valid",
            ),
            # History is recorded approved; it never enters the clerk's workflow.
            models.CheckConstraint(
                condition=Q(source="entered") | Q(source="history", state="approved"),
                name="report_history_is_approved",
            ),
        ]

    def __str__(self):
        return f"{self.unit} {self.period}"

    @property
    def editable_by_clerk(self) -> bool:
        return self.state in self.CLERK_STATES

    @property
    def counted(self) -> bool:
        return self.state in self.COUNTED


class Figure(models.Model):
    """One indicator's value in one report: cumulative for a flow, end-of-period for a stock."""

    report = models.ForeignKey(
        Report, verbose_name=_("填报表"), on_delete=models.CASCADE, related_name="figures"
    )
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("指标"), on_delete=models.PROTECT, related_name="figures"
    )
    value = models.DecimalField(_("数值"), max_digits=18, decimal_places=4)
    explanation = models.TextField(
        _("情况说明"), blank=True, help_text=_("数值波动较大或存量下降时，填报员写明的原因。")
    )

    class Meta:
        verbose_name = _("指标数值")
        verbose_name_plural = _("指标数值")
        constraints = [
            models.UniqueConstraint(
                fields=["report", "indicator"], name="figure_unique_report_indicator"
            ),
            models.CheckConstraint(condition=Q(value__gte=0), name="figure_not_negative"),
        ]

    def __str__(self):
        return f"{self.report} {self.indicator}：{self.value.normalize():f}"


class FigureChange(models.Model):
    """Every change of a figure: who, when, old and new value."""

    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="changes", verbose_name=_("填报表")
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="+", verbose_name=_("指标")
    )
    old_value = models.DecimalField(
        _("原值"), max_digits=18, decimal_places=4, null=True, blank=True
    )
    new_value = models.DecimalField(
        _("新值"),
        max_digits=18,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_("空表示清空。"),
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("修改人"),
    )
    changed_at = models.DateTimeField(_("修改时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("数值修改记录")
        verbose_name_plural = _("数值修改记录")
        ordering = ["-changed_at", "-id"]

    def __str__(self):
        return f"{self.report} {self.indicator}: {self.old_value} → {self.new_value}"


class Transition(models.Model):
    """A step in a report's life: who moved it from which state to which, and why.

    ``figures`` keeps the report's figures at that moment, so a reviewer sees what changed
    between a return and the resubmission.
    """

    report = models.ForeignKey(
        Report, verbose_name=_("填报表"), on_delete=models.CASCADE, related_name="transitions"
    )
    from_state = models.CharField(_("原状态"), max_length=10, choices=Report.State.choices)
    to_state = models.CharField(_("新状态"), max_length=10, choices=Report.State.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    reason = models.TextField(_("原因"), blank=True)
    figures = models.JSONField(_("当时数值"), default=dict)

    class Meta:
        verbose_name = _("状态变更")
        verbose_name_plural = _("状态变更")
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.report} {self.get_from_state_display()} → {self.get_to_state_display()}"
