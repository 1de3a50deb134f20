"""The office's side of the workflow: review a report, follow who has reported, extend."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from districts.access import OFFICE_ROLES, require_role, visible_unit_or_404

from . import services
from .models import Notice, Report
from .periods import period_or_404
from .selectors import changes_since_return, completeness, entry_lines, report_history


def _review_context(report, **extra):
    return {
        "report": report,
        "period": report.period,
        "unit": report.unit,
        "lines": entry_lines(report),
        "changes": changes_since_return(report),
        "history": report_history(report),
        **extra,
    }


@require_role(*OFFICE_ROLES)
def review(request, period_code, unit_code):
    period = period_or_404(period_code)
    unit = visible_unit_or_404(request.user, unit_code)
    report = (
        Report.objects.filter(period=period, unit=unit)
        .select_related("period", "unit", "submitted_by", "reviewed_by")
        .first()
    )
    if report is None:
        return render(request, "indicators/review_missing.html", {"period": period, "unit": unit})
    errors = {}
    if request.method == "POST":
        action = request.POST.get("action")
        reason = request.POST.get("reason", "")
        step = {
            "approve": lambda: services.report_approve(report_id=report.pk, user=request.user),
            "return": lambda: services.report_return(
                report_id=report.pk, user=request.user, reason=reason
            ),
            "reopen": lambda: services.report_reopen(
                report_id=report.pk, user=request.user, reason=reason
            ),
        }.get(action)
        if step is None:
            errors["action"] = "未知的操作。"
        else:
            try:
                step()
            except ValidationError as exc:
                errors[action] = " ".join(exc.messages)
            else:
                done = {"approve": "已审核通过", "return": "已退回", "reopen": "已重新打开"}[action]
                messages.success(request, f"{period.title}{unit.name}{done}。")
                return redirect(
                    "indicators:completeness", period_code=period.code, unit_code=unit.parent.code
                )
        report.refresh_from_db()
    return render(
        request,
        "indicators/review.html",
        _review_context(report, errors=errors, reason=request.POST.get("reason", "")),
    )


@require_role(*OFFICE_ROLES)
def completeness_view(request, period_code, unit_code):
    period = period_or_404(period_code)
    parent = visible_unit_or_404(request.user, unit_code)
    return _render_completeness(request, period, parent)


def _render_completeness(request, period, parent, *, errors=None):
    c = completeness(period, parent)
    return render(
        request,
        "indicators/completeness.html",
        {
            "c": c,
            "period": period,
            "parent": parent,
            "today": timezone.localdate(),
            "errors": errors or {},
            "default_until": max(timezone.localdate(), period.deadline or timezone.localdate())
            + datetime.timedelta(days=3),
        },
    )


@require_POST
@require_role(*OFFICE_ROLES)
def extension_grant(request, period_code, unit_code):
    period = period_or_404(period_code)
    unit = visible_unit_or_404(request.user, unit_code)
    errors = {}
    try:
        until = datetime.date.fromisoformat(request.POST.get("until", ""))
    except ValueError:
        errors = {unit.id: "请填写延期日期，格式如 2023-10-20。"}
    else:
        try:
            services.extension_grant(
                period=period,
                unit=unit,
                until=until,
                reason=request.POST.get("reason", ""),
                user=request.user,
            )
        except ValidationError as exc:
            errors = {unit.id: " ".join(exc.messages)}
    if errors:
        return _render_completeness(request, period, unit.parent, errors=errors)
    messages.success(request, f"已同意{unit.name}延期至{until:%Y年%-m月%-d日}。")
    return redirect("indicators:completeness", period_code=period.code, unit_code=unit.parent.code)


@require_POST
@login_required
def notice_read(request, notice_id):
    notice = get_object_or_404(Notice, pk=notice_id, user=request.user)
    if notice.read_at is None:
        notice.read_at = timezone.now()
        notice.save(update_fields=["read_at"])
    return redirect("indicators:home")
