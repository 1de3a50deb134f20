"""The target service: one target (admin, import) or a confirmed 年度目标下达表 (all or nothing,
each change audited, refused when a target moved since the preview)."""

from decimal import Decimal as D

import pytest

from audit.models import Action, AuditEvent
from districts.models import Unit
from indicators import services
from indicators.models import Indicator, Target


def change(unit="370481", indicator="invention_grants", old="196", new="200"):
    return services.TargetChange(
        unit=Unit.objects.get(code=unit),
        indicator=Indicator.objects.get(code=indicator),
        old=D(old) if old else None,
        new=new,
    )


def test_applying_writes_and_audits_each_change(office):
    written = services.targets_set(
        via="目标下达表",
        year=2023,
        changes=[change(), change("370403", "valid_inventions", "646", "650")],
        actor=office,
    )
    assert written == 2
    assert Target.objects.get(unit__code="370481", indicator__code="invention_grants").value == 200
    events = AuditEvent.objects.filter(
        action=Action.TARGET_CHANGED, detail__via="目标下达表"
    ).order_by("id")
    assert [e.summary for e in events] == [
        "2023年滕州市发明专利授权量目标：196 → 200（目标下达表）",
        "2023年薛城区有效发明专利拥有量目标：646 → 650（目标下达表）",
    ]
    assert (
        AuditEvent.objects.get(action=Action.IMPORT, detail__kind="target_sheet").detail["changed"]
        == 2
    )


def test_applying_refuses_when_a_target_changed_since_the_preview(office):
    Target.objects.filter(unit__code="370403", indicator__code="invention_grants").update(value=77)
    with pytest.raises(services.TargetsChanged) as exc:
        services.targets_set(
            via="目标下达表",
            year=2023,
            changes=[change(), change("370403", old="75", new="80")],
            actor=office,
        )
    assert exc.value.where == ["薛城区 · 发明专利授权量"]
    assert Target.objects.get(unit__code="370481", indicator__code="invention_grants").value == 196
    assert not AuditEvent.objects.filter(
        action=Action.TARGET_CHANGED, detail__via="目标下达表"
    ).exists()


def test_applying_checks_values_again(office):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.targets_set(via="目标下达表", year=2023, changes=[change(new="1.5")], actor=office)
    assert Target.objects.get(unit__code="370481", indicator__code="invention_grants").value == 196


def test_only_office_staff_apply(tengzhou_clerk):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.targets_set(via="目标下达表", year=2023, changes=[change()], actor=tengzhou_clerk)
