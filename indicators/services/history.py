"""Figures of past periods recorded as approved history: the office's import of earlier years
and the demo data. Safe on its own, whoever calls it: it refuses open and future periods and
any report in the clerk's workflow or approved through review (indicators.rules
.history_block_reason), rechecks under lock, keeps each cumulative flow in order, and records
its transition and every figure change.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.models import Action
from audit.services import audit_record
from districts.access import Do, require
from districts.models import Unit

from ..calendar import parse_code
from ..models import Indicator, Period, Report, Transition
from ..rules import unit_indicators
from .reports import FigureErrors, _snapshot, figures_validate, write_figures


@dataclass
class HistorySaved:
    report: Report
    report_created: bool
    added: int  # figures that were not there
    changed: int  # figures whose value changed

    @property
    def created(self) -> bool:
        """Every figure written is new (an import row of one figure: a new row)."""
        return self.added > 0 and self.changed == 0

    @property
    def unchanged(self) -> bool:
        return not self.added and not self.changed

    @property
    def obj(self):
        return self.report


def _period_for(key: tuple[str, int, int], *, actor, create: bool) -> Period:
    """The period of (frequency, year, number); one that does not exist is created closed (its
    end having passed is one of history's conditions) only when ``create``."""
    frequency, year, number = key
    period = Period.objects.filter(frequency=frequency, year=year, number=number).first()
    if period is not None or not create:
        return period or Period(
            frequency=frequency, year=year, number=number, status=Period.Status.CLOSED
        )
    from .definitions import period_create_closed

    return period_create_closed(
        actor=actor, frequency=frequency, year=year, number=number, why="导入历史数据时新建填报期"
    )


def history_record(
    *,
    actor,
    unit: Unit,
    period: str,
    values: Mapping[str, object],
    submitted_at: datetime.datetime | None = None,
    via: str = "导入",
) -> HistorySaved:
    """Records ``values`` ({indicator code: what was typed}) as the unit's approved figures of
    the past period of code ``period`` (2022Q3, 2024M11, 2023Y). Raises ValidationError
    (whole report) or FigureErrors (by indicator)."""
    require(actor, Do.HISTORY)
    key = parse_code(period)
    try:
        with transaction.atomic():
            return _record(
                actor=actor,
                unit=unit,
                key=key,
                values=values,
                submitted_at=submitted_at,
                via=via,
            )
    except IntegrityError:
        raise ValidationError(
            f"{unit.name}{period}的填报表正被他人同时修改，请稍后重试。"
        ) from None


def _record(*, actor, unit, key, values, submitted_at, via) -> HistorySaved:
    period = _period_for(key, actor=actor, create=False)
    known = {i.code: i for i in Indicator.objects.filter(code__in=list(values))}
    reported = {i.code: i for i in unit_indicators(unit, period)}
    problems = {}
    for code in sorted(values):
        if code not in known:
            problems[code] = [f"未知指标编码“{code}”。"]
        elif code not in reported:
            ind = known[code]
            problems[code] = [
                f"{unit.name}在{period.title}不填报“{ind.name}”"
                + (
                    "（该指标由其他单位填报或由公式计算）。"
                    if ind.in_force(period)
                    else "（该期没有这个指标）。"
                )
            ]
    if problems and reported:
        raise FigureErrors(problems)
    indicators = [reported[c] for c in values if c in reported]
    report = None
    if period.pk is not None:
        unit = Unit.objects.select_for_update().get(pk=unit.pk)  # serialises the first record
        report = Report.objects.select_for_update().filter(unit=unit, period=period).first()
    report = report or Report(
        unit=unit, period=period, state=Report.State.APPROVED, source=Report.Source.HISTORY
    )
    parsed = figures_validate(
        unit=unit, period=period, raw=values, indicators=indicators, require_all=True
    )
    stored = dict(report.figures.values_list("indicator__code", "value")) if report.pk else {}
    if report.pk is not None and all(stored.get(c) == v for c, v in parsed.items()):
        # What is stored already, whatever the period: an export imports back cleanly.
        return HistorySaved(report, False, 0, 0)
    require(actor, Do.HISTORY, report)
    created = report.pk is None
    if created:
        period = _period_for(key, actor=actor, create=True)
        report.period = period
        report.submitted_at = submitted_at or timezone.now()
        report.submitted_by = actor if getattr(actor, "pk", None) else None
        report.reviewed_at, report.reviewed_by = report.submitted_at, report.submitted_by
    report.version += 1
    report.updated_by = actor if getattr(actor, "pk", None) else None
    report.save()
    changes = write_figures(report=report, values=parsed, indicators=indicators, user=_user(actor))
    added = sum(1 for c in changes if c.old_value is None)
    if created:
        Transition.objects.create(
            report=report,
            from_state=Report.State.DRAFT,
            to_state=Report.State.APPROVED,
            actor=_user(actor),
            reason=f"历史数据（{via}）",
            figures=_snapshot(report),
        )
    audit_record(
        actor=actor,
        action=Action.IMPORT,
        unit=unit,
        obj=report,
        summary=f"记录历史数据（{via}）：{period.title}{unit.name} {len(changes)} 个数值（已审核）",
        detail={
            "period": period.code,
            "values": {code: v for code, v in parsed.items()},
            "created": created,
            "via": via,
        },
    )
    return HistorySaved(report, created, added, len(changes) - added)


def _user(actor):
    """The account a record names: the acting person (the command line acts through one)."""
    if getattr(actor, "pk", None) is None:
        raise ValidationError("历史数据须记在一个账号名下（命令行导入请设 ZZIP_ACTOR）。")
    return actor
