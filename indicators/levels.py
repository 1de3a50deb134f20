"""Who reviews whom, level by level (ReviewSettings), written once.

Without review by level, the office at the top reviews every unit's report, as a city office
reviews its districts. With it, every summarising unit below the top (a city under a
province; never a subtotal such as 市本级 or a catch-all such as 其他) is a **level**: its
office reviews the reports of the units below it up to the next level, then submits the
level's own report (its own figures, and by its submission its units' approved ones) to the
level above, which approves it or returns it with a reason. A level's report is due
``days_per_level`` days after the reports it reviews, per level.

Every answer here is read by indicators.rules (the conditions districts.access asks) and by
the selectors and services; nothing else decides who reviews a report.
"""

from __future__ import annotations

import datetime

from districts import tree
from districts.models import Unit

from .models import Period, Report, ReviewSettings


def settings_of(user=None) -> ReviewSettings:
    """The installation's review settings, read once per request (kept on the user)."""
    if user is not None and hasattr(user, "__dict__"):
        cached = user.__dict__.get("_review_settings")
        if cached is None:
            cached = user._review_settings = ReviewSettings.current()
        return cached
    return ReviewSettings.current()


def _is_level_unit(unit: Unit, *, is_leaf: bool) -> bool:
    return unit.parent_id is not None and not is_leaf and unit.kind not in Unit.UNRANKED


def is_level(unit: Unit, settings: ReviewSettings | None = None) -> bool:
    """Whether ``unit`` reviews the units below it and reports upward itself."""
    settings = settings or ReviewSettings.current()
    return settings.review_by_level and _is_level_unit(unit, is_leaf=tree.is_leaf(unit))


def _reviewees_in(subtree: tree.Subtree, top_id: int, settings: ReviewSettings) -> list[int]:
    """Units below ``top_id`` (in the office's order) whose reviewer is ``top_id``: every unit
    down to and including the next levels, none below them."""
    out: list[int] = []
    stack = list(reversed([c.id for c in subtree.children.get(top_id, [])]))
    while stack:
        uid = stack.pop()
        out.append(uid)
        unit = subtree.units[uid]
        level = settings.review_by_level and _is_level_unit(unit, is_leaf=subtree.is_leaf(uid))
        if not level:
            stack.extend(reversed([c.id for c in subtree.children.get(uid, [])]))
    return out


def reviewees(unit: Unit, *, settings: ReviewSettings | None = None, subtree=None) -> list[int]:
    """The ids of the units whose reports ``unit``'s office reviews (below it, in order)."""
    settings = settings or ReviewSettings.current()
    subtree = subtree or tree.Subtree.of(unit)
    return _reviewees_in(subtree, unit.id, settings)


def reviewed_by(user) -> frozenset[int]:
    """The units whose reports this office member reviews: below their unit, down to the next
    level (all of them without review by level). Read once per request (kept on the user)."""
    cached = user.__dict__.get("_reviewees")
    if cached is None:
        profile = user.profile
        cached = user._reviewees = frozenset(reviewees(profile.unit, settings=settings_of(user)))
    return cached


def reviewer_of(unit: Unit, settings: ReviewSettings | None = None) -> Unit | None:
    """The unit whose office reviews ``unit``'s report: its nearest ancestor that is a level,
    else the top. None for the top itself."""
    settings = settings or ReviewSettings.current()
    if unit.parent_id is None:
        return None
    ancestors = (
        Unit.objects.filter(closure_down__descendant=unit, closure_down__depth__gt=0)
        .order_by("closure_down__depth")
        .select_related(None)
    )
    chain = list(ancestors)
    if not settings.review_by_level:
        return chain[-1] if chain else None
    for ancestor in chain:
        if ancestor.parent_id is None or _is_level_unit(ancestor, is_leaf=False):
            return ancestor
    return chain[-1] if chain else None


def level_lock_reason(report: Report) -> str | None:
    """Why ``report`` may no longer change under review by level: the level that reviewed it
    has sent its own report up (submitted or approved). None otherwise."""
    settings = ReviewSettings.current()
    if not settings.review_by_level:
        return None
    reviewer = reviewer_of(report.unit, settings)
    if reviewer is None or not is_level(reviewer, settings):
        return None
    sent = Report.objects.filter(
        unit=reviewer, period=report.period, state__in=Report.COUNTED
    ).first()
    if sent is None:
        return None
    return (
        f"{reviewer.name}{report.period.title}的汇总表{sent.get_state_display()}（已报送上级），"
        "下级的表不能再审核、退回、重新打开或更正；如需修改，请上级先退回本级汇总表。"
    )


def height(unit: Unit, settings: ReviewSettings | None = None) -> int:
    """How many levels of review sit between ``unit``'s report and the units at the bottom:
    0 for a unit that is not a level, 1 for a city reviewing its districts, 2 for a level
    above such cities."""
    settings = settings or ReviewSettings.current()
    if not is_level(unit, settings):
        return 0
    subtree = tree.Subtree.of(unit)

    def h(uid: int) -> int:
        below = [
            h(r)
            for r in _reviewees_in(subtree, uid, settings)
            if _is_level_unit(subtree.units[r], is_leaf=subtree.is_leaf(r))
        ]
        return 1 + max(below, default=0)

    return h(unit.id)


def deadline_of(unit: Unit, period: Period, settings: ReviewSettings | None = None):
    """The date ``unit``'s report of ``period`` is due: the period's deadline, and for a level
    ``days_per_level`` days later per level of review below it."""
    if period.deadline is None:
        return None
    settings = settings or ReviewSettings.current()
    levels = height(unit, settings) if settings.review_by_level else 0
    return period.deadline + datetime.timedelta(days=settings.days_per_level * levels)


def unapproved_below(unit: Unit, period: Period, *, lock: bool = False) -> list[Unit]:
    """The units ``unit`` reviews whose report of ``period`` is not approved yet (those with
    a report to make: the units at the bottom, the levels, any that reports figures itself).

    With ``lock`` (a level's submission), their reports are locked until the transaction
    ends: an approval, return or correction below in flight finishes first and is seen, and
    none can start until the level's report is sent (then its lock refuses them)."""
    from .rules import nothing_to_report_reason

    settings = ReviewSettings.current()
    subtree = tree.Subtree.of(unit)
    ids = reviewees(unit, settings=settings, subtree=subtree)
    reports = Report.objects.filter(period=period, unit_id__in=ids)
    if lock:
        reports = reports.select_for_update()
    approved = {
        unit_id
        for unit_id, state in reports.values_list("unit_id", "state")
        if state == Report.State.APPROVED
    }
    out = []
    for uid in ids:
        if uid in approved:
            continue
        member = subtree.units[uid]
        if nothing_to_report_reason(member, period) is None:
            out.append(member)
    return out


def first_reviewer(unit: Unit, user) -> str:
    """Who first sees what this person submits for ``unit``, as the entry form names it: the
    unit's own signer (for a clerk, where signing off is on), the level above, or the office
    ("" for the office's short name). ``user`` None: whoever reviews it after any sign-off."""
    from districts.access import role_of
    from districts.models import Role

    settings = settings_of(user)
    if user is not None and settings.unit_signoff and role_of(user) == Role.CLERK:
        return str(Role.SIGNER.label)
    if settings.review_by_level:
        reviewer = reviewer_of(unit, settings)
        return reviewer.name if reviewer else ""
    return ""
