"""The circular (通报) as a Word document laid out by GB/T 9704-2012.

Page: A4, margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm (a 156 × 225 mm text
block), 22 lines of 3号 text a page. 版头: the 发文机关标志 in red, centred, the 发文字号 two
lines below it and a red line across the text block under the number. Title 2号 小标宋,
centred; 主送机关; the body in 3号 仿宋 with a two-character first-line indent, first-level
headings 黑体, second-level 楷体; 附件说明, 署名 and 成文日期; page numbers 4号 宋体 "— 1 —"
outside (odd pages right, even pages left).

The attachment starts on a new, landscape page: "附件" in 3号 黑体 at the top left, its title
centred on the third line, then the attachment table (``docx_table``); 版记 (印发机关 and
date between two lines) closes the document when the office prints one.

What the office writes (``Letter``: number, addressees, paragraphs, signature, date) comes
from the caller; a circular without it (the summary page's draft) marks each such place with
〔〕 so that none is printed by mistake. Figures come only from the summary.
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass

from django.utils import timezone
from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from zzip.numbers import chinese_date

from ..circular import circular_paragraphs
from ..selectors import Summary
from ..table import table_notes
from .docx_package import set_font_fallbacks, set_properties
from .docx_styles import (
    COLOPHON_SIZE,
    LINE_PITCH_TWIPS,
    PAGE_NUMBER_SIZE,
    STYLE_ATTACHMENT_MARK,
    STYLE_BODY,
    STYLE_COLOPHON,
    STYLE_HEADING1,
    STYLE_HEADING2,
    STYLE_ISSUER,
    STYLE_NUMBER,
    STYLE_PAGE_NUMBER,
    STYLE_TABLE,
    STYLE_TABLE_HEADER,
    STYLE_TITLE,
    after,
    set_up_styles,
)
from .docx_table import attachment_table

# A4 portrait and the margins of GB/T 9704 (text block 156 × 225 mm).
PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
MARGIN_TOP, MARGIN_BOTTOM = Mm(37), Mm(35)
MARGIN_LEFT, MARGIN_RIGHT = Mm(28), Mm(26)
TEXT_WIDTH = Mm(156)
# The page number's top sits 7 mm below the text block.
FOOTER_DISTANCE = Mm(35 - 7) - PAGE_NUMBER_SIZE
HEADER_DISTANCE = Mm(15)
# The attachment page is the portrait page turned a quarter: the same 225 × 156 mm block.
LANDSCAPE_MARGIN_TOP, LANDSCAPE_MARGIN_BOTTOM = Mm(28), Mm(26)
LANDSCAPE_MARGIN_LEFT, LANDSCAPE_MARGIN_RIGHT = Mm(37), Mm(35)

SIGNATURE_INDENT = Pt(32)  # the signature two characters in from the right
DATE_INDENT = Pt(64)  # the date four characters in from the right
# 发文机关标志: at most this size, smaller when a long name needs it to fit the text block.
ISSUER_MAX_SIZE = Pt(36)
# The red line under the number: 4 mm below it, as thick as GB/T 9704's example.
SEPARATOR_SPACE_PT = 11
SEPARATOR_EIGHTHS = 12  # 1.5 pt
RED_HEX = "FF0000"
COLOPHON_GAP = Pt(12)  # between the table's notes and the 版记

# Places the office fills in; brackets 〔〕 mark them so none is printed by mistake.
RECIPIENTS_PLACEHOLDER = "〔主送机关〕"
HEADING1_PLACEHOLDER = "一、〔一级标题〕"
HEADING2_PLACEHOLDER = "（一）〔二级标题〕"
BODY_PLACEHOLDER = "〔正文续写：工作进展、存在问题和下一步工作安排。〕"
SIGNATURE_PLACEHOLDER = "〔发文机关署名〕"
PLACEHOLDER_MARK = "〔"  # every placeholder starts with it; 〔2023〕 in a number does not

ATTACHMENT_MARK = "附件"
APPLICATION = "zzip"


@dataclass(frozen=True)
class Block:
    """One paragraph of the body: "h1" and "h2" headings (already numbered) or "p" text."""

    kind: str
    text: str


@dataclass(frozen=True)
class Letter:
    """What the office writes around the figures; empty parts print as 〔〕 places."""

    title: str
    date: datetime.date
    blocks: list[Block]
    attachment_title: str
    issuer_mark: str = ""  # 发文机关标志
    number: str = ""  # 发文字号
    addressees: str = ""  # 主送机关
    signature: str = ""  # 署名
    printer: str = ""  # 印发机关 (版记)
    colophon: bool = False  # whether 版记 is printed
    author: str = ""  # the files' author (the office); the summary's office name if empty


def circular_title(summary: Summary) -> str:
    """The circular's title, as the office writes it: "2023年上半年全市知识产权工作情况通报"."""
    return f"{summary.title}通报"


