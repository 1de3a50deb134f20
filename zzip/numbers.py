"""Numbers and dates as people type and read them: the one parser every form, import, sheet
and API uses, and the Chinese date every message prints.

Both apps use these (a population is parsed like a figure), so they live in the project
package rather than in either app: districts must not import indicators.
"""

from __future__ import annotations

import datetime
import unicodedata
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError

# Separators a person may type inside a number: thousands commas, full-width or not.
_SEPARATORS = str.maketrans("", "", ",，_ \u3000")
# Anything at or above this is a typing mistake, not a figure (it also keeps a value well
# inside the database's 18 digits).
TOO_LARGE = Decimal("1e13")
# The longest text worth parsing: a figure has at most 13 digits and 4 places.
MAX_TEXT = 40


def normalize_text(raw: object) -> str:
    """What a person typed, as plain text: full-width digits and signs (１５０, －) become
    half-width (NFKC), surrounding blanks go."""
    text = "" if raw is None else str(raw)
    return unicodedata.normalize("NFKC", text).strip()


def parse_decimal(
    raw: object,
    *,
    what: str,
    places: int,
    unit_label: str = "",
    positive: bool = False,
    maximum: Decimal = TOO_LARGE,
) -> Decimal:
    """Turns what a person typed into a Decimal, or raises ValidationError in Chinese.

    ``what`` names the figure in messages; ``places`` is how many decimals it may have (0:
    whole numbers only). Negative numbers are refused; with ``positive`` zero is too.
    """
    text = normalize_text(raw).translate(_SEPARATORS)
    if text == "":
        raise ValidationError("请填写%(name)s。", params={"name": what}, code="required")
    if len(text) > MAX_TEXT:
        raise ValidationError(
            "“%(text)s…”不是数字，请只填阿拉伯数字。", params={"text": text[:12]}, code="invalid"
        )
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValidationError(
            "“%(text)s”不是数字，请只填阿拉伯数字。", params={"text": text}, code="invalid"
        ) from None
    if not value.is_finite():
        raise ValidationError(
            "“%(text)s”不是数字，请只填阿拉伯数字。", params={"text": text}, code="invalid"
        )
    if value < 0:
        raise ValidationError("不能为负数。", code="negative")
    if positive and value == 0:
        raise ValidationError("%(name)s必须大于 0。", params={"name": what}, code="not_positive")
    if places == 0 and value != value.to_integral_value():
        raise ValidationError(
            "%(name)s以%(unit)s计，只能填整数。",
            params={"name": what, "unit": unit_label or "整数"},
            code="fraction",
        )
    if value.as_tuple().exponent < -places:
        raise ValidationError(
            "最多保留 %(places)s 位小数。", params={"places": places}, code="places"
        )
    if value >= maximum:
        raise ValidationError("数值过大，请核对。", code="too_large")
    # 150.00 and 150 are the same figure; keep the places the indicator allows, no more.
    return value.quantize(Decimal(1).scaleb(-places)) if places else value.to_integral_value()


def chinese_date(day: datetime.date | None) -> str:
    """2023年7月15日: Arabic numerals without leading zeros, as GB/T 9704 prints a date.

    (strftime's ``%-m`` is a glibc extension; this works everywhere.)
    """
    if day is None:
        return "—"
    return f"{day.year}年{day.month}月{day.day}日"


# Years a figure, target or population may belong to.
FIRST_YEAR, LAST_YEAR = 1949, 2100


def parse_year(raw: object) -> int:
    """A four-digit year ("2023" or "2023年"), or ValidationError."""
    text = normalize_text(raw).removesuffix("年").strip()
    if text.endswith(".0"):  # a year typed into a number cell comes back as 2023.0
        text = text[:-2]
    if not text.isdigit() or not FIRST_YEAR <= int(text) <= LAST_YEAR:
        raise ValidationError(
            "年份“%(text)s”不对，应为 %(first)s–%(last)s 之间的四位数字，如 2023。",
            params={"text": normalize_text(raw), "first": FIRST_YEAR, "last": LAST_YEAR},
            code="year",
        )
    return int(text)
