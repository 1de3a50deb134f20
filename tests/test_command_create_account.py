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


def test_the_first_administrator_of_an_empty_system_creates_the_city(empty_db, monkeypatch):
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


def test_a_province_starts_from_its_own_root(empty_db, monkeypatch):
    run(
        monkeypatch,
        "admin1",
        "--role",
        "sysadmin",
        "--unit",
        "370000",
        "--create-unit",
        "某某省",
        "--unit-kind",
        "province",
    )
    root = Unit.objects.get(code="370000")
    assert root.kind == Unit.Kind.PROVINCE and root.parent is None
    assert Profile.objects.get(user__username="admin1").unit == root


def test_an_unknown_unit_is_refused_and_create_unit_only_works_on_an_empty_system(
    seed, monkeypatch
):
    with pytest.raises(CommandError, match="没有编码为 999"):
        run(monkeypatch, "x1", "--role", "clerk", "--unit", "999")
    with pytest.raises(CommandError, match="只用于全新的系统"):
        run(monkeypatch, "x1", "--role", "clerk", "--unit", "999", "--create-unit", "某市")
    assert not get_user_model().objects.filter(username="x1").exists()


def test_demo_refuses_to_run_under_production_settings(empty_db, settings):
    settings.ALLOW_DEMO = False
    with pytest.raises(CommandError, match="生产环境不能加载"):
        call_command("demo", stdout=io.StringIO())
    assert not get_user_model().objects.exists()


def test_running_demo_again_keeps_what_the_office_changed(seed):
    from decimal import Decimal

    from districts.models import Population
    from indicators.models import Figure, Period, Target

    Target.objects.filter(unit__code="370481", indicator__code="invention_grants").update(value=200)
    Population.objects.filter(unit__code="370481").update(value=Decimal("158.00"))
    Period.objects.filter(year=2023, number=3).update(status=Period.Status.CLOSED)
    Figure.objects.filter(
        report__unit__code="370481", report__period__number=2, indicator__code="invention_grants"
    ).update(value=105)
    call_command("demo", stdout=io.StringIO())
    assert Target.objects.get(unit__code="370481", indicator__code="invention_grants").value == 200
    assert Population.objects.get(unit__code="370481").value == Decimal("158.00")
    assert Period.objects.get(year=2023, number=3).status == Period.Status.CLOSED
    assert (
        Figure.objects.get(
            report__unit__code="370481",
            report__period__number=2,
            indicator__code="invention_grants",
        ).value
        == 105
    )