def circular_filename(summary: Summary) -> str:
    return f"{circular_title(summary)}.docx"


def draft_letter(summary: Summary, *, today: datetime.date | None = None) -> Letter:
    """The circular with nothing of the office's: the generated text, then 〔〕 places."""
    blocks = [Block("p", text) for text in circular_paragraphs(summary)]
    blocks += [
        Block("h1", HEADING1_PLACEHOLDER),
        Block("h2", HEADING2_PLACEHOLDER),
        Block("p", BODY_PLACEHOLDER),
    ]
    return Letter(
        title=circular_title(summary),
        date=today or timezone.localdate(),
        blocks=blocks,
        attachment_title=summary.title,
    )


def circular_docx_bytes(summary: Summary, *, today: datetime.date | None = None) -> bytes:
    return document_bytes(summary, draft_letter(summary, today=today))


def build_circular(summary: Summary, *, today: datetime.date | None = None):
    """The draft circular of ``summary``. Reads only the summary: no database query."""
    return build_document(summary, draft_letter(summary, today=today))


def document_bytes(summary: Summary, letter: Letter) -> bytes:
    buffer = io.BytesIO()
    build_document(summary, letter).save(buffer)
    return buffer.getvalue()


def build_document(summary: Summary, letter: Letter):
    """The document: 版头, title, body, signature; the attachment table; 版记."""
    doc = Document()
    set_up_styles(doc)
    set_font_fallbacks(doc)
    author = letter.author or summary.office_name
    set_properties(
        doc,
        title=letter.title,
        subject=summary.title,
        author=author,
        application=APPLICATION,
        when=timezone.now(),
    )

    body = doc.sections[0]
    _portrait(body)
    _page_numbers(doc, body)

    _letterhead(doc, letter)
    doc.add_paragraph(letter.title, style=STYLE_TITLE)
    doc.add_paragraph("", style=STYLE_BODY).paragraph_format.first_line_indent = 0
    recipients = doc.add_paragraph(
        f"{letter.addressees or RECIPIENTS_PLACEHOLDER}：", style=STYLE_BODY
    )
    recipients.paragraph_format.first_line_indent = 0
    styles = {"h1": STYLE_HEADING1, "h2": STYLE_HEADING2, "p": STYLE_BODY}
    for block in letter.blocks:
        doc.add_paragraph(block.text, style=styles[block.kind])

    # 附件说明: a blank line below the body, two characters in.
    doc.add_paragraph("", style=STYLE_BODY)
    doc.add_paragraph(f"附件：{letter.attachment_title}", style=STYLE_BODY)
    # Signature and date (no seal): a blank line, the signature, the date on the next line.
    doc.add_paragraph("", style=STYLE_BODY)
    signature = letter.signature or SIGNATURE_PLACEHOLDER
    for text, indent in ((signature, SIGNATURE_INDENT), (chinese_date(letter.date), DATE_INDENT)):
        p = doc.add_paragraph(text, style=STYLE_BODY)
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        p.paragraph_format.first_line_indent = 0
        p.paragraph_format.right_indent = indent

    attachment = doc.add_section(WD_SECTION.NEW_PAGE)
    _landscape(attachment)
    doc.add_paragraph(ATTACHMENT_MARK, style=STYLE_ATTACHMENT_MARK)
    doc.add_paragraph("", style=STYLE_ATTACHMENT_MARK)
    title = doc.add_paragraph(letter.attachment_title, style=STYLE_TITLE)
    # Its own 35 pt, not two lines of the grid: the table needs the page's height.
    _off_grid(title)
    table, _layout = attachment_table(
        summary,
        body_style=doc.styles[STYLE_TABLE].style_id,
        header_style=doc.styles[STYLE_TABLE_HEADER].style_id,
    )
    doc.element.body._insert_tbl(table)
    for text in table_notes(summary):
        note = doc.add_paragraph(text, style=STYLE_TABLE)
        note.alignment = WD_ALIGN_PARAGRAPH.LEFT
    if letter.colophon and letter.printer:
        _colophon(doc, letter, attachment)
    return doc


