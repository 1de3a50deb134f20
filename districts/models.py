"""Who: reporting units, their tree, their populations, and the people who act for them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .identity import normalize_username


class Unit(models.Model):
    """A node of the reporting tree: province, city, district, zone or a catch-all child.

    Reports are entered only on leaves; every parent's figures are the sum of its children's.
    A catch-all child (其他/市直) holds figures that belong to no district.
    """

    class Kind(models.TextChoices):
        NATION = "nation", _("全国")
        PROVINCE = "province", _("省")
        CITY = "city", _("市")
        DISTRICT = "district", _("区(市)")
        ZONE = "zone", _("开发区")
        SUBTOTAL = "subtotal", _("小计（如市本级）")
        OTHER = "other", _("其他/市直")

    # Units that are not compared with the others: a catch-all (其他, 省直) holds what belongs
    # to no real unit, a subtotal (市本级) sums some of them.
    UNRANKED = (Kind.OTHER, Kind.SUBTOTAL)

    code = models.CharField(
        _("编码"),
        max_length=20,
        unique=True,
        help_text=_(
            "唯一编码；有行政区划代码的用区划代码，如 370481；开发区等可自定，如 370400GX。"
        ),
    )
    division_code = models.CharField(
        _("行政区划代码"), max_length=12, blank=True, help_text=_("没有行政区划代码的单位留空。")
    )
    name = models.CharField(_("名称"), max_length=50)
    short_name = models.CharField(
        _("表中名称"),
        max_length=20,
        blank=True,
        help_text=_("通报附件表中显示的名称，如“高新区”。"),
    )
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级单位"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    order = models.PositiveIntegerField(
        _("排列顺序"), default=0, help_text=_("按通报中的顺序，小的在前。")
    )
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("填报单位")
        verbose_name_plural = _("填报单位")
        ordering = ["order", "code"]
        constraints = [
            models.CheckConstraint(condition=~Q(parent=models.F("id")), name="unit_not_own_parent"),
        ]

    def __str__(self):
        return self.name

    @property
    def label(self) -> str:
        return self.short_name or self.name


class UnitClosure(models.Model):
    """Every (ancestor, descendant) pair of the unit tree, each unit its own ancestor at depth 0.

    Kept by the unit service (districts.tree), so that "this unit and everything below it"
    is one indexed join whatever the size of the tree: a scope check, a subtree's leaves, a
    summary's sums grouped by row in SQL.
    """

    ancestor = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="closure_down")
    descendant = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="closure_up")
    depth = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["ancestor", "descendant"], name="unitclosure_unique_pair"
            ),
        ]
        indexes = [models.Index(fields=["descendant", "depth"], name="unitclosure_up_idx")]

    def __str__(self):
        return f"{self.ancestor_id} → {self.descendant_id} ({self.depth})"


class Population(models.Model):
    """Year-end resident population (常住人口, 万人) of one unit, as published."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("单位"), on_delete=models.CASCADE, related_name="populations"
    )
    year = models.PositiveIntegerField(_("年份"), help_text=_("年末常住人口所属年份。"))
    value = models.DecimalField(_("常住人口（万人）"), max_digits=10, decimal_places=2)
    source = models.CharField(
        _("来源"), max_length=200, help_text=_("如：2022年某市国民经济和社会发展统计公报")
    )

    class Meta:
        verbose_name = _("常住人口")
        verbose_name_plural = _("常住人口")
        ordering = ["unit__order", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="population_unique_unit_year"),
            models.CheckConstraint(condition=Q(value__gt=0), name="population_positive"),
        ]

    def __str__(self):
        return f"{self.unit} {self.year}年 {self.value}万人"


class Role(models.TextChoices):
    CLERK = "clerk", _("填报员")
    # Signs off the clerk's report inside the unit before it goes up (ReviewSettings).
    SIGNER = "signer", _("单位审核人")
    OFFICE = "office", _("主管部门工作人员")
    VIEWER = "viewer", _("领导/查看")
    # 三权分立: accounts only, no business data; the audit log only, nothing else.
    SYSADMIN = "sysadmin", _("系统管理员")
    AUDITOR = "auditor", _("审计管理员")


