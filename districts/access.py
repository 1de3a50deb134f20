"""Access is decided here, and only here.

A role that lacks a right gets 403; an object of another unit is 404, so a clerk cannot even
learn whether another district's report exists.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from .models import Role, Unit

OFFICE_ROLES = (Role.OFFICE,)
READ_ROLES = (Role.OFFICE, Role.VIEWER)
# Who may enter the Django admin at all; what each may do there is ADMIN_PERMISSIONS.
ADMIN_ROLES = (Role.OFFICE, Role.SYSADMIN, Role.AUDITOR)
# Who may unlock an account locked after failed logins.
UNLOCK_ROLES = (Role.OFFICE, Role.SYSADMIN)

_ALL = ("view", "add", "change", "delete")
# Model permissions by role, and nothing else: groups, per-user permissions and the superuser
# flag grant nothing (districts.backends.RoleBackend), so 三权分立 holds whatever an account's
# other flags say. The audit log is never writable through the admin, by anyone.
ADMIN_PERMISSIONS: dict[str, dict[str, tuple[str, ...]]] = {
    Role.OFFICE: {
        "districts.unit": _ALL,
        "districts.population": _ALL,
        "indicators.indicator": _ALL,
        "indicators.period": _ALL,
        "indicators.target": _ALL,
        # Granted on the 报送情况 page through the service (its checks and notices).
        "indicators.extension": ("view",),
        "indicators.report": ("view",),
        "indicators.figure": ("view",),
        "indicators.figurechange": ("view",),
        "indicators.transition": ("view",),
    },
    Role.SYSADMIN: {
        "auth.user": _ALL,
        "districts.profile": _ALL,
    },
    Role.AUDITOR: {
        "audit.auditevent": ("view",),
    },
}


def role_allows(role: str | None, perm: str) -> bool:
    """'app_label.action_model' (Django's permission name) against ADMIN_PERMISSIONS."""
    app_label, _, codename = perm.partition(".")
    action, _, model = codename.partition("_")
    return action in ADMIN_PERMISSIONS.get(role, {}).get(f"{app_label}.{model}", ())


def role_of(user) -> str | None:
    if not user.is_authenticated:
        return None
    profile = getattr(user, "profile", None)
    return profile.role if profile is not None else None


def require_role(*roles: str):
    """Login required; then 403 unless the user holds one of ``roles``."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if role_of(request.user) not in roles:
                raise PermissionDenied("你的角色无权访问此页面。")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def editable_units(user) -> QuerySet[Unit]:
    """Units whose reports the user may enter: a clerk's own unit, nobody else's."""
    if role_of(user) == Role.CLERK:
        return Unit.objects.filter(pk=user.profile.unit_id, active=True)
    return Unit.objects.none()


def visible_units(user) -> QuerySet[Unit]:
    """Units whose figures the user may read."""
    role = role_of(user)
    if role in READ_ROLES:
        return Unit.objects.filter(active=True)
    if role == Role.CLERK:
        return Unit.objects.filter(pk=user.profile.unit_id)
    return Unit.objects.none()


def editable_unit_or_404(user, code: str) -> Unit:
    unit = editable_units(user).filter(code=code).first()
    if unit is None:
        raise Http404("没有这个单位，或你无权填报它。")
    return unit


def visible_unit_or_404(user, code: str) -> Unit:
    unit = visible_units(user).filter(code=code).first()
    if unit is None:
        raise Http404("没有这个单位，或你无权查看它。")
    return unit
