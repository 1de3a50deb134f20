"""The circular's attachment table in Word: sized from its columns, written row by row.

The layout is the Excel workbook's (``indicators.table.column_groups``: merged two-row
header, the units in the office's order, the total last). What this module adds is the fit:
the font size and the column widths are chosen from the number of columns and the longest
printed figure of each, so that up to 16 indicator columns fit the 225 mm of an A4 landscape
page without a number wrapping; the header rows repeat on every page and no row splits.

The table is written as one XML string, a row at a time, and parsed once: python-docx's
``Table.cell`` walks the whole grid on each call, which made a long table quadratic.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass
from xml.sax.saxutils import escape

from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from docx.shared import Mm, Pt

from ..table import column_groups, format_figure

TABLE_WIDTH = Mm(225)  # the landscape text block
TWIP = 635  # EMU in a twentieth of a point


@dataclass(frozen=True)
class Tier:
    """Sizes for a table of a given width: body and header font, and the room inside a cell."""

    body: Pt
    header: Pt
    margin: int  # EMU, each side of a cell
    row_height: int  # EMU, the least height of a body row


# From the roomiest down: the first whose columns fit is used. 小四/五号 for the seed's 11
# columns, down to 六号 headings for 16.
TIERS = [
    Tier(Pt(12), Pt(10.5), Mm(1.5), Mm(6.5)),
    Tier(Pt(10.5), Pt(9), Mm(1.2), Mm(6)),
    Tier(Pt(9), Pt(7.5), Mm(0.9), Mm(5.5)),
    Tier(Pt(7.5), Pt(6.5), Mm(0.7), Mm(5)),
]
# A digit or a Latin character is half a Chinese character; a little slack for the font's
# own advance widths, which differ between 仿宋 and its substitutes.
DIGIT_SLACK = 1.15
BORDER = Mm(0.6)  # both borders and rounding
MIN_HEADING_CHARS, MAX_HEADING_CHARS = 3, 6


def chars(text: str) -> float:
    """Width in Chinese characters: a full-width character is one, any other half."""
    return sum(1 if unicodedata.east_asian_width(ch) in "WF" else 0.5 for ch in text)


@dataclass
class Layout:
    tier: Tier
    widths: list[int]  # EMU: the unit column, then each figure column


def _figures(summary, columns) -> list[list[str]]:
    """Each row's printed cells: the label, then every column's figure (``*`` when partial)."""
    out = []
    for row in summary.all_rows:
        cells = [row.indented_label]
        for column in columns:
            text = format_figure(column.value(row), column.places)
            cells.append(text + "*" if column.partial(row) else text)
        out.append(cells)
    return out


def layout(headings: list[str], unit_heading: str, printed: list[list[str]]) -> Layout:
    """The largest tier whose columns fit the page, and the widths of every column.

    A column needs room for its longest figure on one line (never wrapped) and for three
    characters of its heading; what room is left goes to the columns whose headings have
    longer lines, up to six characters a line (the seed's "年指导目标").
    """
    n = len(headings)
    for tier in TIERS:
        pad = 2 * tier.margin + BORDER
        label_chars = max([chars(r[0]) for r in printed] + [chars(unit_heading), 2])
        unit = int(max(label_chars * tier.body, 2 * tier.header)) + pad
        needs = []
        for c in range(n):
            longest = max((chars(r[c + 1]) for r in printed), default=1)
            figure = int(longest * tier.body * DIGIT_SLACK)
            needs.append(max(figure, int(MIN_HEADING_CHARS * tier.header)) + pad)
        room = TABLE_WIDTH - unit
        if sum(needs) <= room or tier is TIERS[-1]:
            break
    wishes = [
        max(int(_heading_chars(h) * tier.header) + pad - need, 0)
        for h, need in zip(headings, needs, strict=True)
    ]
    spare = max(room - sum(needs), 0)
    if sum(wishes) <= spare:
        extra = (spare - sum(wishes)) // max(n, 1)
        widths = [need + w + extra for need, w in zip(needs, wishes, strict=True)]
    else:
        widths = [need + spare * w // sum(wishes) for need, w in zip(needs, wishes, strict=True)]
    return Layout(tier, [unit, *widths])


def _wrap(heading: str, room: float = MAX_HEADING_CHARS) -> str:
    """A heading longer than ``room`` characters breaks before its unit, as in the seed:
    "年指导目标" over "（件）"."""
    lines = []
    for line in heading.split("\n"):
        cut = line.rfind("（")
        if chars(line) > room and cut > 0:
            lines.extend([line[:cut], line[cut:]])
        else:
            lines.append(line)
    return "\n".join(lines)


def _heading_chars(heading: str) -> float:
    longest = max(chars(line) for line in _wrap(heading).split("\n"))
    return min(max(longest, MIN_HEADING_CHARS), MAX_HEADING_CHARS)


def fit(heading: str, width: int, tier: Tier) -> str:
    """The heading in lines of even length that fit ``width``, as the seed breaks them
    ("比去年年" over "底净增长"), where Word would leave one character on the last line."""
    room = max(int((width - 2 * tier.margin - BORDER) / tier.header), 1)
    lines = []
    for line in _wrap(heading, room).split("\n"):
        count = math.ceil(chars(line) / room)
        if count <= 1:
            lines.append(line)
            continue
        share = math.ceil(chars(line) / count)
        current = ""
        for ch in line:
            if current and chars(current + ch) > share:
                lines.append(current)
                current = ""
            current += ch
        lines.append(current)
    return "\n".join(lines)


# --- Writing ------------------------------------------------------------------------------


def _twips(emu: int) -> int:
    return round(emu / TWIP)


def _half_points(size: Pt) -> int:
    return round(size.pt * 2)


def _paragraph(text: str, style_id: str, size: Pt) -> str:
    runs = "<w:br/>".join(
        f'<w:t xml:space="preserve">{escape(line)}</w:t>' for line in text.split("\n")
    )
    hp = _half_points(size)
    return (
        f'<w:p><w:pPr><w:pStyle w:val="{style_id}"/><w:jc w:val="center"/></w:pPr>'
        f'<w:r><w:rPr><w:sz w:val="{hp}"/><w:szCs w:val="{hp}"/></w:rPr>{runs}</w:r></w:p>'
    )


def _cell(text: str, width: int, style_id: str, size: Pt, *, span=1, vmerge=None) -> str:
    props = f'<w:tcW w:w="{_twips(width)}" w:type="dxa"/>'
    if span > 1:
        props += f'<w:gridSpan w:val="{span}"/>'
    if vmerge == "restart":
        props += '<w:vMerge w:val="restart"/>'
    elif vmerge == "continue":
        props += "<w:vMerge/>"
    props += '<w:vAlign w:val="center"/>'
    body = _paragraph("" if vmerge == "continue" else text, style_id, size)
    return f"<w:tc><w:tcPr>{props}</w:tcPr>{body}</w:tc>"


def _row(cells: list[str], *, header: bool, height: int | None = None) -> str:
    props = "<w:cantSplit/>"
    if height:
        props += f'<w:trHeight w:val="{_twips(height)}" w:hRule="atLeast"/>'
    if header:
        props += "<w:tblHeader/>"
    return f"<w:tr><w:trPr>{props}</w:trPr>{''.join(cells)}</w:tr>"


_BORDERS = "".join(
    f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
    for side in ("top", "left", "bottom", "right", "insideH", "insideV")
)


def attachment_table(summary, *, body_style: str, header_style: str):
    """The attachment table of ``summary`` as a ``w:tbl`` element, ready to insert."""
    groups = column_groups(summary)
    columns = [c for g in groups for c in g.columns]
    printed = _figures(summary, columns)
    # Each column's own heading decides its width; a one-column group's title over it too
    # (in two lines at most), while a wider group's title spans its columns.
    per_column = []
    for g in groups:
        if g.merged_vertically:
            per_column.append(g.title)
        elif len(g.columns) == 1:
            title = g.title[: math.ceil(len(g.title) / 2)]
            heading = g.columns[0].heading
            per_column.append(title if _heading_chars(title) > _heading_chars(heading) else heading)
        else:
            per_column.extend(c.heading for c in g.columns)
    fitted = layout(per_column, summary.unit_heading, printed)
    tier, widths = fitted.tier, fitted.widths

    top = [_cell(summary.unit_heading, widths[0], header_style, tier.header, vmerge="restart")]
    second = [_cell("", widths[0], header_style, tier.header, vmerge="continue")]
    col = 1
    for g in groups:
        span = len(g.columns)
        if g.merged_vertically:
            title = fit(g.title, widths[col], tier)
            top.append(_cell(title, widths[col], header_style, tier.header, vmerge="restart"))
            second.append(_cell("", widths[col], header_style, tier.header, vmerge="continue"))
        else:
            width = sum(widths[col : col + span])
            title = fit(g.title, width, tier)
            top.append(_cell(title, width, header_style, tier.header, span=span))
            for i, column in enumerate(g.columns):
                heading = fit(column.heading, widths[col + i], tier)
                second.append(_cell(heading, widths[col + i], header_style, tier.header))
        col += span
    rows = [_row(top, header=True), _row(second, header=True)]
    for cells in printed:
        rows.append(
            _row(
                [
                    _cell(text, width, body_style, tier.body)
                    for text, width in zip(cells, widths, strict=True)
                ],
                header=False,
                height=tier.row_height,
            )
        )
    margin = _twips(tier.margin)
    grid = "".join(f'<w:gridCol w:w="{_twips(w)}"/>' for w in widths)
    xml = (
        f"<w:tbl {nsdecls('w')}><w:tblPr>"
        '<w:tblStyle w:val="TableGrid"/>'
        f'<w:tblW w:w="{sum(_twips(w) for w in widths)}" w:type="dxa"/>'
        '<w:jc w:val="center"/>'
        f"<w:tblBorders>{_BORDERS}</w:tblBorders>"
        '<w:tblLayout w:type="fixed"/>'
        f'<w:tblCellMar><w:left w:w="{margin}" w:type="dxa"/>'
        f'<w:right w:w="{margin}" w:type="dxa"/></w:tblCellMar>'
        '<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="1" '
        'w:lastColumn="0" w:noHBand="0" w:noVBand="1"/>'
        f"</w:tblPr><w:tblGrid>{grid}</w:tblGrid>{''.join(rows)}</w:tbl>"
    )
    return parse_xml(xml), fitted
