from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header

from audit.models import Action
from audit.services import audit_record
from districts import tree
from districts.access import Do, decide, has_right, home_unit, require_right, unit_or_404

from . import computations as calc
from . import levels, services
from .exports.xlsx import summary_filename, summary_xlsx_bytes
from .forms import ReportForm
from .models import Extension, Period, Report
from .periods import period_or_404
from .rules import nothing_to_report_reason
from .selectors import (
    cached_summary,
    changes_since_return,
    completeness,
    entry_lines,
    report_history,
    was_reopened,
)
from .table import column_groups, table_notes

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
def home(request):
    user = request.user
    periods = Period.objects.exclude(status=Period.Status.PLANNED)
    unit = home_unit(user)
    context = {"periods": periods, "home_unit": unit}
    if has_right(user, Do.ENTER) and unit is not None:
        reports = {r.period_id: r for r in Report.objects.filter(unit=unit)}
        extensions = dict(Extension.objects.filter(unit=unit).values_list("period_id", "until"))
        context["entries"] = [
            (p, reports.get(p.id) or Report(unit=unit, period=p), extensions.get(p.id))
            for p in periods.filter(status=Period.Status.OPEN)
            if p.id in reports or nothing_to_report_reason(unit, p) is None
        ]
        context["history"] = [(p, reports[p.id]) for p in periods if p.id in reports]
    if has_right(user, Do.SIGN) and unit is not None:
        # A unit's signer: the clerk's reports that wait for their sign-off.
        context["to_sign"] = Report.objects.filter(
            unit=unit, state=Report.State.SIGNING
        ).select_related("period", "submitted_by")
        context["signed"] = Report.objects.filter(
            unit=unit, signed_by__isnull=False
        ).select_related("period", "signed_by")[:12]
    if has_right(user, Do.COMPLETENESS) and unit is not None:
        # What waits for the office: per open period, the units reported and to review.
        subtree = tree.Subtree.of(unit)
        context["open_work"] = [
            completeness(p, unit, subtree=subtree)
            for p in periods.filter(status=Period.Status.OPEN)
        ]
    return render(request, "indicators/home.html", context)


@require_right(Do.ENTER)
def report_edit(request, period_code, unit_code):
    unit = unit_or_404(request.user, Do.ENTER, unit_code)
    period = period_or_404(period_code)
    report = (
        Report.objects.select_related("unit", "period", "updated_by", "reviewed_by")
        .filter(unit=unit, period=period)
        .first()
    ) or Report(unit=unit, period=period)
    decision = decide(request.user, Do.ENTER, report)
    if report.pk is None and not decision.allowed:
        # Nothing is created by looking: a report starts with the unit's first valid save.
        return render(
            request,
            "indicators/report_missing.html",
            {"period": period, "unit": unit, "reason": decision.reason},
        )
    lines = entry_lines(report)
    conflict = None
    if request.method == "POST" and decision.allowed:
        form = ReportForm(request.POST, lines=lines)
        if form.is_valid():
            submit = request.POST.get("action") == "submit"
            try:
                saved = services.report_save(
                    unit=unit,
                    period=period,
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
                report = exc.report
                lines = entry_lines(report)
                form = ReportForm(initial={"version": report.version}, lines=lines)
            except services.FigureErrors as exc:
                for code, errs in exc.errors.items():
                    for err in errs:
                        form.add_error(code if code in form.fields else None, err)
            else:
                if submit and saved.state == Report.State.SIGNING:
                    messages.success(request, f"{period.title}{unit.name}的数据已提交本单位审核。")
                elif submit:
                    messages.success(request, f"{period.title}{unit.name}的数据已报送。")
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
            "editable": decision.allowed,
            "blocked": decision.reason,
            "conflict": conflict,
            "history": report_history(report) if report.pk else [],
            "changes": changes_since_return(report)
            if report.state == Report.State.RETURNED
            else [],
            "benchmark": calc.benchmark(period.end_month),
            "extension": Extension.objects.filter(period=period, unit=unit).first(),
            "reviewer": levels.first_reviewer(unit, request.user),
            "reopened": was_reopened(report),
        },
    )


def summary_for(request, period_code, unit_code):
    period = period_or_404(period_code)
    unit = unit_or_404(request.user, Do.SUMMARY, unit_code)
    return cached_summary(period, unit)


def parents_in_scope(user):
    """The units with units below them that the person may summarise (the page's picker)."""
    unit = home_unit(user)
    if unit is None:
        return []
    # What the picker prints, nothing more: a national office lists thousands.
    return tree.descendants(unit.pk).filter(tree.has_active_children()).only("code", "name")


@require_right(Do.SUMMARY)
def summary(request, period_code=None, unit_code=None):
    if period_code is None:
        # The selector form submits by GET; a person without JavaScript lands here.
        period_code = request.GET.get("period")
        unit_code = request.GET.get("unit")
        if period_code and unit_code:
            period = period_or_404(period_code)
            unit = unit_or_404(request.user, Do.SUMMARY, unit_code)
            return redirect("indicators:summary", period_code=period.code, unit_code=unit.code)
        latest = Period.objects.exclude(status=Period.Status.PLANNED).first()
        root = home_unit(request.user)
        if latest is None or root is None:
            return render(request, "indicators/summary_empty.html")
        return redirect("indicators:summary", period_code=latest.code, unit_code=root.code)
    s = summary_for(request, period_code, unit_code)
    parents = parents_in_scope(request.user)
    return render(
        request,
        "indicators/summary.html",
        {
            "summary": s,
            "groups": column_groups(s),
            "unit_heading": s.unit_heading,
            "notes": table_notes(s),
            "periods": Period.objects.exclude(status=Period.Status.PLANNED),
            "parents": parents,
            "xlsx_url": reverse("indicators:summary_xlsx", args=[s.period.code, s.parent.code]),
        },
    )


@require_right(Do.SUMMARY)
def summary_xlsx(request, period_code, unit_code):
    s = summary_for(request, period_code, unit_code)
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
