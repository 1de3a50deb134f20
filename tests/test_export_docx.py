"""The Word circular, read back with python-docx: GB/T 9704 page and fonts, the generated text,
and the attachment table cell by cell (the seed's published figures, the Excel layout)."""

import datetime
import io
from decimal import Decimal as D

import openpyxl
import pytest
from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Length, Pt

from indicators.circular import circular_paragraphs
from indicators.exports.docx import build_circular, circular_docx_bytes, circular_filename
from indicators.exports.xlsx import summary_xlsx_bytes
from indicators.selectors import summarize
from indicators.table import PARTIAL_NOTE
from tests.fixtures.reports import counted

# The seed's attachment table as published (DOMAIN.md), in the printed form.
SEED = [
    ["滕州市", "104", "196", "53.10", "828", "89", "869", "5.26", "3", "0", "0"],
    ["薛城区", "41", "75", "54.70", "628", "32", "646", "12.93", "3", "0", "0"],
    ["市中区", "68", "183", "37.20", "572", "35", "658", "9.04", "1", "3", "2"],
    ["山亭区", "33", "41", "80.50", "185", "22", "190", "4.55", "0", "0", "0"],
    ["峄城区", "16", "60", "26.70", "353", "19", "374", "9.74", "4", "0", "0"],
    ["台儿庄区", "21", "44", "47.70", "367", "21", "375", "12.03", "0", "1", "0"],
    ["高新区", "43", "138", "31.20", "574", "37", "628", "53.20", "21", "1", "0"],
    ["全市", "326", "737", "44.20", "3507", "255", "3740", "9.10", "32", "5", "2"],
]
TOP_HEADER = [
    "区(市)",
    *["发明专利授权量"] * 3,
    *["有效发明专利拥有量"] * 4,
    "有效贯标认证企业",
    "PCT国际专利申请",
    "专利侵权裁决案件（件）",
]
SECOND_HEADER = [
    "区(市)",
    "件数",
    "年指导目标（件）",
    "目标完成情况（%）",
    "件数",
    "比去年年底净增长（件）",
    "年指导目标（件）",
    "万人比（件）",
    "数量（家）",
    "申请量（件）",
    "专利侵权裁决案件（件）",
]


def _flat(text: str) -> str:
    """A heading without the line breaks and spaces its cell adds to fit."""
    return "".join(text.split())


@pytest.fixture
def demo_summary(city, q2_2023):
    return summarize(q2_2023, city)


@pytest.fixture
def doc(demo_summary):
    data = circular_docx_bytes(demo_summary, today=datetime.date(2023, 9, 15))
    return Document(io.BytesIO(data))


def _east_asian_font(style) -> str | None:
    fonts = style.element.rPr.rFonts if style.element.rPr is not None else None
    return fonts.get(qn("w:eastAsia")) if fonts is not None else None


def _mm(length) -> float:
    return round(Length(length).mm, 1)


def test_body_pages_are_a4_with_the_gbt_9704_margins(doc):
    body = doc.sections[0]
    assert body.orientation == WD_ORIENT.PORTRAIT
    assert (_mm(body.page_width), _mm(body.page_height)) == (210, 297)
    assert (_mm(body.top_margin), _mm(body.bottom_margin)) == (37, 35)
    assert (_mm(body.left_margin), _mm(body.right_margin)) == (28, 26)
    # The text block GB/T 9704 gives: 156 × 225 mm.
    assert _mm(body.page_width - body.left_margin - body.right_margin) == 156
    assert _mm(body.page_height - body.top_margin - body.bottom_margin) == 225


def test_title_body_and_headings_use_the_standards_fonts_named_for_chinese_text(doc):
    expected = {
        "公文标题": ("方正小标宋简体", 22),
        "公文正文": ("仿宋_GB2312", 16),
        "公文一级标题": ("黑体", 16),
        "公文二级标题": ("楷体_GB2312", 16),
        "附件标识": ("黑体", 16),
    }
    for name, (font, size) in expected.items():
        style = doc.styles[name]
        assert _east_asian_font(style) == font, name
        assert style.font.name == font, name
        assert style.font.size == Pt(size), name
    # No theme font left to override a named one, in the defaults either.
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    fonts = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr")).find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
    assert not [a for a in fonts.attrib if a.endswith("Theme") or a.endswith("theme")]


