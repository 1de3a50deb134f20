"""The circular (通报) as a Word document laid out by GB/T 9704-2012.

Page: A4, margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm (a 156 × 225 mm text
block), 22 lines of 3号 text a page. Title 2号 小标宋, centred; body 3号 仿宋 with a two-
character first-line indent; first-level headings 黑体, second-level 楷体; page numbers
4号 宋体 "— 1 —" outside (odd pages right, even pages left).

The body starts with the paragraphs generated from the summary (``indicators.circular``),
then leaves marked places for the office to write the rest. The attachment starts on a new,
landscape page: "附件" in 3号 黑体 at the top left, its title centred on the third line, then
the attachment table with the Excel workbook's layout (``indicators.table.column_groups``:
merged two-row header, the units in the office's order, the total last).

Every East-Asian font is named in ``w:eastAsia`` as well as ``w:ascii``/``w:hAnsi``, and the
template's theme fonts are removed, since Word and WPS pick a Chinese character's font from
``w:eastAsia`` and a theme font overrides a named one.
"""

from __future__ import annotations

import datetime
import io
import math
import unicodedata

from django.utils import timezone
from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_ALIGN_VERTICAL, WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from ..circular import circular_paragraphs
from ..selectors import Summary
from ..table import column_groups, format_figure, table_notes

# Fonts, by the names Chinese government templates use.
TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING1_FONT = "黑体"
HEADING2_FONT = "楷体_GB2312"
PAGE_NUMBER_FONT = "宋体"

# Sizes: 2号 22 pt, 3号 16 pt, 4号 14 pt; the table in 小四 (12 pt).
TITLE_SIZE = Pt(22)
BODY_SIZE = Pt(16)
PAGE_NUMBER_SIZE = Pt(14)
TABLE_SIZE = Pt(12)

# A4 portrait and the margins of GB/T 9704 (text block 156 × 225 mm).
PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
MARGIN_TOP, MARGIN_BOTTOM = Mm(37), Mm(35)
MARGIN_LEFT, MARGIN_RIGHT = Mm(28), Mm(26)
# The page number's top sits 7 mm below the text block.
FOOTER_DISTANCE = Mm(35 - 7) - PAGE_NUMBER_SIZE
HEADER_DISTANCE = Mm(15)
# The attachment page is the portrait page turned a quarter: the same 225 × 156 mm block.
LANDSCAPE_MARGIN_TOP, LANDSCAPE_MARGIN_BOTTOM = Mm(28), Mm(26)
LANDSCAPE_MARGIN_LEFT, LANDSCAPE_MARGIN_RIGHT = Mm(37), Mm(35)

# 22 lines in the 225 mm block: 28.95 pt (579 twentieths of a point) a line.
LINE_PITCH = Pt(28.95)
LINE_PITCH_TWIPS = "579"
TITLE_LINE_SPACING = Pt(35)
INDENT = Pt(32)  # two characters of 3号
SIGNATURE_INDENT = Pt(32)  # the signature two characters in from the right
DATE_INDENT = Pt(64)  # the date four characters in from the right

# The attachment table across the landscape block: the unit column, then the figures'
# columns in proportion to their headings' longest line, between these many characters.
UNIT_COLUMN = Mm(24)
TABLE_WIDTH = Mm(225)
MIN_HEADING_CHARS, MAX_HEADING_CHARS = 4, 6
BODY_ROW_HEIGHT = Mm(8)
TABLE_HEADER_SIZE = Pt(10.5)  # 五号, so that four characters fit the narrowest column
CELL_MARGIN_TWIPS = "85"  # 1.5 mm left and right inside a cell
CELL_PADDING = Mm(4)  # both margins and a little room for the borders

# Places the office fills in; brackets 〔〕 mark them so none is printed by mistake.
RECIPIENTS = "〔主送机关〕："
HEADING1_PLACEHOLDER = "一、〔一级标题〕"
HEADING2_PLACEHOLDER = "（一）〔二级标题〕"
BODY_PLACEHOLDER = "〔正文由市局续写：工作进展、存在问题和下一步工作安排。〕"
SIGNATURE = "〔发文机关署名〕"

