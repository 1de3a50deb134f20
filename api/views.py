"""The REST API (/api/v1/): reads of units, periods, indicators, figures, the summary and
completeness; a unit's own report saved, submitted or corrected through the entry form's
services. Access is districts.access's, as on the pages: another unit's data is a 404, a role
without the right a 403. A token acts with its user's role and units (api.authentication)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from districts import tree
from districts.access import Do, decide, has_right, in_scope, unit_or_404, units_in_scope
from districts.models import Unit
from indicators import services
from indicators.models import Period, Report
from indicators.periods import period_or_404
from indicators.selectors import cached_summary, completeness

from . import payloads
from . import serializers as s
from .limits import Pages, error

READ_RIGHTS = (Do.ENTER, Do.PROGRESS, Do.SUMMARY)


def _errors(*codes: int) -> dict:
    return {code: s.ErrorSerializer for code in (401, 403, 429, *codes)}


def require_any(user, *actions: str) -> None:
    if not any(has_right(user, a) for a in actions):
        raise PermissionDenied("你的角色无权访问这项数据。")


def _unit(user, action: str, code: str):
    """The unit of ``code`` for ``action``, as the pages find it (403 role, 404 scope)."""
    return unit_or_404(user, action, code[:50])


def _period(code: str) -> Period:
    return period_or_404(code[:20])


def _unit_rows(units) -> list[dict]:
    """Units with their parent's code and whether they have children, in two queries."""
    units = list(units)
    parent_ids = {u.parent_id for u in units if u.parent_id}
    codes = dict(Unit.objects.filter(pk__in=parent_ids).values_list("pk", "code"))
    with_children = set(
        Unit.objects.filter(active=True, parent__in=units).values_list("parent_id", flat=True)
    )
    return [
        payloads.unit_data(u, parent_code=codes.get(u.parent_id), leaf=u.pk not in with_children)
        for u in units
    ]


def _paged(request, view, items, to_data) -> Response:
    pages = Pages()
    page = pages.paginate_queryset(items, request, view=view)
    return pages.get_paginated_response(to_data(page))


PAGE_PARAMETERS = [
    OpenApiParameter("page", int, description="页码，从 1 开始"),
    OpenApiParameter("page_size", int, description=f"每页条数，最多 {Pages.max_page_size}"),
]


class UnitList(APIView):
    @extend_schema(
        summary="本人可见的单位（树，按上级编码）",
        operation_id="units_list",
        responses={200: s.paginated(s.UnitSerializer), **_errors(404)},
        parameters=PAGE_PARAMETERS,
    )
    def get(self, request):
        require_any(request.user, *READ_RIGHTS)
        units = units_in_scope(request.user).order_by("order", "code")
        return _paged(request, self, units, _unit_rows)


class UnitDetail(APIView):
    @extend_schema(summary="一个单位", responses={200: s.UnitSerializer, **_errors(404)})
    def get(self, request, unit_code):
        require_any(request.user, *READ_RIGHTS)
        action = next(a for a in (Do.SUMMARY, Do.PROGRESS, Do.ENTER) if has_right(request.user, a))
        unit = _unit(request.user, action, unit_code)
        return Response(_unit_rows([unit])[0])


class PeriodList(APIView):
    @extend_schema(
        summary="填报期（未开放的不列）",
        operation_id="periods_list",
        responses={200: s.paginated(s.PeriodSerializer), **_errors(404)},
        parameters=PAGE_PARAMETERS,
    )
    def get(self, request):
        require_any(request.user, *READ_RIGHTS)
        periods = Period.objects.exclude(status=Period.Status.PLANNED)
        return _paged(request, self, periods, lambda page: [payloads.period_data(p) for p in page])


class IndicatorList(APIView):
    @extend_schema(
        summary="一个填报期有效的指标",
        responses={200: s.IndicatorSerializer(many=True), **_errors(404)},
    )
    def get(self, request, period_code):
        require_any(request.user, *READ_RIGHTS)
        return Response(payloads.indicators_data(_period(period_code)))


