"""Accounts in the admin (系统管理员): made and changed through districts.services, so an
account made here changes its password at first sign-in, and the office hears of every new
way to read all figures; one password-change path for everyone, ours."""

import datetime
import re

import time_machine
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEvent
from notices.models import Notice

PASSWORD = "Zzip@2023demo"
HOME = reverse("indicators:home")
CHANGE = reverse("password_change")
ADD = reverse("admin:auth_user_add")


def login(client, username, password=PASSWORD):
    return client.post(reverse("login"), {"username": username, "password": password})


def add(client, unit, **fields):
    data = {
        "username": "newclerk",
        "first_name": "新人",
        "email": "",
        "phone": "",
        "unit": unit.pk,
        "role": "clerk",
        "password1": "Xin#Zhang2023",
        "password2": "Xin#Zhang2023",
        **fields,
    }
    return client.post(ADD, data)


def change_data(user, **fields):
    profile = user.profile
    return {
        "username": user.username,
        "first_name": user.first_name,
        "email": user.email,
        "is_active": "on",
        "unit": profile.unit_id,
        "role": profile.role,
        "phone": profile.phone,
        **fields,
    }


def test_the_add_form_offers_no_way_to_skip_the_first_password_change(client_for, sysadmin):
    page = client_for(sysadmin).get(ADD).content.decode()
    assert 'name="must_change_password"' not in page
    assert 'name="unit"' in page and 'name="role"' in page


def test_an_account_made_in_the_admin_changes_its_password_at_first_sign_in(
    client_for, sysadmin, tengzhou
):
    response = add(client_for(sysadmin), tengzhou)
    assert response.status_code == 302, response.content.decode()[:3000]
    c = Client()
    assert login(c, "newclerk", "Xin#Zhang2023").status_code == 302
    assert c.get(HOME).url == CHANGE


def test_an_account_made_in_the_admin_expires_after_90_days(client_for, sysadmin, tengzhou):
    add(client_for(sysadmin), tengzhou)
    user = get_user_model().objects.get(username="newclerk")
    profile = user.profile
    profile.must_change_password = False  # as after the first change
    profile.save(update_fields=["must_change_password"])
    with time_machine.travel(timezone.now() + datetime.timedelta(days=91)):
        c = Client()
        login(c, "newclerk", "Xin#Zhang2023")
        assert c.get(HOME).url == CHANGE


def test_the_change_form_cannot_untick_a_pending_password_change(
    client_for, sysadmin, tengzhou_clerk
):
    profile = tengzhou_clerk.profile
    profile.must_change_password = True
    profile.save(update_fields=["must_change_password"])
    url = reverse("admin:auth_user_change", args=[tengzhou_clerk.pk])
    c = client_for(sysadmin)
    assert re.search(r'name="must_change_password"[^>]* disabled', c.get(url).content.decode())
    response = c.post(url, change_data(tengzhou_clerk))  # the box left unticked
    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.must_change_password


def test_a_name_that_normalises_to_a_taken_one_is_refused_in_the_admin(
    client_for, sysadmin, tengzhou, tengzhou_clerk
):
    c = client_for(sysadmin)
    response = add(c, tengzhou, username="ＸＵＥＣＨＥＮＧ")
    assert response.status_code == 200 and "已存在" in response.content.decode()
    url = reverse("admin:auth_user_change", args=[tengzhou_clerk.pk])
    response = c.post(url, change_data(tengzhou_clerk, username="XueCheng"))
    assert response.status_code == 200 and "已存在" in response.content.decode()
    tengzhou_clerk.refresh_from_db()
    assert tengzhou_clerk.username == "tengzhou"


def test_nobody_changes_their_own_role_or_unit_in_the_admin(client_for, sysadmin, tengzhou):
    url = reverse("admin:auth_user_change", args=[sysadmin.pk])
    c = client_for(sysadmin)
    page = c.get(url).content.decode()
    assert re.search(r'<select name="role"[^>]* disabled', page)
    assert re.search(r'<select name="unit"[^>]* disabled', page)
    c.post(url, change_data(sysadmin, role="auditor", unit=tengzhou.pk))
    sysadmin.profile.refresh_from_db()
    assert sysadmin.profile.role == "sysadmin"


