"""The circular's styles, by GB/T 9704-2012: fonts, sizes, the 22-line grid.

Every East-Asian font is named in ``w:eastAsia`` as well as ``w:ascii``/``w:hAnsi``, and the
template's theme fonts are removed, since Word and WPS pick a Chinese character's font from
``w:eastAsia`` and a theme font overrides a named one. What to use where a font is missing is
in the font table (``docx_package.FALLBACKS``).
"""

from __future__ import annotations

from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor

# Fonts, by the names Chinese government templates use.
TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING1_FONT = "黑体"
HEADING2_FONT = "楷体_GB2312"
PAGE_NUMBER_FONT = "宋体"

# Sizes: 2号 22 pt, 3号 16 pt, 4号 14 pt; the table's own sizes come from its columns.
TITLE_SIZE = Pt(22)
BODY_SIZE = Pt(16)
PAGE_NUMBER_SIZE = Pt(14)
TABLE_SIZE = Pt(12)
TABLE_HEADER_SIZE = Pt(10.5)
COLOPHON_SIZE = Pt(14)  # 版记 in 4号
RED = RGBColor(0xFF, 0x00, 0x00)  # 发文机关标志 and the separator

# 22 lines in the 225 mm block: 28.95 pt (579 twentieths of a point) a line.
LINE_PITCH = Pt(28.95)
LINE_PITCH_TWIPS = "579"
TITLE_LINE_SPACING = Pt(35)
INDENT = Pt(32)  # two characters of 3号

STYLE_TITLE = "公文标题"
STYLE_BODY = "公文正文"
STYLE_HEADING1 = "公文一级标题"
STYLE_HEADING2 = "公文二级标题"
STYLE_ATTACHMENT_MARK = "附件标识"
STYLE_TABLE = "附件表格"
STYLE_TABLE_HEADER = "附件表头"
STYLE_PAGE_NUMBER = "公文页码"
STYLE_ISSUER = "发文机关标志"
STYLE_NUMBER = "发文字号"
STYLE_COLOPHON = "版记"


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


def set_up_styles(doc):
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

    issuer = _paragraph_style(doc, STYLE_ISSUER, font=TITLE_FONT, size=Pt(36))
    issuer.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    issuer.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    issuer.font.color.rgb = RED
    _off_grid(issuer)

    number_style = _paragraph_style(doc, STYLE_NUMBER, font=BODY_FONT, size=BODY_SIZE)
    number_style.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER

    colophon = _paragraph_style(doc, STYLE_COLOPHON, font=BODY_FONT, size=COLOPHON_SIZE)
    colophon.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    colophon.paragraph_format.left_indent = COLOPHON_SIZE
    colophon.paragraph_format.right_indent = COLOPHON_SIZE
    _off_grid(colophon)


def _off_grid(style):
    """Lines of this style keep their own height instead of snapping to the 22-line grid."""
    snap = OxmlElement("w:snapToGrid")
    snap.set(qn("w:val"), "0")
    style.element.get_or_add_pPr().insert_element_before(snap, *_AFTER_SNAP_TO_GRID)


# The children of a w:pPr, in the order ECMA-376 requires them (a child inserted out of
# order makes Word call the file damaged).
PPR_ORDER = (
    "w:pStyle",
    "w:keepNext",
    "w:keepLines",
    "w:pageBreakBefore",
    "w:framePr",
    "w:widowControl",
    "w:numPr",
    "w:suppressLineNumbers",
    "w:pBdr",
    "w:shd",
    "w:tabs",
    "w:suppressAutoHyphens",
    "w:kinsoku",
    "w:wordWrap",
    "w:overflowPunct",
    "w:topLinePunct",
    "w:autoSpaceDE",
    "w:autoSpaceDN",
    "w:bidi",
    "w:adjustRightInd",
    "w:snapToGrid",
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


def after(tag: str) -> tuple[str, ...]:
    """The w:pPr children that must follow ``tag``."""
    return PPR_ORDER[PPR_ORDER.index(tag) + 1 :]


_AFTER_SNAP_TO_GRID = after("w:snapToGrid")
_AFTER_AUTO_SPACE = after("w:autoSpaceDN")
