"""What a circular says, built from the summary and what the office wrote: the Word letter,
the figures it prints (its snapshot), and what changed since it was issued.

Reads only what it is given (a summary, the settings' section codes, the circular's fields),
so that building a document costs no query beyond ``summarize``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from indicators.circular import OPENING, SECTIONS, heading_numbers, section_paragraphs
from indicators.exports.docx import Block, Letter, circular_title
from indicators.selectors import Summary
from indicators.table import column_groups, format_figure
from zzip.numbers import chinese_date

from .models import Circular, DocumentSettings

KINDS = {"p", "h1", "h2", "data"}
SECTION_KEYS = {OPENING, *(key for key, _name in SECTIONS)}
# A number the office typed before a heading, which the document numbers itself.
TYPED_NUMBER = re.compile(r"^\s*(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）)\s*")


def default_blocks(summary: Summary, codes: dict[str, list[str]]) -> list[dict]:
    """A new circular: the lead sentence, the data's opening, then each section that has
    indicators in this period, under its heading."""
    blocks = [
        {"kind": "p", "text": f"现将{summary.title}通报如下：", "section": ""},
        {"kind": "data", "text": "", "section": OPENING},
    ]
    reported = {i.code for i in summary.indicators}
    for key, name in SECTIONS:
        if reported & set(codes.get(key, [])):
            blocks.append({"kind": "h1", "text": name, "section": ""})
            blocks.append({"kind": "data", "text": "", "section": key})
    return blocks


def body_blocks(summary: Summary, blocks: list[dict], codes: dict[str, list[str]]) -> list[Block]:
    """The body as printed: headings numbered, each data block replaced by its sentences."""
    numbers = heading_numbers(b["kind"] for b in blocks)
    out: list[Block] = []
    for block, number in zip(blocks, numbers, strict=True):
        if block["kind"] == "data":
            out.extend(Block("p", t) for t in section_paragraphs(summary, block["section"], codes))
        elif block["kind"] in ("h1", "h2"):
            out.append(Block(block["kind"], number + TYPED_NUMBER.sub("", block["text"])))
        else:
            out.append(Block("p", block["text"]))
    return out


def number_text(pattern: str, year: int, serial: int) -> str:
    return pattern.format(year=year, n=serial)


def circular_letter(
    summary: Summary, circular: Circular, settings: DocumentSettings, *, number: str
) -> Letter:
    codes = settings.section_codes()
    return Letter(
        title=circular_title(summary),
        date=circular.date,
        blocks=body_blocks(summary, circular.blocks, codes),
        attachment_title=summary.title,
        issuer_mark=settings.issuer_mark,
        number=number,
        addressees=circular.addressees,
        signature=circular.signature,
        printer=settings.printer,
        colophon=settings.colophon,
    )


# --- What was printed, and what changed ----------------------------------------------------------


@dataclass(frozen=True)
class Change:
    unit: str
    indicator: str
    column: str
    old: str
    new: str

    @property
    def sentence(self) -> str:
        return f"{self.unit}{self.what}：{self.old}更正为{self.new}。"

    @property
    def what(self) -> str:
        """发明专利授权量（件数）; a column that has its own brackets follows the name:
        发明专利授权量目标完成情况（%）."""
        if not self.column:
            return self.indicator
        if "（" in self.column:
            return f"{self.indicator}{self.column}"
        return f"{self.indicator}（{self.column}）"


def snapshot(summary: Summary) -> dict[str, dict[str, str]]:
    """Every figure the circular prints, as printed: each cell of the attachment table, and
    each figure of an indicator kept out of the table (the city's own, in the text)."""
    out: dict[str, dict[str, str]] = {}
    in_table = set()
    for group in column_groups(summary):
        in_table.add(group.indicator.code)
        for column in group.columns:
            for row in summary.all_rows:
                text = format_figure(column.value(row), column.places)
                if column.partial(row):
                    text += "*"
                out[f"{row.unit.code}|{group.indicator.code}|{column.attr}"] = {
                    "unit": row.label,
                    "indicator": group.indicator.name,
                    "column": column.heading.replace("\n", ""),
                    "text": text,
                }
    for ind in summary.indicators:
        if ind.code in in_table:
            continue
        for row in summary.all_rows:
            cell = row.cells.get(ind.code)
            if cell is None or cell.expected == 0:
                continue
            out[f"{row.unit.code}|{ind.code}|value"] = {
                "unit": row.label,
                "indicator": ind.name,
                "column": "",
                "text": format_figure(cell.value, ind.decimal_places)
                + ("*" if cell.partial else ""),
            }
    return out


def changes(before: dict, after: dict) -> list[Change]:
    """The printed figures that differ, in the order the new table prints them."""
    out = []
    for key in [*after, *(k for k in before if k not in after)]:
        old, new = before.get(key), after.get(key)
        if old is not None and new is not None and old["text"] == new["text"]:
            continue
        shown = new or old
        out.append(
            Change(
                unit=shown["unit"],
                indicator=shown["indicator"],
                column=shown["column"],
                old=old["text"] if old else "—",
                new=new["text"] if new else "—",
            )
        )
    return out


def correction_letter(
    summary: Summary,
    original: Circular,
    settings: DocumentSettings,
    found: list[Change],
    *,
    number: str,
    date,
) -> Letter:
    """The 更正 notice: which circular, each changed figure (old → new), the corrected table."""
    cited = f"《{original.title}》"
    if original.number:
        cited += f"（{original.number}）"
    blocks = [
        Block("p", f"{chinese_date(original.date)}印发的{cited}中，下列数据有变动，现予更正："),
        *(Block("p", f"{i}．{c.sentence}") for i, c in enumerate(found, start=1)),
        Block("p", "更正后的附件表附后，原附件表同时作废。特此更正。"),
    ]
    return Letter(
        title=f"关于《{original.title}》的更正",
        date=date,
        blocks=blocks,
        attachment_title=f"{summary.title}（更正后）",
        issuer_mark=settings.issuer_mark,
        number=number,
        addressees=original.addressees,
        signature=original.signature,
        printer=settings.printer,
        colophon=settings.colophon,
    )