class FigureList(APIView):
    @extend_schema(
        summary="一个填报期、一个单位及其下级已报送和已审核的数值",
        responses={200: s.paginated(s.FigureSerializer), **_errors(404)},
        parameters=PAGE_PARAMETERS,
    )
    def get(self, request, period_code, unit_code):
        unit = _unit(request.user, Do.PROGRESS, unit_code)
        period = _period(period_code)
        ids = [u.pk for u in tree.descendants(unit.pk) if in_scope(request.user, u.pk)]
        figures = payloads.figures_query(period, ids)
        return _paged(request, self, figures, lambda page: [payloads.figure_data(f) for f in page])


class SummaryView(APIView):
    @extend_schema(
        summary="汇总表（与页面、Excel、通报同一来源）",
        responses={200: s.SummarySerializer, **_errors(404)},
    )
    def get(self, request, period_code, unit_code):
        unit = _unit(request.user, Do.SUMMARY, unit_code)
        return Response(payloads.summary_data(cached_summary(_period(period_code), unit)))


class CompletenessView(APIView):
    @extend_schema(
        summary="报送情况：每个填报单位的状态和统计",
        responses={200: s.CompletenessSerializer, **_errors(404)},
    )
    def get(self, request, period_code, unit_code):
        unit = _unit(request.user, Do.COMPLETENESS, unit_code)
        return Response(payloads.completeness_data(completeness(_period(period_code), unit)))


def _report_for(user, period_code, unit_code, action: str) -> Report:
    unit = _unit(user, action, unit_code)
    period = _period(period_code)
    return (
        Report.objects.select_related("unit", "period").filter(unit=unit, period=period).first()
    ) or Report(unit=unit, period=period)


def _conflict(report: Report) -> Response:
    if report.pk:
        report.refresh_from_db()
    return error(
        409,
        "本表已被他人修改（或已审核、退回），请重新读取后再提交。",
        version=report.version,
    )


class ReportView(APIView):
    @extend_schema(
        summary="本单位（或审核范围内单位）的填报表",
        responses={200: s.ReportSerializer, **_errors(404)},
    )
    def get(self, request, period_code, unit_code):
        user = request.user
        own = has_right(user, Do.ENTER) and user.profile.unit.code == unit_code
        action = Do.ENTER if own or not has_right(user, Do.REVIEW) else Do.REVIEW
        report = _report_for(user, period_code, unit_code, action)
        return Response(payloads.report_data(report, user))

    @extend_schema(
        summary="保存草稿或报送（与填报页同一服务和规则）",
        request=s.ReportWriteSerializer,
        responses={200: s.ReportSerializer, **_errors(400, 404, 409, 413, 415)},
    )
    def put(self, request, period_code, unit_code):
        data = s.ReportWriteSerializer(data=request.data)
        return _write(
            request,
            period_code,
            unit_code,
            Do.ENTER,
            data,
            lambda report: services.report_save(
                unit=report.unit,
                period=report.period,
                raw=data.raw(),
                expected_version=data.validated_data["version"],
                submit=data.validated_data["submit"],
                user=request.user,
            ),
        )


def _write(request, period_code, unit_code, action, data, save) -> Response:
    """A write through a report's service: the report found as ``action`` allows (404/403),
    the body checked, a report that cannot change now a 409 with the reason, a stale version
    a 409 with the current one, figures refused a 400 per field."""
    report = _report_for(request.user, period_code, unit_code, action)
    data.is_valid(raise_exception=True)
    decision = decide(request.user, action, report)
    if not decision.allowed and decision.status == 409:
        return error(409, decision.reason)
    try:
        report = save(report)
    except services.ConflictError as exc:
        return _conflict(exc.report)
    except services.FigureErrors as exc:
        first = next((m for ms in exc.errors.values() for m in ms), "数据有误。")
        return error(400, first, errors=exc.errors)
    return Response(payloads.report_data(report, request.user))


class CorrectionView(APIView):
    @extend_schema(
        summary="报送更正：已报送或已审核的表重新打开并以新数值报送，待上级重新审核",
        request=s.CorrectionSerializer,
        responses={200: s.ReportSerializer, **_errors(400, 404, 409, 413, 415)},
    )
    def post(self, request, period_code, unit_code):
        data = s.CorrectionSerializer(data=request.data)
        return _write(
            request,
            period_code,
            unit_code,
            Do.CORRECT,
            data,
            lambda report: services.report_correct(
                unit=report.unit,
                period=report.period,
                raw=data.raw(),
                expected_version=data.validated_data["version"],
                reason=data.validated_data["reason"],
                user=request.user,
            ),
        )
