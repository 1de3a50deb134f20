"""The official table's layouts in the admin: a layout and its columns on one page, checked
and saved by indicators.services.layouts (its rules, one transaction, one audit record), with
a link to see the table it gives."""

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import RelatedFieldWidgetWrapper
from django.forms.models import BaseInlineFormSet
from django.urls import reverse
from django.utils.html import format_html

from districts import tree
from zzip.admin import show_errors

from . import catalog, services
from .models import Period, TableColumn, TableLayout
from .services.layouts import ColumnSpec
from .table import columns_for


def default_rows() -> list[dict]:
    """The table every office starts from: each indicator marked 列入通报附件表 with its usual
    columns, as a new layout's rows to edit."""
    rows = []
    for indicator in catalog.live_indicators():
        if indicator.in_table and not indicator.last_period:
            for column in columns_for(indicator):
                rows.append({"indicator": indicator.pk, "measure": column.attr})
    return [{**row, "order": n} for n, row in enumerate(rows, start=1)]


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


def _plain(field):
    """A choice of indicator or unit without the admin's add/change/view icons beside it."""
    widget = getattr(field, "widget", None)
    if isinstance(widget, RelatedFieldWidgetWrapper):
        widget.can_add_related = widget.can_change_related = False
        widget.can_delete_related = widget.can_view_related = False
    return field


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
    ordering = ["order", "pk"]

    def get_extra(self, request, obj=None, **kwargs):
        # A new layout starts as the default table; an existing one offers two more rows.
        return len(default_rows()) if obj is None else 2

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        return _plain(super().formfield_for_dbfield(db_field, request, **kwargs))


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

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        return _plain(super().formfield_for_dbfield(db_field, request, **kwargs))

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

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if request.method == "GET" and (obj is None or obj.pk is None):
            kwargs["initial"] = default_rows()
        return kwargs

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
