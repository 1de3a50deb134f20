"""The official table's layout as the office sets it in the admin: its columns, their order
and headings, checked and saved by one service, used by the page, Excel and Word alike."""

import io

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from audit.models import Action
from indicators import services
from indicators.exports.xlsx import summary_xlsx_bytes
from indicators.models import Indicator, TableLayout
from indicators.selectors import summarize
from indicators.services.layouts import MAX_COLUMNS, ColumnSpec
from indicators.table import column_groups
from tests.fixtures.audit import last_event, new_events


def ind(code):
    return Indicator.objects.get(code=code)


def test_a_layout_chooses_the_tables_columns_their_order_and_headings(
    office, city, q2_2023, q3_2023
):
    mark = last_event()
    services.layout_save(
        actor=office,
        name="只看有效发明",
        columns=[
            ColumnSpec(ind("valid_inventions"), "rank", order=3),
            ColumnSpec(ind("valid_inventions"), "value", "件数", order=1),
            ColumnSpec(ind("valid_inventions"), "per_capita", order=2),
        ],
    )
    summary = summarize(q3_2023, city)
    headings = [c.heading for g in column_groups(summary) for c in g.columns]
    assert headings == ["件数", "万人比（件）", "排名"]
    # A closed period keeps the table it was closed with.
    closed = [g.indicator.code for g in column_groups(summarize(q2_2023, city))]
    assert closed[:2] == ["invention_grants", "valid_inventions"] and len(closed) == 5
    ws = openpyxl.load_workbook(io.BytesIO(summary_xlsx_bytes(summary))).active
    assert ["".join(str(ws.cell(3, c).value).split()) for c in (2, 3, 4)] == [
        "件数",
        "万人比（件）",
        "排名",
    ]
    event = new_events(mark, action=Action.INDICATOR_CHANGED).get()
    assert "新增附件表表式：只看有效发明（3 列）" in event.summary


@pytest.mark.parametrize(
    "columns, message",
    [
        ([("pct_applications", "target")], "没有年度指导目标"),
        ([("invention_grants", "per_capita")], "不计算万人比"),
        ([("invention_grants", "net_growth")], "不计算比去年年底净增长"),
        ([("new_trademarks", "rank")], "由一个单位填报"),
        ([("invention_grants", "value"), ("invention_grants", "value")], "重复"),
        ([], "至少要有一列"),
        ([("invention_grants", "value")] * (MAX_COLUMNS + 1), f"最多 {MAX_COLUMNS} 列"),
    ],
)
def test_a_layout_that_cannot_be_printed_is_refused_and_nothing_changes(office, columns, message):
    with pytest.raises(ValidationError) as caught:
        services.layout_save(
            actor=office,
            name="坏表式",
            columns=[ColumnSpec(ind(code), measure) for code, measure in columns],
        )
    assert message in " ".join(caught.value.message_dict["columns"])
    assert not TableLayout.objects.filter(name="坏表式").exists()


def test_a_bad_first_period_is_refused(office):
    with pytest.raises(ValidationError) as caught:
        services.layout_save(
            actor=office,
            name="x",
            first_period="2024季度",
            columns=[ColumnSpec(ind("invention_grants"), "value")],
        )
    assert "first_period" in caught.value.message_dict


@pytest.mark.parametrize("who", ["tengzhou_clerk", "viewer", "sysadmin"])
def test_only_the_office_sets_layouts(seed, request, who):
    with pytest.raises(PermissionDenied):
        services.layout_save(
            actor=request.getfixturevalue(who),
            name="x",
            columns=[ColumnSpec(ind("invention_grants"), "value")],
        )


def _inline(rows):
    data = {
        "columns-TOTAL_FORMS": str(len(rows)),
        "columns-INITIAL_FORMS": "0",
        "columns-MIN_NUM_FORMS": "0",
        "columns-MAX_NUM_FORMS": "1000",
    }
    for n, (code, measure, heading, order) in enumerate(rows):
        data.update(
            {
                f"columns-{n}-indicator": str(ind(code).pk),
                f"columns-{n}-measure": measure,
                f"columns-{n}-heading": heading,
                f"columns-{n}-order": str(order),
            }
        )
    return data


def test_the_office_builds_a_layout_in_the_admin_and_sees_its_table(
    client_for, office, city, q3_2023
):
    c = client_for(office)
    add = reverse("admin:indicators_tablelayout_add")
    assert c.get(add).status_code == 200
    response = c.post(
        add,
        {
            "name": "发明专利两列",
            "unit": "",
            "first_period": "",
            "expand": "none",
            **_inline(
                [
                    ("invention_grants", "value", "授权量", 1),
                    ("invention_grants", "completion", "", 2),
                ]
            ),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    layout = TableLayout.objects.get(name="发明专利两列")
    assert [c.measure for c in layout.columns.all()] == ["value", "completion"]
    summary_url = reverse("indicators:summary", args=[q3_2023.code, city.code])
    html = c.get(summary_url).content.decode()
    assert "授权量" in html and "目标完成情况（%）" in html
    assert "有效发明专利拥有量" not in html
    listing = c.get(reverse("admin:indicators_tablelayout_changelist")).content.decode()
    assert summary_url in listing  # 查看效果: the latest period that has started


def test_an_impossible_column_is_shown_beside_its_row_in_the_admin(client_for, office):
    c = client_for(office)
    response = c.post(
        reverse("admin:indicators_tablelayout_add"),
        {
            "name": "坏表式",
            "unit": "",
            "first_period": "",
            "expand": "none",
            **_inline([("pct_applications", "target", "", 1)]),
        },
    )
    assert response.status_code == 200
    assert "没有年度指导目标" in response.content.decode()
    assert not TableLayout.objects.filter(name="坏表式").exists()


def test_a_new_layout_starts_as_the_default_table(client_for, office):
    page = client_for(office).get(reverse("admin:indicators_tablelayout_add"))
    formset = page.context["inline_admin_formsets"][0].formset
    rows = [(f.initial.get("indicator"), f.initial.get("measure")) for f in formset.forms]
    grants, stock = ind("invention_grants").pk, ind("valid_inventions").pk
    assert rows[:4] == [
        (grants, "value"),
        (grants, "target"),
        (grants, "completion"),
        (stock, "value"),
    ]
    assert len(rows) == 10  # the seed's table: 3 + 4 + 1 + 1 + 1 columns
