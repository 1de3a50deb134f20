"""The Word attachment table's fit (sizes from the column count, 16 columns on A4 landscape),
its speed (written row by row), and what the file says about itself (fonts' substitutes, the
office as author, no thumbnail)."""

import dataclasses
import io
import time
import zipfile

import pytest
from docx import Document
from docx.oxml.ns import qn

from indicators.exports.docx import build_circular, circular_docx_bytes
from indicators.exports.docx_table import TABLE_WIDTH, TIERS, attachment_table, chars
from indicators.selectors import summarize
from indicators.table import column_groups, format_figure
from tests.fixtures.wider import wider_q2


@pytest.fixture
def seed_summary(city, q2_2023):
    return summarize(q2_2023, city)


@pytest.fixture
def wide_summary(city, office):
    return summarize(wider_q2(office), city)


def _figure_columns(summary):
    return [c for g in column_groups(summary) for c in g.columns]


def test_the_seeds_eleven_columns_keep_the_roomiest_sizes(seed_summary):
    _table, layout = attachment_table(seed_summary, body_style="x", header_style="y")
    assert layout.tier == TIERS[0]  # 小四 figures, 五号 headings
    assert len(layout.widths) == 1 + 10
    assert sum(layout.widths) <= TABLE_WIDTH


def test_sixteen_indicator_columns_fit_the_landscape_block_with_every_figure_on_one_line(
    wide_summary,
):
    assert len(_figure_columns(wide_summary)) == 16  # the layout's limit
    _table, layout = attachment_table(wide_summary, body_style="x", header_style="y")
    assert layout.tier != TIERS[0]  # a smaller size than the seed's, chosen for the width
    assert sum(layout.widths) <= TABLE_WIDTH
    # Each column holds its longest printed figure (109.80, 16918.62) at the chosen size,
    # inside both cell margins.
    for i, column in enumerate(_figure_columns(wide_summary), start=1):
        longest = max(
            chars(format_figure(column.value(r), column.places)) for r in wide_summary.all_rows
        )
        assert layout.widths[i] - 2 * layout.tier.margin >= longest * layout.tier.body, column


def test_header_rows_repeat_on_every_page_and_no_row_splits(seed_summary):
    (table,) = build_circular(seed_summary).tables
    for row in table.rows[:2]:
        assert row._tr.trPr.find(qn("w:tblHeader")) is not None
    for row in table.rows:
        assert row._tr.trPr.find(qn("w:cantSplit")) is not None
    for row in table.rows[2:]:
        assert row._tr.trPr.find(qn("w:tblHeader")) is None


def test_a_table_of_3000_rows_is_written_in_under_two_seconds(seed_summary):
    rows = (seed_summary.rows * 500)[:3000]
    big = dataclasses.replace(seed_summary, rows=rows)
    start = time.perf_counter()
    data = circular_docx_bytes(big)
    elapsed = time.perf_counter() - start
    assert elapsed < 2, f"{elapsed:.2f} s"
    (table,) = Document(io.BytesIO(data)).tables
    assert len(table._tbl.tr_lst) == 2 + 3000 + 1


def _part(data: bytes, name: str) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return z.read(name).decode() if name in z.namelist() else ""


def test_fonts_name_their_east_asian_substitutes_in_the_font_table(seed_summary):
    fonts = Document(io.BytesIO(circular_docx_bytes(seed_summary))).part.package
    table = next(p for p in fonts.parts if str(p.partname) == "/word/fontTable.xml")
    from docx.oxml import parse_xml

    alternatives = {
        f.get(qn("w:name")): f.find(qn("w:altName")).get(qn("w:val"))
        for f in parse_xml(table.blob)
        if f.find(qn("w:altName")) is not None
    }
    assert alternatives["仿宋_GB2312"] == "仿宋"
    assert alternatives["仿宋"] == "FangSong"
    assert alternatives["方正小标宋简体"] == "华文中宋"
    assert alternatives["华文中宋"] == "宋体"
    assert alternatives["楷体_GB2312"] == "楷体"


def test_the_file_names_the_office_and_says_nothing_stale_about_itself(seed_summary):
    data = circular_docx_bytes(seed_summary)
    doc = Document(io.BytesIO(data))
    assert doc.core_properties.author == "枣庄市知识产权战略实施工作领导小组办公室"
    assert doc.core_properties.last_modified_by == doc.core_properties.author
    app = _part(data, "docProps/app.xml")
    assert "Macintosh" not in app and "<Application>zzip</Application>" in app
    assert "枣庄市知识产权战略实施工作领导小组办公室" in app  # Company
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert not [n for n in z.namelist() if "thumbnail" in n]
        assert "thumbnail" not in z.read("_rels/.rels").decode()
        assert "thumbnail" not in z.read("[Content_Types].xml").decode()
