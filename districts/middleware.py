"""Account policy on every request: the second factor of anyone who enrolled one, or whose
role requires one; then a password change when the password is new (set by an
administrator), of unknown age, or too old."""

import datetime

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from .access import role_of
from .identity import awaiting_second_factor

# Paths a person may reach while the policy still asks something of them.
_ALWAYS = ("/static/", "/favicon")


def password_change_due(user) -> bool:
    profile = getattr(user, "profile", None)
    if profile is None:
        return False
    if settings.PASSWORD_CHANGE_AT_FIRST_LOGIN and profile.must_change_password:
        return True
    if settings.PASSWORD_MAX_AGE_DAYS:
        if profile.password_changed_at is None:
            return True  # a password of unknown age may be any age
        age = timezone.now() - profile.password_changed_at
        return age > datetime.timedelta(days=settings.PASSWORD_MAX_AGE_DAYS)
    return False


def otp_due(user) -> bool:
    """A code to give: the person enrolled a device (whatever the role), or the role must."""
    if user.is_verified():
        return False
    return role_of(user) in settings.OTP_REQUIRED_ROLES or awaiting_second_factor(user)


class AccountPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith(_ALWAYS):
            exempt = {reverse("logout")}
            if otp_due(user):
                setup, verify = reverse("otp_setup"), reverse("otp_verify")
                if request.path not in exempt | {setup, verify}:
                    return redirect(verify if awaiting_second_factor(user) else setup)
            elif password_change_due(user):
                change = reverse("password_change")
                if request.path not in exempt | {change}:
                    return redirect(change)
        return self.get_response(request)
