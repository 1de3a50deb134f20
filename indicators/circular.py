"""The circular's text, written from the summary: the same figures as the attachment table.

The seed's own circular says "全市发明专利授权量737件" where its table says 326 (737 is the
target). Text generated from the summary cannot make that mistake. Nothing here computes a
figure; it chooses words for the summary's numbers and prints them as the table does.

The words are the register of a Chinese official document, part of the document rather than
of the interface, so they are not marked for translation (nor is the Word file's text).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

# Ratios print as the table prints them (44.20%, 9.10件, 同比15.90%); the gap to 序时进度,
# which the table does not show, with the one place it is rounded to.
from .computations import COMPLETION_PLACES as COMPLETION_PLACES
from .computations import GAP_PLACES
from .models import Indicator
from .selectors import Row, Summary
from .table import RATIO_DISPLAY_PLACES, format_figure

LIST_SEPARATOR = "、"
CLAUSE_SEPARATOR = "，"
ITEM_SEPARATOR = "；"


def versus_benchmark(gap: Decimal) -> str:
    """低于序时进度5.8个百分点 / 高于… / 与序时进度持平."""
    if gap == 0:
        return "与序时进度持平"
    word = "低于" if gap < 0 else "高于"
    return f"{word}序时进度{format_figure(abs(gap), GAP_PLACES)}个百分点"


def year_on_year(yoy: Decimal) -> str:
    if yoy == 0:
        return "与去年同期持平"
    word = "同比增长" if yoy > 0 else "同比下降"
    return f"{word}{format_figure(abs(yoy), RATIO_DISPLAY_PLACES)}%"


def amount_text(value: Decimal, places: int) -> str:
    """An amount in a sentence: rounded as the table rounds it, without the table's trailing
    zeros (保费115万元, not 115.00万元)."""
    text = format_figure(value, places)
    return text.rstrip("0").rstrip(".") if "." in text else text


def indicator_clause(indicator: Indicator, row: Row) -> str | None:
    """One indicator of a row in the office's words, or None when nothing has been reported."""
    cell = row.cells[indicator.code]
    if cell.value is None:
        return None
    unit = indicator.unit_label
    value = amount_text(cell.value, indicator.decimal_places)
    if cell.partial:
        # Only some units have reported: a sum of those, with no ratio that would mislead.
        return f"{indicator.name}（已报送单位合计）{value}{unit}"
    parts = [f"{indicator.name}{value}{unit}"]
    if cell.yoy is not None:
        parts.append(year_on_year(cell.yoy))
    if indicator.is_benchmarked and cell.completion is not None:
        parts.append(f"完成年指导目标的{format_figure(cell.completion, RATIO_DISPLAY_PLACES)}%")
        if cell.gap is not None:
            parts.append(versus_benchmark(cell.gap))
    if indicator.has_net_growth and cell.net_growth is not None:
        growth = format_figure(abs(cell.net_growth), indicator.decimal_places)
        word = "净增长" if cell.net_growth >= 0 else "减少"
        parts.append(f"比去年年底{word}{growth}{unit}")
    if indicator.has_per_capita and cell.per_capita is not None:
        per_capita = format_figure(cell.per_capita, RATIO_DISPLAY_PLACES)
        parts.append(f"每万人口{indicator.name}{per_capita}{unit}")
    return CLAUSE_SEPARATOR.join(parts)


def figures_paragraph(
    summary: Summary, indicators: Iterable[Indicator] | None = None, *, say_none: bool = True
) -> str:
    """The total's figures of ``indicators`` (every active one by default, those kept out of
    the table as well):
    "2023年上半年，全市发明专利授权量326件，完成年指导目标的44.20%，低于序时进度5.8个百分点；…"
    With nothing reported, a sentence saying so (or "" when ``say_none`` is off).
    """
    scope = summary.total.label
    # A month's flows are 1—7月 and its stocks 截至7月底: a sentence each; a quarter's are one.
    groups: dict[str, list[str]] = {}
    for ind in summary.indicators if indicators is None else indicators:
        clause = indicator_clause(ind, summary.total)
        if clause is not None:
            groups.setdefault(summary.period.title_for(ind), []).append(clause)
    if not groups:
        return f"{summary.period.title}，{scope}尚无已报送的数据。" if say_none else ""
    return "".join(
        f"{when}，{scope}{ITEM_SEPARATOR.join(clauses)}。" for when, clauses in groups.items()
    )


