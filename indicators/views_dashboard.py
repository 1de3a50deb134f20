"""Dashboards and the Word circular.

The office's dashboard of a period and a parent unit, one unit's progress (a clerk's own
dashboard), and the .docx circular. Every figure comes from ``summarize`` (``trend`` is
``summarize`` for each quarter), the selector the summary table and the Excel file read.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from districts import tree
from districts.access import Do, has_right, home_unit, in_scope, require_right, unit_or_404

from . import charts
from .circular import (
    COMPLETION_PLACES,
    circular_paragraphs,
    not_reported,
    versus_benchmark,
    year_on_year,
)
from .exports.docx import circular_docx_bytes, circular_filename
from .models import Indicator, Period
from .periods import period_or_404
from .selectors import Cell, Row, Summary, cached_summary, cached_trend
from .table import RATIO_DISPLAY_PLACES, format_figure
from .views import parents_in_scope, summary_download

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _visible_periods():
    return Period.objects.exclude(status=Period.Status.PLANNED)


@login_required
def dashboard_pick(request):
    """The dashboard for the period and unit chosen (by GET, so it works without JavaScript);
    by default the latest period, and the top unit for the office or the clerk's own unit."""
    user = request.user
    if not has_right(user, Do.PROGRESS):
        raise PermissionDenied(_("你的角色无权访问此页面。"))
    code = request.GET.get("period")
    period = period_or_404(code) if code else _visible_periods().first()
    if has_right(user, Do.SUMMARY) and request.GET.get("unit"):
        unit = unit_or_404(user, Do.SUMMARY, request.GET["unit"])
    else:
        unit = home_unit(user)
    if period is None or unit is None:
        return render(request, "indicators/dashboard_empty.html")
    if not has_right(user, Do.SUMMARY) or tree.is_leaf(unit):
        return redirect("indicators:progress", period_code=period.code, unit_code=unit.code)
    return redirect("indicators:dashboard", period_code=period.code, unit_code=unit.code)


def _choice(indicators: list[Indicator], code: str | None, default: Indicator | None):
    """The indicator the reader chose, or ``default`` for a code that is not one."""
    return next((i for i in indicators if i.code == code), default)


@require_right(Do.SUMMARY)
def dashboard(request, period_code, unit_code):
    period = period_or_404(period_code)
    parent = unit_or_404(request.user, Do.SUMMARY, unit_code)
    if tree.is_leaf(parent):
        return redirect("indicators:progress", period_code=period.code, unit_code=parent.code)
    t = cached_trend(period, parent)
    # The trend holds this period's summary already: one summary feeds the whole page.
    s = t.summaries[(period.year, period.number)]

    indicators = s.indicators
    with_target = [i for i in indicators if i.is_benchmarked]
    first = (with_target or indicators or [None])[0]
    ranked_by = _choice(indicators, request.GET.get("rank"), first)
    trend_of = _choice(indicators, request.GET.get("trend"), indicators[0] if indicators else None)
    trend_row = next(
        (r for r in s.rows if r.unit.code == request.GET.get("trend_unit")),
        s.rows[0] if s.rows else None,
    )
    trend_units = [(parent.id, s.total.label)]
    if trend_row is not None:
        trend_units.append((trend_row.unit.id, trend_row.label))

    return render(
        request,
        "indicators/dashboard.html",
        {
            "summary": s,
            "headlines": _headlines(s, s.total),
            "behind": [(i, [(r, r.cells[i.code]) for r in s.behind(i.code)]) for i in with_target],
            "missing": not_reported(s),
            "paragraphs": circular_paragraphs(s),
            "completion_charts": [charts.completion_chart(s, i) for i in with_target],
            "ranking": charts.ranking_chart(s, ranked_by) if ranked_by else None,
            "ranked_by": ranked_by,
            "trend": charts.trend_chart(t, trend_of, trend_units) if trend_of else None,
            "trend_of": trend_of,
            "trend_row": trend_row,
            "periods": _visible_periods(),
            "parents": parents_in_scope(request.user),
            "links": _links(s),
        },
    )


