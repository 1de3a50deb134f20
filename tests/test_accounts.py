"""Identity (等保 身份鉴别): password rules, forced change, expiry, lockout, sessions, TOTP."""

import datetime
import io

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import Action, AuditEvent
from districts.models import Profile

PASSWORD = "Zzip@2023demo"
HOME = reverse("indicators:home")
CHANGE = reverse("password_change")


def login(client, username, password=PASSWORD):
    return client.post(reverse("login"), {"username": username, "password": password})


@pytest.mark.parametrize(
    ("password", "fragment"),
    [
        ("Ab1!", "太短"),
        ("abcdefghij", "至少 3 类"),
        ("abcdefg12", "至少 3 类"),
        ("Xuecheng@2023", "不能包含用户名"),
        ("P@ssw0rd", "太常见"),
        ("12345678", "只包含数字"),
    ],
)
def test_weak_passwords_are_refused_with_chinese_reasons(password, fragment, db):
    user = get_user_model()(username="xuecheng")
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        validate_password(password, user)
    assert any(fragment in m for m in exc.value.messages), exc.value.messages


def test_a_strong_password_passes(db):
    validate_password("Zao#zhuang2023", get_user_model()(username="xuecheng"))


def _new_account(username="newclerk"):
    """The password comes from sys.stdin, which each test sets."""
    out = io.StringIO()
    call_command(
        "create_account",
        username,
        "--role",
        "clerk",
        "--unit",
        "370481",
        "--password-stdin",
        stdout=out,
    )
    return get_user_model().objects.get(username=username)


def test_a_new_account_must_change_its_password_before_anything_else(seed, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("Xin#Zhang2023\n"))
    _new_account()
    c = Client()
    login(c, "newclerk", "Xin#Zhang2023")
    assert c.get(HOME).url == CHANGE
    assert c.get(reverse("indicators:report_edit", args=["2023Q3", "370481"])).url == CHANGE
    response = c.post(
        CHANGE,
        {"old_password": "Xin#Zhang2023", "new_password1": "abc", "new_password2": "abc"},
    )
    assert response.status_code == 200 and "太短" in response.content.decode()
    response = c.post(
        CHANGE,
        {
            "old_password": "Xin#Zhang2023",
            "new_password1": "Lan#Tian2024x",
            "new_password2": "Lan#Tian2024x",
        },
    )
    assert response.status_code == 302
    assert c.get(HOME).status_code == 200
    profile = Profile.objects.get(user__username="newclerk")
    assert not profile.must_change_password and profile.password_changed_at is not None
    assert AuditEvent.objects.filter(action=Action.ACCOUNT_CHANGED, actor_name="newclerk").exists()


def test_create_account_refuses_a_weak_password_and_a_name_differing_only_in_case(
    seed, monkeypatch
):
    from django.core.management.base import CommandError

    monkeypatch.setattr("sys.stdin", io.StringIO("password\n"))
    with pytest.raises(CommandError, match="密码不符合要求"):
        _new_account()
    monkeypatch.setattr("sys.stdin", io.StringIO("Xin#Zhang2023\n"))
    with pytest.raises(CommandError, match="已存在"):
        _new_account(username="TengZhou")


def test_a_password_expires_after_90_days(tengzhou_clerk):
    c = Client()
    login(c, "tengzhou")
    assert c.get(HOME).status_code == 200
    with time_machine.travel(timezone.now() + datetime.timedelta(days=91)):
        c = Client()
        login(c, "tengzhou")
        assert c.get(HOME).url == CHANGE


def test_a_password_an_administrator_sets_must_be_changed_at_next_login(
    client_for, sysadmin, tengzhou_clerk
):
    url = reverse("admin:auth_user_password_change", args=[tengzhou_clerk.pk])
    response = client_for(sysadmin).post(
        url, {"password1": "Lin#Shi2024ab", "password2": "Lin#Shi2024ab", "usable_password": "true"}
    )
    assert response.status_code == 302
    tengzhou_clerk.profile.refresh_from_db()
    assert tengzhou_clerk.profile.must_change_password
    c = Client()
    login(c, "tengzhou", "Lin#Shi2024ab")
    assert c.get(HOME).url == CHANGE


