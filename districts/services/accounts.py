"""Writes about people: accounts and passwords (sign-in itself: districts.signin). Each is
audited.

Every account write goes through account_create, account_update or account_password_set,
whoever calls it (the admin, `create_account`, an import): one transaction, the same rules
(user names, passwords, role and unit), one audit record, and a notice to the office staff
whenever an account gains the right to read every figure.
"""

from __future__ import annotations

import secrets
import string
import unicodedata

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.context import command_line_actor
from audit.models import Action
from audit.services import audit_record
from notices.models import Notice
from notices.services import notify

from .. import tree
from ..access import SYSTEM, Do, reads_every_figure, require
from ..identity import normalize_username, username_problem
from ..models import Profile, Role, Unit, Wording
from ..privacy import mask_phone

# --- accounts ------------------------------------------------------------------------------


def username_taken(username: str, *, exclude=None) -> str | None:
    """The existing account whose name is ``username`` once normalised, or None."""
    key = normalize_username(username)
    others = Profile.objects.filter(username_key=key)
    if exclude is not None:
        others = others.exclude(user_id=exclude.pk)
    holder = others.values_list("user__username", flat=True).first()
    if holder is not None:
        return holder
    # Accounts without a profile (a createsuperuser leftover) hold their name too.
    loose = get_user_model().objects.filter(profile__isnull=True)
    if exclude is not None:
        loose = loose.exclude(pk=exclude.pk)
    for name in loose.values_list("username", flat=True):
        if normalize_username(name) == key:
            return name
    return None


def username_errors(username: str, *, exclude=None) -> list[str]:
    """Why ``username`` cannot name a new (or renamed) account; empty when it can."""
    problem = username_problem(username)
    if problem:
        return [problem]
    holder = username_taken(username, exclude=exclude)
    if holder is not None:
        return [
            f"用户名“{username.strip()}”已存在：与账号“{holder}”视为同一个用户名"
            "（不区分大小写、全角半角）。"
        ]
    return []


def account_rule_errors(*, role, unit) -> dict[str, list[str]]:
    """Role and unit that go together; the admin's forms show these beside the fields."""
    errors: dict[str, list[str]] = {}
    if role not in Role.values:
        errors["role"] = ["请选择角色。"]
    if unit is None:
        errors["unit"] = ["请选择所属单位。"]
    elif not unit.active:
        errors["unit"] = [f"单位“{unit.name}”已停用。"]
    elif role in (Role.CLERK, Role.SIGNER) and not tree.is_leaf(unit):
        # A parent's figures are its children's sum: nobody enters them, nobody signs them.
        errors["unit"] = [f"{Role(role).label}只能属于没有下级的单位；“{unit.name}”有下级单位。"]
    return errors


# The hasher of the passwords generated here (zzip.hashers.OneTimePasswordHasher).
ONE_TIME_HASHER = "pbkdf2_sha256_once"


def generated_password(length: int = 16) -> str:
    """A random password of all four character classes, for an account made without one."""
    alphabet = string.ascii_letters + string.digits + "#%+=@"
    while True:
        candidate = "".join(secrets.choice(alphabet) for _ in range(length))
        classes = [
            set(candidate) & set(chars)
            for chars in (string.ascii_uppercase, string.ascii_lowercase, string.digits, "#%+=@")
        ]
        if all(classes):
            return candidate


def _password_for(user) -> str:
    """A generated password that also passes the rules about this user (not their name)."""
    for _ in range(50):
        candidate = generated_password()
        try:
            validate_password(candidate, user)
        except ValidationError:
            continue
        return candidate
    raise ValidationError({"password": ["无法生成符合密码规则的密码，请指定一个。"]})


def _check(actor, unit) -> None:
    """The one access check: whoever manages accounts, for units within their scope.
    ``actor`` None is the command line (shell access to the server holds every right)."""
    require(SYSTEM if actor is None else actor, Do.ACCOUNTS, unit)


def _raise(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)


def _actor_detail(actor) -> dict:
    return {} if actor is not None else {"username": command_line_actor()}


def _actor_label(actor) -> str:
    return actor.get_username() if actor is not None else command_line_actor()


def _office_staff(*, besides):
    return (
        get_user_model()
        .objects.filter(is_active=True, profile__role=Role.OFFICE)
        .exclude(pk=besides.pk)
    )


def _tell_office(*, account, message: str) -> list[str]:
    """The office staff hear of every new way to read all figures; returns who was told."""
    staff = list(_office_staff(besides=account))
    notify(users=staff, kind=Notice.Kind.ACCOUNT, message=message, topic=f"account:{account.pk}")
    return [u.get_username() for u in staff]