def test_body_starts_with_the_generated_paragraphs_after_title_and_recipients(doc, demo_summary):
    texts = [p.text for p in doc.paragraphs]
    styles = [p.style.name for p in doc.paragraphs]
    assert texts[0] == "2023年上半年全市知识产权工作情况通报"
    assert styles[0] == "公文标题"
    assert doc.paragraphs[0].style.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert texts[1] == ""
    assert texts[2] == "〔主送机关〕："
    generated = circular_paragraphs(demo_summary)
    assert texts[3 : 3 + len(generated)] == generated
    assert all(s == "公文正文" for s in styles[3 : 3 + len(generated)])
    assert texts[3].startswith("2023年上半年，全市发明专利授权量326件")
    # Then the places the office writes, in the heading styles.
    rest = list(zip(texts[3 + len(generated) :], styles[3 + len(generated) :], strict=True))
    assert ("一、〔一级标题〕", "公文一级标题") in rest
    assert ("（一）〔二级标题〕", "公文二级标题") in rest
    assert ("附件：2023年上半年全市知识产权工作情况", "公文正文") in rest
    assert ("2023年9月15日", "公文正文") in rest


def test_attachment_starts_a_new_landscape_page_with_its_heading_and_title(doc):
    assert len(doc.sections) == 2
    attachment = doc.sections[1]
    assert attachment.start_type == WD_SECTION.NEW_PAGE
    assert attachment.orientation == WD_ORIENT.LANDSCAPE
    assert (_mm(attachment.page_width), _mm(attachment.page_height)) == (297, 210)
    # The portrait text block turned a quarter: 225 × 156 mm.
    assert _mm(attachment.page_width - attachment.left_margin - attachment.right_margin) == 225
    assert _mm(attachment.page_height - attachment.top_margin - attachment.bottom_margin) == 156

    # The attachment's paragraphs follow the body section's last paragraph (whose properties
    # close the first section).
    body = doc.element.body
    closing = next(
        p for p in body.iterchildren(qn("w:p")) if p.find(".//" + qn("w:sectPr")) is not None
    )
    after = []
    for el in closing.itersiblings():
        if el.tag == qn("w:tbl"):
            break
        after.append(el)
    lines = ["".join(t.text for t in el.iter(qn("w:t"))) for el in after]
    assert lines == ["附件", "", "2023年上半年全市知识产权工作情况"]  # the title on line 3
    mark = next(p for p in doc.paragraphs if p.text == "附件")
    assert mark.style.name == "附件标识"
    assert mark.style.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.LEFT
    assert mark.paragraph_format.first_line_indent in (None, 0)
    title = next(p for p in doc.paragraphs if p.text == "2023年上半年全市知识产权工作情况")
    assert title.style.name == "公文标题"


def test_attachment_table_holds_every_figure_of_the_seed_table(doc):
    (table,) = doc.tables
    rows = [[c.text for c in row.cells] for row in table.rows]
    assert len(rows) == 2 + len(SEED)
    assert rows[2:] == SEED  # the units in the office's order, the total last


def test_attachment_table_has_the_merged_two_row_header(doc):
    (table,) = doc.tables
    top = [_flat(c.text) for c in table.rows[0].cells]
    second = [_flat(c.text) for c in table.rows[1].cells]
    assert top == TOP_HEADER
    assert second == SECOND_HEADER
    # Merged cells are one cell: 区(市) and the one-column group over both rows, each
    # indicator's title across its columns.
    assert table.cell(0, 0)._tc is table.cell(1, 0)._tc
    assert table.cell(0, 10)._tc is table.cell(1, 10)._tc
    assert table.cell(0, 1)._tc is table.cell(0, 3)._tc
    assert table.cell(0, 4)._tc is table.cell(0, 7)._tc
    assert table.cell(0, 3)._tc is not table.cell(0, 4)._tc
    assert table.cell(1, 1)._tc is not table.cell(1, 2)._tc
    # Both header rows repeat on every page of a long table.
    for row in table.rows[:2]:
        assert row._tr.trPr.find(qn("w:tblHeader")) is not None


