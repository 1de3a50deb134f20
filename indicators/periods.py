"""Period codes as they appear in URLs and on the command line: ``2023Q2`` is 2023 上半年."""

from __future__ import annotations

import re

from django.http import Http404

from zzip.numbers import FIRST_YEAR, LAST_YEAR

from .models import QUARTER_TITLES, Period

# For a URL converter or a route regex; ``parse_period_code`` also accepts a lower-case q.
PERIOD_CODE_PATTERN = r"[0-9]{4}Q[1-4]"

_CODE = re.compile(r"^\s*([0-9]{4})\s*[Qq]\s*([0-9]+)\s*$")


class PeriodCodeError(ValueError):
    """A period code that is not of the form 2023Q2; the message is for the user, in Chinese."""


def parse_period_code(text: str) -> tuple[int, int]:
    """``"2023Q2"`` → ``(2023, 2)``; anything else raises ``PeriodCodeError``."""
    match = _CODE.match(text or "") if len(text or "") < 20 else None
    if not match:
        raise PeriodCodeError(
            f"填报期“{text}”格式不对，应写成“年份Q季度”，如 2023Q2（2023年上半年）。"
        )
    year, quarter = int(match[1]), int(match[2])
    if not 1 <= quarter <= 4:
        raise PeriodCodeError(
            f"填报期“{text}”的季度不对：季度只能是 1–4"
            "（Q1 一季度、Q2 上半年、Q3 前三季度、Q4 全年）。"
        )
    return year, quarter


def period_or_404(code: str) -> Period:
    """The period of a URL's code; a malformed or unknown code is a 404, never a 500."""
    try:
        year, quarter = parse_period_code(code)
    except PeriodCodeError as e:
        raise Http404(str(e)) from e
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise Http404(f"没有填报期 {year}Q{quarter}。")
    try:
        return Period.objects.get(year=year, quarter=quarter)
    except Period.DoesNotExist:
        raise Http404(f"没有填报期 {year}Q{quarter}。") from None


# How offices write a quarter in a spreadsheet's 季度 column.
_QUARTER_WORDS = {
    **{str(q): q for q in range(1, 5)},
    **{f"Q{q}": q for q in range(1, 5)},
    **{t: q for q, t in QUARTER_TITLES.items()},
    "二季度": 2,
    "三季度": 3,
    "四季度": 4,
    "第一季度": 1,
    "第二季度": 2,
    "第三季度": 3,
    "第四季度": 4,
}


def parse_quarter(text: str) -> int:
    """A quarter as an office writes it (2, Q2, 上半年, 第二季度) → 2, or PeriodCodeError."""
    quarter = _QUARTER_WORDS.get((text or "").strip().upper().removesuffix(".0"))
    if quarter is None:
        raise PeriodCodeError(
            f"季度“{(text or '')[:20]}”不对，应为 1–4（1 一季度、2 上半年、3 前三季度、4 全年）。"
        )
    return quarter
