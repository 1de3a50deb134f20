"""The unit tree and populations through their services, called directly (the admin and the
imports call the same ones): tree rules, the closure table, parsing, audit, access."""

from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import Action
from districts import services, tree
from districts.access import SYSTEM
from districts.models import Population, Unit, UnitClosure
from tests.fixtures.audit import last_event, new_events


def errors_of(call) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as exc:
        call()
    return exc.value.message_dict


def test_a_new_unit_joins_the_tree_with_its_closure_and_one_audit_record(office, tengzhou):
    mark = last_event()
    saved = services.unit_save(
        actor=office, code="370481A", name="滕州经济开发区", kind="zone", parent=tengzhou
    )
    zone = saved.obj
    assert saved.created
    assert set(
        UnitClosure.objects.filter(descendant=zone).values_list("ancestor__code", "depth")
    ) == {("370481A", 0), ("370481", 1), ("370400", 2)}
    assert not tree.is_leaf(Unit.objects.get(pk=tengzhou.pk))
    (event,) = new_events(mark, action=Action.UNIT_CHANGED)
    assert event.actor == office and event.detail["created"] is True


def test_moving_a_unit_moves_its_subtree_in_the_closure(office, city, tengzhou):
    zone = services.unit_save(
        actor=office, code="370481A", name="开发区", kind="zone", parent=tengzhou
    ).obj
    xuecheng = Unit.objects.get(code="370403")
    services.unit_save(actor=office, unit=tengzhou, parent=xuecheng)
    assert set(
        UnitClosure.objects.filter(descendant=zone).values_list("ancestor__code", flat=True)
    ) == {
        "370481A",
        "370481",
        "370403",
        "370400",
    }
    assert [u.code for u in tree.leaves(xuecheng.pk).order_by("code")] == ["370481A"]
    assert tree.closure_rebuild() == UnitClosure.objects.count()  # the same table from scratch


def test_the_tree_keeps_one_top_and_no_loop(office, city, tengzhou):
    assert (
        "只能有一个最上级单位"
        in errors_of(
            lambda: services.unit_save(
                actor=office, code="999", name="另一个市", kind="city", parent=None
            )
        )["parent"][0]
    )
    assert (
        "不能是本单位或本单位的下级"
        in errors_of(lambda: services.unit_save(actor=office, unit=city, parent=tengzhou))[
            "parent"
        ][0]
    )
    city.refresh_from_db()
    assert city.parent_id is None


def test_a_unit_with_active_units_below_cannot_be_switched_off(office, city, tengzhou):
    assert (
        "请先停用或移走它们"
        in errors_of(lambda: services.unit_save(actor=office, unit=city, active=False))["active"][0]
    )
    services.unit_save(actor=office, unit=tengzhou, active=False)
    assert (
        "已停用"
        in errors_of(
            lambda: services.unit_save(
                actor=office, code="370481B", name="新园区", kind="zone", parent=tengzhou
            )
        )["parent"][0]
    )


def test_unit_fields_are_checked_with_chinese_reasons(office, city):
    found = errors_of(
        lambda: services.unit_save(
            actor=office,
            code="有 空格",
            name="",
            kind="planet",
            parent=city,
            division_code="37x",
        )
    )
    assert found["code"] == ["编码“有 空格”不对：最多 20 个字符，不能有空格。"]
    assert found["name"] == ["名称为空。"]
    assert found["kind"][0].startswith("类型不对")
    assert "行政区划代码" in found["division_code"][0]
    assert (
        "370481"
        in errors_of(
            lambda: services.unit_save(
                actor=office, code="370481", name="重号", kind="zone", parent=city
            )
        )["code"][0]
    )


def test_nothing_changed_writes_nothing(office, tengzhou):
    mark = last_event()
    saved = services.unit_save(actor=office, unit=tengzhou, name=tengzhou.name)
    assert saved.unchanged and not new_events(mark).exists()


@pytest.mark.parametrize("who", ["tengzhou_clerk", "viewer", "sysadmin", "auditor"])
def test_only_office_staff_change_units_and_populations(seed, request, who, city):
    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        services.unit_save(actor=user, code="999", name="x", kind="zone", parent=city)
    with pytest.raises(PermissionDenied):
        services.population_save(actor=user, unit=city, year=2023, value="386", source="公报")


def test_a_population_is_parsed_like_a_figure_and_audited(office, tengzhou):
    mark = last_event()
    saved = services.population_save(
        actor=office, unit=tengzhou, year="2023年", value="１５８．２", source=" 2023年统计公报 "
    )
    pop = saved.obj
    assert saved.created and pop.value == D("158.20") and pop.year == 2023
    assert pop.source == "2023年统计公报"
    (event,) = new_events(mark, action=Action.POPULATION_CHANGED)
    assert "（无） → 158.2万人" in event.summary
    again = services.population_save(
        actor=office, unit=tengzhou, year=2023, value="158.20", source="2023年统计公报"
    )
    assert again.unchanged


@pytest.mark.parametrize(
    ("value", "source", "field", "message"),
    [
        ("0", "公报", "value", "常住人口必须大于 0。"),
        ("-3", "公报", "value", "不能为负数。"),
        ("158.234", "公报", "value", "常住人口以万人计，最多保留两位小数。"),
        ("一百", "公报", "value", "“一百”不是数字，请只填阿拉伯数字。"),
        ("158", "", "source", "请填写来源（如：2022年国民经济和社会发展统计公报）。"),
        ("158", "长" * 201, "source", "来源最多 200 个字。"),
    ],
)
def test_a_bad_population_is_refused_beside_its_field(
    office, tengzhou, value, source, field, message
):
    found = errors_of(
        lambda: services.population_save(
            actor=office, unit=tengzhou, year=2023, value=value, source=source
        )
    )
    assert found[field] == [message]
    assert not Population.objects.filter(unit=tengzhou, year=2023).exists()


def test_the_command_line_acts_as_the_system(city):
    saved = services.unit_save(actor=SYSTEM, code="370499", name="新区", kind="zone", parent=city)
    assert saved.obj.pk is not None