def test_user_names_are_unique_and_sign_in_ignoring_case(tengzhou_clerk):
    with pytest.raises(IntegrityError), transaction.atomic():
        get_user_model().objects.create(username="TengZhou")
    c = Client()
    assert login(c, "TengZhou").status_code == 302
    assert c.get(HOME).status_code == 200


def test_five_failures_lock_the_account_for_30_minutes_and_office_unlocks_it(
    seed, client_for, office
):
    c = Client()
    for _ in range(5):
        login(c, "xuecheng", "wrong")
    response = login(c, "xuecheng")  # the right password no longer helps
    assert response.status_code == 429
    assert "账号已锁定" in response.content.decode()
    assert AuditEvent.objects.filter(
        action=Action.LOGIN_LOCKED, detail__username="xuecheng"
    ).exists()
    page = client_for(office).get(reverse("locked_accounts")).content.decode()
    assert "xuecheng" in page
    client_for(office).post(reverse("locked_accounts"), {"username": "xuecheng"})
    assert login(Client(), "xuecheng").status_code == 302
    unlocks = AuditEvent.objects.filter(action=Action.ACCOUNT_CHANGED, summary__startswith="解锁")
    assert unlocks.count() == 1 and unlocks.first().actor == office


def test_a_lock_expires_after_30_minutes(seed):
    c = Client()
    for _ in range(5):
        login(c, "xuecheng", "wrong")
    assert login(c, "xuecheng").status_code == 429
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=31)):
        assert login(Client(), "xuecheng").status_code == 302


def test_one_clerks_failures_do_not_lock_out_others_behind_the_same_address(seed):
    c = Client()
    for _ in range(5):
        login(c, "xuecheng", "wrong")
    assert login(Client(), "office").status_code == 302


def test_with_address_locking_on_five_failures_from_one_address_lock_the_address(seed, settings):
    settings.AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
    c = Client()
    for name in ("a1", "a2", "a3", "a4", "a5"):
        login(c, name, "wrong")
    assert login(c, "tengzhou").status_code == 429


def test_the_real_ip_header_counts_only_behind_the_proxy(seed, settings):
    from audit.models import AuditEvent

    Client(HTTP_X_REAL_IP="10.9.9.9").post(reverse("login"), {"username": "x", "password": "y"})
    assert AuditEvent.objects.filter(action=Action.LOGIN_FAILED).latest("id").ip == "127.0.0.1"
    settings.BEHIND_PROXY = True
    Client(HTTP_X_REAL_IP="10.9.9.9").post(reverse("login"), {"username": "x", "password": "y"})
    assert AuditEvent.objects.filter(action=Action.LOGIN_FAILED).latest("id").ip == "10.9.9.9"


@pytest.mark.parametrize("who", ["tengzhou_clerk", "viewer", "auditor"])
def test_only_office_and_sysadmin_unlock(seed, client_for, who, request):
    assert (
        client_for(request.getfixturevalue(who)).get(reverse("locked_accounts")).status_code == 403
    )


def test_session_ends_after_30_idle_minutes_and_at_browser_close(tengzhou_clerk):
    c = Client()
    response = login(c, "tengzhou")
    cookie = response.cookies["sessionid"]
    assert not cookie["expires"] and not cookie["max-age"]  # a browser-session cookie
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=20)):
        assert c.get(HOME).status_code == 200  # activity keeps it alive
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=52)):
        assert c.get(HOME).url.startswith(reverse("login"))


