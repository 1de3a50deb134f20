"""The office's document settings in the admin: one row, saved through its service (its
checks, its audit record); issued circulars are listed, never edited here."""

from django import forms
from django.contrib import admin

from zzip.admin import show_errors

from . import services
from .models import DocumentSettings


class DocumentSettingsForm(forms.ModelForm):
    class Meta:
        model = DocumentSettings
        fields = [
            "issuer_mark",
            "number_pattern",
            "addressees",
            "signature",
            "printer",
            "colophon",
            *DocumentSettings.SECTION_FIELDS,
        ]
        widgets = {"addressees": forms.Textarea(attrs={"rows": 2})}

    def _post_clean(self):
        super()._post_clean()
        if not self.errors:
            data = self.cleaned_data
            show_errors(self, services.settings_errors(**data))


@admin.register(DocumentSettings)
class DocumentSettingsAdmin(admin.ModelAdmin):
    form = DocumentSettingsForm
    list_display = ["__str__", "issuer_mark", "number_pattern", "signature", "colophon"]
    filter_horizontal = DocumentSettings.SECTION_FIELDS
    fieldsets = [
        (None, {"fields": ["issuer_mark", "number_pattern", "addressees", "signature"]}),
        ("版记", {"fields": ["colophon", "printer"]}),
        ("正文各部分由数据生成的段落", {"fields": list(DocumentSettings.SECTION_FIELDS)}),
    ]

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not DocumentSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        pass  # save_related writes the row and its sections together

    def save_related(self, request, form, formsets, change):
        data = form.cleaned_data
        saved = services.settings_save(
            actor=request.user,
            issuer_mark=data.get("issuer_mark", ""),
            number_pattern=data.get("number_pattern", ""),
            addressees=data.get("addressees", ""),
            signature=data.get("signature", ""),
            printer=data.get("printer", ""),
            colophon=data.get("colophon", False),
            sections={name: list(data.get(name) or []) for name in DocumentSettings.SECTION_FIELDS},
        )
        form.instance.__dict__.update(saved.__dict__)

    def construct_change_message(self, request, form, formsets, add=False):
        return []  # the audit log records the change (the service)
