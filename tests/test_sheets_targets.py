"""The wide 年度目标下达表: what the download holds, and what an upload says against the store."""

from decimal import Decimal as D

import pytest

from indicators.models import Report
from indicators.sheets import targets as target_book
from indicators.sheets import template as template_book
from spreadsheets import reading
from tests.fixtures.workbooks import fill, load, save, with_cached_results

UNITS = ["370481", "370403", "370402", "370406", "370404", "370405", "370400GX"]


def test_the_current_sheet_has_a_row_per_unit_and_a_column_per_target(seed):
    wb = load(target_book.sheet_bytes(year=2023))
    assert wb.sheetnames == ["目标下达表", "_zzip"]
    assert wb["_zzip"].sheet_state == "veryHidden"
    ws = wb["目标下达表"]
    assert ws["A1"].value == "2023年度知识产权工作主要指标目标下达表"
    assert [ws.cell(3, c).value for c in range(1, 5)] == [
        "单位编码",
        "单位",
        "发明专利授权量（件）",
        "有效发明专利拥有量（件）",
    ]
    assert [ws.cell(4, c).value for c in (3, 4)] == ["invention_grants", "valid_inventions"]
    assert ws.row_dimensions[4].hidden
    assert [ws.cell(r, 1).value for r in range(5, 12)] == UNITS
    assert [ws.cell(5, c).value for c in (2, 3, 4)] == ["滕州市", 196, 869]
    assert ws["B12"].value == "合计" and ws["C12"].value == "=SUM(C5:C11)"


def test_only_the_target_cells_are_unlocked_and_checked_by_excel(seed):
    ws = load(target_book.sheet_bytes(year=2023))["目标下达表"]
    assert ws.protection.sheet
    assert not ws["C5"].protection.locked and not ws["D11"].protection.locked
    assert ws["A5"].protection.locked and ws["B5"].protection.locked and ws["C12"].protection.locked
    rules = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    grants = rules["C5:C11"]
    assert (grants.type, grants.operator, grants.formula1) == ("whole", "greaterThanOrEqual", "0")
    assert "只能填不小于 0 的整数" in grants.error


def test_the_empty_sheet_has_no_targets(seed):
    ws = load(target_book.sheet_bytes(year=2024, empty=True))["目标下达表"]
    assert ws["A1"].value.startswith("2024年度")
    assert all(ws.cell(r, c).value is None for r in range(5, 12) for c in (3, 4))


def test_an_upload_lists_the_differences_against_what_is_stored(seed):
    data = fill(target_book.sheet_bytes(year=2023), {"C5": 200, "D6": None, "C7": 183})
    upload = target_book.sheet_read(data, year=2023)
    assert upload.errors == []
    changes = [(c.unit.code, c.indicator.code, c.old, c.new, c.address) for c in upload.changes]
    assert changes == [("370481", "invention_grants", D(196), D(200), "C5")]
    assert upload.blank_count == 1  # D6, left blank: 薛城's valid-patent target stays


def test_an_empty_sheet_filled_for_a_new_year_is_all_new(seed):
    data = fill(target_book.sheet_bytes(year=2024, empty=True), {"C5": 210, "D5": 900})
    upload = target_book.sheet_read(data, year=2024)
    assert [(c.old, c.new) for c in upload.changes] == [(None, D(210)), (None, D(900))]
    assert upload.new_count == 2


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        ({"C5": "两百"}, "C5（滕州市 · 发明专利授权量）：“两百”不是数字，请只填阿拉伯数字。"),
        ({"C6": -1}, "C6（薛城区 · 发明专利授权量）：不能为负数。"),
        (
            {"D7": 12.5},
            "D7（市中区 · 有效发明专利拥有量）：有效发明专利拥有量的目标值以件计，只能填整数。",
        ),
        ({"A8": "379999"}, "A8：未知单位编码“379999”。"),
        ({"A8": "370400"}, "A8：枣庄市是汇总单位，它的目标是下级单位目标之和，不单独下达。"),
        ({"A9": "370481"}, "A9：滕州市与第 5 行重复。"),
        ({"A13": None, "C13": 5}, "第 13 行：填了目标，但 A13 没有单位编码。"),
    ],
)
def test_bad_cells_are_listed_with_their_address(seed, cells, expected):
    upload = target_book.sheet_read(fill(target_book.sheet_bytes(year=2023), cells), year=2023)
    assert expected in upload.errors


def test_formulas_are_read_through_their_results(seed):
    data = fill(target_book.sheet_bytes(year=2023), {"C5": "=190+10"})
    assert (
        target_book.sheet_read(data, year=2023)
        .errors[0]
        .startswith("C5 是公式，但文件里没有保存公式的计算结果")
    )
    data = with_cached_results(data, {"C5": 200, "C12": 741, "D12": 3740})
    (change,) = target_book.sheet_read(data, year=2023).changes
    assert (change.new, change.from_formula) == (D(200), True)


@pytest.mark.parametrize(
    ("breakage", "expected"),
    [
        ("rename", "找不到名为“目标下达表”的工作表（文件中的工作表：“Sheet1”）"),
        ("no_meta", "这个文件不是本系统下载的目标下达表（缺少模板标识）"),
        ("header", "表头被改动了：A3 应为“单位编码”"),
        ("merge", "数据区域中有合并单元格（C5:C6）"),
        ("year", "这是2023年的目标下达表，本页是2024年。"),
    ],
)
def test_a_tampered_sheet_is_refused(seed, breakage, expected):
    wb = load(target_book.sheet_bytes(year=2023))
    ws = wb["目标下达表"]
    if breakage == "rename":
        ws.title = "Sheet1"
    elif breakage == "no_meta":
        del wb["_zzip"]
    elif breakage == "header":
        ws["A3"] = "编码"
    elif breakage == "merge":
        ws.merge_cells("C5:C6")
    year = 2024 if breakage == "year" else 2023
    with pytest.raises(reading.SheetError) as exc:
        target_book.sheet_read(save(wb), year=year)
    assert str(exc.value).startswith(expected)


def test_a_district_template_is_not_a_target_sheet(seed, tengzhou, q3_2023, tengzhou_clerk):
    report = Report(unit=tengzhou, period=q3_2023)
    with pytest.raises(reading.SheetError) as exc:
        target_book.sheet_read(template_book.template_bytes(report), year=2023)
    assert "找不到名为“目标下达表”的工作表" in str(exc.value)
