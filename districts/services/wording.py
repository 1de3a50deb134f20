"""The installation's own words (Wording and its LevelWords): the system's name, the office's,
and each level's first column heading, members' word and total row. One row, written here
only, by the admin and the demo alike, audited with the words before and after."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from audit.models import Action
from audit.services import audit_record

from ..access import Do, require
from ..models import LevelWords, Unit, Wording


@dataclass(frozen=True)
class Level:
    parent_kind: str
    unit_heading: str = ""
    members: str = ""
    total_label: str = ""


_LIMITS = {
    "system_name": ("系统名称", 60),
    "office_name": ("主管部门全称", 80),
    "office_short": ("主管部门简称", 20),
}
_LEVEL_LIMIT = 20


def _text_problem(label: str, value: str, longest: int) -> str | None:
    if len(value) > longest:
        return f"{label}最多 {longest} 个字。"
    if any(unicodedata.category(ch) in ("Cc", "Cf") for ch in value):
        return f"{label}中有不可见的控制字符。"
    return None


def level_errors(level: Level) -> list[str]:
    """What is wrong with one level's words (the admin shows it beside the row)."""
    problems = []
    if level.parent_kind not in Unit.Kind.values:
        problems.append("请选择汇总单位类型。")
    for label, value in [
        ("第一列表头", level.unit_heading),
        ("下级单位统称", level.members),
        ("合计行名称", level.total_label),
    ]:
        if problem := _text_problem(label, value or "", _LEVEL_LIMIT):
            problems.append(problem)
    return problems


def wording_errors(
    *, system_name: str, office_name: str, office_short: str, levels: list[Level] | None
) -> dict[str, list[str]]:
    """Why the words cannot be saved, by field ("levels" for the levels; None: not checked)."""
    errors: dict[str, list[str]] = {}
    values = {"system_name": system_name, "office_name": office_name, "office_short": office_short}
    for field, value in values.items():
        label, longest = _LIMITS[field]
        if field != "office_name" and not (value or "").strip():
            errors[field] = [f"请填写{label}。"]
        elif problem := _text_problem(label, value or "", longest):
            errors[field] = [problem]
    if levels is not None:
        problems = [p for level in levels for p in level_errors(level)]
        kinds = [level.parent_kind for level in levels]
        for kind in sorted({k for k in kinds if kinds.count(k) > 1}):
            problems.append(f"“{Unit.Kind(kind).label}”的用语重复了：每类汇总单位只能有一行。")
        if problems:
            errors["levels"] = problems
    return errors


def _as_data(wording: Wording) -> dict:
    if wording._state.adding:
        return {}
    return {
        "system_name": wording.system_name,
        "office_name": wording.office_name,
        "office_short": wording.office_short,
        "levels": {
            row.parent_kind: [row.unit_heading, row.members, row.total_label]
            for row in wording.levels.order_by("parent_kind")
        },
    }


def wording_save(
    *, actor, system_name: str, office_name: str, office_short: str, levels: list[Level]
) -> Wording:
    """Saves the installation's words and replaces its levels' words, in one transaction."""
    require(actor, Do.REFERENCE)
    system_name, office_name, office_short = (
        (system_name or "").strip(),
        (office_name or "").strip(),
        (office_short or "").strip(),
    )
    errors = wording_errors(
        system_name=system_name, office_name=office_name, office_short=office_short, levels=levels
    )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        wording = Wording.objects.select_for_update().filter(pk=1).first() or Wording(pk=1)
        before = _as_data(wording)
        wording.system_name, wording.office_name, wording.office_short = (
            system_name,
            office_name,
            office_short,
        )
        wording.save()
        wording.levels.all().delete()
        LevelWords.objects.bulk_create(
            LevelWords(
                wording=wording,
                parent_kind=level.parent_kind,
                unit_heading=(level.unit_heading or "").strip(),
                members=(level.members or "").strip(),
                total_label=(level.total_label or "").strip(),
            )
            for level in levels
        )
        after = _as_data(wording)
        if after != before:
            changed = sorted(k for k in after if before.get(k) != after[k])
            audit_record(
                actor=actor,
                action=Action.OTHER,
                obj=wording,
                summary=f"修改系统用语（{'、'.join(changed)}）",
                detail={"before": before, "after": after},
            )
    return wording
