from urllib.parse import quote

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from audit.admin_mixins import AuditedAdminMixin
from audit.models import Action
from audit.services import audit_record
from spreadsheets.admin import OfficeImportExportMixin, OfficeImportExportModelAdmin
from zzip.admin import ServiceAdminMixin, ServiceForm, show_errors

from . import services
from .access import Do, has_right
from .forms import AccountAddForm, AccountChangeForm, AccountPasswordForm
from .models import LevelWords, Population, Unit, Wording
from .privacy import mask_phone
from .resources import AccountResource, PopulationResource, UnitResource
from .slips import password_book


class UnitForm(forms.ModelForm):
    class Meta:
        model = Unit
        fields = list(services.UNIT_FIELDS)

    def _post_clean(self):
        super()._post_clean()
        if not self.errors:
            show_errors(self, services.unit_errors(self.instance))


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


class PopulationForm(ServiceForm):
    # Text, so that the one parser (zzip.numbers) reads what was typed, full-width digits too.
    value = forms.CharField(label="常住人口（万人）", max_length=40)

    class Meta:
        model = Population
        fields = ["unit", "year", "value", "source"]

    def service_errors(self, data):
        errors, _year, value = services.population_errors(
            unit=data.get("unit"),
            year=data.get("year"),
            value=data.get("value"),
            source=data.get("source", ""),
            population=self.instance,
        )
        return errors, value


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


admin.site.unregister(get_user_model())


