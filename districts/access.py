"""Access is decided here, and only here.

``decide(user, action, obj)`` answers three questions in order:

1. Does the person's role hold the right (``ROLE_RIGHTS``)? If not: 403.
2. Is the object within the units the person acts for (their own unit for a clerk; their
   unit and everything below it for office staff and leaders)? If not: 404, so that a clerk
   cannot even learn whether another district's report exists.
3. Does the object's state allow the action now (a report must be submitted to be
   approved)? The apps register these conditions with ``condition``; if one says no, the
   answer carries its reason, in Chinese, for the page to show.

Views ask ``require``/``unit_or_404``, templates ask the ``can`` tag (districts.templatetags
.access), and every service calls ``require`` itself, so the admin, a command or the API
cannot step around a rule a page enforces.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from .models import Role, Unit, UnitClosure


class Do:
    """What a person may do: the rights a role holds and the conditions of each action."""

    # Reports
    ENTER = "report.enter"  # enter, save and submit a unit's figures
    REVIEW = "report.review"  # open a unit's report for review
    SIGN = "report.sign"  # the unit's own sign-off before the report goes up
    APPROVE = "report.approve"
    RETURN = "report.return"
    REOPEN = "report.reopen"
    EXTEND = "report.extend"  # let a unit keep editing after the deadline
    HISTORY = "report.history"  # record figures of past periods (imports, demo)
    # A unit sends changed figures for its report already submitted or approved (the API's
    # push from a lower installation): reopened and resubmitted, for the office to review.
    CORRECT = "report.correct"
    # Reading
    SUMMARY = "summary.read"  # summary table, dashboard and their files, of a parent unit
    PROGRESS = "progress.read"  # one unit's own progress page
    COMPLETENESS = "completeness.read"  # who has reported, who is late
    # Reference data and spreadsheets
    TARGETS = "targets.manage"
    REFERENCE = "reference.manage"  # units, populations, indicators, periods
    IMPORT = "data.import"
    EXPORT = "data.export"
    # Circulars (circulars/)
    CIRCULAR_READ = "circular.read"  # issued circulars and their files
    CIRCULAR_ISSUE = "circular.issue"  # draft, issue and correct circulars; document settings
    # Accounts and the audit log
    ACCOUNTS = "accounts.manage"
    UNLOCK = "accounts.unlock"
    AUDIT = "audit.read"
    ADMIN = "admin.enter"


ROLE_RIGHTS: dict[str, frozenset[str]] = {
    Role.CLERK: frozenset({Do.ENTER, Do.CORRECT, Do.PROGRESS}),
    # Signs off (or returns) the clerk's report of their own unit before it goes up.
    Role.SIGNER: frozenset({Do.REVIEW, Do.SIGN, Do.RETURN, Do.PROGRESS}),
    Role.OFFICE: frozenset(
        {
            # A unit's own figures (a city's city-wide ones): its office enters them.
            Do.ENTER,
            Do.REVIEW,
            Do.APPROVE,
            Do.RETURN,
            Do.REOPEN,
            Do.EXTEND,
            Do.HISTORY,
            Do.SUMMARY,
            Do.PROGRESS,
            Do.COMPLETENESS,
            Do.TARGETS,
            Do.REFERENCE,
            Do.IMPORT,
            Do.EXPORT,
            Do.UNLOCK,
            Do.ADMIN,
            Do.CIRCULAR_READ,
            Do.CIRCULAR_ISSUE,
        }
    ),
    Role.VIEWER: frozenset({Do.SUMMARY, Do.PROGRESS, Do.CIRCULAR_READ}),
    # 三权分立: accounts only, no business data; the audit log only, nothing else.
    Role.SYSADMIN: frozenset({Do.ACCOUNTS, Do.UNLOCK, Do.ADMIN}),
    Role.AUDITOR: frozenset({Do.AUDIT, Do.ADMIN}),
}

# Actions on an object of the person's own unit only (a clerk's), not of the units below it.
OWN_UNIT_ONLY = frozenset({Do.ENTER, Do.CORRECT, Do.SIGN})
# Roles that act for their own unit alone (everyone else: their unit and all below it).
OWN_UNIT_ROLES = frozenset({Role.CLERK, Role.SIGNER})

_ALL = ("view", "add", "change", "delete")
# The Django admin's model permissions, by right: a role has a model permission in the admin
# when it holds the right. Groups, per-user permissions and the superuser flag grant nothing
# (districts.backends.RoleBackend). The audit log is never writable through the admin.
ADMIN_MODELS: dict[str, dict[str, tuple[str, ...]]] = {
    Do.REFERENCE: {
        "districts.unit": _ALL,
        "districts.population": _ALL,
        "districts.wording": _ALL,
        "districts.levelwords": _ALL,
        "indicators.indicatorset": _ALL,
        "indicators.indicator": _ALL,
        "indicators.period": _ALL,
        "indicators.tablelayout": _ALL,
        "indicators.tablecolumn": _ALL,
        "indicators.reviewsettings": ("view", "add", "change"),
    },
    Do.TARGETS: {"indicators.target": _ALL},
    Do.CIRCULAR_ISSUE: {"circulars.documentsettings": ("view", "add", "change")},
    # Reports change only through their services (entry form, review, history import).
    Do.REVIEW: {
        "indicators.extension": ("view",),
        "indicators.report": ("view",),
        "indicators.figure": ("view",),
        "indicators.figurechange": ("view",),
        "indicators.transition": ("view",),
    },
    Do.ACCOUNTS: {"auth.user": _ALL, "districts.profile": _ALL},
    Do.AUDIT: {"audit.auditevent": ("view",)},
}


def _admin_permissions(role: str) -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for right in ROLE_RIGHTS.get(role, ()):
        for model, actions in ADMIN_MODELS.get(right, {}).items():
            out[model] = tuple(dict.fromkeys([*out.get(model, ()), *actions]))
    return out


# Model permissions by role, derived from the rights above.
ADMIN_PERMISSIONS: dict[str, dict[str, tuple[str, ...]]] = {
    role: _admin_permissions(role) for role in Role.values
}


def role_allows(role: str | None, perm: str) -> bool:
    """'app_label.action_model' (Django's permission name) against ADMIN_PERMISSIONS."""
    app_label, _, codename = perm.partition(".")
    action, _, model = codename.partition("_")
    return action in ADMIN_PERMISSIONS.get(role, {}).get(f"{app_label}.{model}", ())


def role_of(user) -> str | None:
    if user is None or not user.is_authenticated:
        return None
    profile = getattr(user, "profile", None)
    return profile.role if profile is not None else None


def has_right(user, action: str) -> bool:
    return action in ROLE_RIGHTS.get(role_of(user), ())


def reads_every_figure(role: str | None) -> bool:
    """Whether a role reads the figures of every unit in its scope (office staff, leaders):
    giving an account such a role is what the office is told about."""
    return Do.SUMMARY in ROLE_RIGHTS.get(role, ())


# --- Conditions an app attaches to an action (state, not role) -----------------------------

# action → [(model class or None, condition)]; a condition returns why the action cannot be
# done to the object now, or None.
_CONDITIONS: dict[str, list[tuple[type | None, Callable[[object, object], str | None]]]] = {}
# model class → how to find the unit an object belongs to.
_UNIT_OF: dict[type, Callable[[object], Unit | int | None]] = {Unit: lambda unit: unit}


def condition(action: str, model: type | None = None):
    """Registers ``func(user, obj) -> reason | None`` as a condition of ``action`` on ``model``."""

    def register(func):
        _CONDITIONS.setdefault(action, []).append((model, func))
        return func

    return register


def unit_of(model: type):
    """Registers how to find the unit of an object of ``model`` (for the scope check)."""

    def register(func):
        _UNIT_OF[model] = func
        return func

    return register


def _unit_id_of(obj) -> int | None:
    for model, func in _UNIT_OF.items():
        if isinstance(obj, model):
            unit = func(obj)
            return unit.pk if isinstance(unit, Unit) else unit
    unit_id = getattr(obj, "unit_id", None)
    if unit_id is None:
        raise TypeError(f"access: no unit known for {type(obj).__name__}")
    return unit_id


def _scope(user) -> frozenset[int]:
    """The ids of the units the person acts for, read once per request (kept on the user)."""
    cached = user.__dict__.get("_scope")
    if cached is None:
        profile = user.profile
        if profile.role in OWN_UNIT_ROLES:
            cached = frozenset({profile.unit_id})
        else:
            cached = frozenset(
                UnitClosure.objects.filter(ancestor_id=profile.unit_id).values_list(
                    "descendant_id", flat=True
                )
            )
        user._scope = cached
    return cached


def in_scope(user, unit_id: int | None) -> bool:
    """Whether ``unit_id`` is among the units the person acts for: a clerk's own unit; for
    everyone else their unit and every unit below it."""
    profile = getattr(user, "profile", None)
    if profile is None or unit_id is None:
        return False
    if unit_id == profile.unit_id:
        return True
    return unit_id in _scope(user)


@dataclass(frozen=True)
class Decision:
    allowed: bool
    status: int = 200  # 403: the role lacks the right; 404: out of scope; 409: not now
    reason: str = ""

    def __bool__(self) -> bool:
        return self.allowed


ALLOWED = Decision(True)


class _System:
    """The server's operator, acting through a management command (demo data, the first
    unit of a new installation): shell access to the server already holds every right.
    Recorded in the audit log as the command line, never as a person."""

    is_authenticated = False
    is_active = True
    pk = None
    profile = None

    def get_username(self) -> str:
        from audit.context import command_line_actor

        return command_line_actor()

    def __repr__(self) -> str:
        return "SYSTEM"


SYSTEM = _System()


def decide(user, action: str, obj=None) -> Decision:
    if user is SYSTEM:
        return ALLOWED
    if user is None or not user.is_authenticated or not user.is_active:
        return Decision(False, 403, "请先登录。")
    if not has_right(user, action):
        return Decision(False, 403, "你的角色无权进行这项操作。")
    if obj is not None:
        unit_id = _unit_id_of(obj)
        own_only = action in OWN_UNIT_ONLY
        if (own_only and unit_id != user.profile.unit_id) or not in_scope(user, unit_id):
            return Decision(False, 404, "没有这个单位的数据，或你无权访问。")
        for model, check in _CONDITIONS.get(action, []):
            if model is None or isinstance(obj, model):
                reason = check(user, obj)
                if reason:
                    return Decision(False, 409, reason)
    return ALLOWED


def can(user, action: str, obj=None) -> bool:
    return decide(user, action, obj).allowed


class NotNow(ValidationError):
    """The person may do this, but not to the object in its present state."""


def require(user, action: str, obj=None) -> None:
    """Raises PermissionDenied (role or scope) or NotNow (state) unless ``can`` says yes.

    Services call this inside their transaction, after locking ``obj``, so the state they
    check is the state they change.
    """
    decision = decide(user, action, obj)
    if decision.allowed:
        return
    if decision.status == 409:
        raise NotNow(decision.reason, code="not_now")
    raise PermissionDenied(decision.reason)


# --- For views ------------------------------------------------------------------------------


def require_right(*actions: str):
    """Login required; then 403 unless the person's role holds one of ``actions``."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not any(has_right(request.user, a) for a in actions):
                raise PermissionDenied("你的角色无权访问此页面。")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def units_in_scope(user):
    """The active units the person acts for (a queryset)."""
    profile = getattr(user, "profile", None)
    if profile is None:
        return Unit.objects.none()
    if profile.role in OWN_UNIT_ROLES:
        return Unit.objects.filter(pk=profile.unit_id, active=True)
    return Unit.objects.filter(active=True, closure_up__ancestor_id=profile.unit_id)


def unit_or_404(user, action: str, code: str) -> Unit:
    """The active unit of ``code`` if the person may do ``action`` to it; 403 or 404 if not."""
    if not has_right(user, action):
        raise PermissionDenied("你的角色无权访问此页面。")
    unit = (
        Unit.objects.filter(code=code, active=True).first() if code and "\x00" not in code else None
    )
    if unit is None or (action in OWN_UNIT_ONLY and unit.pk != user.profile.unit_id):
        raise Http404("没有这个单位，或你无权访问它。")
    if not in_scope(user, unit.pk):
        raise Http404("没有这个单位，或你无权访问它。")
    return unit


def home_unit(user) -> Unit | None:
    """The unit a person's pages start from: their own."""
    profile = getattr(user, "profile", None)
    return profile.unit if profile is not None else None
