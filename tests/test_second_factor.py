"""The second factor (TOTP): once a person has enrolled a device, every sign-in asks for the
code, whatever the role; wrong codes are audited and count towards the account's lockout; and
"登录成功" is recorded only once the code is given."""

import datetime

import pytest
import time_machine
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import Action, AuditEvent

PASSWORD = "Zzip@2023demo"
HOME = reverse("indicators:home")
VERIFY = reverse("otp_verify")


def login(client, username, password=PASSWORD):
    return client.post(reverse("login"), {"username": username, "password": password})


def token(device, at=None):
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = (at or timezone.now()).timestamp()
    return f"{totp.token():06d}"


@pytest.fixture
def enrolled(tengzhou_clerk):
    """The 滕州 clerk (a role that need not enrol) enrolled a phone at /otp/setup/."""
    c = Client()
    login(c, "tengzhou")
    c.get(reverse("otp_setup"))
    device = TOTPDevice.objects.get(user=tengzhou_clerk)
    assert c.post(reverse("otp_setup"), {"token": token(device)}).status_code == 302
    c.post(reverse("logout"))
    device.refresh_from_db()
    assert device.confirmed
    return device


def later(seconds):
    """A moment past django-otp's throttle and the last code used."""
    return time_machine.travel(timezone.now() + datetime.timedelta(seconds=seconds), tick=False)


def test_a_person_who_enrolled_is_asked_for_the_code_whatever_the_role(enrolled, settings):
    settings.OTP_REQUIRED_ROLES = []
    c = Client()
    login(c, "tengzhou")
    assert c.get(HOME).url == VERIFY
    assert c.get(reverse("indicators:report_edit", args=["2023Q3", "370481"])).url == VERIFY
    with later(60):
        assert c.post(VERIFY, {"token": token(enrolled)}).status_code == 302
        assert c.get(HOME).status_code == 200


def test_signed_in_is_recorded_only_after_the_code(enrolled, tengzhou_clerk):
    start = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
    c = Client()
    login(c, "tengzhou")
    since = AuditEvent.objects.filter(id__gt=start, actor=tengzhou_clerk)
    assert list(since.values_list("action", flat=True)) == [Action.LOGIN_PASSWORD_OK]
    with later(60):
        c.post(VERIFY, {"token": token(enrolled)})
    login_record = since.get(action=Action.LOGIN)
    assert login_record.summary == "登录成功（已通过两步验证）"


def test_wrong_codes_are_audited_and_lock_the_account(enrolled, tengzhou_clerk):
    c = Client()
    login(c, "tengzhou")
    for attempt in range(4):
        response = c.post(VERIFY, {"token": "000000"})
        assert response.status_code == 200, attempt
        assert "验证码不对" in response.content.decode()
    response = c.post(VERIFY, {"token": "000000"})
    assert response.status_code == 429 and "账号已锁定" in response.content.decode()
    assert AuditEvent.objects.filter(action=Action.OTP_FAILED, actor=tengzhou_clerk).count() == 5
    assert AuditEvent.objects.filter(
        action=Action.LOGIN_LOCKED, detail__username="tengzhou"
    ).exists()
    assert c.get(HOME).url.startswith(reverse("login"))  # the half-signed-in session is gone
    # The password alone no longer even reaches the code.
    assert login(Client(), "tengzhou").status_code == 429


def test_a_right_password_buys_no_more_tries_at_the_code(enrolled):
    c = Client()
    login(c, "tengzhou")
    for _ in range(4):
        c.post(VERIFY, {"token": "000000"})
    c = Client()
    assert login(c, "tengzhou").status_code == 302  # the password is right ...
    assert c.post(VERIFY, {"token": "000000"}).status_code == 429  # ... the count went on


def test_a_locked_account_cannot_give_its_code_in_a_session_opened_before(enrolled):
    c = Client()
    login(c, "tengzhou")
    other = Client()
    for _ in range(5):
        login(other, "tengzhou", "wrong")
    with later(60):
        assert c.post(VERIFY, {"token": token(enrolled)}).status_code == 429
    assert c.get(HOME).url.startswith(reverse("login"))


def test_the_right_code_clears_the_failed_attempts(enrolled):
    c = Client()
    for _ in range(2):
        login(Client(), "tengzhou", "wrong")
    login(c, "tengzhou")
    c.post(VERIFY, {"token": "000000"})
    assert AccessAttempt.objects.filter(username="tengzhou").get().failures_since_start == 3
    with later(60):
        assert c.post(VERIFY, {"token": token(enrolled)}).status_code == 302
    assert not AccessAttempt.objects.filter(username="tengzhou").exists()


def test_without_a_device_the_password_signs_in_and_clears_the_failures(tengzhou_clerk):
    login(Client(), "tengzhou", "wrong")
    c = Client()
    login(c, "tengzhou")
    assert c.get(HOME).status_code == 200
    assert not AccessAttempt.objects.filter(username="tengzhou").exists()
    assert AuditEvent.objects.filter(action=Action.LOGIN, actor=tengzhou_clerk).exists()
