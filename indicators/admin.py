from django import forms
from django.contrib import admin
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html

from audit.admin_mixins import AuditedAdminMixin
from districts import tree
from districts.services import Saved
from spreadsheets.admin import OfficeImportExportModelAdmin
from zzip.admin import ServiceAdminMixin, ServiceForm, show_errors

from . import services
from .models import (
    Extension,
    Figure,
    FigureChange,
    Indicator,
    IndicatorSet,
    Period,
    Report,
    Target,
    Transition,
)
from .resources import FigureResource, TargetResource
from .table import format_figure


@admin.register(IndicatorSet)
class IndicatorSetAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "frequency", "order"]


class IndicatorForm(forms.ModelForm):
    class Meta:
        model = Indicator
        fields = list(services.definitions.INDICATOR_FIELDS)

    def _post_clean(self):
        super()._post_clean()
        if not self.errors:
            show_errors(self, services.indicator_errors(self.instance))


@admin.register(Indicator)
class IndicatorAdmin(ServiceAdminMixin, AuditedAdminMixin, admin.ModelAdmin):
    form = IndicatorForm
    list_display = [
        "name",
        "code",
        "indicator_set",
        "unit_label",
        "kind",
        "reporter",
        "in_force",
        "formula",
        "order",
        "in_table",
    ]
    list_filter = ["indicator_set", "kind", "reporter"]
    list_select_related = ["indicator_set"]
    fieldsets = [
        (
            None,
            {"fields": ["code", "name", "indicator_set", "unit_label", "kind", "decimal_places"]},
        ),
        (
            "何时、由谁填报",
            {"fields": ["first_period", "last_period", "reporter", "reporting_unit", "formula"]},
        ),
        (
            "计算与审核",
            {"fields": ["has_target", "has_per_capita", "has_net_growth", "yoy_threshold"]},
        ),
        (
            "附件表与填报页",
            {"fields": ["in_table", "order", "column_title", "value_heading", "description"]},
        ),
    ]

    @admin.display(description="填报期")
    def in_force(self, obj):
        return f"{obj.first_period or '…'} — {obj.last_period or '至今'}"

    def save_through_service(self, request, obj, form, change):
        fields = {
            f: form.cleaned_data[f]
            for f in services.definitions.INDICATOR_FIELDS
            if f in form.cleaned_data
        }
        saved = services.indicator_save(
            actor=request.user,
            indicator=Indicator.objects.get(pk=obj.pk) if change else None,
            **fields,
        )
        return Saved(saved, not change, {})


class PeriodForm(forms.ModelForm):
    class Meta:
        model = Period
        fields = ["frequency", "year", "number", "status", "deadline"]

    def _post_clean(self):
        super()._post_clean()
        if not self.errors:
            show_errors(self, services.period_errors(self.instance))


@admin.register(Period)
class PeriodAdmin(ServiceAdminMixin, AuditedAdminMixin, admin.ModelAdmin):
    form = PeriodForm
    list_display = ["period_title", "code", "status", "deadline", "summary_links"]
    list_filter = ["frequency", "year", "status"]
    actions = ["generate_summary"]

    @admin.display(description="填报期", ordering="-year")
    def period_title(self, obj):
        return obj.title

    @admin.display(description="编码")
    def code(self, obj):
        return obj.code

    def save_through_service(self, request, obj, form, change):
        fields = {f: form.cleaned_data[f] for f in PeriodForm.Meta.fields if f in form.cleaned_data}
        saved = services.period_save(
            actor=request.user, period=Period.objects.get(pk=obj.pk) if change else None, **fields
        )
        return Saved(saved, not change, {})

    @admin.display(description="汇总表")
    def summary_links(self, obj):
        root = tree.root()
        if root is None:
            return "—"
        return format_html(
            '<a href="{}">报送情况</a> · <a href="{}">生成汇总表</a> · <a href="{}">下载Excel</a>',
            reverse("indicators:completeness", args=[obj.code, root.code]),
            reverse("indicators:summary", args=[obj.code, root.code]),
            reverse("indicators:summary_xlsx", args=[obj.code, root.code]),
        )

    @admin.action(description="生成所选填报期的汇总表")
    def generate_summary(self, request, queryset):
        period = queryset.first()
        root = tree.root()
        if root is None:
            self.message_user(request, "还没有填报单位。", level="error")
            return None
        return redirect("indicators:summary", period_code=period.code, unit_code=root.code)