STYLE_TITLE = "公文标题"
STYLE_BODY = "公文正文"
STYLE_HEADING1 = "公文一级标题"
STYLE_HEADING2 = "公文二级标题"
STYLE_ATTACHMENT_MARK = "附件标识"
STYLE_TABLE = "附件表格"
STYLE_TABLE_HEADER = "附件表头"
STYLE_PAGE_NUMBER = "公文页码"

ATTACHMENT_MARK = "附件"


def circular_title(summary: Summary) -> str:
    """The circular's title, as the office writes it: "2023年上半年全市知识产权工作情况通报"."""
    return f"{summary.title}通报"


def circular_filename(summary: Summary) -> str:
    return f"{circular_title(summary)}.docx"


def circular_docx_bytes(summary: Summary, *, today: datetime.date | None = None) -> bytes:
    buffer = io.BytesIO()
    build_circular(summary, today=today).save(buffer)
    return buffer.getvalue()


def build_circular(summary: Summary, *, today: datetime.date | None = None):
    """The circular of ``summary``. Reads only the summary: no database query."""
    today = today or timezone.localdate()
    doc = Document()
    _set_up_styles(doc)
    _set_properties(doc, summary)

    body = doc.sections[0]
    _portrait(body)
    _page_numbers(doc, body)

    doc.add_paragraph(circular_title(summary), style=STYLE_TITLE)
    doc.add_paragraph("", style=STYLE_BODY).paragraph_format.first_line_indent = 0
    recipients = doc.add_paragraph(RECIPIENTS, style=STYLE_BODY)
    recipients.paragraph_format.first_line_indent = 0
    for text in circular_paragraphs(summary):
        doc.add_paragraph(text, style=STYLE_BODY)
    doc.add_paragraph(HEADING1_PLACEHOLDER, style=STYLE_HEADING1)
    doc.add_paragraph(HEADING2_PLACEHOLDER, style=STYLE_HEADING2)
    doc.add_paragraph(BODY_PLACEHOLDER, style=STYLE_BODY)

    # 附件说明: a blank line below the body, two characters in.
    doc.add_paragraph("", style=STYLE_BODY)
    doc.add_paragraph(f"附件：{summary.title}", style=STYLE_BODY)
    # Signature and date (no seal): a blank line, the signature, the date on the next line.
    doc.add_paragraph("", style=STYLE_BODY)
    for text, indent in ((SIGNATURE, SIGNATURE_INDENT), (_chinese_date(today), DATE_INDENT)):
        p = doc.add_paragraph(text, style=STYLE_BODY)
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        p.paragraph_format.first_line_indent = 0
        p.paragraph_format.right_indent = indent

    attachment = doc.add_section(WD_SECTION.NEW_PAGE)
    _landscape(attachment)
    doc.add_paragraph(ATTACHMENT_MARK, style=STYLE_ATTACHMENT_MARK)
    doc.add_paragraph("", style=STYLE_ATTACHMENT_MARK)
    doc.add_paragraph(summary.title, style=STYLE_TITLE)
    _attachment_table(doc, summary)
    for text in table_notes(summary):
        note = doc.add_paragraph(text, style=STYLE_TABLE)
        note.alignment = WD_ALIGN_PARAGRAPH.LEFT
    return doc


def _chinese_date(day: datetime.date) -> str:
    # GB/T 9704-2012: Arabic numerals, no leading zeros.
    return f"{day.year}年{day.month}月{day.day}日"


# Page set-up.


def _page(section, width, height, orientation, top, bottom, left, right):
    section.orientation = orientation
    section.page_width, section.page_height = width, height
    section.top_margin, section.bottom_margin = top, bottom
    section.left_margin, section.right_margin = left, right
    section.header_distance = HEADER_DISTANCE
    section.footer_distance = FOOTER_DISTANCE
    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        section._sectPr.append(grid)
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), LINE_PITCH_TWIPS)


