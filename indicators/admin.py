from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html

from audit.admin_mixins import AuditedAdminMixin
from districts.models import Unit

from . import services
from .models import Extension, Figure, FigureChange, Indicator, Period, Report, Target, Transition
from .resources import FigureResource, OfficeImportExportModelAdmin, TargetResource
from .table import format_figure


@admin.register(Indicator)
class IndicatorAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = [
        "name",
        "code",
        "unit_label",
        "kind",
        "has_target",
        "has_per_capita",
        "order",
        "active",
        "in_table",
    ]
    list_editable = ["order", "active", "in_table"]
    list_filter = ["kind", "active"]


def _root_unit():
    return Unit.objects.filter(parent__isnull=True, active=True).first()


@admin.register(Period)
class PeriodAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["period_title", "year", "quarter", "status", "deadline", "summary_links"]
    list_filter = ["year", "status"]
    actions = ["generate_summary"]

    @admin.display(description="填报期", ordering="-year")
    def period_title(self, obj):
        return obj.title

    @admin.display(description="汇总表")
    def summary_links(self, obj):
        root = _root_unit()
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
        root = _root_unit()
        if root is None:
            self.message_user(request, "还没有填报单位。", level="error")
            return None
        return redirect("indicators:summary", period_code=period.code, unit_code=root.code)


class TargetForm(forms.ModelForm):
    class Meta:
        model = Target
        fields = ["unit", "indicator", "year", "value"]

    def clean(self):
        data = super().clean()
        unit, indicator, value = data.get("unit"), data.get("indicator"), data.get("value")
        if unit is not None and indicator is not None and value is not None:
            try:
                data["value"] = services.target_check(unit=unit, indicator=indicator, value=value)
            except ValidationError as exc:
                self.add_error(None, exc)
        return data


@admin.register(Target)
class TargetAdmin(AuditedAdminMixin, OfficeImportExportModelAdmin):
    form = TargetForm
    resource_classes = [TargetResource]
    # Adds 「年度目标下达表」 beside import and export.
    change_list_template = "admin/indicators/target/change_list_sheets.html"
    list_display = ["unit", "indicator", "year", "target_value"]
    list_filter = ["year", "indicator", "unit"]

    @admin.display(description="目标值", ordering="value")
    def target_value(self, obj):
        return format_figure(obj.value, obj.indicator.decimal_places)

    list_select_related = ["unit", "indicator"]


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
class ExtensionAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["period", "unit", "until", "reason", "granted_by", "granted_at"]
    list_filter = ["period", "unit"]
    readonly_fields = ["granted_by"]

    def save_model(self, request, obj, form, change):
        obj.granted_by = request.user
        super().save_model(request, obj, form, change)


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
