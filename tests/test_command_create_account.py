import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from audit.models import Action, AuditEvent
from districts.models import Profile, Unit


def run(monkeypatch, *args, password="Xin#Zhang2023"):
    monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
    out = io.StringIO()
    call_command("create_account", *args, "--password-stdin", stdout=out)
    return out.getvalue()


def test_the_first_administrator_of_an_empty_system_creates_the_city(db, monkeypatch):
    output = run(
        monkeypatch, "admin1", "--role", "sysadmin", "--unit", "370400", "--create-unit", "枣庄市"
    )
    assert "已建立 admin1" in output
    city = Unit.objects.get(code="370400")
    assert city.name == "枣庄市" and city.kind == Unit.Kind.CITY
    profile = Profile.objects.get(user__username="admin1")
    assert profile.role == "sysadmin" and profile.unit == city and profile.must_change_password
    assert AuditEvent.objects.filter(action=Action.UNIT_CHANGED).exists()
    assert AuditEvent.objects.filter(
        action=Action.ACCOUNT_CHANGED, object_id=str(profile.user_id)
    ).exists()


def test_an_unknown_unit_is_refused_and_create_unit_only_works_on_an_empty_system(
    seed, monkeypatch
):
    with pytest.raises(CommandError, match="没有编码为 999"):
        run(monkeypatch, "x1", "--role", "clerk", "--unit", "999")
    with pytest.raises(CommandError, match="只用于全新的系统"):
        run(monkeypatch, "x1", "--role", "clerk", "--unit", "999", "--create-unit", "某市")
    assert not get_user_model().objects.filter(username="x1").exists()


def test_demo_refuses_to_run_under_production_settings(db, settings):
    settings.ALLOW_DEMO = False
    with pytest.raises(CommandError, match="生产环境不能加载"):
        call_command("demo", stdout=io.StringIO())
    assert not get_user_model().objects.exists()
