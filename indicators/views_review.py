"""The office's side of the workflow: review a report, follow who has reported, extend."""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from districts.access import Do, decide, has_right, require_right, unit_or_404
from zzip.numbers import chinese_date

from . import levels, services
from .models import Report
from .periods import period_or_404
from .selectors import changes_since_return, completeness, entry_lines, report_history

STEPS = {
    "sign": (Do.SIGN, "已通过本单位审核并报送"),
    "approve": (Do.APPROVE, "已审核通过"),
    "return": (Do.RETURN, "已退回"),
    "reopen": (Do.REOPEN, "已重新打开"),
}


def _review_context(report, **extra):
    return {
        "report": report,
        "period": report.period,
        "unit": report.unit,
        "lines": entry_lines(report),
        "changes": changes_since_return(report),
        "history": report_history(report),
        "is_level": levels.is_level(report.unit),
        **extra,
    }


def _step(request, report, action: str):
    reason = request.POST.get("reason", "")
    try:
        version = int(request.POST.get("version", "")[:12])
    except ValueError:
        raise ValidationError("页面已过期，请刷新后再操作。") from None
    kwargs = {"report_id": report.pk, "user": request.user, "expected_version": version}
    if action == "sign":
        return services.report_sign(**kwargs)
    if action == "approve":
        return services.report_approve(**kwargs)
    if action == "return":
        return services.report_return(reason=reason, **kwargs)
    return services.report_reopen(reason=reason, **kwargs)


@require_right(Do.REVIEW)
def review(request, period_code, unit_code):
    period = period_or_404(period_code)
    unit = unit_or_404(request.user, Do.REVIEW, unit_code)
    report = (
        Report.objects.filter(period=period, unit=unit)
        .select_related("period", "unit", "submitted_by", "reviewed_by")
        .first()
    )
    if report is None:
        return render(request, "indicators/review_missing.html", {"period": period, "unit": unit})
    errors, conflict = {}, None
    if request.method == "POST":
        action = request.POST.get("action")
        if action not in STEPS:
            errors["action"] = "未知的操作。"
        else:
            try:
                _step(request, report, action)
            except services.ConflictError as exc:
                conflict = exc.report
            except ValidationError as exc:
                errors[action] = " ".join(exc.messages)
            else:
                messages.success(request, f"{period.title}{unit.name}{STEPS[action][1]}。")
                if unit.parent is None or not has_right(request.user, Do.COMPLETENESS):
                    return redirect("indicators:home")
                return redirect(
                    "indicators:completeness", period_code=period.code, unit_code=unit.parent.code
                )
        report.refresh_from_db()
    return render(
        request,
        "indicators/review.html",
        _review_context(
            report,
            locked_because=decide(request.user, Do.REOPEN, report).reason,
            errors=errors,
            conflict=conflict,
            reason=request.POST.get("reason", "")[:5000],
        ),
    )


@require_right(Do.COMPLETENESS)
def completeness_view(request, period_code, unit_code):
    period = period_or_404(period_code)
    parent = unit_or_404(request.user, Do.COMPLETENESS, unit_code)
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
@require_right(Do.EXTEND)
def extension_grant(request, period_code, unit_code):
    period = period_or_404(period_code)
    unit = unit_or_404(request.user, Do.EXTEND, unit_code)
    errors = {}
    try:
        until = datetime.date.fromisoformat(request.POST.get("until", "")[:10])
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
    messages.success(request, f"已同意{unit.name}延期至{chinese_date(until)}。")
    return redirect("indicators:completeness", period_code=period.code, unit_code=unit.parent.code)
