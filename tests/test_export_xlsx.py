"""The attachment table's workbook, read back with openpyxl and compared cell by cell."""

import io
from decimal import Decimal

import openpyxl
import pytest
from openpyxl.cell.cell import MergedCell

from districts.models import Population
from indicators.exports.xlsx import (
    build_summary_workbook,
    summary_filename,
    summary_xlsx_bytes,
)
from indicators.selectors import summarize

# DOMAIN.md, "The seed's table": the circular as published.
SEED_ROWS = [
    ("滕州市", 104, 196, "53.10", 828, 89, 869, "5.26", 3, 0, 0),
    ("薛城区", 41, 75, "54.70", 628, 32, 646, "12.93", 3, 0, 0),
    ("市中区", 68, 183, "37.20", 572, 35, 658, "9.04", 1, 3, 2),
    ("山亭区", 33, 41, "80.50", 185, 22, 190, "4.55", 0, 0, 0),
    ("峄城区", 16, 60, "26.70", 353, 19, 374, "9.74", 4, 0, 0),
    ("台儿庄区", 21, 44, "47.70", 367, 21, 375, "12.03", 0, 1, 0),
    ("高新区", 43, 138, "31.20", 574, 37, 628, "53.20", 21, 1, 0),
    ("全市", 326, 737, "44.20", 3507, 255, 3740, "9.10", 32, 5, 2),
]
TWO_PLACE_COLUMNS = {4, 8}  # 目标完成情况（%）and 万人比（件）
LAST_COLUMN = 11
FIRST_BODY_ROW = 4
LAST_ROW = FIRST_BODY_ROW + len(SEED_ROWS) - 1

# The header as the seed breaks its lines; None is a cell covered by a merge.
HEADER_ROW_2 = [
    "区(市)",
    "发明专利授权量",
    None,
    None,
    "有效发明专利拥有量",
    None,
    None,
    None,
    "有效贯标\n认证企业",
    "PCT国际\n专利申请",
    "专利侵权裁决\n案件（件）",
]
HEADER_ROW_3 = [
    None,
    "件数",
    "年指导目标\n（件）",
    "目标完\n成情况\n（%）",
    "件 数",
    "比去年年\n底净增长\n（件）",
    "年指导目标\n（件）",
    "万人比\n（件）",
    "数量\n（家）",
    "申请量\n（件）",
    None,
]


def read_back(summary):
    return openpyxl.load_workbook(io.BytesIO(summary_xlsx_bytes(summary))).active


@pytest.fixture
def sheet(city, q2_2023):
    return read_back(summarize(q2_2023, city))


def test_title_is_merged_across_the_whole_table(sheet):
    assert sheet["A1"].value == "2023年上半年全市知识产权工作情况"
    assert "A1:K1" in {str(r) for r in sheet.merged_cells.ranges}
    assert sheet["A1"].font.name == "黑体"
    assert sheet["A1"].alignment.horizontal == "center"


def test_header_has_the_seeds_two_rows_and_merges(sheet):
    assert [sheet.cell(2, c).value for c in range(1, LAST_COLUMN + 1)] == HEADER_ROW_2
    assert [sheet.cell(3, c).value for c in range(1, LAST_COLUMN + 1)] == HEADER_ROW_3
    assert {str(r) for r in sheet.merged_cells.ranges} == {
        "A1:K1",  # title
        "A12:K12",  # the note on the population year
        "A2:A3",  # 区(市)
        "B2:D2",  # 发明专利授权量
        "E2:H2",  # 有效发明专利拥有量
        "K2:K3",  # 专利侵权裁决案件（件）: one column without a sub-heading
    }
    for row in (2, 3):
        for c in range(1, LAST_COLUMN + 1):
            cell = sheet.cell(row, c)
            if isinstance(cell, MergedCell):
                continue  # a merge shows its first cell's alignment
            assert cell.alignment.wrap_text, cell.coordinate
            assert cell.alignment.horizontal == "center", cell.coordinate