@require_right(Do.PROGRESS)
def progress(request, period_code, unit_code):
    """One unit's progress: its figures, its rank among its siblings, its gap to 序时进度.

    A clerk sees their own unit only (another unit is a 404); no other unit's figure appears
    here, only the rank that the summary gives this one.
    """
    period = period_or_404(period_code)
    unit = unit_or_404(request.user, Do.PROGRESS, unit_code)
    # Ranked among its siblings: the parent's summary, even for a clerk who may not read it
    # (this page shows this unit's row and its rank, no other unit's figure).
    parent = unit.parent if unit.parent_id and unit.parent.active else None
    s = cached_summary(period, parent or unit)
    row = next((r for r in s.rows if r.unit.id == unit.id), s.total)
    t = cached_trend(period, unit)
    trend_of = _choice(
        s.indicators, request.GET.get("trend"), s.indicators[0] if s.indicators else None
    )
    ranked_among = {
        i.code: sum(1 for r in s.rows if r.cells[i.code].rank is not None) for i in s.indicators
    }
    user = request.user
    return render(
        request,
        "indicators/dashboard_progress.html",
        {
            "summary": s,
            "unit": unit,
            "row": row,
            "headlines": _headlines(s, row, ranked_among=ranked_among, only_own=not row.is_total),
            "progress": charts.progress_chart(s, row)
            if any(i.is_benchmarked for i in s.indicators)
            else None,
            "trend": charts.trend_chart(t, trend_of, [(unit.id, unit.label)]) if trend_of else None,
            "trend_of": trend_of,
            "periods": _visible_periods(),
            "entry_url": reverse("indicators:report_edit", args=[period.code, unit.code])
            if has_right(user, Do.ENTER) and unit.pk == home_unit(user).pk
            else None,
            "parent_url": reverse("indicators:dashboard", args=[period.code, parent.code])
            if parent is not None and has_right(user, Do.SUMMARY) and in_scope(user, parent.pk)
            else None,
        },
    )


@dataclass
class Headline:
    """One indicator of one row, in the words and places the cards print."""

    indicator: Indicator
    cell: Cell
    value: str
    target: str = ""
    completion: str = ""
    versus_benchmark: str = ""
    behind: bool = False
    net_growth: str = ""
    per_capita: str = ""
    year_on_year: str = ""
    rank: str = ""


def _headlines(
    s: Summary, row: Row, *, ranked_among: dict[str, int] | None = None, only_own: bool = False
) -> list:
    """Each indicator's figures for the headline cards (formatting only: the summary computes).
    ``only_own``: a unit's page leaves out what another unit enters for itself (a city's
    city-wide figures), which the unit never has."""
    out = []
    for i in s.indicators:
        if only_own and i.reporting_unit_id not in (None, row.unit.pk):
            continue
        c = row.cells[i.code]
        h = Headline(indicator=i, cell=c, value=format_figure(c.value, i.decimal_places))
        if i.has_target and c.target is not None:
            h.target = format_figure(c.target, i.decimal_places)
        if c.completion is not None:
            h.completion = format_figure(c.completion, COMPLETION_PLACES)
        if i.is_benchmarked and c.gap is not None:
            h.versus_benchmark = versus_benchmark(c.gap)
            h.behind = c.gap < 0
        if i.has_net_growth and c.net_growth is not None:
            sign = "+" if c.net_growth > 0 else ""
            h.net_growth = f"{sign}{format_figure(c.net_growth, i.decimal_places)}"
        if i.has_per_capita and c.per_capita is not None:
            h.per_capita = format_figure(c.per_capita, RATIO_DISPLAY_PLACES)
        if c.yoy is not None:
            h.year_on_year = year_on_year(c.yoy)
        if ranked_among is not None and c.rank is not None:
            h.rank = _("第 %(rank)s 名（共 %(count)s 个单位）") % {
                "rank": c.rank,
                "count": ranked_among[i.code],
            }
        out.append(h)
    return out


def _links(s: Summary) -> dict[str, str]:
    args = [s.period.code, s.parent.code]
    return {
        "summary": reverse("indicators:summary", args=args),
        "xlsx": reverse("indicators:summary_xlsx", args=args),
        "docx": reverse("indicators:summary_docx", args=args),
        "completeness": reverse("indicators:completeness", args=args),
    }


@require_right(Do.SUMMARY)
def summary_docx(request, period_code, unit_code):
    """The circular as a Word document (GB/T 9704): the generated text, then the attachment."""
    s = cached_summary(period_or_404(period_code), unit_or_404(request.user, Do.SUMMARY, unit_code))
    return summary_download(
        request, s, circular_docx_bytes(s), circular_filename(s), DOCX, "Word 通报"
    )