def account_create_errors(
    *, actor, username: str, name: str, unit: Unit | None, role: str, phone: str, email: str
) -> dict[str, list[str]]:
    """Why an account of these details cannot be created (by field); empty when it can.
    Checks what account_create checks except the password, without writing or hashing: a
    bulk import's preview asks this for every row."""
    _check(actor, unit)
    username = unicodedata.normalize("NFKC", (username or "").strip())
    errors = account_rule_errors(role=role, unit=unit)
    if problems := username_errors(username):
        errors["username"] = problems
    for field, value, label, longest in [
        ("name", name, "姓名", 150),
        ("phone", phone, "电话", 20),
        ("email", email, "电子邮箱", 254),
    ]:
        value = value or ""
        if len(value) > longest:
            errors[field] = [f"{label}最多 {longest} 个字符。"]
        elif any(unicodedata.category(ch) == "Cc" for ch in value):
            errors[field] = [f"{label}中有不可见的控制字符，请重新输入。"]
    if email and "email" not in errors:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = ["电子邮箱格式不对。"]
    return errors


def account_create(
    *,
    actor,
    username: str,
    name: str,
    unit: Unit | None,
    role: str,
    phone: str = "",
    email: str = "",
    password: str | None = None,
) -> tuple:
    """Creates an account with its profile; returns (user, password).

    Without ``password`` one is generated (and returned, to be handed over once). Either way
    the person must change it at first sign-in. ``actor`` None is the command line. Usable
    many times inside one outer transaction (a bulk import): each call is a savepoint.
    """
    username = unicodedata.normalize("NFKC", (username or "").strip())
    errors = account_create_errors(
        actor=actor, username=username, name=name, unit=unit, role=role, phone=phone, email=email
    )
    user = get_user_model()(username=username, first_name=name or "", email=email or "")
    generated = password is None
    if generated:
        password = _password_for(user)
    elif "username" not in errors:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            errors["password"] = exc.messages
    _raise(errors)
    privileged = reads_every_figure(role)
    try:
        with transaction.atomic():
            if generated:
                # Random, handed out once and changed at first sign-in (zzip.hashers).
                user.password = make_password(password, hasher=ONE_TIME_HASHER)
            else:
                user.set_password(password)
            user.save()
            Profile(
                user=user,
                unit=unit,
                role=role,
                phone=phone or "",
                must_change_password=True,
                password_changed_at=timezone.now(),
            ).save()
            label = Wording.current().role_label(role)
            told = []
            if privileged:
                told = _tell_office(
                    account=user,
                    message=f"{_actor_label(actor)} 新建了{label}账号 {username}"
                    f"（{name or '未填姓名'}，{unit.name}），该账号可以查看全部数据。"
                    "如非预期，请联系审计管理员核查。",
                )
            audit_record(
                actor=actor,
                action=Action.ACCOUNT_PRIVILEGED if privileged else Action.ACCOUNT_CHANGED,
                unit=unit,
                obj=user,
                summary=f"新建账号 {username}（{unit.name}，{label}），首次登录须修改密码",
                detail={
                    "account": username,
                    "created": True,
                    "role": role,
                    "unit": unit.code,
                    "phone": mask_phone(phone),
                    "notified": told,
                    **_actor_detail(actor),
                },
            )
    except IntegrityError:
        # Another request took the name between the check and the insert.
        raise ValidationError(
            {"username": username_errors(username) or ["用户名已存在。"]}
        ) from None
    return user, password


_LABELS = {
    "username": "用户名",
    "first_name": "姓名",
    "email": "电子邮箱",
    "is_active": "启用",
    "unit": "所属单位",
    "role": "角色",
    "phone": "电话",
    "must_change_password": "下次登录须改密码",
}


