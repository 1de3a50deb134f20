"""Reporting periods as a calendar: months, quarters and years, their codes and their titles.

Pure functions, no database. A period is (frequency, year, number): 2023Q2 is the second
quarter of 2023, 2025M07 July 2025, 2024Y the year 2024. Flows are counted from 1 January to
the period's last month; stocks are read at its end. The words follow the offices' own:
quarters 一季度 / 上半年 / 前三季度 / 全年; months 「2025年1—7月」 for a flow and
「截至2025年7月底」 for a stock.
"""

from __future__ import annotations

import calendar as _calendar
import datetime
import re

from django.db import models
from django.utils.translation import gettext_lazy as _

QUARTER_TITLES = {1: "一季度", 2: "上半年", 3: "前三季度", 4: "全年"}


class Frequency(models.TextChoices):
    MONTH = "M", _("月度")
    QUARTER = "Q", _("季度")
    YEAR = "Y", _("年度")


# How many periods a year has, and how many months each covers.
PERIODS_PER_YEAR = {Frequency.MONTH: 12, Frequency.QUARTER: 4, Frequency.YEAR: 1}
MONTHS = {Frequency.MONTH: 1, Frequency.QUARTER: 3, Frequency.YEAR: 12}
# For a comparison with the end of last year, the period of another frequency that also ends
# on 31 December serves when the same frequency has none (an office moving from quarters to
# months compares its first months with last year's 全年 figures).
YEAR_END_PREFERENCE = {
    Frequency.MONTH: (Frequency.MONTH, Frequency.QUARTER, Frequency.YEAR),
    Frequency.QUARTER: (Frequency.QUARTER, Frequency.YEAR, Frequency.MONTH),
    Frequency.YEAR: (Frequency.YEAR, Frequency.QUARTER, Frequency.MONTH),
}


# The period just before, as a form names it.
PREVIOUS_WORDS = {Frequency.QUARTER: "上季度", Frequency.MONTH: "上月", Frequency.YEAR: "上一年"}


class PeriodCodeError(ValueError):
    """A period code that is not of the form 2023Q2, 2025M07 or 2024Y; the message is for the
    user, in Chinese."""


_CODE = re.compile(r"^\s*([0-9]{4})\s*([QqMmYy])\s*([0-9]{0,2})\s*$")
# For URL patterns and help texts.
CODE_EXAMPLES = "2023Q2（2023年上半年）、2025M07（2025年1—7月）、2024Y（2024年全年）"


def last_number(frequency: str) -> int:
    return PERIODS_PER_YEAR[frequency]


def end_month(frequency: str, number: int) -> int:
    """The last month a period covers: 2023Q2 → 6, 2025M07 → 7, 2024Y → 12."""
    return number * MONTHS[frequency]


def start_month(frequency: str, number: int) -> int:
    return end_month(frequency, number) - MONTHS[frequency] + 1


def end_date(frequency: str, year: int, number: int) -> datetime.date:
    month = end_month(frequency, number)
    return datetime.date(year, month, _calendar.monthrange(year, month)[1])


def start_date(frequency: str, year: int, number: int) -> datetime.date:
    return datetime.date(year, start_month(frequency, number), 1)


def code(frequency: str, year: int, number: int) -> str:
    if frequency == Frequency.MONTH:
        return f"{year}M{number:02d}"
    if frequency == Frequency.YEAR:
        return f"{year}Y"
    return f"{year}Q{number}"


def valid_number(frequency: str, number: int) -> bool:
    return frequency in PERIODS_PER_YEAR and 1 <= number <= PERIODS_PER_YEAR[frequency]


def parse_code(text: str) -> tuple[str, int, int]:
    """``"2023Q2"`` → ``("Q", 2023, 2)``; ``"2025M07"``, ``"2024Y"`` likewise; anything else
    raises PeriodCodeError with a Chinese message."""
    text = text or ""
    match = _CODE.match(text) if len(text) <= 20 else None
    if not match:
        raise PeriodCodeError(f"填报期“{text[:20]}”格式不对，应写成如 {CODE_EXAMPLES}。")
    year, letter, digits = int(match[1]), match[2].upper(), match[3]
    frequency = Frequency(letter)
    if frequency == Frequency.YEAR:
        if digits not in ("", "1"):
            raise PeriodCodeError(f"填报期“{text[:20]}”不对：全年期写成如 2024Y。")
        return frequency, year, 1
    if not digits:
        raise PeriodCodeError(f"填报期“{text[:20]}”缺少{'月份' if letter == 'M' else '季度'}。")
    number = int(digits)
    if not valid_number(frequency, number):
        if frequency == Frequency.MONTH:
            raise PeriodCodeError(f"填报期“{text[:20]}”的月份不对：月份只能是 01–12。")
        raise PeriodCodeError(
            f"填报期“{text[:20]}”的季度不对：季度只能是 1–4"
            "（Q1 一季度、Q2 上半年、Q3 前三季度、Q4 全年）。"
        )
    return frequency, year, number


def title(frequency: str, year: int, number: int) -> str:
    """The period as the office's titles name it, for a flow (and a quarter or a year alike):
    2023年上半年, 2025年1—7月, 2024年全年."""
    if frequency == Frequency.QUARTER:
        return f"{year}年{QUARTER_TITLES[number]}"
    if frequency == Frequency.YEAR:
        return f"{year}年全年"
    return f"{year}年1月" if number == 1 else f"{year}年1—{number}月"


def stock_title(frequency: str, year: int, number: int) -> str:
    """A stock at the period's end: 截至2025年7月底 for a month; a quarter's or a year's title
    reads for both (2023年上半年)."""
    if frequency == Frequency.MONTH:
        return f"截至{year}年{number}月底"
    return title(frequency, year, number)


def short_title(frequency: str, number: int) -> str:
    """The period within its year, for a chart's axis: 上半年, 7月, 全年."""
    if frequency == Frequency.QUARTER:
        return QUARTER_TITLES[number]
    if frequency == Frequency.YEAR:
        return "全年"
    return f"{number}月"
