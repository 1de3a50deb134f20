"""The API's reads as plain data, from the selectors the pages and files use: units and
periods, indicators in force, a period's figures, the summary (indicators.selectors.summarize)
and completeness. Decimals become strings; nothing is computed here."""

from __future__ import annotations

from decimal import Decimal

from districts.access import Do, decide
from districts.models import Unit
from indicators import catalog
from indicators.models import Figure, Indicator, Period, Report
from indicators.selectors import Completeness, Row, Summary, entry_lines


def dec(value: Decimal | None) -> str | None:
    """A decimal as a string without trailing zeros ("195", "0.5"); None stays None."""
    if value is None:
        return None
    text = f"{value.normalize():f}"
    return "0" if text in ("-0", "") else text


def unit_data(unit: Unit, *, parent_code: str | None, leaf: bool) -> dict:
    return {
        "code": unit.code,
        "name": unit.name,
        "label": unit.label,
        "kind": unit.kind,
        "parent": parent_code,
        "order": unit.order,
        "leaf": leaf,
    }


def period_data(period: Period) -> dict:
    return {
        "code": period.code,
        "title": period.title,
        "frequency": period.frequency,
        "year": period.year,
        "number": period.number,
        "status": period.status,
        "deadline": period.deadline,
    }


def indicator_data(ind: Indicator, unit_codes: dict[int, str]) -> dict:
    return {
        "code": ind.code,
        "name": ind.name,
        "unit_label": ind.unit_label,
        "kind": ind.kind,
        "decimal_places": ind.decimal_places,
        "derived": ind.is_derived,
        "formula": ind.formula or "",
        "reporting_unit": unit_codes.get(ind.reporting_unit_id),
        "in_table": ind.in_table,
    }


def _indicators(indicators: list[Indicator]) -> list[dict]:
    ids = {i.reporting_unit_id for i in indicators if i.reporting_unit_id}
    codes = dict(Unit.objects.filter(pk__in=ids).values_list("pk", "code"))
    return [indicator_data(i, codes) for i in indicators]


def indicators_data(period: Period) -> list[dict]:
    return _indicators(catalog.indicators_for(period))


def figures_query(period: Period, unit_ids):
    """The counted figures (submitted or approved reports) of ``unit_ids`` in a period, in
    the office's order."""
    return (
        Figure.objects.filter(
            report__period=period, report__unit_id__in=unit_ids, report__state__in=Report.COUNTED
        )
        .select_related("report__unit", "indicator")
        .order_by("report__unit__order", "report__unit__code", "indicator__order", "pk")
    )


def figure_data(figure: Figure) -> dict:
    return {
        "unit": figure.report.unit.code,
        "indicator": figure.indicator.code,
        "value": dec(figure.value),
        "state": figure.report.state,
    }


_CELL_FIELDS = (
    "value",
    "target",
    "completion",
    "gap",
    "last_year_end",
    "net_growth",
    "per_capita",
    "same_last_year",
    "yoy",
)


def _row(row: Row) -> dict:
    return {
        "unit": row.unit.code,
        "label": row.label,
        "is_total": row.is_total,
        "depth": row.depth,
        "status": row.status_text,
        "population": dec(row.population.value) if row.population is not None else None,
        "cells": {
            code: {
                **{name: dec(getattr(cell, name)) for name in _CELL_FIELDS},
                "rank": cell.rank,
                "partial": cell.partial,
                "target_partial": cell.target_partial,
                "expected": cell.expected,
                "reported": cell.reported,
            }
            for code, cell in row.cells.items()
        },
    }


def summary_data(s: Summary) -> dict:
    return {
        "period": s.period.code,
        "unit": s.parent.code,
        "title": s.title,
        "complete": s.complete,
        "benchmark": dec(s.benchmark),
        "population_year": s.population_year,
        "indicators": _indicators(s.indicators),
        "rows": [_row(r) for r in s.rows],
        "total": _row(s.total),
    }


def completeness_data(c: Completeness) -> dict:
    deadline = c.period.deadline
    return {
        "period": c.period.code,
        "unit": c.parent.code,
        "deadline": deadline,
        "counts": c.counts,
        "rows": [
            {
                "unit": r.unit.code,
                "name": r.unit.name,
                "state": r.state,
                "state_label": str(r.state_label),
                "submitted_at": r.report.submitted_at if r.report else None,
                "on_time": r.on_time(deadline),
                "extension_until": r.extension_until,
            }
            for r in c.rows
        ],
    }


def report_data(report: Report, user) -> dict:
    decision = decide(user, Do.ENTER, report)
    return {
        "period": report.period.code,
        "unit": report.unit.code,
        "state": report.state if report.pk else "missing",
        "version": report.version,
        "source": report.source,
        "editable": decision.allowed,
        "blocked": ""
        if decision.allowed
        else decision.reason
        if decision.status == 409
        else "不是本人单位的填报表，只能查看。",
        "return_reason": report.return_reason,
        "submitted_at": report.submitted_at,
        "reviewed_at": report.reviewed_at,
        "lines": [
            {
                "indicator": line.indicator.code,
                "name": line.indicator.name,
                "unit_label": line.indicator.unit_label,
                "value": dec(line.current),
                "explanation": line.explanation,
                "flag": line.flag,
            }
            for line in entry_lines(report)
        ],
    }
