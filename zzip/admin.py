"""The admin site for the office, the system administrator and the audit administrator.

Entry depends on the role, not on Django's is_staff flag; what each role may do inside is
districts.access.ADMIN_PERMISSIONS. Signing in goes through the one login page of the site,
with its lockout, forced password change and second factor.
"""

from functools import update_wrapper
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse

from districts.access import Do, has_right


class ZzipAdminSite(admin.AdminSite):
    site_title = "管理后台"
    index_title = "管理"

    def each_context(self, request):
        from districts.models import Wording

        context = super().each_context(request)
        context["site_header"] = f"{Wording.current().system_name} · 管理后台"
        return context

    def has_permission(self, request):
        return request.user.is_active and has_right(request.user, Do.ADMIN)

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        def guarded(request, *args, **kwargs):
            # Signed in with a role that has no business here: 403, not the login page.
            if request.user.is_authenticated and not self.has_permission(request):
                raise PermissionDenied("你的角色无权使用管理后台。")
            return inner(request, *args, **kwargs)

        return update_wrapper(guarded, view)

    def password_change(self, request, extra_context=None):
        # One way to change a password: ours (districts.views.PasswordChangeView), with its
        # rules, its "not the old one again" and its audit record. The header link lands there.
        return redirect("password_change")

    def password_change_done(self, request, extra_context=None):
        return redirect("indicators:home")

    def login(self, request, extra_context=None):
        if request.user.is_authenticated:
            # Signed in, but the role has no business in the admin.
            raise PermissionDenied("你的角色无权使用管理后台。")
        next_url = request.GET.get("next") or reverse("admin:index")
        return redirect(f"{reverse(settings.LOGIN_URL)}?{urlencode({'next': next_url})}")


def show_errors(form, errors: dict[str, list[str]]) -> None:
    """A service's errors beside the admin form's fields (or above the form)."""
    for field, problems in errors.items():
        for message in problems:
            form.add_error(field if field in form.fields else None, message)


class ServiceForm(forms.ModelForm):
    """An admin form whose checks are its service's: ``service_errors(data)`` returns the
    errors by field and the parsed value, which replaces what was typed."""

    def service_errors(self, data) -> tuple[dict[str, list[str]], object]:
        raise NotImplementedError

    def clean(self):
        data = super().clean()
        errors, value = self.service_errors(data)
        show_errors(self, errors)
        if value is not None:
            data["value"] = value
        return data

    def _post_clean(self):
        # The service checks the model's rules (and its natural key) itself, under lock.
        pass


class ServiceAdminMixin:
    """Saves through the app's service (its rules, lock and audit record), not the model."""

    def save_model(self, request, obj, form, change):
        saved = self.save_through_service(request, obj, form, change)
        obj.pk = saved.obj.pk
        obj.__dict__.update(saved.obj.__dict__)

    def save_through_service(self, request, obj, form, change):
        raise NotImplementedError
