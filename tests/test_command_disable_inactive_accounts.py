"""disable_inactive_accounts: accounts unused for N days (90 by default) are disabled, audited."""

import datetime
import io

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from audit.models import Action, AuditEvent
from districts.models import Profile, Role, Unit

START = datetime.datetime(2026, 1, 1, 9, 0, tzinfo=datetime.UTC)


def run(**kwargs):
    out = io.StringIO()
    call_command("disable_inactive_accounts", stdout=out, **kwargs)
    return out.getvalue()


def days(n):
    return START + datetime.timedelta(days=n)


@pytest.fixture
def people(empty_db):
    """Accounts created on START, some of which logged in later; run on START + 100 days."""
    User = get_user_model()
    unit = Unit.objects.create(code="370481", name="滕州市", kind=Unit.Kind.DISTRICT)
    with time_machine.travel(START, tick=False):
        made = {
            "never": User.objects.create_user("never"),
            "stale": User.objects.create_user("stale"),
            "recent": User.objects.create_user("recent"),
            "edge_out": User.objects.create_user("edge_out"),
            "edge_in": User.objects.create_user("edge_in"),
            "off": User.objects.create_user("off", is_active=False),
            "root": User.objects.create_superuser("root", password=None),
        }
    with time_machine.travel(days(50), tick=False):
        made["newcomer"] = User.objects.create_user("newcomer")
    # Only an account with a role signs in (districts.backends.RoleBackend).
    for name in ("stale", "edge_in"):
        Profile.objects.create(user=made[name], unit=unit, role=Role.CLERK)
    for name, last in [("stale", 5), ("recent", 80), ("edge_out", 9), ("edge_in", 11)]:
        User.objects.filter(pk=made[name].pk).update(last_login=days(last))
    return made


def _active():
    return set(get_user_model().objects.filter(is_active=True).values_list("username", flat=True))


def test_disables_accounts_unused_for_90_days_superusers_included(people):
    with time_machine.travel(days(100), tick=False):
        output = run()
    # never: created 100 days ago and never used; stale: last login 95 days ago;
    # edge_out: 91 days ago. root is a superuser, and superusers are not spared.
    assert _active() == {"recent", "edge_in", "newcomer"}
    assert "已停用 never（创建于 2026-01-01）" in output
    assert "已停用 stale（最后登录 2026-01-06）" in output
    assert "共停用 4 个账号" in output


def test_each_disabled_account_leaves_an_audit_record_and_nothing_else_does(people):
    with time_machine.travel(days(100), tick=False):
        run()
    records = AuditEvent.objects.filter(action=Action.ACCOUNT_CHANGED)
    by_account = {r.detail["account"]: r for r in records}
    assert set(by_account) == {"never", "stale", "edge_out", "root"}
    stale = by_account["stale"]
    assert stale.object_id == str(people["stale"].pk)
    assert stale.unit.code == "370481"
    assert stale.actor is None and stale.actor_name == ""
    assert "停用 90 天未使用的账号 stale" in stale.summary


def test_a_second_run_finds_nothing_more_to_do(people):
    with time_machine.travel(days(100), tick=False):
        run()
        assert run() == "没有超过 90 天未使用的账号。\n"
    assert AuditEvent.objects.filter(action=Action.ACCOUNT_CHANGED).count() == 4


def test_days_is_configurable(people):
    with time_machine.travel(days(100), tick=False):
        run(days=30)
    assert _active() == {"recent"}


def test_a_disabled_account_cannot_sign_in_and_a_kept_one_can(people, client):
    for name in ("stale", "edge_in"):
        people[name].set_password("Zzip@2023demo")
        people[name].save(update_fields=["password"])
    with time_machine.travel(days(100), tick=False):
        run()
        refused = client.post(reverse("login"), {"username": "stale", "password": "Zzip@2023demo"})
        assert refused.status_code == 200 and "_auth_user_id" not in client.session
        kept = client.post(reverse("login"), {"username": "edge_in", "password": "Zzip@2023demo"})
        assert kept.status_code == 302 and "_auth_user_id" in client.session


def test_zero_days_is_refused(people):
    with pytest.raises(CommandError):
        run(days=0)
    assert len(_active()) == 7
