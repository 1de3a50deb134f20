"""Excel's own check of an input cell, from the same rules the services enforce: whole numbers
for counts, no negative value, and a cumulative flow within its bounds (indicators.rules)."""

from __future__ import annotations

from openpyxl.worksheet.datavalidation import DataValidation

from ..models import Indicator
from ..rules import NO_BOUNDS, Bounds

# Excel refuses a validation message longer than this.
EXCEL_TEXT_MAX = 255


def _text(value) -> str:
    return f"{value.normalize():f}"


def validation_for(indicator: Indicator, *, bounds: Bounds = NO_BOUNDS) -> DataValidation:
    whole = indicator.decimal_places == 0
    kind = "整数" if whole else f"数（最多 {indicator.decimal_places} 位小数）"
    low = _text(bounds.low) if bounds.low is not None else "0"
    low_words = f"{bounds.low_title} {low}" if bounds.low is not None else f" {low}"
    if bounds.high is not None:
        high = _text(bounds.high)
        rule = f"只能填{low_words} 到{bounds.high_title} {high} 之间的{kind}"
        operator, formulas = "between", {"formula1": low, "formula2": high}
    else:
        rule = f"只能填不小于{low_words} 的{kind}"
        operator, formulas = "greaterThanOrEqual", {"formula1": low}
    why = ""
    if bounds.low is not None or bounds.high is not None:
        why = f"（{indicator.name}是自1月1日起的累计数）"
    return DataValidation(
        type="whole" if whole else "decimal",
        operator=operator,
        allow_blank=True,
        showErrorMessage=True,
        errorStyle="stop",
        errorTitle="数值不对",
        error=f"{indicator.name}（{indicator.unit_label}）{rule}。{why}"[:EXCEL_TEXT_MAX],
        showInputMessage=True,
        promptTitle=indicator.name[:32],
        prompt=(indicator.description or f"{indicator.name}，{rule}。")[:EXCEL_TEXT_MAX],
        **formulas,
    )