class Profile(models.Model):
    """Links a Django user to the unit they act for and the role they act in."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="profile",
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("所属单位"), on_delete=models.PROTECT, related_name="profiles"
    )
    role = models.CharField(_("角色"), max_length=10, choices=Role.choices)
    # The user name in the one form every comparison uses (districts.identity): unique here,
    # so the database itself refuses a second spelling of a name (ＯＦＦＩＣＥ, ſyſadmin).
    username_key = models.CharField(_("规范化用户名"), max_length=150, unique=True, editable=False)
    phone = models.CharField(_("电话"), max_length=20, blank=True)
    must_change_password = models.BooleanField(
        _("下次登录须改密码"),
        default=True,
        help_text=_("新账号和管理员重设的密码，登录后必须先修改。"),
    )
    # When the password was last set; a profile made without saying starts its 90 days now.
    password_changed_at = models.DateTimeField(
        _("密码修改时间"), null=True, blank=True, default=timezone.now
    )

    class Meta:
        verbose_name = _("人员角色")
        verbose_name_plural = _("人员角色")
        constraints = [
            models.CheckConstraint(condition=Q(role__in=Role.values), name="profile_role_valid"),
        ]

    def __str__(self):
        return f"{self.user.get_username()}（{self.unit}，{self.get_role_display()}）"

    def save(self, *args, **kwargs):
        # Derived from the user name, like an index: kept in step by whatever saves a profile
        # (the account services, the demo, a test), so none can leave it stale or empty.
        self.username_key = normalize_username(self.user.get_username())
        super().save(*args, **kwargs)


# The words an installation's tables and texts use for a parent's table, by the parent's kind:
# (first column's heading, how the units below are named together, the total row's name).
DEFAULT_LEVEL_WORDS = {
    "nation": ("省(区、市)", "各省（区、市）", "全国"),
    "province": ("市", "各市", "全省"),
    "city": ("区(市)", "各区（市）", "全市"),
    "district": ("乡镇（街道）", "各乡镇（街道）", "全区"),
    "subtotal": ("区", "各区", "小计"),
}
OTHER_LEVEL_WORDS = ("单位", "各单位", "合计")
DEFAULT_SYSTEM_NAME = "知识产权指标填报与统计系统"
DEFAULT_OFFICE_SHORT = "主管部门"


class Wording(models.Model):
    """The installation's own words: the system's name, the office's, and (LevelWords) the
    words of each level's tables. One row (pk 1); the defaults serve until it is saved."""

    system_name = models.CharField(
        _("系统名称"), max_length=60, default=DEFAULT_SYSTEM_NAME, help_text=_("每页页头显示。")
    )
    office_name = models.CharField(
        _("主管部门全称（发文机关）"),
        max_length=80,
        blank=True,
        help_text=_("如“××市知识产权局”；通报、文件属性中使用。"),
    )
    office_short = models.CharField(
        _("主管部门简称"),
        max_length=20,
        default=DEFAULT_OFFICE_SHORT,
        help_text=_("页面提示中的称呼，如“市局”“省局”。"),
    )

    class Meta:
        verbose_name = _("系统用语")
        verbose_name_plural = _("系统用语")

    def __str__(self):
        return self.system_name

    def role_label(self, role: str) -> str:
        """A role as this installation names it: 市局工作人员 where the office is 市局."""
        if role == Role.OFFICE:
            return f"{self.office_short}工作人员"
        return str(Role(role).label)

    @classmethod
    def current(cls) -> Wording:
        """The saved words, or the defaults (an unsaved row) for an installation that has
        none yet."""
        return cls.objects.prefetch_related("levels").filter(pk=1).first() or cls(pk=1)

    def level(self, kind: str) -> tuple[str, str, str]:
        """(first column heading, members, total row) for a table whose parent is of ``kind``."""
        heading, members, total = DEFAULT_LEVEL_WORDS.get(kind, OTHER_LEVEL_WORDS)
        if self.pk and not self._state.adding:
            for row in self.levels.all():
                if row.parent_kind == kind:
                    return (
                        row.unit_heading or heading,
                        row.members or members,
                        row.total_label or total,
                    )
        return heading, members, total


class LevelWords(models.Model):
    """The words of the tables of one kind of parent unit (a city's, a province's)."""

    wording = models.ForeignKey(Wording, on_delete=models.CASCADE, related_name="levels")
    parent_kind = models.CharField(
        _("汇总单位类型"),
        max_length=10,
        choices=Unit.Kind.choices,
        help_text=_("这类单位的汇总表。"),
    )
    unit_heading = models.CharField(
        _("第一列表头"), max_length=20, blank=True, help_text=_("如“区(市)”“县(市、区)”“市”。")
    )
    members = models.CharField(
        _("下级单位统称"), max_length=20, blank=True, help_text=_("如“各区（市）”“各市”。")
    )
    total_label = models.CharField(
        _("合计行名称"), max_length=20, blank=True, help_text=_("如“全市”“全省”“合计”。")
    )

    class Meta:
        verbose_name = _("层级用语")
        verbose_name_plural = _("层级用语")
        constraints = [
            models.UniqueConstraint(
                fields=["wording", "parent_kind"], name="levelwords_unique_kind"
            ),
        ]

    def __str__(self):
        return self.get_parent_kind_display()
