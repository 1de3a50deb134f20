"""What, when and how much: indicators, periods, targets, reports and their figures."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from districts.models import Unit

QUARTER_TITLES = {1: "一季度", 2: "上半年", 3: "前三季度", 4: "全年"}


class Indicator(models.Model):
    """One figure a unit reports. Indicators are rows, so the office adds one without a release."""

    class Kind(models.TextChoices):
        FLOW = "flow", _("流量（自1月1日起累计）")
        STOCK = "stock", _("存量（期末数）")

    code = models.SlugField(_("编码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    unit_label = models.CharField(_("计量单位"), max_length=10, help_text=_("件、家、万元等"))
    kind = models.CharField(_("类型"), max_length=5, choices=Kind.choices)
    has_target = models.BooleanField(_("有年度指导目标"), default=False)
    has_per_capita = models.BooleanField(_("计算万人比"), default=False)
    has_net_growth = models.BooleanField(_("计算比去年年底净增长"), default=False)
    decimal_places = models.PositiveSmallIntegerField(
        _("小数位数"), default=0, help_text=_("0 表示只能填整数（件数、家数）。")
    )
    order = models.PositiveIntegerField(_("排列顺序"), default=0)
    active = models.BooleanField(_("启用"), default=True)
    in_table = models.BooleanField(_("列入通报附件表"), default=True)
    yoy_threshold = models.DecimalField(
        _("同比波动提示阈值（%）"),
        max_digits=6,
        decimal_places=1,
        null=True,
        blank=True,
        default=50,
        help_text=_("与去年同期相比升降超过这个百分比时，提交前要求填报员写明原因；留空不检查。"),
    )
    column_title = models.CharField(
        _("表头（第一行）"),
        max_length=60,
        blank=True,
        help_text=_("附件表第一行表头；留空则用名称。"),
    )
    value_heading = models.CharField(
        _("数值列表头（第二行）"),
        max_length=30,
        blank=True,
        help_text=_("如“件数”“数量（家）”；留空且只有一列时，表头上下合并。"),
    )
    description = models.TextField(
        _("填报说明"), blank=True, help_text=_("填报页上向填报员解释这个数字是什么、从哪里取。")
    )

    class Meta:
        verbose_name = _("指标")
        verbose_name_plural = _("指标")
        ordering = ["order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["flow", "stock"]), name="indicator_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(decimal_places__lte=4), name="indicator_places_at_most_4"
            ),
            # Net growth and per-10,000 only make sense for a stock.
            models.CheckConstraint(
                condition=Q(kind="stock") | Q(has_net_growth=False, has_per_capita=False),
                name="indicator_ratios_only_for_stocks",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_flow(self) -> bool:
        return self.kind == self.Kind.FLOW

    @property
    def is_benchmarked(self) -> bool:
        """Whether completion is compared with 序时进度: the share of the year elapsed measures
        a flow counted from 1 January against its annual target. A stock's target is a level
        for the year's end and is not compared with it."""
        return self.is_flow and self.has_target

    @property
    def rank_measure(self) -> str:
        """The Cell attribute a ranking orders units by: completion where there is a target,
        the value otherwise."""
        return "completion" if self.has_target else "value"

    @property
    def title(self) -> str:
        return self.column_title or self.name


class Period(models.Model):
    """A reporting quarter. Flows are cumulative from 1 January to the quarter's end."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("未开放")
        OPEN = "open", _("填报中")
        CLOSED = "closed", _("已截止")

    year = models.PositiveIntegerField(_("年份"))
    quarter = models.PositiveSmallIntegerField(
        _("季度"), choices=[(q, t) for q, t in QUARTER_TITLES.items()]
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    deadline = models.DateField(_("报送截止日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("填报期")
        verbose_name_plural = _("填报期")
        ordering = ["-year", "-quarter"]
        constraints = [
            models.UniqueConstraint(fields=["year", "quarter"], name="period_unique_year_quarter"),
            models.CheckConstraint(
                condition=Q(quarter__gte=1, quarter__lte=4), name="period_quarter_1_to_4"
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def code(self) -> str:
        return f"{self.year}Q{self.quarter}"

    @property
    def quarter_title(self) -> str:
        return QUARTER_TITLES[self.quarter]

    @property
    def title(self) -> str:
        return f"{self.year}年{self.quarter_title}"


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
        SUBMITTED = "submitted", _("已报送")
        RETURNED = "returned", _("已退回")
        APPROVED = "approved", _("已审核")

    class Source(models.TextChoices):
        ENTERED = "entered", _("填报（经审核）")
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
        help_text=_("填报：由单位填报、经审核；历史数据：由市局作为已审核的往期数据导入。"),
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

    class Meta:
        verbose_name = _("填报表")
        verbose_name_plural = _("填报表")
        ordering = ["-period__year", "-period__quarter", "unit__order"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "period"], name="report_unique_unit_period"),
            models.CheckConstraint(
                condition=Q(state__in=["draft", "submitted", "returned", "approved"]),
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
