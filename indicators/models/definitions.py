"""What is reported, and when: indicator sets, indicators, periods, and the layout of the
official table."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from districts.models import Unit

from .. import calendar
from ..calendar import Frequency


class IndicatorSet(models.Model):
    """Indicators reported together, at one frequency: the quarterly circular's table, a
    province's monthly statistics. A period of that frequency asks for the set's indicators."""

    name = models.CharField(_("名称"), max_length=60, unique=True)
    frequency = models.CharField(
        _("填报频率"), max_length=1, choices=Frequency.choices, default=Frequency.QUARTER
    )
    order = models.PositiveIntegerField(_("排列顺序"), default=0)

    class Meta:
        verbose_name = _("指标组")
        verbose_name_plural = _("指标组")
        ordering = ["order", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(frequency__in=["M", "Q", "Y"]), name="indicatorset_frequency_valid"
            ),
        ]

    def __str__(self):
        return f"{self.name}（{self.get_frequency_display()}）"


class Indicator(models.Model):
    """One figure a unit reports. Indicators are rows, so the office adds one without a release.

    It is reported from its first period to its last (none: still in use), at its set's
    frequency; by every reporting unit at the bottom of the tree (a parent's value is their
    sum), or by one given unit itself (a city's city-wide trademark figures); or it is not
    reported at all but computed from other indicators by its formula.
    """

    class Kind(models.TextChoices):
        FLOW = "flow", _("流量（自1月1日起累计）")
        STOCK = "stock", _("存量（期末数）")

    class Reporter(models.TextChoices):
        LEAVES = "leaves", _("各基层填报单位（上级为下级之和）")
        UNIT = "unit", _("指定单位自行填报")

    code = models.SlugField(
        _("编码"),
        max_length=40,
        unique=True,
        help_text=_("字母、数字和下划线，如 invention_grants；公式中用它指代这个指标。"),
    )
    name = models.CharField(_("名称"), max_length=100)
    indicator_set = models.ForeignKey(
        IndicatorSet,
        verbose_name=_("指标组"),
        on_delete=models.PROTECT,
        related_name="indicators",
        help_text=_("决定填报频率（月度、季度、年度）。"),
    )
    first_period = models.CharField(
        _("首个填报期"),
        max_length=10,
        blank=True,
        help_text=_("从哪一期起填报，如 2023Q1、2025M01；留空表示一直在用。"),
    )
    last_period = models.CharField(
        _("最后填报期"),
        max_length=10,
        blank=True,
        help_text=_("停用时填最后一期，如 2024Q4；之后的填报期不再有这个指标，之前的不受影响。"),
    )
    reporter = models.CharField(
        _("由谁填报"), max_length=10, choices=Reporter.choices, default=Reporter.LEAVES
    )
    reporting_unit = models.ForeignKey(
        Unit,
        verbose_name=_("填报单位"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="own_indicators",
        help_text=_("“指定单位自行填报”时：哪个单位填报（如全市的商标数由市局填报）。"),
    )
    formula = models.CharField(
        _("计算公式"),
        max_length=300,
        blank=True,
        help_text=_(
            "由其他指标计算、不填报时填写，如 invention + utility + design，"
            "或 high_value / 常住人口；可用 + - * / 和括号。留空表示由单位填报。"
        ),
    )
    unit_label = models.CharField(_("计量单位"), max_length=10, help_text=_("件、家、万元等"))
    kind = models.CharField(_("类型"), max_length=5, choices=Kind.choices)
    has_target = models.BooleanField(_("有年度指导目标"), default=False)
    has_per_capita = models.BooleanField(_("计算万人比"), default=False)
    has_net_growth = models.BooleanField(_("计算比去年年底净增长"), default=False)
    decimal_places = models.PositiveSmallIntegerField(
        _("小数位数"), default=0, help_text=_("0 表示只能填整数（件数、家数）。")
    )
    order = models.PositiveIntegerField(_("排列顺序"), default=0)
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

    class RankBy(models.TextChoices):
        VALUE = "value", _("数值")
        COMPLETION = "completion", _("目标完成情况")
        PER_CAPITA = "per_capita", _("万人比")
        YOY = "yoy", _("同比")
        NET_GROWTH = "net_growth", _("比去年年底净增长")

    rank_by = models.CharField(
        _("排名依据"),
        max_length=12,
        choices=RankBy.choices,
        blank=True,
        help_text=_("留空：有目标的按完成情况，没有目标的按数值。"),
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
            models.CheckConstraint(
                condition=Q(reporter="leaves", reporting_unit__isnull=True)
                | Q(reporter="unit", reporting_unit__isnull=False),
                name="indicator_reporting_unit_with_unit_reporter",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_flow(self) -> bool:
        return self.kind == self.Kind.FLOW

    @property
    def is_derived(self) -> bool:
        """Computed from other indicators by its formula, never entered."""
        return bool(self.formula)

    @property
    def frequency(self) -> str:
        return self.indicator_set.frequency

    def in_force(self, period: Period) -> bool:
        """Whether the indicator is reported in ``period`` (its set's frequency, between its
        first and last period)."""
        if period.frequency != self.indicator_set.frequency:
            return False
        key = (period.year, period.number)
        for bound, later in ((self.first_period, False), (self.last_period, True)):
            if bound:
                _freq, year, number = calendar.parse_code(bound)
                if (key > (year, number)) if later else (key < (year, number)):
                    return False
        return True

    def reported_by(self, unit: Unit, *, is_leaf: bool) -> bool:
        """Whether ``unit`` enters this indicator itself."""
        if self.is_derived:
            return False
        if self.reporter == self.Reporter.UNIT:
            return unit.pk == self.reporting_unit_id
        return is_leaf

    @property
    def is_benchmarked(self) -> bool:
        """Whether completion is compared with 序时进度: the share of the year elapsed measures
        a flow counted from 1 January against its annual target. A stock's target is a level
        for the year's end and is not compared with it."""
        return self.is_flow and self.has_target

    @property
    def rank_measure(self) -> str:
        """The Cell attribute a ranking orders units by: the office's choice, else completion
        where there is a target and the value otherwise."""
        if self.rank_by:
            return self.rank_by
        return "completion" if self.has_target else "value"

    @property
    def rank_measure_label(self) -> str:
        """What the ranking orders by, in words (目标完成情况, 万人比…)."""
        return str(self.RankBy(self.rank_measure).label)

    @property
    def title(self) -> str:
        return self.column_title or self.name


class Period(models.Model):
    """A reporting period: a month, a quarter or a year. Flows are cumulative from 1 January
    to its last month; stocks are read at its end.

    ``frozen`` keeps the indicators as they were when the period was closed (names, headings,
    which are reported, formulas): a closed period's tables never change when an indicator is
    later added, retired or renamed.
    """

    class Status(models.TextChoices):
        PLANNED = "planned", _("未开放")
        OPEN = "open", _("填报中")
        CLOSED = "closed", _("已截止")

    frequency = models.CharField(
        _("频率"), max_length=1, choices=Frequency.choices, default=Frequency.QUARTER
    )
    year = models.PositiveIntegerField(_("年份"))
    number = models.PositiveSmallIntegerField(
        _("第几期"), help_text=_("季度 1–4（2 即上半年）；月度 1–12；年度 1。")
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    deadline = models.DateField(_("报送截止日期"), null=True, blank=True)
    frozen = models.JSONField(_("截止时的指标"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("填报期")
        verbose_name_plural = _("填报期")
        ordering = ["-year", "-number", "frequency"]
        constraints = [
            models.UniqueConstraint(
                fields=["frequency", "year", "number"], name="period_unique_frequency_year_number"
            ),
            models.CheckConstraint(
                condition=Q(frequency="Q", number__gte=1, number__lte=4)
                | Q(frequency="M", number__gte=1, number__lte=12)
                | Q(frequency="Y", number=1),
                name="period_number_fits_frequency",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def code(self) -> str:
        return calendar.code(self.frequency, self.year, self.number)

    @property
    def title(self) -> str:
        return calendar.title(self.frequency, self.year, self.number)

    @property
    def stock_title(self) -> str:
        return calendar.stock_title(self.frequency, self.year, self.number)

    def title_for(self, indicator: Indicator) -> str:
        """The period in a sentence about ``indicator``: 2025年1—7月 for a flow, 截至2025年7月底
        for a stock."""
        return self.title if indicator.is_flow else self.stock_title

    @property
    def short_title(self) -> str:
        return calendar.short_title(self.frequency, self.number)

    @property
    def previous_word(self) -> str:
        """The period before, as a form's column names it: 上季度, 上月."""
        return calendar.PREVIOUS_WORDS[self.frequency]

    @property
    def end_month(self) -> int:
        return calendar.end_month(self.frequency, self.number)

    @property
    def end_date(self):
        return calendar.end_date(self.frequency, self.year, self.number)

    @property
    def is_first_of_year(self) -> bool:
        return self.number == 1

    @property
    def is_last_of_year(self) -> bool:
        return self.number == calendar.last_number(self.frequency)


class TableLayout(models.Model):
    """The official table's columns as the office chooses them: which indicators, which of
    their columns, in which order, with which headings. Without one, every indicator marked
    “列入通报附件表” shows its usual columns (the seed's table). A layout is for one unit's
    tables (or every table) from a first period on; a closed period keeps the layouts it was
    closed with."""

    class Expand(models.TextChoices):
        NONE = "none", _("不展开")
        SUBTOTALS = "subtotals", _("展开小计单位（如市本级下列出各区）")
        ALL = "all", _("展开所有有下级的单位")

    name = models.CharField(_("名称"), max_length=60)
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("汇总单位"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="table_layouts",
        help_text=_("哪个单位的汇总表用这个表式；留空表示所有汇总表。"),
    )
    first_period = models.CharField(
        _("自哪一期起"),
        max_length=10,
        blank=True,
        help_text=_("如 2024Q1；留空表示一直适用。之后改了表式，另建一个更晚的表式即可。"),
    )
    expand = models.CharField(
        _("下级单位展开"),
        max_length=10,
        choices=Expand.choices,
        default=Expand.NONE,
        help_text=_("下级单位本身也有下级时，在它下面缩进列出它的下级，合计不变。"),
    )

    class Meta:
        verbose_name = _("附件表表式")
        verbose_name_plural = _("附件表表式")
        ordering = ["unit_id", "first_period"]

    def __str__(self):
        return self.name


class TableColumn(models.Model):
    class Measure(models.TextChoices):
        VALUE = "value", _("数值")
        TARGET = "target", _("年指导目标")
        COMPLETION = "completion", _("目标完成情况（%）")
        NET_GROWTH = "net_growth", _("比去年年底净增长")
        PER_CAPITA = "per_capita", _("万人比")
        YOY = "yoy", _("同比（%）")
        RANK = "rank", _("排名")

    layout = models.ForeignKey(TableLayout, on_delete=models.CASCADE, related_name="columns")
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("指标"), on_delete=models.CASCADE, related_name="+"
    )
    measure = models.CharField(_("列"), max_length=12, choices=Measure.choices)
    heading = models.CharField(
        _("列标题"),
        max_length=40,
        blank=True,
        help_text=_("留空用默认标题，如“年指导目标（件）”。"),
    )
    order = models.PositiveIntegerField(_("排列顺序"), default=0)

    class Meta:
        verbose_name = _("表列")
        verbose_name_plural = _("表列")
        ordering = ["order", "pk"]

    def __str__(self):
        return f"{self.indicator} · {self.get_measure_display()}"
