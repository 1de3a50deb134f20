"""The unit tree: its closure table kept in step with ``Unit.parent``, and the reads that use it.

Only the unit service (districts.services.unit_save) moves units; it calls ``closure_attach``
inside its transaction. ``closure_rebuild`` recomputes the whole table from the parents (a
migration, a restore, a bulk load of a national tree) in a handful of queries.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Exists, OuterRef

from .models import Unit, UnitClosure


def closure_attach(unit: Unit) -> None:
    """Makes ``unit``'s rows (and its subtree's) match its current parent."""
    subtree = list(
        UnitClosure.objects.filter(ancestor=unit).values_list("descendant_id", "depth")
    ) or [(unit.pk, 0)]
    sub_ids = [d for d, _ in subtree]
    with transaction.atomic():
        # Cut the subtree loose from its old ancestors (keep the links inside it).
        UnitClosure.objects.filter(descendant_id__in=sub_ids).exclude(
            ancestor_id__in=sub_ids
        ).delete()
        if not UnitClosure.objects.filter(ancestor=unit, descendant=unit).exists():
            UnitClosure.objects.create(ancestor=unit, descendant=unit, depth=0)
        if unit.parent_id is None:
            return
        above = list(
            UnitClosure.objects.filter(descendant_id=unit.parent_id).values_list(
                "ancestor_id", "depth"
            )
        )
        UnitClosure.objects.bulk_create(
            UnitClosure(ancestor_id=a, descendant_id=d, depth=da + dd + 1)
            for a, da in above
            for d, dd in subtree
        )


def closure_rebuild() -> int:
    """Recomputes the whole closure table from ``Unit.parent``; returns the rows written."""
    parent_of = dict(Unit.objects.values_list("id", "parent_id"))
    rows = []
    for unit_id in parent_of:
        depth, node, seen = 0, unit_id, set()
        while node is not None and node not in seen:
            seen.add(node)
            rows.append(UnitClosure(ancestor_id=node, descendant_id=unit_id, depth=depth))
            node, depth = parent_of.get(node), depth + 1
    with transaction.atomic():
        UnitClosure.objects.all().delete()
        UnitClosure.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


def descendants(unit_id: int, *, active_only: bool = True):
    """``unit_id`` and every unit below it (a queryset)."""
    qs = Unit.objects.filter(closure_up__ancestor_id=unit_id)
    return qs.filter(active=True) if active_only else qs


def has_active_children():
    return Exists(Unit.objects.filter(parent=OuterRef("pk"), active=True))


def leaves(unit_id: int):
    """The active units below (or equal to) ``unit_id`` that have no active child: the units
    that report figures (a queryset)."""
    return descendants(unit_id).filter(~has_active_children())


def is_leaf(unit: Unit) -> bool:
    """Whether ``unit`` has no active child: it reports its figures itself. A unit loaded
    with its Subtree already knows (no query)."""
    known = unit.__dict__.get("_is_leaf")
    if known is None:
        known = unit._is_leaf = not Unit.objects.filter(parent=unit, active=True).exists()
    return known


def is_below(unit_id: int, ancestor_id: int) -> bool:
    """Whether ``unit_id`` is ``ancestor_id`` or below it."""
    return UnitClosure.objects.filter(ancestor_id=ancestor_id, descendant_id=unit_id).exists()


def root() -> Unit | None:
    """The top of the tree (there is one active unit without a parent)."""
    return Unit.objects.filter(parent__isnull=True, active=True).order_by("order", "code").first()


class Subtree:
    """A unit and every active unit below it, loaded in one query, held in memory: the
    children of each, its leaves depth first in the office's order. Its cost follows the
    subtree, not the whole tree."""

    def __init__(self, root_id: int, units: Iterable[Unit]):
        self.root_id = root_id
        self.units = {u.id: u for u in units}
        self.children: dict[int, list[Unit]] = {}
        for u in sorted(self.units.values(), key=lambda u: (u.order, u.code)):
            if u.id != root_id and u.parent_id in self.units:
                self.children.setdefault(u.parent_id, []).append(u)
        for u in self.units.values():
            u._is_leaf = u.id not in self.children

    @classmethod
    def of(cls, unit: Unit | int) -> Subtree:
        unit_id = unit.pk if isinstance(unit, Unit) else unit
        return cls(unit_id, descendants(unit_id))

    @property
    def root(self) -> Unit:
        return self.units[self.root_id]

    def is_leaf(self, unit_id: int) -> bool:
        return not self.children.get(unit_id)

    def descendants(self, unit_id: int) -> list[int]:
        """``unit_id`` and everything below it, depth first in the office's order."""
        out, stack = [], [unit_id]
        while stack:
            uid = stack.pop()
            out.append(uid)
            stack.extend(reversed([c.id for c in self.children.get(uid, [])]))
        return out

    def leaves(self, unit_id: int) -> list[int]:
        return [uid for uid in self.descendants(unit_id) if self.is_leaf(uid)]