def account_update(
    *,
    actor,
    user,
    username: str | None = None,
    name: str | None = None,
    email: str | None = None,
    is_active: bool | None = None,
    unit: Unit | None = None,
    role: str | None = None,
    phone: str | None = None,
    must_change_password: bool | None = None,
) -> dict:
    """Changes what is given (None: unchanged); returns the changes recorded as
    {field: {"old": …, "new": …}}. Nobody changes their own role or unit; "must change the
    password" is set by an administrator but cleared only by the person's own new password."""
    User = get_user_model()
    with transaction.atomic():
        current = User.objects.select_for_update().get(pk=user.pk)
        profile = Profile.objects.select_for_update().filter(user=current).first()
        _check(actor, profile.unit if profile else None)
        if unit is not None:
            _check(actor, unit)
        old = {
            "username": current.username,
            "first_name": current.first_name,
            "email": current.email,
            "is_active": current.is_active,
            "unit": profile.unit if profile else None,
            "role": profile.role if profile else None,
            "phone": profile.phone if profile else "",
            "must_change_password": profile.must_change_password if profile else True,
        }
        new = dict(old)
        for field, value in [
            ("username", username),
            ("first_name", name),
            ("email", email),
            ("is_active", is_active),
            ("unit", unit),
            ("role", role),
            ("phone", phone),
            ("must_change_password", must_change_password),
        ]:
            if value is not None:
                new[field] = value
        if username is not None:
            new["username"] = unicodedata.normalize("NFKC", username.strip())
        changed = [f for f in new if new[f] != old[f]]
        if not changed:
            return {}
        errors = {}
        if profile is None or {"role", "unit"} & set(changed):
            errors = account_rule_errors(role=new["role"], unit=new["unit"])
        if "username" in changed and username_errors(new["username"], exclude=current):
            errors["username"] = username_errors(new["username"], exclude=current)
        if actor is not None and actor.pk == current.pk and {"role", "unit"} & set(changed):
            errors.setdefault("role", []).append("不能修改本人的角色或单位。")
        if old["must_change_password"] and not new["must_change_password"]:
            errors["must_change_password"] = [
                "“下次登录须改密码”只在本人修改密码后解除，管理员不能取消。"
            ]
        if "email" in changed and new["email"]:
            try:
                validate_email(new["email"])
            except ValidationError:
                errors["email"] = ["电子邮箱格式不对。"]
        _raise(errors)

        current.username = new["username"]
        current.first_name = new["first_name"]
        current.email = new["email"]
        current.is_active = new["is_active"]
        try:
            with transaction.atomic():
                current.save(update_fields=["username", "first_name", "email", "is_active"])
                if profile is None:
                    profile = Profile(user=current, must_change_password=True)
                profile.user = current
                profile.unit = new["unit"]
                profile.role = new["role"]
                profile.phone = new["phone"]
                profile.must_change_password = new["must_change_password"]
                profile.save()
        except IntegrityError:
            raise ValidationError({"username": ["用户名已存在。"]}) from None

        recorded = {}
        for field in changed:
            before, after = old[field], new[field]
            if field == "phone":
                before, after = mask_phone(before), mask_phone(after)
            if field == "unit":
                before, after = getattr(before, "code", None), getattr(after, "code", None)
            recorded[field] = {"old": before, "new": after}

        had = reads_every_figure(old["role"]) and old["is_active"]
        has = reads_every_figure(new["role"]) and new["is_active"]
        told = []
        label = Wording.current().role_label(new["role"])
        if has and not had:
            how = (
                f"将账号 {current.username} 的角色改为{label}"
                if old["role"] != new["role"]
                else f"重新启用了{label}账号 {current.username}"
            )
            told = _tell_office(
                account=current,
                message=f"{_actor_label(actor)} {how}，该账号可以查看全部数据。"
                "如非预期，请联系审计管理员核查。",
            )
        names = "、".join(_LABELS[f] for f in recorded)
        audit_record(
            actor=actor,
            action=Action.ACCOUNT_PRIVILEGED if has and not had else Action.ACCOUNT_CHANGED,
            unit=new["unit"],
            obj=current,
            summary=f"修改账号 {current.username}（{names}）",
            detail={
                "account": current.username,
                "changed": recorded,
                "notified": told,
                **_actor_detail(actor),
            },
        )
    return recorded


def account_password_set(*, actor, user, password: str) -> None:
    """An administrator sets someone's password: it follows the rules and is temporary (the
    person changes it at the next sign-in). For an account that reads every figure the
    office staff are told: whoever sets its password can sign in as it."""
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None
    with transaction.atomic():
        current = get_user_model().objects.select_for_update().get(pk=user.pk)
        profile = Profile.objects.select_for_update().filter(user=current).first()
        _check(actor, profile.unit if profile else None)
        current.set_password(password)
        current.save(update_fields=["password"])
        if profile is not None:
            profile.must_change_password = True
            profile.password_changed_at = timezone.now()
            profile.save(update_fields=["must_change_password", "password_changed_at"])
        told = []
        if profile is not None and reads_every_figure(profile.role) and current.is_active:
            told = _tell_office(
                account=current,
                message=f"{_actor_label(actor)} 重设了"
                f"{Wording.current().role_label(profile.role)}账号 "
                f"{current.username} 的密码。如非预期，请联系审计管理员核查。",
            )
        audit_record(
            actor=actor,
            action=Action.ACCOUNT_CHANGED,
            unit=profile.unit if profile else None,
            obj=current,
            summary=f"重设 {current.username} 的密码（下次登录须修改）",
            detail={
                "account": current.username,
                "by_admin": True,
                "notified": told,
                **_actor_detail(actor),
            },
        )


def password_changed(*, user) -> None:
    """Records the person's own new password: the policy is satisfied until it expires."""
    with transaction.atomic():
        profile = Profile.objects.select_for_update().filter(user=user).first()
        if profile is not None:
            profile.must_change_password = False
            profile.password_changed_at = timezone.now()
            profile.save(update_fields=["must_change_password", "password_changed_at"])
        audit_record(
            actor=user,
            action=Action.ACCOUNT_CHANGED,
            unit=profile.unit if profile else None,
            obj=user,
            summary="修改本人密码",
            detail={"username": user.get_username(), "by_admin": False},
        )