def test_logout_destroys_the_server_session(tengzhou_clerk):
    from django.contrib.sessions.models import Session

    c = Client()
    login(c, "tengzhou")
    key = c.cookies["sessionid"].value
    assert Session.objects.filter(session_key=key).exists()
    c.post(reverse("logout"))
    assert not Session.objects.filter(session_key=key).exists()


def test_a_superuser_cannot_sign_in(seed):
    get_user_model().objects.create_superuser("root", password="Gen#Mu2024xyz")
    response = login(Client(), "root", "Gen#Mu2024xyz")
    assert response.status_code == 200  # the login form again, with its error


def _token(device):
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = timezone.now().timestamp()
    return f"{totp.token():06d}"


def test_a_role_that_requires_totp_enrols_then_verifies_at_each_login(seed, office, settings):
    settings.OTP_REQUIRED_ROLES = ["office"]
    c = Client()
    login(c, "office")
    assert c.get(HOME).url == reverse("otp_setup")
    page = c.get(reverse("otp_setup")).content.decode()
    assert "<svg" in page
    response = c.post(reverse("otp_setup"), {"token": "000000"})
    assert "验证码不对" in response.content.decode()
    device = TOTPDevice.objects.get(user=office)
    # django-otp throttles a device for a moment after a wrong code.
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=5)):
        assert c.post(reverse("otp_setup"), {"token": _token(device)}).status_code == 302
        assert c.get(HOME).status_code == 200
    c = Client()
    login(c, "office")
    assert c.get(HOME).url == reverse("otp_verify")
    assert c.post(reverse("otp_verify"), {"token": "123"}).status_code == 200
    device.refresh_from_db()
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=60)):
        assert c.post(reverse("otp_verify"), {"token": _token(device)}).status_code == 302
        assert c.get(HOME).status_code == 200


def test_roles_that_do_not_require_totp_are_not_asked(tengzhou_clerk, settings):
    settings.OTP_REQUIRED_ROLES = ["office"]
    c = Client()
    login(c, "tengzhou")
    assert c.get(HOME).status_code == 200


def test_a_password_alone_cannot_enrol_a_second_device(seed, office, settings):
    settings.OTP_REQUIRED_ROLES = ["office"]
    device = TOTPDevice.objects.create(user=office, name="zzip", confirmed=True)
    c = Client()
    login(c, "office")  # the password, but not the phone
    response = c.get(reverse("otp_setup"))
    assert response.status_code == 302 and response.url == reverse("otp_verify")
    c.post(reverse("otp_setup"), {"token": "123456"})
    assert TOTPDevice.objects.filter(user=office).count() == 1
    assert c.get(HOME).url == reverse("otp_verify")
    assert device.confirmed


def test_no_password_reaches_the_audit_log_when_an_account_is_created(
    client_for, sysadmin, tengzhou
):
    secret = "Secret#Pass2024x"
    response = client_for(sysadmin).post(
        reverse("admin:auth_user_add"),
        {
            "username": "newone",
            "first_name": "新人",
            "password1": secret,
            "password2": secret,
            "unit": tengzhou.pk,
            "role": "clerk",
            "phone": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    user = get_user_model().objects.get(username="newone")
    assert AuditEvent.objects.filter(action=Action.ACCOUNT_CHANGED, object_id=str(user.pk)).exists()
    for event in AuditEvent.objects.all():
        assert secret not in str(event.detail) and secret not in event.summary


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ({"username": "xue\x00cheng"}, "NUL"),
        ({"ip": "10.0.0.1\x00"}, "NUL"),
        ({"ip": "not-an-address"}, "不是有效的 IP 地址"),
    ],
)
def test_a_nul_byte_or_a_bad_address_in_the_unlock_form_is_a_400_with_a_reason(
    client_for, office, data, fragment
):
    response = client_for(office).post(reverse("locked_accounts"), data)
    assert response.status_code == 400
    assert fragment in response.content.decode()
    assert not AuditEvent.objects.filter(summary__startswith="解锁").exists()
