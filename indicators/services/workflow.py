"""The installation's review settings (ReviewSettings): one row, written here only, by the
admin, the demo and the tests alike, checked and audited with the settings before and after."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from audit.models import Action
from audit.services import audit_record
from districts import tree
from districts.access import Do, require

from ..models import Report, ReviewSettings

DAYS_MAX = 60


def _shown(settings: ReviewSettings) -> dict:
    return {
        "unit_signoff": settings.unit_signoff,
        "review_by_level": settings.review_by_level,
        "days_per_level": settings.days_per_level,
    }


def review_settings_errors(*, days_per_level) -> dict[str, list[str]]:
    if not isinstance(days_per_level, int) or not 0 <= days_per_level <= DAYS_MAX:
        return {"days_per_level": [f"每级汇总报送期限应是 0 到 {DAYS_MAX} 之间的整数（天）。"]}
    return {}


def review_settings_save(
    *, actor, unit_signoff: bool, review_by_level: bool, days_per_level: int
) -> ReviewSettings:
    """Saves how reports are reviewed. Refused while reports wait in a step that would
    disappear (a sign-off turned off with reports waiting for it), so nothing is stranded."""
    # The installation's settings: the office at the top of the tree sets them, not an
    # office of a level below it.
    require(actor, Do.REFERENCE, tree.root())
    errors = review_settings_errors(days_per_level=days_per_level)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        existed = ReviewSettings.objects.filter(pk=1).exists()
        # The row exists before it is locked, so two first saves at once cannot both insert.
        ReviewSettings.objects.get_or_create(pk=1)
        settings = ReviewSettings.objects.select_for_update().get(pk=1)
        before = _shown(settings) if existed else None
        waiting = Report.objects.filter(state=Report.State.SIGNING).count()
        if settings.unit_signoff and not unit_signoff and waiting:
            raise ValidationError(
                {
                    "unit_signoff": [
                        f"还有 {waiting} 张表在等待本单位审核，关闭前请先由单位审核人处理完。"
                    ]
                }
            )
        settings.unit_signoff = bool(unit_signoff)
        settings.review_by_level = bool(review_by_level)
        settings.days_per_level = days_per_level
        after = _shown(settings)
        if after == before:
            return settings
        settings.save()
        words = (
            f"本单位审核{'开启' if settings.unit_signoff else '关闭'}，"
            f"逐级审核{'开启' if settings.review_by_level else '关闭'}"
            f"（每级 {settings.days_per_level} 天）"
        )
        audit_record(
            actor=actor,
            action=Action.OTHER,
            obj=settings,
            summary=f"修改审核流程：{words}",
            detail={"before": before, "after": after},
        )
        return settings
