"""What a summary reads: the sets of one node for one or several periods, in a fixed handful
of queries whose cost follows the node's own subtree, never the whole tree.

The sums come from the database in one query: it starts from the node's rows in the unit
tree's closure table and walks down to their own subtree's reports, targets and leaves,
grouped by row in SQL (PostgreSQL sums numerics exactly; SQLite, which keeps decimals as
binary floats, sums integers of the smallest stored unit). The rest are small reads: the
rows' units, the periods compared with, the indicators, the words and the layout.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import Exists, OuterRef, Q

from districts.models import Population, Unit, UnitClosure, Wording

from .. import catalog
from ..models import Figure, Indicator, Period, Report, Target
from ..periods import key_of, pick, related_keys

# Figures, targets and populations keep at most four decimal places. SQLite sums them as
# integers of 0.0001, exact while every value stays below EXACT_LIMIT (a float holds 15
# significant digits); a larger value sends that sum back to Python, in Decimal.
STORED_PLACES = 4
EXACT_LIMIT = Decimal(10) ** (15 - STORED_PLACES)
POPULATION_QUANTUM = Decimal(1).scaleb(-Population._meta.get_field("value").decimal_places)


def _rows(parent: Unit, expand: str) -> list[Unit]:
    """The units of a table's rows, in the office's order: the parent's children, and beneath
    each child that is expanded (a subtotal such as 市本级, or any child with children) its
    own children."""
    children = Unit.objects.filter(parent=parent, active=True).order_by("order", "code")
    if expand == "none":
        # Which of them are leaves comes with the sums (``zz_leaf``, set by ``load``).
        for u in (children := list(children)):
            u.zz_depth, u.zz_expanded = 0, False
        return children
    children = list(children.annotate(zz_leaf=~_has_children()))
    expandable = [
        u
        for u in children
        if not u.zz_leaf
        and (expand == "all" or (expand == "subtotals" and u.kind == Unit.Kind.SUBTOTAL))
    ]
    below: dict[int, list[Unit]] = defaultdict(list)
    if expandable:
        for u in (
            Unit.objects.filter(parent__in=expandable, active=True)
            .annotate(zz_leaf=~_has_children())
            .order_by("order", "code")
        ):
            below[u.parent_id].append(u)
    rows = []
    for u in children:
        u.zz_depth, u.zz_expanded = 0, bool(below.get(u.pk))
        rows.append(u)
        for v in below.get(u.pk, []):
            v.zz_depth, v.zz_expanded = 1, False
            rows.append(v)
    return rows


def _has_children() -> Exists:
    """Whether the unit has an active child: a leaf, at the bottom of the tree, has none."""
    return Exists(Unit.objects.filter(parent=OuterRef("pk"), active=True))


def _tables() -> dict[str, str]:
    return {
        "unit": Unit._meta.db_table,
        "closure": UnitClosure._meta.db_table,
        "report": Report._meta.db_table,
        "figure": Figure._meta.db_table,
        "target": Target._meta.db_table,
        "indicator": Indicator._meta.db_table,
        "population": Population._meta.db_table,
    }


def _sets_sql(n_rows: int, n_read: int, n_years: int, n_states: int, n_holds: int) -> str:
    """One query for every set a summary sums, a row per (set, node, key): the tag says
    which set (f figures, t targets, l leaves, s report states, p populations, u the nodes
    that are leaves themselves, h holds).

    The sums walk down from the ``n_rows`` rows' units; the parent (the total row) reads
    only what is entered on itself, and ``_onto_parent`` adds its children's sums to that,
    so that no report is summed twice (a nation's would otherwise be read once for the
    nation and once for its province)."""
    t = _tables()
    ids = ", ".join(["%s"] * (n_rows + 1))
    rows = ", ".join(["%s"] * n_rows)
    own = "(c.ancestor_id = %s AND c.descendant_id = %s)"
    nodes = f"(c.ancestor_id IN ({rows}) OR {own})" if n_rows else own
    if connection.vendor == "postgresql":
        fsum, tsum, pop = "SUM(f.value)", "SUM(g.value)", "p.value"
    else:  # integers of 0.0001, exact (see EXACT_LIMIT)
        fsum = f"SUM(CAST(ROUND(f.value * {10**STORED_PLACES}) AS INTEGER))"
        tsum = f"SUM(CAST(ROUND(g.value * {10**STORED_PLACES}) AS INTEGER))"
        pop = f"CAST(ROUND(p.value * {10**STORED_PLACES}) AS INTEGER)"
    leaf = f"NOT EXISTS (SELECT 1 FROM {t['unit']} k WHERE k.parent_id = d.id AND k.active)"
    # The active units at or below each node, and whether each is a leaf. PostgreSQL walks it
    # once for every set (a CTE); SQLite, which walks a CTE again for each set of a compound
    # query, and slowly, gets it inline in each (``_sets_params`` repeats its parameters).
    subtree = f"""SELECT c.ancestor_id, c.descendant_id AS unit_id, {leaf} AS leaf
          FROM {t["closure"]} c JOIN {t["unit"]} d ON d.id = c.descendant_id AND d.active
         WHERE {nodes}"""
    cte = connection.vendor == "postgresql"
    below = "below" if cte else f"({subtree})"

    def marks(n: int) -> str:
        return ", ".join(["%s"] * n)

    parts = [
        f"""SELECT 'f', c.ancestor_id, r.period_id, i.code, {fsum}, COUNT(f.value),
                   MAX(ABS(f.value))
              FROM {below} c JOIN {t["report"]} r ON r.unit_id = c.unit_id
                   JOIN {t["figure"]} f ON f.report_id = r.id
                   JOIN {t["indicator"]} i ON i.id = f.indicator_id
             WHERE r.period_id IN ({marks(n_read)})
               AND r.state IN ({marks(len(Report.COUNTED))})
             GROUP BY c.ancestor_id, r.period_id, i.code""",
        f"""SELECT 't', c.ancestor_id, g.year, i.code, {tsum}, COUNT(g.value), MAX(ABS(g.value))
              FROM {below} c JOIN {t["target"]} g ON g.unit_id = c.unit_id
                   JOIN {t["indicator"]} i ON i.id = g.indicator_id
             WHERE g.year IN ({marks(n_years)})
             GROUP BY c.ancestor_id, g.year, i.code""",
        f"""SELECT 'l', c.ancestor_id, NULL, NULL, NULL, COUNT(*), NULL
              FROM {below} c WHERE c.leaf
             GROUP BY c.ancestor_id""",
        f"""SELECT 's', c.ancestor_id, r.period_id, r.state, NULL, COUNT(*), NULL
              FROM {below} c JOIN {t["report"]} r ON r.unit_id = c.unit_id
             WHERE c.leaf AND r.period_id IN ({marks(n_states)})
             GROUP BY c.ancestor_id, r.period_id, r.state""",
        f"""SELECT 'p', p.unit_id, p.year, p.source, {pop}, p.id, NULL
              FROM {t["population"]} p
             WHERE p.unit_id IN ({ids}) AND p.year IN ({marks(n_years)})""",
    ]
    parts.append(
        f"""SELECT 'u', c.ancestor_id, NULL, NULL, NULL, NULL, NULL
              FROM {below} c WHERE c.unit_id = c.ancestor_id AND c.leaf"""
    )
    if n_holds:
        parts.append(
            f"""SELECT 'h', c.ancestor_id, c.unit_id, NULL, NULL, NULL, NULL
                  FROM {below} c WHERE c.unit_id IN ({marks(n_holds)})"""
        )
    union = "\nUNION ALL\n".join(parts)
    return f"WITH below AS ({subtree})\n{union}" if cte else union


def _number(raw) -> Decimal | None:
    if raw is None:
        return None
    if connection.vendor == "postgresql":
        return raw
    return Decimal(raw).scaleb(-STORED_PLACES)


def _onto_parent(found: dict, parent_id: int, top: set[int]) -> None:
    """Adds the sums of the parent's children (``top``: the rows that are not listed beneath
    another) to what the parent holds itself: the total row. Keys start with the node (or
    are the node); values are counts or (sum, count)."""
    for key, value in list(found.items()):
        node, rest = (key[0], key[1:]) if isinstance(key, tuple) else (key, None)
        if node not in top:
            continue
        mine = (parent_id, *rest) if rest is not None else parent_id
        had = found.get(mine)
        if had is None:
            found[mine] = value
        elif isinstance(value, tuple):
            found[mine] = (had[0] + value[0], had[1] + value[1])
        else:
            found[mine] = had + value


def _summed_here(kind: str, node_ids, periods_or_years) -> dict:
    """Figures (``f``) or targets (``t``) summed in Python, in Decimal: SQLite's sums of a
    value too large for a float to hold exactly."""
    closure = UnitClosure.objects.filter(ancestor_id__in=node_ids, descendant__active=True)
    if kind == "f":
        rows = closure.filter(
            descendant__reports__period_id__in=periods_or_years,
            descendant__reports__state__in=Report.COUNTED,
        ).values_list(
            "ancestor_id",
            "descendant__reports__period_id",
            "descendant__reports__figures__indicator__code",
            "descendant__reports__figures__value",
        )
    else:
        rows = closure.filter(descendant__targets__year__in=periods_or_years).values_list(
            "ancestor_id",
            "descendant__targets__year",
            "descendant__targets__indicator__code",
            "descendant__targets__value",
        )
    sums: dict[tuple, Decimal] = defaultdict(Decimal)
    counts: dict[tuple, int] = defaultdict(int)
    for *key, value in rows:
        if value is not None:
            sums[tuple(key)] += value
            counts[tuple(key)] += 1
    return {k: (sums[k], counts[k]) for k in sums}


@dataclass
class SummaryData:
    """The sets summaries of one node read, for one or several periods at once."""

    parent: Unit
    units: list[Unit]  # the rows' units, in the office's order (``zz_depth``, ``zz_expanded``)
    words: tuple[str, str, str]  # first column heading, members, total row
    office_name: str
    layout: dict | None
    leaves: dict[int, int]  # row or total unit id → active reporting leaves below it
    holds: set[tuple[int, int]]  # (node id, unit id): the unit is the node or below it
    periods: dict[tuple, Period]
    live: list[Indicator]  # the indicators as they are now (none when every period is closed)
    figures: dict[tuple, tuple[Decimal, int]]  # (node, period id, code) → (sum, count)
    targets: dict[tuple, tuple[Decimal, int]]  # (node, year, code) → (sum, count)
    populations: dict[tuple[int, int], Population]  # (unit id, year) → population
    states: dict[tuple, int]  # (node, period id, state) → reporting leaves in that state

    @classmethod
    def load(
        cls, *, parent: Unit, summarized: list[Period], main: Period | None = None
    ) -> SummaryData:
        main = main or summarized[-1]
        layout = catalog.layout_for(main, parent)
        wording = Wording.current()
        units = _rows(parent, (layout or {}).get("expand", "none"))
        node_ids = [parent.pk, *(u.pk for u in units)]
        # Periods compared with, every summarized one's, in one query.
        keys = set()
        for p in summarized:
            for wanted in related_keys(p).values():
                keys.update(wanted)
        q = Q(pk__in=[])
        for f, y, n in keys:
            q |= Q(frequency=f, year=y, number=n)
        periods = {key_of(p): p for p in Period.objects.filter(q)}
        for p in summarized:
            periods[key_of(p)] = p
        # A closed period keeps its own indicators: the live ones are read only for others.
        frozen = all(p.status == Period.Status.CLOSED and p.frozen for p in summarized)
        live = [] if frozen else catalog.live_indicators()
        reporting_units = {i.reporting_unit_id for i in live if i.reporting_unit_id}
        for p in summarized:
            if p.frozen:
                reporting_units |= {
                    r["reporting_unit_id"]
                    for r in p.frozen.get("indicators", [])
                    if r.get("reporting_unit_id")
                }
        read = sorted(p.pk for p in periods.values() if p.pk) or [0]
        years = sorted({p.year for p in summarized})
        states_of = [p.pk for p in summarized if p.pk] or [0]
        holds_of = sorted(reporting_units)
        sql = _sets_sql(len(units), len(read), len(years), len(states_of), len(holds_of))
        below = [*(u.pk for u in units), parent.pk, parent.pk]
        sub = below if connection.vendor == "postgresql" else []  # once, in the CTE
        each = [] if sub else below  # in each set (see _sets_sql)
        params = [
            *sub,
            *each, *read, *Report.COUNTED,  # figures
            *each, *years,  # targets
            *each,  # leaves
            *each, *states_of,  # states
            *node_ids, *(y - 1 for y in years),  # populations
            *each,  # nodes that are leaves
        ]  # fmt: skip
        if holds_of:
            params += [*each, *holds_of]
        figures, targets, leaves, states, populations, holds = {}, {}, {}, {}, {}, set()
        leaf_nodes = set()
        too_large = set()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            for tag, node, key, text, amount, n, biggest in cursor.fetchall():
                if tag == "f" or tag == "t":
                    if biggest is not None and Decimal(biggest) >= EXACT_LIMIT:
                        too_large.add(tag)
                    (figures if tag == "f" else targets)[(node, key, text)] = (_number(amount), n)
                elif tag == "l":
                    leaves[node] = n
                elif tag == "s":
                    states[(node, key, text)] = n
                elif tag == "u":
                    leaf_nodes.add(node)
                elif tag == "p":
                    value = _number(amount).quantize(POPULATION_QUANTUM)
                    populations[(node, key)] = Population(
                        id=n, unit_id=node, year=key, value=value, source=text
                    )
                else:
                    holds.add((node, key))
        for u in units:
            u.zz_leaf = u.pk in leaf_nodes
        top = {u.pk for u in units if getattr(u, "zz_depth", 0) == 0}
        for found in (figures, targets, leaves, states):
            _onto_parent(found, parent.pk, top)
        holds |= {(parent.pk, unit) for node, unit in holds if node in top}
        if connection.vendor != "postgresql":
            if "f" in too_large:
                figures = _summed_here("f", node_ids, read)
            if "t" in too_large:
                targets = _summed_here("t", node_ids, years)
        return cls(
            parent=parent,
            units=units,
            words=wording.level(parent.kind),
            office_name=wording.office_name or wording.system_name,
            layout=layout,
            leaves=leaves,
            holds=holds,
            periods=periods,
            live=live,
            figures=figures,
            targets=targets,
            populations=populations,
            states=states,
        )

    def related(self, period: Period) -> dict[str, Period | None]:
        return pick(related_keys(period), self.periods)

    def indicators(self, period: Period) -> list[Indicator]:
        if period.status == Period.Status.CLOSED and period.frozen:
            return catalog.indicators_for(period)
        return catalog.in_force(period, self.live)
