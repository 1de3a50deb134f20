"""How reports are reviewed, in the admin: one row, saved by
indicators.services.review_settings_save (its checks, its audit record)."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.shortcuts import redirect

from zzip.admin import show_errors

from . import services
from .models import ReviewSettings


class ReviewSettingsForm(forms.ModelForm):
    class Meta:
        model = ReviewSettings
        fields = ["unit_signoff", "review_by_level", "days_per_level"]

    def clean(self):
        data = super().clean()
        show_errors(
            self, services.review_settings_errors(days_per_level=data.get("days_per_level"))
        )
        return data


@admin.register(ReviewSettings)
class ReviewSettingsAdmin(admin.ModelAdmin):
    form = ReviewSettingsForm
    list_display = ["__str__", "unit_signoff", "review_by_level", "days_per_level"]

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not ReviewSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        # One row: the list would only say "0 审核流程"; open the settings themselves.
        if not self.has_view_or_change_permission(request):
            return super().changelist_view(request, extra_context)
        row = ReviewSettings.objects.first()
        if row is None:
            return redirect("admin:indicators_reviewsettings_add")
        return redirect("admin:indicators_reviewsettings_change", row.pk)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        try:
            saved = services.review_settings_save(
                actor=request.user,
                unit_signoff=data["unit_signoff"],
                review_by_level=data["review_by_level"],
                days_per_level=data["days_per_level"],
            )
        except ValidationError as exc:
            # Checked again under lock: a report may have started to wait since the form.
            raise ValidationError(exc.message_dict) from exc
        obj.__dict__.update(saved.__dict__)

    def construct_change_message(self, request, form, formsets, add=False):
        return []  # the audit log records the change (the service)