def test_a_password_set_in_the_admin_follows_the_rules_and_is_temporary(
    client_for, sysadmin, office, viewer
):
    url = reverse("admin:auth_user_password_change", args=[viewer.pk])
    c = client_for(sysadmin)
    response = c.post(url, {"password1": "abc", "password2": "abc"})
    assert response.status_code == 200 and "太短" in response.content.decode()
    response = c.post(url, {"password1": "Lin#Shi2024ab", "password2": "Lin#Shi2024ab"})
    assert response.status_code == 302
    viewer.refresh_from_db()
    assert viewer.check_password("Lin#Shi2024ab") and viewer.profile.must_change_password
    assert AuditEvent.objects.filter(
        action=Action.ACCOUNT_CHANGED, object_id=str(viewer.pk), summary__startswith="重设"
    ).exists()
    assert Notice.objects.filter(user=office, kind=Notice.Kind.ACCOUNT).exists()


def test_an_office_account_made_by_the_sysadmin_shows_on_the_office_home_until_read(
    client_for, sysadmin, office, city
):
    response = add(client_for(sysadmin), city, username="office2", role="office")
    assert response.status_code == 302
    c = client_for(office)
    page = c.get(HOME).content.decode()
    assert "sysadmin 新建了市局工作人员账号 office2" in page
    notice = Notice.objects.get(user=office, kind=Notice.Kind.ACCOUNT)
    response = c.post(reverse("notices:read", args=[notice.pk]), {"next": HOME})
    assert response.status_code == 302 and response.url == HOME
    assert "新建了市局工作人员账号 office2" not in c.get(HOME).content.decode()


def test_one_cannot_mark_another_persons_notice_read(client_for, sysadmin, office, viewer, city):
    add(client_for(sysadmin), city, username="office2", role="office")
    notice = Notice.objects.get(user=office, kind=Notice.Kind.ACCOUNT)
    assert client_for(viewer).post(reverse("notices:read", args=[notice.pk])).status_code == 404
    notice.refresh_from_db()
    assert notice.read_at is None


def test_the_auditor_finds_accounts_given_office_or_viewer_rights(
    client_for, sysadmin, auditor, city, tengzhou
):
    add(client_for(sysadmin), city, username="office2", role="office")
    add(client_for(sysadmin), tengzhou, username="clerk2")
    c = client_for(auditor)
    link = reverse("admin:audit_auditevent_changelist") + "?action__exact=account_privileged"
    assert link in c.get(HOME).content.decode()
    page = c.get(link).content.decode()
    assert "新建账号 office2" in page and "新建账号 clerk2" not in page


def test_the_admins_own_password_change_goes_to_ours(client_for, office, sysadmin, auditor):
    for person in (office, sysadmin, auditor):
        response = client_for(person).get(reverse("admin:password_change"))
        assert response.status_code == 302 and response.url == CHANGE


def test_the_admins_password_change_never_takes_the_old_password_again(client_for, office):
    before = office.password
    c = client_for(office)
    same = {"old_password": PASSWORD, "new_password1": PASSWORD, "new_password2": PASSWORD}
    response = c.post(reverse("admin:password_change"), same)
    assert response.status_code == 302 and response.url == CHANGE
    office.refresh_from_db()
    assert office.password == before  # not even re-hashed
    assert "新密码不能与原密码相同" in c.post(CHANGE, same).content.decode()
    assert not AuditEvent.objects.filter(actor=office, summary="修改本人密码").exists()


def test_an_account_without_a_role_gets_one_in_the_admin_and_a_password_to_change(
    client_for, sysadmin, tengzhou
):
    legacy = get_user_model().objects.create_user("legacy", password="Gen#Mu2024xyz")
    url = reverse("admin:auth_user_change", args=[legacy.pk])
    c = client_for(sysadmin)
    data = {"username": "legacy", "first_name": "", "email": "", "is_active": "on", "phone": ""}
    assert c.post(url, data).status_code == 200  # unit and role are required
    response = c.post(url, {**data, "unit": tengzhou.pk, "role": "clerk"})
    assert response.status_code == 302
    legacy.refresh_from_db()
    assert legacy.profile.role == "clerk" and legacy.profile.must_change_password
