"""A district's quarterly 填报模板: what the download holds, and how an upload is checked."""

from decimal import Decimal as D

import pytest

from indicators import services
from indicators.models import Report
from indicators.sheets import template as template_book
from spreadsheets import reading
from tests.fixtures.workbooks import fill, load, save, with_cached_results

# Rows of the five seeded indicators in the template, in the office's order.
GRANTS, VALID, CERTIFIED, PCT, RULINGS = 7, 8, 9, 10, 11
FILLED = {f"E{GRANTS}": 150, f"E{VALID}": 860, f"E{CERTIFIED}": 4, f"E{PCT}": 1, f"E{RULINGS}": 0}


@pytest.fixture
def report(tengzhou, q3_2023, tengzhou_clerk):
    """Tengzhou's 2023Q3 report before anything is entered (a template creates nothing)."""
    return Report(unit=tengzhou, period=q3_2023)


def template(report) -> bytes:
    return template_book.template_bytes(report)


def test_the_template_names_the_unit_and_quarter_and_carries_the_references(report):
    wb = load(template(report))
    assert wb.sheetnames == ["填报表", "_zzip"]
    ws = wb["填报表"]
    assert ws["A1"].value == "2023年前三季度知识产权指标填报表"
    assert ws["A2"].value == "填报单位：滕州市（370481）"
    assert ws["A3"].value.startswith("填报期：2023年前三季度（2023Q3）")
    assert [ws.cell(6, c).value for c in (2, 5, 6, 7, 8, 9)] == [
        "指标",
        "本期数值（填写）",
        "上季度",
        "去年年底",
        "去年同期",
        "年指导目标",
    ]
    assert [ws.cell(GRANTS, c).value for c in (2, 4, 5, 6, 9)] == [
        "发明专利授权量",
        "自1月1日起累计",
        None,
        104,
        196,
    ]
    assert [ws.cell(VALID, c).value for c in (5, 6, 7, 9)] == [None, 828, 739, 869]
    meta = {row[0]: row[1] for row in wb["_zzip"].iter_rows(values_only=True)}
    assert (meta["kind"], meta["unit"], meta["period"], meta["version"]) == (
        "district",
        "370481",
        "2023Q3",
        0,
    )


def test_only_value_and_explanation_cells_are_open_and_counts_are_whole_numbers(report):
    ws = load(template(report))["填报表"]
    assert ws.protection.sheet
    for row in range(GRANTS, RULINGS + 1):
        assert not ws.cell(row, 5).protection.locked
        assert not ws.cell(row, 10).protection.locked
        assert ws.cell(row, 6).protection.locked and ws.cell(row, 2).protection.locked
    rules = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    grants, valid = rules[f"E{GRANTS}"], rules[f"E{VALID}"]
    # A cumulative count may not fall below last quarter's; a stock only below zero.
    assert (grants.type, grants.operator, grants.formula1) == ("whole", "greaterThanOrEqual", "104")
    assert "不小于上季度（2023年上半年） 104" in grants.error
    assert (valid.type, valid.formula1) == ("whole", "0")


def test_stored_figures_and_explanations_are_prefilled_and_formula_like_text_stays_text(
    report, tengzhou_clerk
):
    report = services.report_save(
        unit=report.unit,
        period=report.period,
        raw={"invention_grants": "120", "explain_invention_grants": "=1+1 不是公式"},
        expected_version=0,
        submit=False,
        user=tengzhou_clerk,
    )
    report.refresh_from_db()
    ws = load(template(report))["填报表"]
    assert ws[f"E{GRANTS}"].value == 120
    assert ws[f"J{GRANTS}"].value == "=1+1 不是公式"
    assert ws[f"J{GRANTS}"].data_type == "s"