def _portrait(section):
    _page(
        section,
        PAGE_WIDTH,
        PAGE_HEIGHT,
        WD_ORIENT.PORTRAIT,
        MARGIN_TOP,
        MARGIN_BOTTOM,
        MARGIN_LEFT,
        MARGIN_RIGHT,
    )


def _landscape(section):
    _page(
        section,
        PAGE_HEIGHT,
        PAGE_WIDTH,
        WD_ORIENT.LANDSCAPE,
        LANDSCAPE_MARGIN_TOP,
        LANDSCAPE_MARGIN_BOTTOM,
        LANDSCAPE_MARGIN_LEFT,
        LANDSCAPE_MARGIN_RIGHT,
    )


def _page_numbers(doc, section):
    """ "— 1 —" in 4号 宋体: odd pages one character in from the right, even from the left."""
    doc.settings.odd_and_even_pages_header_footer = True
    for footer, alignment, side in (
        (section.footer, WD_ALIGN_PARAGRAPH.RIGHT, "right_indent"),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT, "left_indent"),
    ):
        footer.is_linked_to_previous = False
        p = footer.paragraphs[0]
        p.style = doc.styles[STYLE_PAGE_NUMBER]
        p.alignment = alignment
        setattr(p.paragraph_format, side, PAGE_NUMBER_SIZE)
        p.add_run("— ")
        _page_field(p)
        p.add_run(" —")


def _page_field(paragraph):
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), " PAGE ")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


# Styles.


def _fonts(rpr_owner, name: str):
    """Names ``name`` for every script, dropping theme fonts that would override it."""
    rpr = rpr_owner.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)


def _paragraph_style(doc, name, *, font, size, base=None):
    style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = base or doc.styles["Normal"]
    style.quick_style = True
    style.font.size = size
    style.font.bold = False
    _fonts(style.element, font)
    return style


def _outline_level(style, level: int):
    ppr = style.element.get_or_add_pPr()
    outline = OxmlElement("w:outlineLvl")
    outline.set(qn("w:val"), str(level))
    ppr.insert_element_before(outline, "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr")


def _set_up_styles(doc):
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    fonts = rpr.find(qn("w:rFonts"))
    for attr in list(fonts.attrib):
        del fonts.attrib[attr]
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), BODY_FONT)
    lang = rpr.find(qn("w:lang"))
    if lang is not None:
        lang.set(qn("w:val"), "zh-CN")
        lang.set(qn("w:eastAsia"), "zh-CN")

    normal = doc.styles["Normal"]
    _fonts(normal.element, BODY_FONT)
    normal.font.size = BODY_SIZE
    fmt = normal.paragraph_format
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = LINE_PITCH
    fmt.widow_control = False
    # No extra space between Chinese and digits ("326件", not "326 件"), as the office types.
    ppr = normal.element.get_or_add_pPr()
    for tag in ("w:autoSpaceDE", "w:autoSpaceDN"):
        off = OxmlElement(tag)
        off.set(qn("w:val"), "0")
        ppr.insert_element_before(off, *_AFTER_AUTO_SPACE)

    title = _paragraph_style(doc, STYLE_TITLE, font=TITLE_FONT, size=TITLE_SIZE)
    title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.line_spacing = TITLE_LINE_SPACING

    body = _paragraph_style(doc, STYLE_BODY, font=BODY_FONT, size=BODY_SIZE)
    body.paragraph_format.first_line_indent = INDENT
    body.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY

    for name, font, level in (
        (STYLE_HEADING1, HEADING1_FONT, 0),
        (STYLE_HEADING2, HEADING2_FONT, 1),
    ):
        heading = _paragraph_style(doc, name, font=font, size=BODY_SIZE, base=body)
        heading.paragraph_format.keep_with_next = True
        _outline_level(heading, level)

    mark = _paragraph_style(doc, STYLE_ATTACHMENT_MARK, font=HEADING1_FONT, size=BODY_SIZE)
    mark.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT

    for name, font, size in (
        (STYLE_TABLE, BODY_FONT, TABLE_SIZE),
        (STYLE_TABLE_HEADER, HEADING1_FONT, TABLE_HEADER_SIZE),
    ):
        cell = _paragraph_style(doc, name, font=font, size=size)
        cell.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
        cell.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
        _off_grid(cell)

    number = _paragraph_style(doc, STYLE_PAGE_NUMBER, font=PAGE_NUMBER_FONT, size=PAGE_NUMBER_SIZE)
    number.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    _off_grid(number)


