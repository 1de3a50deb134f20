"""Spreadsheet pages: the office's 年度目标下达表 and a district's quarterly 填报模板.

An upload is read and checked, shown as a preview, and written only when confirmed. The
preview hands the confirmation a signed copy of what it checked (never the file), bound to
the person and valid for an hour; the confirmation checks it again against the database
(services.targets_set, services.report_save) before anything is written.
"""

from decimal import Decimal

from django.contrib import messages
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from audit.models import Action
from audit.services import audit_record
from districts.access import Do, decide, require_right, unit_or_404
from districts.models import Unit
from spreadsheets import reading
from zzip.numbers import FIRST_YEAR, LAST_YEAR

from . import catalog, services
from .forms_sheets import ConfirmForm, SheetUploadForm
from .models import Indicator, Report, Target
from .periods import period_or_404
from .sheets import targets as target_book
from .sheets import template as district_template

PAYLOAD_MAX_AGE = 60 * 60  # seconds between a preview and its confirmation
TARGET_SALT = "zzip.sheets.targets"
TEMPLATE_SALT = "zzip.sheets.template"
EXPIRED = "预览已超过一小时，或确认信息无效。没有保存，请重新上传文件。"


def _xlsx(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=reading.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _unsign(request, salt: str) -> dict | None:
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        return None
    try:
        data = signing.loads(form.cleaned_data["payload"], salt=salt, max_age=PAYLOAD_MAX_AGE)
    except signing.BadSignature:
        return None
    return data if data.get("user") == request.user.pk else None


def _file_name(form: SheetUploadForm) -> str:
    return form.cleaned_data["file"].name[:200]


# --- 年度目标下达表 (office) ------------------------------------------------------------------


def _year_or_404(year: int) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise Http404(f"年份应在 {FIRST_YEAR}–{LAST_YEAR} 之间。")


@require_right(Do.TARGETS)
def target_sheet_pick(request):
    year = request.GET.get("year", "")[:4]
    if year.isdigit():
        return redirect("indicators:target_sheet", year=int(year))
    latest = Target.objects.order_by("-year").values_list("year", flat=True).first()
    return redirect("indicators:target_sheet", year=latest or timezone.localdate().year)


@require_right(Do.TARGETS)
def target_sheet(request, year):
    _year_or_404(year)
    form, upload, payload = SheetUploadForm(), None, None
    if request.method == "POST":
        form = SheetUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                upload = target_book.sheet_read(form.data_bytes(), year=year)
            except reading.SheetError as exc:
                form.add_error("file", str(exc))
            else:
                if not upload.errors and upload.changes:
                    changes = [
                        {
                            "unit": c.unit.code,
                            "indicator": c.indicator.code,
                            "old": "" if c.old is None else f"{c.old:f}",
                            "new": f"{c.new:f}",
                        }
                        for c in upload.changes
                    ]
                    payload = signing.dumps(
                        {
                            "user": request.user.pk,
                            "year": year,
                            "changes": changes,
                            "file": _file_name(form),
                        },
                        salt=TARGET_SALT,
                        compress=True,
                    )
    this_year = timezone.localdate().year
    years = set(Target.objects.values_list("year", flat=True).distinct())
    years |= {year, this_year, this_year + 1}
    return render(
        request,
        "indicators/sheets/target_sheet.html",
        {
            "year": year,
            "years": sorted(years, reverse=True),
            "form": form,
            "upload": upload,
            "payload": payload,
            "stored": Target.objects.filter(year=year).count(),
            "indicators": catalog.with_targets(year),
            "max_size": reading.size_text(reading.upload_limit()),
        },
    )


@require_right(Do.TARGETS)
def target_sheet_xlsx(request, year):
    _year_or_404(year)
    empty = request.GET.get("empty") == "1"
    data = target_book.sheet_bytes(year=year, empty=empty)
    audit_record(
        actor=request.user,
        action=Action.EXPORT,
        summary=f"下载{year}年度目标下达表{'（空白）' if empty else ''}",
        detail={"kind": "target_sheet", "year": year, "empty": empty, "format": "xlsx"},
    )
    return _xlsx(data, target_book.sheet_filename(year, empty=empty))


@require_right(Do.TARGETS)
@require_POST
def target_sheet_confirm(request, year):
    _year_or_404(year)
    data = _unsign(request, TARGET_SALT)
    if data is None or data.get("year") != year:
        messages.error(request, EXPIRED)
        return redirect("indicators:target_sheet", year=year)
    units = {u.code: u for u in Unit.objects.filter(code__in={c["unit"] for c in data["changes"]})}
    indicators = {
        i.code: i
        for i in Indicator.objects.filter(code__in={c["indicator"] for c in data["changes"]})
    }
    try:
        changes = [
            services.TargetChange(
                unit=units[c["unit"]],
                indicator=indicators[c["indicator"]],
                old=Decimal(c["old"]) if c["old"] else None,
                new=c["new"],
            )
            for c in data["changes"]
        ]
    except KeyError:
        messages.error(
            request, "预览之后，表中的单位或指标已被删除。没有保存任何目标，请重新上传核对。"
        )
        return redirect("indicators:target_sheet", year=year)
    try:
        written = services.targets_set(
            actor=request.user,
            year=year,
            changes=changes,
            via="目标下达表",
            file_name=data.get("file", ""),
        )
    except services.TargetsChanged as exc:
        messages.error(
            request,
            f"预览之后，这些目标已被他人修改：{'、'.join(exc.where[:10])}。"
            "没有保存任何目标，请重新上传核对。",
        )
    except ValidationError as exc:
        messages.error(request, "没有保存：" + " ".join(exc.messages))
    else:
        messages.success(request, f"已保存 {written} 个{year}年度目标。")
    return redirect("indicators:target_sheet", year=year)


# --- 填报模板 (clerk) -------------------------------------------------------------------------


def _clerk_report(request, period_code, unit_code) -> Report:
    """The unit's report, or the one its first save would create: looking creates nothing."""
    unit = unit_or_404(request.user, Do.ENTER, unit_code)
    period = period_or_404(period_code)
    report = (
        Report.objects.select_related("unit", "period", "updated_by")
        .filter(unit=unit, period=period)
        .first()
    ) or Report(unit=unit, period=period)
    decision = decide(request.user, Do.ENTER, report)
    if report.pk is None and not decision.allowed:
        raise Http404(decision.reason)
    return report


@require_right(Do.ENTER)
def template_xlsx(request, period_code, unit_code):
    report = _clerk_report(request, period_code, unit_code)
    data = district_template.template_bytes(report)
    audit_record(
        actor=request.user,
        action=Action.EXPORT,
        unit=report.unit,
        obj=report if report.pk else None,
        summary=f"下载填报模板：{report.period.title}{report.unit.name}",
        detail={"kind": "district_template", "period": report.period.code, "format": "xlsx"},
    )
    return _xlsx(data, district_template.filename(report))


@require_right(Do.ENTER)
def template_upload(request, period_code, unit_code):
    report = _clerk_report(request, period_code, unit_code)
    blocked = decide(request.user, Do.ENTER, report).reason
    form, upload, payload = SheetUploadForm(), None, None
    if request.method == "POST" and not blocked:
        form = SheetUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                upload = district_template.template_read(form.data_bytes(), report=report)
            except reading.SheetError as exc:
                form.add_error("file", str(exc))
            else:
                if not upload.errors and upload.changed:
                    payload = signing.dumps(
                        {
                            "user": request.user.pk,
                            "unit": report.unit.code,
                            "period": report.period.code,
                            "version": report.version,
                            "raw": upload.raw,
                            "file": _file_name(form),
                        },
                        salt=TEMPLATE_SALT,
                        compress=True,
                    )
    edited_since_download = (
        upload is not None
        and upload.version_at_download is not None
        and upload.version_at_download != report.version
    )
    return render(
        request,
        "indicators/sheets/template_upload.html",
        {
            "report": report,
            "period": report.period,
            "unit": report.unit,
            "blocked": blocked,
            "form": form,
            "upload": upload,
            "payload": payload,
            "edited_since_download": edited_since_download,
            "max_size": reading.size_text(reading.upload_limit()),
        },
    )


@require_right(Do.ENTER)
@require_POST
def template_confirm(request, period_code, unit_code):
    report = _clerk_report(request, period_code, unit_code)
    data = _unsign(request, TEMPLATE_SALT)
    if (
        data is None
        or data.get("unit") != report.unit.code
        or data.get("period") != report.period.code
    ):
        messages.error(request, EXPIRED)
        return redirect("indicators:template_upload", period_code, unit_code)
    try:
        with transaction.atomic():
            saved = services.report_save(
                unit=report.unit,
                period=report.period,
                raw=data["raw"],
                expected_version=data["version"],
                submit=False,
                user=request.user,
            )
            audit_record(
                actor=request.user,
                action=Action.IMPORT,
                unit=report.unit,
                obj=saved,
                summary=f"上传填报模板：{report.period.title}{report.unit.name}，保存草稿",
                detail={
                    "kind": "district_template",
                    "period": report.period.code,
                    "version": saved.version,
                    "file": data.get("file", ""),
                },
            )
    except services.ConflictError as exc:
        who = exc.report.updated_by
        name = (who.first_name or who.username) if who else "他人"
        messages.error(
            request,
            f"预览之后，本表又被{name}于 {timezone.localtime(exc.report.updated_at):%H:%M} "
            "修改过，没有保存。请重新上传表格核对。",
        )
        return redirect("indicators:template_upload", period_code, unit_code)
    except services.FigureErrors as exc:
        reasons = [m for ms in exc.errors.values() for m in ms]
        messages.error(request, "没有保存：" + " ".join(reasons))
        return redirect("indicators:template_upload", period_code, unit_code)
    messages.success(request, "已按上传的表格保存草稿。请核对后点击「提交」，提交后进入审核。")
    return redirect("indicators:report_edit", period_code, unit_code)
