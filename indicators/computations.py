"""The official computations, as plain functions over Decimals (DOMAIN.md, "Computations").

Every result is rounded half-up; nothing here touches the database or a float. A missing
input (no target, no population, no figure last year) gives ``None``, never a guess; a zero
denominator gives ``None`` too, since the ratio is undefined rather than zero.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import TypeVar

HUNDRED = Decimal(100)

# The seed rounds completion to one decimal and prints it with two places (53.06 → 53.10);
# per-10,000 and year-on-year are rounded to two places.
COMPLETION_PLACES = 1
PER_CAPITA_PLACES = 2
YOY_PLACES = 2
GAP_PLACES = 1

MONTHS_IN_YEAR = 12


def round_half_up(value: Decimal | None, places: int) -> Decimal | None:
    if value is None:
        return None
    if not isinstance(value, Decimal):
        raise TypeError(f"expected Decimal, got {type(value).__name__}")
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _ratio(numerator: Decimal | None, denominator: Decimal | None) -> Decimal | None:
    if numerator is None or denominator is None or denominator == 0:
        return None
    return numerator / denominator


def completion(value: Decimal | None, target: Decimal | None) -> Decimal | None:
    """目标完成情况（%）: cumulative value ÷ annual target × 100, one decimal, half-up."""
    r = _ratio(value, target)
    return None if r is None else round_half_up(r * HUNDRED, COMPLETION_PLACES)


def net_growth(value: Decimal | None, last_year_end: Decimal | None) -> Decimal | None:
    """比去年年底净增长: value at the quarter's end − value at the end of last year."""
    if value is None or last_year_end is None:
        return None
    return value - last_year_end


def per_capita(value: Decimal | None, population: Decimal | None) -> Decimal | None:
    """万人比: value ÷ resident population in 万人, two places, half-up."""
    return round_half_up(_ratio(value, population), PER_CAPITA_PLACES)


def year_on_year(value: Decimal | None, last_year: Decimal | None) -> Decimal | None:
    """同比（%）: (value − same quarter last year) ÷ same quarter last year × 100."""
    if value is None:
        return None
    r = _ratio(value - last_year if last_year is not None else None, last_year)
    return None if r is None else round_half_up(r * HUNDRED, YOY_PLACES)


def benchmark(end_month: int) -> Decimal:
    """序时进度 in percent: the share of the year elapsed at the end of month ``end_month``
    (a quarter's last month: Q1 25, H1 50, Q3 75, the year 100; July 58.33…)."""
    if not 1 <= end_month <= MONTHS_IN_YEAR:
        raise ValueError(f"end_month must be 1–12, not {end_month!r}")
    return Decimal(end_month) * HUNDRED / MONTHS_IN_YEAR


def benchmark_gap(completion_pct: Decimal | None, end_month: int) -> Decimal | None:
    """Percentage points above (+) or below (−) 序时进度."""
    if completion_pct is None:
        return None
    return round_half_up(completion_pct - benchmark(end_month), GAP_PLACES)


K = TypeVar("K")


def rank(measures: Mapping[K, Decimal | None]) -> dict[K, int | None]:
    """Standard competition ranking, descending: ties share a rank (1, 1, 3); None is unranked."""
    ranked: dict[K, int | None] = {key: None for key, m in measures.items() if m is None}
    ordered = sorted(
        ((m, key) for key, m in measures.items() if m is not None), key=lambda p: -p[0]
    )
    previous: Decimal | None = None
    current = 0
    for position, (m, key) in enumerate(ordered, start=1):
        if m != previous:
            current = position
            previous = m
        ranked[key] = current
    return ranked


def sum_known(values: Iterable[Decimal | None]) -> Decimal | None:
    """Sum of the values that exist; None when none does (nothing reported is not zero)."""
    known = [v for v in values if v is not None]
    return sum(known, Decimal(0)) if known else None


@dataclass
class Node:
    """A unit in the roll-up tree; ``own`` holds the figures reported on the unit itself."""

    key: object
    children: list[Node] = field(default_factory=list)
    own: dict[str, Decimal | None] = field(default_factory=dict)


def roll_up(node: Node, keys: Sequence[str]) -> dict[object, dict[str, Decimal | None]]:
    """Totals of every node in the tree: a leaf's own figures, a parent's the sum of its children's.

    Ratios are not rolled up: callers recompute them from these sums and the parent's own
    population and target (never an average of children's ratios).
    """
    totals: dict[object, dict[str, Decimal | None]] = {}

    def visit(n: Node) -> dict[str, Decimal | None]:
        if not n.children:
            result = {k: n.own.get(k) for k in keys}
        else:
            child_totals = [visit(c) for c in n.children]
            result = {k: sum_known(ct[k] for ct in child_totals) for k in keys}
        totals[n.key] = result
        return result

    visit(node)
    return totals


def build_tree(
    root_key: K, parent_of: Mapping[K, K | None], order: Callable[[K], object] | None = None
) -> Node:
    """Builds the Node tree under ``root_key`` from a child → parent mapping, in ``order``."""
    children: dict[K, list[K]] = {}
    for key, parent in parent_of.items():
        if parent is not None:
            children.setdefault(parent, []).append(key)

    def make(key: K) -> Node:
        kids = children.get(key, [])
        if order is not None:
            kids = sorted(kids, key=order)
        return Node(key=key, children=[make(k) for k in kids])

    return make(root_key)