def test_header_rows_are_tall_enough_for_their_lines(sheet):
    for row in (2, 3):
        lines = max((sheet.cell(row, c).value or "").count("\n") + 1 for c in range(2, 12))
        assert sheet.row_dimensions[row].height >= lines * 14


def test_every_cell_of_the_seed_table(sheet):
    for r, expected in enumerate(SEED_ROWS, start=FIRST_BODY_ROW):
        assert sheet.cell(r, 1).value == expected[0]
        for c, want in enumerate(expected[1:], start=2):
            cell = sheet.cell(r, c)
            where = f"{cell.coordinate} ({expected[0]})"
            assert cell.data_type == "n", where
            if c in TWO_PLACE_COLUMNS:
                assert cell.number_format == "0.00", where
                # What Excel shows: the stored number in the cell's format.
                assert f"{Decimal(str(cell.value)):.2f}" == want, where
            else:
                assert type(cell.value) is int, where
                assert cell.value == want, where
    assert sheet.max_row == LAST_ROW + 1  # the population note
    assert sheet.max_column == LAST_COLUMN


def test_total_row_comes_last(sheet):
    assert [sheet.cell(r, 1).value for r in range(FIRST_BODY_ROW, LAST_ROW + 1)] == [
        row[0] for row in SEED_ROWS
    ]


def test_missing_figures_are_written_as_a_dash(city, q3_2023):
    """Nothing is reported yet for 2023 前三季度: counts and ratios are "—", targets show."""
    sheet = read_back(summarize(q3_2023, city))
    assert sheet["A1"].value == "2023年前三季度全市知识产权工作情况"
    assert sheet["B4"].value == "—"  # 滕州市 grants
    assert sheet["C4"].value == 196  # its target is set for the year
    assert sheet["D4"].value == "—"  # no completion without grants
    assert sheet["D4"].data_type == "s"


def test_per_capita_without_a_population_is_a_dash(city, q2_2023, tengzhou):
    Population.objects.filter(unit=tengzhou).delete()
    sheet = read_back(summarize(q2_2023, city))
    assert sheet["H4"].value == "—"
    assert sheet["E4"].value == 828
    assert sheet["H5"].value == pytest.approx(12.93)


def test_every_table_cell_has_a_thin_border_and_the_title_none(sheet):
    """Every edge that shows is thin; an edge between two cells of one merge does not show."""
    neighbours = {"left": (0, -1), "right": (0, 1), "top": (-1, 0), "bottom": (1, 0)}
    for row in sheet.iter_rows(min_row=2, max_row=LAST_ROW, max_col=LAST_COLUMN):
        for cell in row:
            for side, (dr, dc) in neighbours.items():
                same_merge = any(
                    r.min_row <= cell.row + dr <= r.max_row
                    and r.min_col <= cell.column + dc <= r.max_col
                    and cell.coordinate in r
                    for r in sheet.merged_cells.ranges
                )
                if not same_merge:
                    assert getattr(cell.border, side).style == "thin", (cell.coordinate, side)
    assert sheet["A1"].border.bottom.style is None


def test_body_cells_are_centred_in_a_song_font(sheet):
    for row in sheet.iter_rows(min_row=FIRST_BODY_ROW, max_row=LAST_ROW, max_col=LAST_COLUMN):
        for cell in row:
            assert cell.alignment.horizontal == "center", cell.coordinate
            assert cell.font.name == "宋体", cell.coordinate


def test_prints_on_a4_landscape_one_page_wide_with_the_header_repeated(sheet):
    assert sheet.page_setup.orientation == "landscape"
    assert int(sheet.page_setup.paperSize) == int(sheet.PAPERSIZE_A4)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.page_setup.fitToWidth == 1
    assert sheet.page_setup.fitToHeight == 0
    assert sheet.print_title_rows == "$2:$3"
    assert sheet.print_options.horizontalCentered
    assert sheet.print_area == "'2023年上半年'!$A$1:$K$12"
    assert sheet.page_margins.left >= 0.5


