"""The official table's layouts in the admin: a layout and its columns on one page, checked
and saved by indicators.services.layouts (its rules, one transaction, one audit record), with
a link to see the table it gives."""

from django import forms
from django.contrib import admin
from django.forms.models import BaseInlineFormSet
from django.urls import reverse
from django.utils.html import format_html

from districts import tree
from zzip.admin import show_errors

from . import services
from .models import Period, TableColumn, TableLayout
from .services.layouts import ColumnSpec


def _specs(formset) -> list[ColumnSpec]:
    specs = []
    for form in formset.forms:
        data = getattr(form, "cleaned_data", None) or {}
        if not data or data.get("DELETE") or not data.get("indicator"):
            continue
        specs.append(
            ColumnSpec(
                indicator=data["indicator"],
                measure=data.get("measure", ""),
                heading=data.get("heading", ""),
                order=data.get("order") or 0,
            )
        )
    return specs


class ColumnForm(forms.ModelForm):
    class Meta:
        model = TableColumn
        fields = ["order", "indicator", "measure", "heading"]

    def clean(self):
        data = super().clean()
        if data.get("indicator") and data.get("measure"):
            for message in services.column_errors(data["indicator"], data["measure"]):
                self.add_error("measure", message)
        return data


class ColumnFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        if any(form.errors for form in self.forms):
            return
        problems = services.columns_errors(_specs(self), each=False)
        if problems:
            raise forms.ValidationError(problems)


class ColumnInline(admin.TabularInline):
    model = TableColumn
    form = ColumnForm
    formset = ColumnFormSet
    extra = 3
    ordering = ["order", "pk"]


class LayoutForm(forms.ModelForm):
    class Meta:
        model = TableLayout
        fields = ["name", "unit", "first_period", "expand"]

    def _post_clean(self):
        super()._post_clean()
        if not self.errors:
            data = self.cleaned_data
            show_errors(
                self,
                services.layout_errors(
                    name=data.get("name", ""),
                    first_period=data.get("first_period", ""),
                    expand=data.get("expand", ""),
                    columns=None,
                ),
            )


@admin.register(TableLayout)
class TableLayoutAdmin(admin.ModelAdmin):
    form = LayoutForm
    inlines = [ColumnInline]
    list_display = ["name", "unit", "first_period", "expand", "column_count", "preview"]
    list_select_related = ["unit"]
    readonly_fields = ["preview"]

    @admin.display(description="列数")
    def column_count(self, obj):
        return obj.columns.count()

    @admin.display(description="查看效果")
    def preview(self, obj):
        """The table this layout gives, for the latest period it applies to."""
        unit = obj.unit if obj and obj.unit_id else tree.root()
        started = Period.objects.exclude(status=Period.Status.PLANNED)
        period = max(started, key=lambda p: p.end_date, default=None)
        if obj is None or obj.pk is None or unit is None or period is None:
            return "保存后可查看"
        url = reverse("indicators:summary", args=[period.code, unit.code])
        return format_html('<a href="{}">{}（{}）</a>', url, period.title, unit.name)

    # Saved through the service, the layout and its columns together ------------------------

    def save_model(self, request, obj, form, change):
        pass  # save_related writes both

    def save_formset(self, request, form, formset, change):
        pass

    def save_related(self, request, form, formsets, change):
        data = form.cleaned_data
        saved = services.layout_save(
            actor=request.user,
            layout=form.instance if change else None,
            name=data["name"],
            unit=data.get("unit"),
            first_period=data.get("first_period", ""),
            expand=data["expand"],
            columns=[spec for formset in formsets for spec in _specs(formset)],
        )
        form.instance.__dict__.update(saved.__dict__)

    def construct_change_message(self, request, form, formsets, add=False):
        return []  # the audit log records the change (the service)

    def delete_model(self, request, obj):
        services.layout_delete(actor=request.user, layout=obj)

    def delete_queryset(self, request, queryset):
        for layout in queryset:
            services.layout_delete(actor=request.user, layout=layout)