@admin.register(get_user_model())
class ZzipUserAdmin(AuditedAdminMixin, OfficeImportExportMixin, UserAdmin):
    """Accounts, written through districts.services (account_create, account_update,
    account_password_set): their rules, their audit record, the office's notice. New accounts
    in bulk from a spreadsheet (AccountResource), whose confirmation downloads the one-time
    passwords."""

    resource_classes = [AccountResource]
    form = AccountChangeForm
    add_form = AccountAddForm
    change_password_form = AccountPasswordForm
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
        ("个人信息", {"fields": ["first_name", "email", "phone"]}),
        ("单位和角色", {"fields": ["unit", "role"]}),
        (
            "状态",
            {
                "fields": [
                    "is_active",
                    "must_change_password",
                    "password_changed",
                    "last_login",
                    "date_joined",
                ]
            },
        ),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": [
                    "username",
                    "first_name",
                    "email",
                    "phone",
                    "unit",
                    "role",
                    "password1",
                    "password2",
                ],
            },
        )
    ]
    readonly_fields = ["password_changed", "last_login", "date_joined"]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if obj is not None and obj.pk == request.user.pk:
            # Nobody changes their own role: an administrator cannot make themself the auditor.
            form = type("OwnAccountForm", (form,), {"own_account": True})
        return form

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if not change:
            user, _password = services.account_create(
                actor=request.user,
                username=data["username"],
                name=data.get("first_name", ""),
                email=data.get("email", ""),
                phone=data.get("phone", ""),
                unit=data["unit"],
                role=data["role"],
                password=data["password1"],
            )
            # The admin goes on with the object it built from the form.
            obj.pk, obj.password = user.pk, user.password
            obj._state.adding = False
            return
        services.account_update(
            actor=request.user,
            user=obj,
            username=data["username"],
            name=data.get("first_name", ""),
            email=data.get("email", ""),
            is_active=data.get("is_active"),
            unit=data.get("unit"),
            role=data.get("role"),
            phone=data.get("phone", ""),
            must_change_password=data.get("must_change_password"),
        )

    def user_change_password(self, request, id, form_url=""):
        if request.method == "POST":
            user = self.get_object(request, unquote(id))
            if user is not None and self.has_change_permission(request, user):
                form = self.change_password_form(user, request.POST)
                if form.is_valid():
                    services.account_password_set(
                        actor=request.user, user=user, password=form.cleaned_data["password1"]
                    )
                    messages.success(request, "密码已重设；此人下次登录时必须修改。")
                    return redirect("admin:auth_user_change", user.pk)
        # Anything else (the form, its errors, a 403 or 404) is Django's page.
        return super().user_change_password(request, id, form_url)

    # Bulk import ------------------------------------------------------------------------------

    def has_import_permission(self, request):
        return has_right(request.user, Do.ACCOUNTS)

    def has_export_permission(self, request):
        return False  # a list of people leaves through nobody's spreadsheet

    def get_import_context_data(self, **kwargs):
        context = super().get_import_context_data(**kwargs)
        context["resource_path"] = ""  # no command line: the passwords come with the page
        return context

    def process_result(self, result, request):
        created = getattr(result, "zz_created", None)
        if not created:
            return super().process_result(result, request)
        wording = Wording.current()
        book = password_book(
            created,
            system_name=wording.system_name,
            login_url=request.build_absolute_uri(reverse("login")),
        )
        audit_record(
            actor=request.user,
            action=Action.EXPORT,
            summary=f"下载新建账号的初始密码（{len(created)} 个账号，密码不记入日志）",
            detail={"accounts": [c.username for c in created][:1000], "count": len(created)},
        )
        messages.success(
            request,
            f"已新建 {len(created)} 个账号；初始密码文件已下载（只提供这一次）。",
        )
        response = HttpResponse(
            book,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = (
            f'attachment; filename="zzip-accounts-{stamp}.xlsx"; '
            f"filename*=UTF-8''{quote(f'新建账号初始密码-{stamp}.xlsx')}"
        )
        response["Cache-Control"] = "no-store"
        return response

    @admin.display(description="密码修改时间")
    def password_changed(self, obj):
        profile = getattr(obj, "profile", None)
        return profile.password_changed_at if profile and profile.password_changed_at else "—"

    @admin.display(description="所属单位")
    def unit(self, obj):
        return getattr(getattr(obj, "profile", None), "unit", "—")

    @admin.display(description="角色")
    def role(self, obj):
        profile = getattr(obj, "profile", None)
        return Wording.current().role_label(profile.role) if profile else "—"

    @admin.display(description="电话")
    def phone_masked(self, obj):
        # Lists show 138****5678; the full number only on the person's own page.
        return mask_phone(getattr(getattr(obj, "profile", None), "phone", "")) or "—"


def _levels(formsets) -> list[services.Level]:
    levels = []
    for formset in formsets:
        for form in formset.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if data and not data.get("DELETE") and data.get("parent_kind"):
                levels.append(
                    services.Level(
                        parent_kind=data["parent_kind"],
                        unit_heading=data.get("unit_heading", ""),
                        members=data.get("members", ""),
                        total_label=data.get("total_label", ""),
                    )
                )
    return levels


class LevelWordsForm(forms.ModelForm):
    class Meta:
        model = LevelWords
        fields = ["parent_kind", "unit_heading", "members", "total_label"]

    def clean(self):
        data = super().clean()
        if data.get("parent_kind"):
            level = services.Level(
                parent_kind=data["parent_kind"],
                unit_heading=data.get("unit_heading", ""),
                members=data.get("members", ""),
                total_label=data.get("total_label", ""),
            )
            for message in services.level_errors(level):
                self.add_error(None, message)
        return data

    def validate_unique(self):
        pass  # the service says which kind is repeated


class LevelWordsFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        if not any(form.errors for form in self.forms):
            errors = services.wording_errors(
                system_name="-", office_name="", office_short="-", levels=_levels([self])
            )
            if errors.get("levels"):
                raise forms.ValidationError(errors["levels"])


class LevelWordsInline(admin.TabularInline):
    model = LevelWords
    form = LevelWordsForm
    formset = LevelWordsFormSet
    extra = 0


class WordingForm(forms.ModelForm):
    class Meta:
        model = Wording
        fields = ["system_name", "office_name", "office_short"]

    def _post_clean(self):
        super()._post_clean()
        if not self.errors:
            data = self.cleaned_data
            show_errors(
                self,
                services.wording_errors(
                    system_name=data.get("system_name", ""),
                    office_name=data.get("office_name", ""),
                    office_short=data.get("office_short", ""),
                    levels=None,
                ),
            )


@admin.register(Wording)
class WordingAdmin(admin.ModelAdmin):
    """The installation's words: one row, edited, never added twice or deleted; saved with
    its levels' words by districts.services.wording_save (its checks, its audit record)."""

    form = WordingForm
    inlines = [LevelWordsInline]
    list_display = ["system_name", "office_name", "office_short"]

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not Wording.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        pass  # save_related writes the words and their levels together

    def save_formset(self, request, form, formset, change):
        pass

    def save_related(self, request, form, formsets, change):
        data = form.cleaned_data
        saved = services.wording_save(
            actor=request.user,
            system_name=data["system_name"],
            office_name=data.get("office_name", ""),
            office_short=data["office_short"],
            levels=_levels(formsets),
        )
        form.instance.__dict__.update(saved.__dict__)

    def construct_change_message(self, request, form, formsets, add=False):
        return []  # the audit log records the change (the service)
