"""The installation's words: saved with their levels by one service, from the admin too,
checked, audited with the words before and after."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from audit.models import Action
from districts import services
from districts.models import Wording
from tests.fixtures.audit import last_event, new_events


def test_the_office_renames_the_system_and_a_levels_total_row(office, city, q2_2023):
    from indicators.selectors import summarize

    mark = last_event()
    services.wording_save(
        actor=office,
        system_name="新名称系统",
        office_name="某局",
        office_short="市局",
        levels=[services.Level("city", total_label="合计")],
    )
    assert Wording.current().system_name == "新名称系统"
    assert summarize(q2_2023, city).total.label == "合计"
    event = new_events(mark, action=Action.OTHER).get()
    assert event.detail["before"]["system_name"] == "枣庄市知识产权指标填报与统计系统"
    assert event.detail["after"]["levels"] == {"city": ["", "", "合计"]}


@pytest.mark.parametrize(
    "fields, field, message",
    [
        ({"system_name": " "}, "system_name", "请填写系统名称"),
        ({"office_short": "x" * 21}, "office_short", "最多 20 个字"),
        ({"office_name": "局\u202e名"}, "office_name", "控制字符"),
        (
            {"levels": [services.Level("city"), services.Level("city")]},
            "levels",
            "重复",
        ),
        ({"levels": [services.Level("city", total_label="长" * 21)]}, "levels", "最多 20"),
    ],
)
def test_bad_words_are_refused_and_nothing_changes(office, fields, field, message):
    before = Wording.current().system_name
    args = {
        "system_name": "名称",
        "office_name": "",
        "office_short": "市局",
        "levels": [],
        **fields,
    }
    with pytest.raises(ValidationError) as caught:
        services.wording_save(actor=office, **args)
    assert message in " ".join(caught.value.message_dict[field])
    assert Wording.current().system_name == before


@pytest.mark.parametrize("who", ["tengzhou_clerk", "viewer", "sysadmin"])
def test_only_the_office_sets_the_words(seed, request, who):
    with pytest.raises(PermissionDenied):
        services.wording_save(
            actor=request.getfixturevalue(who),
            system_name="x",
            office_name="",
            office_short="y",
            levels=[],
        )


def test_the_admin_saves_the_words_and_levels_through_the_service(client_for, office):
    mark = last_event()
    response = client_for(office).post(
        reverse("admin:districts_wording_change", args=[1]),
        {
            "system_name": "改过的系统",
            "office_name": "某局",
            "office_short": "市局",
            "levels-TOTAL_FORMS": "1",
            "levels-INITIAL_FORMS": "0",
            "levels-MIN_NUM_FORMS": "0",
            "levels-MAX_NUM_FORMS": "1000",
            "levels-0-parent_kind": "city",
            "levels-0-unit_heading": "县(市、区)",
            "levels-0-members": "",
            "levels-0-total_label": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    wording = Wording.current()
    assert wording.system_name == "改过的系统" and wording.level("city")[0] == "县(市、区)"
    assert new_events(mark, action=Action.OTHER).count() == 1
