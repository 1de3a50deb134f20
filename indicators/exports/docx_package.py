"""What a Word file says about itself: its fonts' substitutes, its properties, no thumbnail.

python-docx starts every document from a template saved by "Microsoft Macintosh Word", with a
blank thumbnail and a font table that knows none of the Chinese government fonts. An office
sends these files on: they should name the office as author, say nothing false about the
program that wrote them, and carry, for each font a PC may lack (仿宋_GB2312 and
方正小标宋简体 are not installed with Windows), the font to use instead. Word and WPS read
``w:altName`` of the font table; LibreOffice reads it too.
"""

from __future__ import annotations

import datetime
import itertools
from xml.sax.saxutils import escape

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml
from docx.oxml.ns import qn
from lxml import etree

# Each font and what to use where it is missing, in order: the chain is written as one
# font's alternative being the next font, whose own alternative follows.
FALLBACKS: dict[str, list[str]] = {
    "仿宋_GB2312": ["仿宋", "FangSong"],
    "方正小标宋简体": ["华文中宋", "宋体"],
    "楷体_GB2312": ["楷体", "KaiTi"],
    "黑体": ["SimHei"],
    "宋体": ["SimSun"],
}
# GB2312 character set, as Word writes it for Chinese fonts.
CHINESE_CHARSET = "86"

APP_XML = (
    "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"'
    ' xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
    "<Application>{application}</Application><Company>{company}</Company>"
    "<DocSecurity>0</DocSecurity><ScaleCrop>false</ScaleCrop>"
    "<LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc>"
    "<HyperlinksChanged>false</HyperlinksChanged></Properties>"
)


def _font_chain() -> list[tuple[str, str]]:
    """(font, its alternative) for every link of every chain, each font once."""
    links: dict[str, str] = {}
    for font, alternatives in FALLBACKS.items():
        chain = [font, *alternatives]
        for name, alternative in itertools.pairwise(chain):
            links.setdefault(name, alternative)
    return list(links.items())


def set_font_fallbacks(document) -> None:
    """Adds (or replaces) a font-table entry with its alternative for every font above."""
    part = next(p for p in document.part.package.parts if str(p.partname) == "/word/fontTable.xml")
    fonts = parse_xml(part.blob)
    chain = _font_chain()
    for font in list(fonts):
        if font.get(qn("w:name")) in dict(chain):
            fonts.remove(font)
    for name, alternative in chain:
        latin = name.isascii()
        fonts.append(
            parse_xml(
                f'<w:font xmlns:w="{fonts.nsmap["w"]}" w:name="{escape(name)}">'
                f'<w:altName w:val="{escape(alternative)}"/>'
                f'<w:charset w:val="{"00" if latin else CHINESE_CHARSET}"/>'
                '<w:family w:val="modern"/><w:pitch w:val="variable"/></w:font>'
            )
        )
    part._blob = etree.tostring(fonts, xml_declaration=True, encoding="UTF-8", standalone=True)


def set_properties(
    document,
    *,
    title: str,
    subject: str,
    author: str,
    application: str,
    when: datetime.datetime,
) -> None:
    """Core properties naming the office; app properties naming this program; no thumbnail."""
    props = document.core_properties
    props.title = title
    props.subject = subject
    props.author = props.last_modified_by = author
    props.comments = ""
    props.keywords = ""
    props.created = props.modified = when.replace(tzinfo=None, microsecond=0)
    props.revision = 1
    package = document.part.package
    for rel_id, rel in list(package.rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            package.rels.pop(rel_id)
    app = next((p for p in package.parts if str(p.partname) == "/docProps/app.xml"), None)
    if app is not None:
        app._blob = APP_XML.format(application=escape(application), company=escape(author)).encode()