# 版头 and 版记.


def _letterhead(doc, letter: Letter) -> None:
    """发文机关标志, two blank lines, 发文字号 with the red line under it, two blank lines.
    Without a mark, the number alone above the title; without either, nothing."""
    if letter.issuer_mark:
        mark = doc.add_paragraph(letter.issuer_mark, style=STYLE_ISSUER)
        size = min(ISSUER_MAX_SIZE, int(TEXT_WIDTH * 0.95 / max(len(letter.issuer_mark), 1)))
        for run in mark.runs:
            run.font.size = Pt(int(size / Pt(1) * 2) / 2)
        doc.add_paragraph("", style=STYLE_BODY)
        doc.add_paragraph("", style=STYLE_BODY)
    if letter.number or letter.issuer_mark:
        number = doc.add_paragraph(letter.number, style=STYLE_NUMBER)
        if letter.issuer_mark:
            _border(number, "bottom", RED_HEX, SEPARATOR_EIGHTHS, SEPARATOR_SPACE_PT)
        doc.add_paragraph("", style=STYLE_BODY)
        doc.add_paragraph("", style=STYLE_BODY)


def _colophon(doc, letter: Letter, section) -> None:
    """印发机关 at the left, 印发日期 at the right, between two lines across the text block."""
    p = doc.add_paragraph(style=STYLE_COLOPHON)
    p.paragraph_format.space_before = COLOPHON_GAP
    width = section.page_width - section.left_margin - section.right_margin
    p.paragraph_format.tab_stops.add_tab_stop(width - 2 * COLOPHON_SIZE, WD_TAB_ALIGNMENT.RIGHT)
    p.add_run(f"{letter.printer}\t{chinese_date(letter.date)}印发")
    _border(p, "top", "000000", 8, 4)
    _border(p, "bottom", "000000", 8, 4)


_AFTER_BORDERS = after("w:pBdr")


def _off_grid(paragraph) -> None:
    snap = OxmlElement("w:snapToGrid")
    snap.set(qn("w:val"), "0")
    paragraph._p.get_or_add_pPr().insert_element_before(snap, *after("w:snapToGrid"))


def _border(paragraph, side: str, color: str, eighths: int, space: int) -> None:
    ppr = paragraph._p.get_or_add_pPr()
    borders = ppr.find(qn("w:pBdr"))
    if borders is None:
        borders = OxmlElement("w:pBdr")
        ppr.insert_element_before(borders, *_AFTER_BORDERS)
    line = OxmlElement(f"w:{side}")
    line.set(qn("w:val"), "single")
    line.set(qn("w:sz"), str(eighths))
    line.set(qn("w:space"), str(space))
    line.set(qn("w:color"), color)
    borders.append(line)


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
    # The table page keeps no line grid: LibreOffice counts a gridded page in whole lines and
    # would push the 版记 under a full table onto a page of its own.
    section._sectPr.find(qn("w:docGrid")).attrib.pop(qn("w:type"), None)


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
