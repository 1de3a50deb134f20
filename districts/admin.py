from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from audit.admin_mixins import AuditedAdminMixin
from spreadsheets.resources import OfficeImportExportModelAdmin

from . import services
from .models import Population, Profile, Unit
from .privacy import mask_phone
from .resources import PopulationResource, UnitResource


def _show_errors(form, errors: dict[str, list[str]]) -> None:
    """A service's errors beside the admin form's fields (or above the form)."""
    for field, messages in errors.items():
        for message in messages:
            form.add_error(field if field in form.fields else None, message)


class UnitForm(forms.ModelForm):
    class Meta:
        model = Unit
        fields = list(services.UNIT_FIELDS)

    def _post_clean(self):
        super()._post_clean()
        if not self.errors:
            _show_errors(self, services.unit_errors(self.instance))


class ServiceAdminMixin:
    """Saves through the app's service (its rules, lock and audit record), not the model."""

    def save_model(self, request, obj, form, change):
        saved = self.save_through_service(request, obj, form, change)
        obj.pk = saved.obj.pk
        obj.__dict__.update(saved.obj.__dict__)

    def save_through_service(self, request, obj, form, change):
        raise NotImplementedError


@admin.register(Unit)
class UnitAdmin(ServiceAdminMixin, AuditedAdminMixin, OfficeImportExportModelAdmin):
    form = UnitForm
    resource_classes = [UnitResource]
    list_display = ["name", "code", "division_code", "kind", "parent", "order", "active"]
    list_filter = ["kind", "active", "parent"]
    search_fields = ["name", "code", "division_code"]
    list_editable = ["order"]

    def get_changelist_form(self, request, **kwargs):
        return super().get_changelist_form(request, form=UnitForm, **kwargs)

    def save_through_service(self, request, obj, form, change):
        fields = {f: form.cleaned_data[f] for f in services.UNIT_FIELDS if f in form.cleaned_data}
        unit = Unit.objects.get(pk=obj.pk) if change else None
        return services.unit_save(actor=request.user, unit=unit, **fields)


class PopulationForm(forms.ModelForm):
    # Text, so that the one parser (zzip.numbers) reads what was typed, full-width digits too.
    value = forms.CharField(label="常住人口（万人）", max_length=40)

    class Meta:
        model = Population
        fields = ["unit", "year", "value", "source"]

    def clean(self):
        data = super().clean()
        errors, _year, value = services.population_errors(
            unit=data.get("unit"),
            year=data.get("year"),
            value=data.get("value"),
            source=data.get("source", ""),
            population=self.instance,
        )
        _show_errors(self, errors)
        if value is not None:
            data["value"] = value
        return data

    def _post_clean(self):
        # The service checks the model's rules (and the unit-and-year key) itself.
        pass


@admin.register(Population)
class PopulationAdmin(ServiceAdminMixin, AuditedAdminMixin, OfficeImportExportModelAdmin):
    form = PopulationForm
    resource_classes = [PopulationResource]
    list_display = ["unit", "year", "value", "source"]
    list_filter = ["year", "unit"]
    search_fields = ["unit__name", "source"]

    def save_through_service(self, request, obj, form, change):
        data = form.cleaned_data
        return services.population_save(
            actor=request.user,
            population=Population.objects.get(pk=obj.pk) if change else None,
            unit=data["unit"],
            year=data["year"],
            value=data["value"],
            source=data["source"],
        )


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    extra = 0
    fields = ["unit", "role", "phone", "must_change_password", "password_changed_at"]
    readonly_fields = ["password_changed_at"]

    def get_readonly_fields(self, request, obj=None):
        # Nobody changes their own role: an administrator cannot make themself the auditor.
        if obj is not None and obj.pk == request.user.pk:
            return [*self.readonly_fields, "role", "unit"]
        return self.readonly_fields


admin.site.unregister(get_user_model())


@admin.register(get_user_model())
class ZzipUserAdmin(AuditedAdminMixin, UserAdmin):
    inlines = [ProfileInline]
    list_display = [
        "username",
        "first_name",
        "unit",
        "role",
        "phone_masked",
        "is_active",
        "last_login",
    ]
    list_select_related = ["profile__unit"]
    list_filter = ["is_active", "profile__role", "profile__unit"]
    # Rights come from the role alone (districts.backends.RoleBackend): the superuser flag,
    # groups and per-user permissions grant nothing, so they are not offered here.
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        ("个人信息", {"fields": ["first_name", "email"]}),
        ("状态", {"fields": ["is_active", "last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {"classes": ["wide"], "fields": ["username", "first_name", "password1", "password2"]},
        )
    ]
    readonly_fields = ["last_login", "date_joined"]

    def user_change_password(self, request, id, form_url=""):
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            # A password an administrator sets is temporary: the person changes it at login.
            services.password_changed(user=self.get_object(request, id), by_admin=request.user)
        return response

    @admin.display(description="所属单位")
    def unit(self, obj):
        return getattr(getattr(obj, "profile", None), "unit", "—")

    @admin.display(description="角色")
    def role(self, obj):
        profile = getattr(obj, "profile", None)
        return profile.get_role_display() if profile else "—"

    @admin.display(description="电话")
    def phone_masked(self, obj):
        # Lists show 138****5678; the full number only on the person's own page.
        return mask_phone(getattr(getattr(obj, "profile", None), "phone", "")) or "—"