def members_word(summary: Summary) -> str:
    return summary.members_word


def behind_paragraph(
    summary: Summary, indicators: Iterable[Indicator] | None = None, *, missing: bool = True
) -> str:
    """The units below 序时进度, named, for every indicator compared with it; and (unless
    ``missing`` is off) the units whose figures are not all in, so that a reader knows what
    the totals leave out."""
    members = members_word(summary)
    sentences = []
    for ind in summary.indicators if indicators is None else indicators:
        if not ind.is_benchmarked:
            continue
        behind = summary.behind(ind.code)
        if behind:
            named = LIST_SEPARATOR.join(
                f"{r.label}（{format_figure(r.cells[ind.code].completion, RATIO_DISPLAY_PLACES)}%）"
                for r in behind
            )
            sentences.append(f"{ind.name}完成年指导目标低于序时进度的有{named}")
        elif summary.rows and all(r.cells[ind.code].gap is not None for r in summary.rows):
            sentences.append(f"{members}{ind.name}完成情况均达到序时进度")
    text = ""
    if sentences:
        text = f"从{members}看，{ITEM_SEPARATOR.join(sentences)}。"
    missing = not_reported(summary) if missing else []
    if missing and len(missing) == len(summary.rows):
        text += f"截至目前，{members}均尚未报送{summary.period.title}数据。"
    elif missing:
        text += (
            f"截至目前，{LIST_SEPARATOR.join(r.label for r in missing)}尚未报送"
            f"{summary.period.title}数据，未计入上述数字。"
        )
    return text


def not_reported(summary: Summary) -> list[Row]:
    """Rows with at least one reporting unit below them whose figures do not count yet."""
    return [r for r in summary.rows if r.leaves_reported < r.leaves]


def circular_paragraphs(summary: Summary) -> list[str]:
    """The generated opening of the circular: the figures, then who is behind."""
    return [p for p in (figures_paragraph(summary), behind_paragraph(summary)) if p]


def circular_text(summary: Summary) -> str:
    """The paragraphs as one text for copying, a paragraph per line."""
    return "\n".join(circular_paragraphs(summary))


# --- The circular's sections -------------------------------------------------------------------

# The parts of the seed's circular that the data can speak to, in its order. The office says
# which indicators each section reports (circulars.DocumentSettings); the rest open the text.
SECTIONS = (
    ("creation", "知识产权创造"),
    ("protection", "知识产权保护"),
    ("use", "知识产权运用"),
    ("service", "知识产权服务"),
)
OPENING = "opening"
SECTION_NAMES = dict([(OPENING, "开头（未归入各部分的指标）"), *SECTIONS])


def section_paragraphs(summary: Summary, section: str, codes: dict[str, list[str]]) -> list[str]:
    """What the data says in one section: the figures of its indicators, then the units behind
    序时进度 for them. ``codes`` maps each section to its indicators' codes; the opening takes
    the indicators no section has, and the units that have not reported."""
    if section == OPENING:
        assigned = {c for cs in codes.values() for c in cs}
        chosen = [i for i in summary.indicators if i.code not in assigned]
        say_none = not assigned
    else:
        wanted = set(codes.get(section, []))
        chosen = [i for i in summary.indicators if i.code in wanted]
        say_none = False
    texts = [
        figures_paragraph(summary, chosen, say_none=say_none) if chosen or say_none else "",
        behind_paragraph(summary, chosen, missing=section == OPENING),
    ]
    return [t for t in texts if t]


_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """一 … 九十九, as headings number themselves (十一, 二十)."""
    if n < 10:
        return _DIGITS[n]
    tens, ones = divmod(n, 10)
    return f"{'' if tens == 1 else _DIGITS[tens]}十{_DIGITS[ones] if ones else ''}"


def heading_numbers(kinds: Iterable[str]) -> list[str]:
    """The number before each heading: 一、 for a first-level one, （一） for a second-level
    one (counted afresh under each first-level heading), "" for a paragraph."""
    first = second = 0
    out = []
    for kind in kinds:
        if kind == "h1":
            first, second = first + 1, 0
            out.append(f"{chinese_number(first)}、")
        elif kind == "h2":
            second += 1
            out.append(f"（{chinese_number(second)}）")
        else:
            out.append("")
    return out