def test_a_filled_template_is_read_and_checked_like_the_web_form(report):
    data = fill(template(report), {**FILLED, f"J{GRANTS}": "新增较多"})
    upload = template_book.template_read(data, report=report)
    assert upload.errors == []
    assert [(line.indicator.code, line.new) for line in upload.lines] == [
        ("invention_grants", D(150)),
        ("valid_inventions", D(860)),
        ("certified_enterprises", D(4)),
        ("pct_applications", D(1)),
        ("infringement_rulings", D(0)),
    ]
    assert upload.raw["invention_grants"] == "150"
    assert upload.raw["explain_invention_grants"] == "新增较多"
    assert upload.changed


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        (
            {f"E{GRANTS}": 100},
            f"E{GRANTS}（发明专利授权量）："
            "发明专利授权量是自1月1日起的累计数，不能小于上季度（2023年上半年）的 104件。",
        ),
        (
            {f"E{VALID}": "八百"},
            f"E{VALID}（有效发明专利拥有量）：“八百”不是数字，请只填阿拉伯数字。",
        ),
        (
            {f"E{CERTIFIED}": 2.5},
            f"E{CERTIFIED}（有效贯标认证企业）：有效贯标认证企业以家计，只能填整数。",
        ),
        ({f"E{PCT}": -1}, f"E{PCT}（PCT国际专利申请）：不能为负数。"),
    ],
)
def test_values_that_break_the_entry_forms_rules_are_listed_by_cell(report, cells, expected):
    upload = template_book.template_read(fill(template(report), {**FILLED, **cells}), report=report)
    assert upload.errors == [expected]


def test_blank_cells_stay_blank_as_in_a_draft(report):
    upload = template_book.template_read(fill(template(report), {f"E{GRANTS}": 150}), report=report)
    assert upload.errors == []
    assert [line.new for line in upload.lines] == [D(150), None, None, None, None]


def test_a_formula_is_read_through_its_result_or_refused(report):
    data = fill(template(report), {**FILLED, f"E{GRANTS}": "=104+46"})
    with pytest.raises(reading.SheetError) as exc:
        template_book.template_read(data, report=report)
    assert str(exc.value).startswith(f"E{GRANTS} 是公式，但文件里没有保存公式的计算结果")
    upload = template_book.template_read(
        with_cached_results(data, {f"E{GRANTS}": 150}), report=report
    )
    assert (upload.lines[0].new, upload.lines[0].from_formula) == (D(150), True)


def test_another_units_template_is_refused(report, xuecheng_clerk, q3_2023):
    theirs = Report(unit=xuecheng_clerk.profile.unit, period=q3_2023)
    data = fill(template(theirs), FILLED)
    with pytest.raises(reading.SheetError) as exc:
        template_book.template_read(data, report=report)
    assert str(exc.value) == (
        "这是薛城区（370403）的填报表，不能上传到滕州市。请下载本单位的模板填写后再上传。"
    )


def test_another_quarters_template_is_refused(report, tengzhou, q2_2023):
    earlier = Report.objects.get(unit=tengzhou, period=q2_2023)
    with pytest.raises(reading.SheetError) as exc:
        template_book.template_read(template(earlier), report=report)
    assert str(exc.value) == (
        "这是2023年上半年的填报表，本页是2023年前三季度。请下载2023年前三季度的模板填写后再上传。"
    )


@pytest.mark.parametrize(
    ("breakage", "expected"),
    [
        ("rename", "找不到名为“填报表”的工作表"),
        ("no_meta", "这个文件不是本系统下载的填报模板（缺少模板标识）"),
        ("header", "表头被改动了：E6 应为“本期数值（填写）”"),
        ("merge", "填写区域中有合并单元格（E7:E8）"),
    ],
)
def test_a_tampered_template_is_refused(report, breakage, expected):
    wb = load(template(report))
    ws = wb["填报表"]
    if breakage == "rename":
        ws.title = "滕州"
    elif breakage == "no_meta":
        del wb["_zzip"]
    elif breakage == "header":
        ws["E6"] = "数值"
    elif breakage == "merge":
        ws.merge_cells("E7:E8")
    with pytest.raises(reading.SheetError) as exc:
        template_book.template_read(save(wb), report=report)
    assert str(exc.value).startswith(expected)


def test_an_indicator_added_after_the_download_asks_for_a_new_template(report):
    from indicators.models import Indicator, IndicatorSet

    data = fill(template(report), FILLED)
    Indicator.objects.create(
        code="trademarks",
        name="有效注册商标",
        unit_label="件",
        kind="stock",
        indicator_set=IndicatorSet.objects.first(),
    )
    with pytest.raises(reading.SheetError) as exc:
        template_book.template_read(data, report=report)
    assert "新增了指标“有效注册商标”" in str(exc.value)
