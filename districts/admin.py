from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import ValidationError

from audit.admin_mixins import AuditedAdminMixin
from indicators.resources import OfficeImportExportModelAdmin, PopulationResource, UnitResource

from . import services
from .models import Population, Profile, Unit
from .privacy import mask_phone


class UnitForm(forms.ModelForm):
    class Meta:
        model = Unit
        fields = [
            "code",
            "division_code",
            "name",
            "short_name",
            "kind",
            "parent",
            "order",
            "active",
        ]

    def clean(self):
        data = super().clean()
        try:
            services.unit_parent_check(unit=self.instance, parent=data.get("parent"))
        except ValidationError as exc:
            self.add_error("parent", exc)
        return data


@admin.register(Unit)
class UnitAdmin(AuditedAdminMixin, OfficeImportExportModelAdmin):
    form = UnitForm
    resource_classes = [UnitResource]
    list_display = ["name", "code", "division_code", "kind", "parent", "order", "active"]
    list_filter = ["kind", "active", "parent"]
    search_fields = ["name", "code", "division_code"]
    list_editable = ["order"]


@admin.register(Population)
class PopulationAdmin(AuditedAdminMixin, OfficeImportExportModelAdmin):
    resource_classes = [PopulationResource]
    list_display = ["unit", "year", "value", "source"]
    list_filter = ["year", "unit"]
    search_fields = ["unit__name", "source"]


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