def test_sheet_is_named_for_the_period_and_frozen_below_the_header(sheet):
    assert sheet.title == "2023年上半年"
    assert sheet.freeze_panes == "B4"


def test_file_name_is_the_tables_title(city, q2_2023):
    assert summary_filename(summarize(q2_2023, city)) == "2023年上半年全市知识产权工作情况.xlsx"


def test_building_the_workbook_reads_only_the_summary(city, q2_2023, django_assert_num_queries):
    summary = summarize(q2_2023, city)
    with django_assert_num_queries(0):
        build_summary_workbook(summary)
        summary_xlsx_bytes(summary)


def test_a_partial_total_is_starred_and_explained_below_the_table(
    city, q3_2023, tengzhou, tengzhou_clerk
):
    from indicators import services
    from indicators.models import Report

    report = Report(unit=tengzhou, period=q3_2023)
    raw = {"invention_grants": "150", "valid_inventions": "860", "certified_enterprises": "4"}
    raw |= {"pct_applications": "1", "infringement_rulings": "0"}
    report = services.report_save(
        unit=report.unit,
        period=report.period,
        raw=raw,
        expected_version=0,
        submit=True,
        user=tengzhou_clerk,
    )
    ws = read_back(summarize(q3_2023, city))
    total_row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "全市")
    assert ws.cell(total_row, 2).value == 150
    assert ws.cell(total_row, 2).number_format.endswith('"*"')
    assert ws.cell(total_row + 1, 1).value.startswith("注：标 * 的合计只含已报送的单位")
    assert ws.cell(total_row + 2, 1).value == (
        "注：尚未计入合计的单位：薛城区（未报送）、市中区（未报送）、山亭区（未报送）、"
        "峄城区（未报送）、台儿庄区（未报送）、高新区（未报送）。"
    )
    assert ws.cell(total_row + 3, 1).value == "注：万人比按2022年末常住人口计算。"
    assert ws.print_area.endswith(f"${total_row + 3}")


def test_a_complete_table_notes_only_the_population_year(sheet):
    notes = [c.value for row in sheet.iter_rows() for c in row if "注：" in str(c.value or "")]
    assert notes == ["注：万人比按2022年末常住人口计算。"]


def test_a_missing_population_is_named_under_the_table(city, q2_2023, tengzhou):
    from districts.models import Population

    Population.objects.filter(unit=tengzhou).delete()
    ws = read_back(summarize(q2_2023, city))
    notes = [c.value for row in ws.iter_rows() for c in row if "注：" in str(c.value or "")]
    assert "注：滕州市缺少2022年末常住人口，万人比空缺。" in notes
    tengzhou_row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "滕州市")
    assert ws.cell(tengzhou_row, 8).value == "—"  # its 万人比 (5.26 with a population)


def test_a_unit_name_that_looks_like_a_formula_stays_text(city, q2_2023, tengzhou):
    tengzhou.short_name = "=1+2"
    tengzhou.save()
    ws = read_back(summarize(q2_2023, city))
    cell = next(c for row in ws.iter_rows() for c in row if c.value == "=1+2")
    assert cell.data_type == "s"


def test_an_indicator_heading_that_looks_like_a_formula_stays_text(city, q3_2023):
    from indicators.models import Indicator

    hostile = '=HYPERLINK("http://x/","看")'
    Indicator.objects.filter(code="invention_grants").update(name=hostile, column_title=hostile)
    ws = read_back(summarize(q3_2023, city))
    cells = [c for row in ws.iter_rows() for c in row if c.value and "HYPERLINK" in str(c.value)]
    # Text, shown as typed: a string cell that Excel marks as text (quote prefix), never a
    # formula (whose data type would be "f").
    assert cells and all(c.data_type == "s" and c.quotePrefix for c in cells)