def test_attachment_table_matches_the_excel_workbook(doc, demo_summary):
    ws = openpyxl.load_workbook(io.BytesIO(summary_xlsx_bytes(demo_summary))).active
    excel = [[c.value for c in row] for row in ws.iter_rows(min_row=2)]
    (table,) = doc.tables
    word = [[c.text for c in row.cells] for row in table.rows]
    # Headers: the same texts (each file breaks lines its own way) and the same merges.
    for r in range(2):
        for c, text in enumerate(word[r]):
            value = excel[r][c]
            if value is None:  # covered by an Excel merge: Word repeats the merged cell
                continue
            assert _flat(text) == _flat(str(value)), (r, c)
    excel_merges = sorted(
        (m.min_row - 2, m.min_col - 1, m.max_row - 2, m.max_col - 1)
        for m in ws.merged_cells.ranges
        if 2 <= m.min_row <= 3  # the header (notes under the table are merged too)
    )
    assert excel_merges == sorted(_word_merges(table))
    # ... and the same figures, Excel's numbers printed with the table's places.
    for word_row, excel_row in zip(word[2:], excel[2:], strict=False):
        assert word_row[0] == excel_row[0]
        for text, value in zip(word_row[1:], excel_row[1:], strict=True):
            assert D(text) == D(str(value)), (word_row[0], text, value)


def _word_merges(table):
    """(first row, first column, last row, last column) of each merged cell of the header."""
    spans = []  # [cell element, first row, first column, last row, last column]
    for r in range(2):
        for c in range(len(table.columns)):
            tc = table.cell(r, c)._tc
            span = next((s for s in spans if s[0] is tc), None)
            if span is None:
                spans.append([tc, r, c, r, c])
            else:
                span[3], span[4] = max(span[3], r), max(span[4], c)
    return [tuple(s[1:]) for s in spans if s[1:3] != s[3:]]


def test_a_partial_total_is_starred_with_the_tables_note(city, q3_2023, tengzhou, office):
    counted(tengzhou, q3_2023, {"invention_grants": D(150)})
    s = summarize(q3_2023, city)
    doc = Document(io.BytesIO(circular_docx_bytes(s)))
    (table,) = doc.tables
    tengzhou_row = [c.text for c in table.rows[2].cells]
    total = [c.text for c in table.rows[-1].cells]
    assert tengzhou_row[:4] == ["滕州市", "150", "196", "76.50"]
    assert total[:2] == ["全市", "150*"]  # a sum of one unit of seven: no ratio beside it
    assert total[3] == "—"
    assert [p.text for p in doc.paragraphs[-3:]] == [
        PARTIAL_NOTE,
        "注：尚未计入合计的单位：薛城区（未报送）、市中区（未报送）、山亭区（未报送）、"
        "峄城区（未报送）、台儿庄区（未报送）、高新区（未报送）。",
        "注：万人比按2022年末常住人口计算。",
    ]


def test_page_numbers_are_outside_on_odd_and_even_pages(doc):
    assert doc.settings.odd_and_even_pages_header_footer
    body = doc.sections[0]
    odd, even = body.footer.paragraphs[0], body.even_page_footer.paragraphs[0]
    assert odd.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert even.alignment == WD_ALIGN_PARAGRAPH.LEFT
    for p in (odd, even):
        field = p._p.find(qn("w:fldSimple"))
        assert field.get(qn("w:instr")).strip() == "PAGE"
        assert p.text.startswith("— ") and p.text.endswith(" —")
        assert _east_asian_font(p.style) == "宋体"
        assert p.style.font.size == Pt(14)


def test_the_date_is_the_day_of_export(demo_summary, time_machine):
    time_machine.move_to(datetime.datetime(2024, 1, 5, 10, tzinfo=datetime.UTC))
    doc = Document(io.BytesIO(circular_docx_bytes(demo_summary)))
    assert "2024年1月5日" in [p.text for p in doc.paragraphs]
    assert doc.core_properties.title == "2023年上半年全市知识产权工作情况通报"


def test_building_the_circular_reads_only_the_summary(demo_summary, django_assert_num_queries):
    with django_assert_num_queries(0):
        build_circular(demo_summary)


def test_file_name_is_the_circulars_title(demo_summary):
    assert circular_filename(demo_summary) == "2023年上半年全市知识产权工作情况通报.docx"
