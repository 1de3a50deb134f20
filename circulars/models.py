"""The office's document settings and its circulars: drafts, issued ones and 更正 notices.

An issued circular keeps its files (IssuedFile) byte for byte, and the figures it printed
(``snapshot``), so that a later change of a figure shows as a difference instead of changing
what was sent.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from districts.models import Unit
from indicators.models import Indicator, Period


class DocumentSettings(models.Model):
    """How the office's documents are headed, numbered, addressed and signed. One row (pk 1),
    empty until the office fills it in (the demo fills Zaozhuang's)."""

    issuer_mark = models.CharField(
        _("发文机关标志"),
        max_length=40,
        blank=True,
        help_text=_("版头红色大字，如“某市知识产权战略实施工作领导小组办公室”。"),
    )
    number_pattern = models.CharField(
        _("发文字号格式"),
        max_length=60,
        blank=True,
        help_text=_(
            "如“某知战办〔{year}〕{n:02d}号”：{year} 为年份，{n} 为当年序号（{n:02d} 补足两位）。"
            "按年份重新编号。"
        ),
    )
    addressees = models.CharField(
        _("主送机关"),
        max_length=300,
        blank=True,
        help_text=_("新通报默认的主送机关，每份通报可再修改。"),
    )
    signature = models.CharField(
        _("署名"), max_length=80, blank=True, help_text=_("成文日期上方的发文机关署名。")
    )
    printer = models.CharField(
        _("印发机关"), max_length=80, blank=True, help_text=_("版记中的印发机关。")
    )
    colophon = models.BooleanField(_("印版记"), default=False)
    creation = models.ManyToManyField(
        Indicator, blank=True, related_name="+", verbose_name=_("“知识产权创造”部分的指标")
    )
    protection = models.ManyToManyField(
        Indicator, blank=True, related_name="+", verbose_name=_("“知识产权保护”部分的指标")
    )
    use = models.ManyToManyField(
        Indicator, blank=True, related_name="+", verbose_name=_("“知识产权运用”部分的指标")
    )
    service = models.ManyToManyField(
        Indicator, blank=True, related_name="+", verbose_name=_("“知识产权服务”部分的指标")
    )

    SECTION_FIELDS = ("creation", "protection", "use", "service")

    class Meta:
        verbose_name = _("公文设置")
        verbose_name_plural = _("公文设置")

    def __str__(self):
        return str(_("公文设置"))

    @classmethod
    def current(cls) -> DocumentSettings:
        """The saved settings, or empty ones (unsaved) for an office that has none yet."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)

    def section_codes(self) -> dict[str, list[str]]:
        """Each section's indicator codes ({} for unsaved settings)."""
        if self._state.adding:
            return {}
        return {
            name: list(getattr(self, name).order_by("order", "code").values_list("code", flat=True))
            for name in self.SECTION_FIELDS
        }


class Circular(models.Model):
    """One circular of a period and a parent unit, or a 更正 notice of an issued one."""

    class Kind(models.TextChoices):
        CIRCULAR = "circular", _("通报")
        CORRECTION = "correction", _("更正")

    class State(models.TextChoices):
        DRAFT = "draft", _("草稿")
        ISSUED = "issued", _("已印发")

    kind = models.CharField(_("类别"), max_length=10, choices=Kind.choices)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices)
    period = models.ForeignKey(
        Period, verbose_name=_("填报期"), on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+"
    )
    corrects = models.ForeignKey(
        "self",
        verbose_name=_("更正的通报"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
    )
    title = models.CharField(_("标题"), max_length=200)
    year = models.PositiveIntegerField(_("编号年份"), null=True, blank=True)
    serial = models.PositiveIntegerField(_("当年序号"), null=True, blank=True)
    number = models.CharField(_("发文字号"), max_length=80, blank=True)
    addressees = models.CharField(_("主送机关"), max_length=300, blank=True)
    signature = models.CharField(_("署名"), max_length=80, blank=True)
    date = models.DateField(_("成文日期"), null=True, blank=True)
    # [{"kind": "p" | "h1" | "h2" | "data", "text": ..., "section": ...}]: what the office
    # wrote, and where the data's paragraphs go.
    blocks = models.JSONField(_("正文段落"), default=list, blank=True)
    # The figures as printed when issued: {key: {"unit", "indicator", "column", "text"}}.
    snapshot = models.JSONField(_("印发时的数据"), null=True, blank=True, editable=False)
    pdf_note = models.CharField(_("PDF 说明"), max_length=200, blank=True)
    issued_at = models.DateTimeField(_("印发时间"), null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("印发人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("通报")
        verbose_name_plural = _("通报")
        ordering = ["-period__year", "-period__number", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "unit"],
                condition=Q(kind="circular"),
                name="circular_one_per_period_unit",
            ),
            models.UniqueConstraint(
                fields=["year", "serial"],
                condition=Q(serial__isnull=False),
                name="circular_number_unique_in_year",
            ),
            models.CheckConstraint(
                condition=Q(state="draft")
                | Q(serial__isnull=False, issued_at__isnull=False, snapshot__isnull=False),
                name="circular_issued_has_number",
            ),
            models.CheckConstraint(
                condition=Q(kind="circular", corrects__isnull=True)
                | Q(kind="correction", corrects__isnull=False),
                name="circular_correction_corrects_one",
            ),
        ]

    def __str__(self):
        return f"{self.number or self.get_state_display()} {self.title}"

    @property
    def issued(self) -> bool:
        return self.state == self.State.ISSUED


class FileChangeError(Exception):
    """An issued file is kept as it was sent: it is never changed or deleted."""


class IssuedFile(models.Model):
    """A file of an issued circular, as it was issued."""

    class Format(models.TextChoices):
        DOCX = "docx", "Word"
        XLSX = "xlsx", "Excel"
        PDF = "pdf", "PDF"

    circular = models.ForeignKey(
        Circular, verbose_name=_("通报"), on_delete=models.PROTECT, related_name="files"
    )
    format = models.CharField(_("格式"), max_length=4, choices=Format.choices)
    filename = models.CharField(_("文件名"), max_length=250)
    content = models.BinaryField(_("内容"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveIntegerField(_("字节数"))

    class Meta:
        verbose_name = _("印发文件")
        verbose_name_plural = _("印发文件")
        ordering = ["circular", "format"]
        constraints = [
            models.UniqueConstraint(
                fields=["circular", "format"], name="issuedfile_one_per_format"
            ),
        ]

    def __str__(self):
        return self.filename

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise FileChangeError("印发的文件不能修改。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise FileChangeError("印发的文件不能删除。")