def _off_grid(style):
    """Lines of this style keep their own height instead of snapping to the 22-line grid."""
    snap = OxmlElement("w:snapToGrid")
    snap.set(qn("w:val"), "0")
    style.element.get_or_add_pPr().insert_element_before(snap, *_AFTER_SNAP_TO_GRID)


# What follows w:snapToGrid, and w:autoSpaceDN, in a w:pPr (ECMA-376 order).
_AFTER_SNAP_TO_GRID = (
    "w:spacing",
    "w:ind",
    "w:contextualSpacing",
    "w:mirrorIndents",
    "w:suppressOverlap",
    "w:jc",
    "w:textDirection",
    "w:textAlignment",
    "w:textboxTightWrap",
    "w:outlineLvl",
    "w:divId",
    "w:cnfStyle",
    "w:rPr",
    "w:sectPr",
    "w:pPrChange",
)
_AFTER_AUTO_SPACE = ("w:bidi", "w:adjustRightInd", "w:snapToGrid", *_AFTER_SNAP_TO_GRID)


def _set_properties(doc, summary: Summary):
    props = doc.core_properties
    now = timezone.now()
    props.title = circular_title(summary)
    props.subject = summary.title
    props.author = props.last_modified_by = summary.office_name
    props.comments = ""
    props.keywords = ""
    props.created = props.modified = now.replace(tzinfo=None, microsecond=0)
    props.revision = 1


# The attachment table.


def _attachment_table(doc, summary: Summary):
    groups = column_groups(summary)
    columns = [c for g in groups for c in g.columns]
    rows = summary.all_rows
    table = doc.add_table(rows=2 + len(rows), cols=1 + len(columns))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _fixed_layout(table)

    _cell_margins(table)
    headings = [
        [group.title] if group.merged_vertically else [c.heading for c in group.columns]
        for group in groups
    ]
    widths = [UNIT_COLUMN, *_column_widths([h for hs in headings for h in hs])]
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width

    # Header: (first column, last column, text, both rows), then the second row's headings.
    _write(table.cell(0, 0).merge(table.cell(1, 0)), summary.unit_heading, STYLE_TABLE_HEADER)
    col = 1
    for group in groups:
        span = len(group.columns)
        if group.merged_vertically:
            merged = table.cell(0, col).merge(table.cell(1, col))
        else:
            merged = table.cell(0, col).merge(table.cell(0, col + span - 1))
            for i, column in enumerate(group.columns):
                heading = _fit(column.heading, widths[col + i])
                _write(table.cell(1, col + i), heading, STYLE_TABLE_HEADER)
        _write(merged, _fit(group.title, sum(widths[col : col + span])), STYLE_TABLE_HEADER)
        col += span
    for header_row in table.rows[:2]:
        _repeat_as_header(header_row)

    for r, row in enumerate(rows, start=2):
        _write(table.cell(r, 0), row.indented_label, STYLE_TABLE)
        for c, column in enumerate(columns, start=1):
            text = format_figure(column.value(row), column.places)
            if column.partial(row):
                text += "*"
            _write(table.cell(r, c), text, STYLE_TABLE)
        table.rows[r].height = BODY_ROW_HEIGHT
        table.rows[r].height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
        _cant_split(table.rows[r])
    return table


