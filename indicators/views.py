from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header

from audit.models import Action
from audit.services import audit_record
from districts.access import (
    READ_ROLES,
    editable_unit_or_404,
    require_role,
    role_of,
    visible_unit_or_404,
)
from districts.models import Role, Unit

from . import computations as calc
from . import services
from .exports.xlsx import summary_filename, summary_xlsx_bytes
from .forms import ReportForm
from .models import Extension, Notice, Period, Report
from .periods import period_or_404
from .selectors import (
    UnitTree,
    changes_since_return,
    completeness,
    entry_lines,
    report_history,
    summarize,
)
from .table import PARTIAL_NOTE, UNIT_COLUMN_HEADING, column_groups

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
def home(request):
    role = role_of(request.user)
    periods = Period.objects.exclude(status=Period.Status.PLANNED)
    context = {"role": role, "periods": periods}
    if role == Role.CLERK:
        unit = request.user.profile.unit
        reports = {r.period_id: r for r in Report.objects.filter(unit=unit)}
        extensions = dict(Extension.objects.filter(unit=unit).values_list("period_id", "until"))
        context["entries"] = [
            (p, reports.get(p.id), extensions.get(p.id))
            for p in periods.filter(status=Period.Status.OPEN)
        ]
        context["history"] = [(p, reports[p.id]) for p in periods if p.id in reports]
        context["notices"] = Notice.objects.filter(
            user=request.user, read_at__isnull=True
        ).select_related("period")[:20]
    elif role in READ_ROLES:
        root = Unit.objects.filter(parent__isnull=True, active=True).first()
        context["root"] = root
        if role == Role.OFFICE and root is not None:
            # What waits for the office: per open period, the units reported and to review.
            tree = UnitTree.load()
            context["open_work"] = [
                completeness(p, root, tree=tree) for p in periods.filter(status=Period.Status.OPEN)
            ]
    return render(request, "indicators/home.html", context)


@require_role(Role.CLERK)
def report_edit(request, period_code, unit_code):
    unit = editable_unit_or_404(request.user, unit_code)
    period = period_or_404(period_code)
    report = (
        Report.objects.select_related("unit", "period", "updated_by")
        .filter(unit=unit, period=period)
        .first()
    )
    if report is None:
        # Nothing is created by looking: the report starts with the clerk's first save.
        try:
            if request.method == "POST":
                services.report_open(unit=unit, period=period, user=request.user)
                report = Report.objects.select_related("unit", "period").get(
                    unit=unit, period=period
                )
            else:
                services.report_can_open(unit=unit, period=period)
                report = Report(unit=unit, period=period)
        except ValidationError as exc:
            return render(
                request,
                "indicators/report_missing.html",
                {"period": period, "unit": unit, "reason": exc.messages[0]},
            )
    lines = entry_lines(report)
    blocked = services.edit_block_reason(report)
    editable = blocked is None
    conflict = None

    if request.method == "POST" and editable:
        form = ReportForm(request.POST, lines=lines)
        if form.is_valid():
            submit = request.POST.get("action") == "submit"
            try:
                services.report_save(
                    report_id=report.pk,
                    raw=form.cleaned_data,
                    expected_version=form.cleaned_data["version"],
                    submit=submit,
                    user=request.user,
                )
            except services.ConflictError as exc:
                conflict = {
                    "by": exc.report.updated_by,
                    "at": exc.report.updated_at,
                    "mine": form.cleaned_data,
                }
                report.refresh_from_db()
                lines = entry_lines(report)
                form = ReportForm(initial={"version": report.version}, lines=lines)
            except services.FigureErrors as exc:
                for code, errs in exc.errors.items():
                    for err in errs:
                        form.add_error(code or None, err)
            else:
                if submit:
                    messages.success(request, f"{period.title}{unit.name}的数据已报送市局。")
                else:
                    messages.success(request, "已保存草稿。提交前仍可修改。")
                return redirect(request.path)
    else:
        form = ReportForm(initial={"version": report.version}, lines=lines)

    return render(
        request,
        "indicators/report_form.html",
        {
            "report": report,
            "period": period,
            "unit": unit,
            "form": form,
            "editable": editable,
            "blocked": blocked,
            "conflict": conflict,
            "history": report_history(report) if report.pk else [],
            "changes": changes_since_return(report)
            if report.state == Report.State.RETURNED
            else [],
            "benchmark": calc.benchmark(period.quarter),
            "extension": Extension.objects.filter(period=period, unit=unit).first(),
        },
    )


def _summary_for(request, period_code, unit_code):
    period = period_or_404(period_code)
    unit = visible_unit_or_404(request.user, unit_code)
    return summarize(period, unit)


@require_role(*READ_ROLES)
def summary(request, period_code=None, unit_code=None):
    if period_code is None:
        # The selector form submits by GET; a person without JavaScript lands here.
        period_code = request.GET.get("period")
        unit_code = request.GET.get("unit")
        if period_code and unit_code:
            period = period_or_404(period_code)
            unit = visible_unit_or_404(request.user, unit_code)
            return redirect("indicators:summary", period_code=period.code, unit_code=unit.code)
        latest = Period.objects.exclude(status=Period.Status.PLANNED).first()
        root = Unit.objects.filter(parent__isnull=True, active=True).first()
        if latest is None or root is None:
            return render(request, "indicators/summary_empty.html")
        return redirect("indicators:summary", period_code=latest.code, unit_code=root.code)
    s = _summary_for(request, period_code, unit_code)
    parents = Unit.objects.filter(active=True, children__isnull=False).distinct()
    return render(
        request,
        "indicators/summary.html",
        {
            "summary": s,
            "groups": column_groups(s.table_indicators),
            "unit_heading": UNIT_COLUMN_HEADING,
            "partial_note": PARTIAL_NOTE,
            "periods": Period.objects.exclude(status=Period.Status.PLANNED),
            "parents": parents,
            "xlsx_url": reverse("indicators:summary_xlsx", args=[s.period.code, s.parent.code]),
        },
    )


@require_role(*READ_ROLES)
def summary_xlsx(request, period_code, unit_code):
    s = _summary_for(request, period_code, unit_code)
    return summary_download(request, s, summary_xlsx_bytes(s), summary_filename(s), XLSX, "Excel")


def summary_download(request, s, data: bytes, filename: str, content_type: str, what: str):
    """A file made from a summary (Excel table, Word circular), recorded in the audit log."""
    if not s.rows:
        raise Http404("这个单位没有下级单位，没有通报附件表。")
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    audit_record(
        actor=request.user,
        action=Action.EXPORT,
        unit=s.parent,
        summary=f"下载 {what}：{s.title}",
        detail={
            "period": s.period.code,
            "unit": s.parent.code,
            "format": filename.rsplit(".", 1)[-1],
        },
    )
    return response