class TargetForm(ServiceForm):
    # Text, so that the one parser reads what was typed (indicators.rules.parse_figure).
    value = forms.CharField(label="目标值", max_length=40)

    class Meta:
        model = Target
        fields = ["unit", "indicator", "year", "value"]

    def service_errors(self, data):
        errors, _year, value = services.target_errors(
            unit=data.get("unit", self.instance.unit if self.instance.pk else None),
            indicator=data.get("indicator", self.instance.indicator if self.instance.pk else None),
            year=data.get("year", self.instance.year),
            value=data.get("value"),
        )
        return errors, value


@admin.register(Target)
class TargetAdmin(ServiceAdminMixin, AuditedAdminMixin, OfficeImportExportModelAdmin):
    form = TargetForm
    resource_classes = [TargetResource]
    # Adds 「年度目标下达表」 beside import and export.
    change_list_template = "admin/indicators/target/change_list_sheets.html"
    list_display = ["unit", "indicator", "year", "target_value"]
    list_filter = ["year", "indicator", "unit"]
    list_select_related = ["unit", "indicator"]

    def get_readonly_fields(self, request, obj=None):
        # A target is named by its unit, indicator and year: change the value, or add another.
        return ["unit", "indicator", "year"] if obj is not None else []

    @admin.display(description="目标值", ordering="value")
    def target_value(self, obj):
        return format_figure(obj.value, obj.indicator.decimal_places)

    def save_through_service(self, request, obj, form, change):
        data = form.cleaned_data
        return services.target_set(
            actor=request.user,
            unit=obj.unit if change else data["unit"],
            indicator=obj.indicator if change else data["indicator"],
            year=obj.year if change else data["year"],
            value=data["value"],
        )


class FigureInline(admin.TabularInline):
    model = Figure
    extra = 0
    readonly_fields = ["indicator", "value", "explanation"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class FigureChangeInline(admin.TabularInline):
    model = FigureChange
    extra = 0
    readonly_fields = ["indicator", "old_value", "new_value", "changed_by", "changed_at"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class TransitionInline(admin.TabularInline):
    model = Transition
    extra = 0
    fields = ["at", "actor", "from_state", "to_state", "reason"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Extension)
class ExtensionAdmin(admin.ModelAdmin):
    """Read-only: extensions are granted on the 报送情况 page, through services.extension_grant
    (its checks, notices and audit record)."""

    list_display = ["period", "unit", "until", "reason", "granted_by", "granted_at"]
    list_filter = ["period", "unit"]


@admin.register(Report)
class ReportAdmin(OfficeImportExportModelAdmin):
    """Read-only here: figures change only through the entry form's service (and its checks),
    or, for past periods, through the figures import (indicators.resources.FigureResource)."""

    resource_classes = [FigureResource]

    list_display = ["unit", "period", "state", "submitted_by", "submitted_at", "updated_at"]
    list_filter = ["period", "state", "unit"]
    list_select_related = ["unit", "period", "submitted_by"]
    inlines = [FigureInline, TransitionInline, FigureChangeInline]
    readonly_fields = [
        "unit",
        "period",
        "state",
        "version",
        "updated_by",
        "submitted_by",
        "submitted_at",
    ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# The table layouts' admin, and how reports are reviewed.
from . import admin_layouts, admin_workflow  # noqa: E402,F401
