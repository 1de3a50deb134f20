from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from audit.admin_mixins import AuditedAdminMixin

from .models import Population, Profile, Unit


@admin.register(Unit)
class UnitAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "code", "division_code", "kind", "parent", "order", "active"]
    list_filter = ["kind", "active", "parent"]
    search_fields = ["name", "code", "division_code"]
    list_editable = ["order"]


@admin.register(Population)
class PopulationAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["unit", "year", "value", "source"]
    list_filter = ["year", "unit"]
    search_fields = ["unit__name", "source"]


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    extra = 0


admin.site.unregister(get_user_model())


@admin.register(get_user_model())
class ZzipUserAdmin(AuditedAdminMixin, UserAdmin):
    inlines = [ProfileInline]
    list_display = ["username", "first_name", "unit", "role", "is_active", "last_login"]
    list_select_related = ["profile__unit"]

    @admin.display(description="所属单位")
    def unit(self, obj):
        return getattr(getattr(obj, "profile", None), "unit", "—")

    @admin.display(description="角色")
    def role(self, obj):
        profile = getattr(obj, "profile", None)
        return profile.get_role_display() if profile else "—"


admin.site.site_header = "枣庄市知识产权指标填报与统计系统 · 管理后台"
admin.site.site_title = "zzip 管理后台"
admin.site.index_title = "管理"