def _chars(text: str) -> float:
    """Width in Chinese characters: a full-width character is one, any other half."""
    return sum(1 if unicodedata.east_asian_width(ch) in "WF" else 0.5 for ch in text)


def _wrap(heading: str, room: float = MAX_HEADING_CHARS) -> str:
    """A heading longer than ``room`` characters breaks before its unit, as in the seed:
    "年指导目标" over "（件）"."""
    lines = []
    for line in heading.split("\n"):
        cut = line.rfind("（")
        if _chars(line) > room and cut > 0:
            lines.extend([line[:cut], line[cut:]])
        else:
            lines.append(line)
    return "\n".join(lines)


def _fit(heading: str, width: int) -> str:
    """The heading in lines of even length that fit ``width``, as the seed breaks them
    ("比去年年" over "底净增长"), where Word would leave one character on the last line."""
    room = max(int((width - CELL_PADDING) / TABLE_HEADER_SIZE), 1)
    lines = []
    for line in _wrap(heading, room).split("\n"):
        count = math.ceil(_chars(line) / room)
        if count <= 1:
            lines.append(line)
            continue
        share = math.ceil(_chars(line) / count)
        current = ""
        for ch in line:
            if current and _chars(current + ch) > share:
                lines.append(current)
                current = ""
            current += ch
        lines.append(current)
    return "\n".join(lines)


def _heading_chars(heading: str) -> float:
    longest = max(_chars(line) for line in _wrap(heading).split("\n"))
    return min(max(longest, MIN_HEADING_CHARS), MAX_HEADING_CHARS)


def _column_widths(headings: list[str]) -> list[int]:
    """Every column fits four characters of its heading a line; a column whose heading has
    longer lines gets up to as much more as it wants, from what room is left."""
    floor = int(MIN_HEADING_CHARS * TABLE_HEADER_SIZE) + CELL_PADDING
    room = TABLE_WIDTH - UNIT_COLUMN
    if floor * len(headings) >= room:  # too many columns: share the room equally
        return [room // len(headings)] * len(headings)
    wishes = [int(_heading_chars(h) * TABLE_HEADER_SIZE) + CELL_PADDING - floor for h in headings]
    spare = room - floor * len(headings)
    if sum(wishes) <= spare:
        extra = (spare - sum(wishes)) // len(headings)
        return [floor + w + extra for w in wishes]
    return [floor + spare * w // sum(wishes) for w in wishes]


def _cell_margins(table):
    margins = OxmlElement("w:tblCellMar")
    for side in ("w:left", "w:right"):
        margin = OxmlElement(side)
        margin.set(qn("w:w"), CELL_MARGIN_TWIPS)
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    table._tbl.tblPr.insert_element_before(margins, "w:tblLook", "w:tblCaption")


def _write(cell, text: str, style: str):
    """Text in a cell, centred, with the heading's own line breaks kept."""
    cell.vertical_alignment = WD_ALIGN_VERTICAL.CENTER
    paragraph = cell.paragraphs[0]
    paragraph.style = style
    for extra in cell.paragraphs[1:]:  # a merge leaves the merged cells' empty paragraphs
        extra._p.getparent().remove(extra._p)
    for i, line in enumerate(text.split("\n")):
        run = paragraph.add_run()
        if i:
            run.add_break()
        run.add_text(line)


def _fixed_layout(table):
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    table._tbl.tblPr.insert_element_before(layout, "w:tblCellMar", "w:tblLook")


def _repeat_as_header(row):
    trpr = row._tr.get_or_add_trPr()
    trpr.append(OxmlElement("w:tblHeader"))
    _cant_split(row)


def _cant_split(row):
    trpr = row._tr.get_or_add_trPr()
    if trpr.find(qn("w:cantSplit")) is None:
        trpr.insert(0, OxmlElement("w:cantSplit"))
