"""The circular's pages: the office drafts, sees, issues and corrects; leaders download.

Short views: access through districts.access, every change through circulars.services, every
figure through ``summarize``.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from audit.models import Action
from audit.services import audit_record
from districts.access import Do, can, home_unit, require, require_right, unit_or_404
from indicators.exports.docx import document_bytes
from indicators.models import Period
from indicators.periods import period_or_404
from indicators.selectors import summarize

from . import documents, services
from .forms import BlockFormSet, CircularForm, CorrectionForm, blocks_from, initial_blocks
from .models import Circular, DocumentSettings, IssuedFile
from .pdf import why_no_pdf

CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


@require_right(Do.CIRCULAR_READ)
def index(request):
    """Every period with its circular's state, for the person's own unit."""
    unit = home_unit(request.user)
    periods = Period.objects.exclude(status=Period.Status.PLANNED).order_by(
        "-year", "-number", "frequency"
    )
    by_period = {
        c.period_id: c
        for c in Circular.objects.filter(kind=Circular.Kind.CIRCULAR, unit=unit).prefetch_related(
            "corrections"
        )
    }
    rows = [(p, by_period.get(p.pk)) for p in periods]
    return render(request, "circulars/index.html", {"unit": unit, "rows": rows})


def _page(request, period_code, unit_code):
    unit = unit_or_404(request.user, Do.CIRCULAR_READ, unit_code)
    period = period_or_404(period_code)
    summary = summarize(period, unit)
    if not summary.rows:
        raise Http404("这个单位没有下级单位，没有通报。")
    return period, unit, summary


@require_right(Do.CIRCULAR_READ)
def circular(request, period_code, unit_code):
    period, unit, summary = _page(request, period_code, unit_code)
    office = can(request.user, Do.CIRCULAR_ISSUE, unit)
    saved = services.circular_of(period, unit)
    if office:
        shown = saved or services.new_draft(period, unit, summary)
    else:  # a leader sees what was issued, never a draft
        shown = saved if saved is not None and saved.issued else None
    form = formset = None
    if request.method == "POST":
        if not office:
            raise PermissionDenied("你的角色无权修改通报。")
        form = CircularForm(request.POST)
        formset = BlockFormSet(request.POST, prefix="blocks")
        if form.is_valid() and formset.is_valid():
            try:
                services.circular_save(
                    actor=request.user,
                    period=period,
                    unit=unit,
                    addressees=form.cleaned_data["addressees"],
                    signature=form.cleaned_data["signature"],
                    date=form.cleaned_data["date"],
                    blocks=blocks_from(formset),
                    expected_version=form.cleaned_data["version"],
                )
            except ValidationError as e:
                for message in e.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, "通报草稿已保存。")
                return redirect(request.path)
    elif shown is not None and not shown.issued and office:
        form = CircularForm(
            initial={
                "addressees": shown.addressees,
                "signature": shown.signature,
                "date": shown.date,
                "version": shown.version if shown.pk else None,
            }
        )
        formset = BlockFormSet(initial=initial_blocks(shown.blocks), prefix="blocks")
    settings = DocumentSettings.current()
    codes = settings.section_codes()
    context = {
        "period": period,
        "unit": unit,
        "summary": summary,
        "circular": shown,
        "office": office,
        "form": form,
        "formset": formset,
        "settings": settings,
        "pdf_missing": why_no_pdf(),
        # Numbered by the year of its date (成文日期), as the issue will number it.
        "next_number": services.next_number_preview(
            settings,
            (shown.date if shown is not None and shown.date else timezone.localdate()).year,
        )
        if shown is None or not shown.issued
        else "",
    }
    if shown is not None:
        context["preview"] = documents.body_blocks(summary, shown.blocks, codes)
    if shown is not None and shown.issued:
        # The files' names and sizes, not their bytes.
        listed = Prefetch("files", queryset=IssuedFile.objects.defer("content"))
        context["files"] = shown.files.defer("content")
        context["changes"] = services.out_of_date(shown, summary)
        context["corrections"] = shown.corrections.order_by("id").prefetch_related(listed)
        context["correction_form"] = CorrectionForm()
    return render(request, "circulars/circular.html", context)


def _refused(request, e: ValidationError) -> None:
    for message in e.messages:
        messages.error(request, message)


@require_POST
@require_right(Do.CIRCULAR_ISSUE)
def issue(request, period_code, unit_code):
    period, unit, _summary = _page(request, period_code, unit_code)
    require(request.user, Do.CIRCULAR_ISSUE, unit)
    try:
        issued = services.circular_issue(actor=request.user, period=period, unit=unit)
    except ValidationError as e:
        _refused(request, e)
    else:
        messages.success(request, f"已印发：{issued.number}。")
    return redirect("circulars:circular", period.code, unit.code)


@require_POST
@require_right(Do.CIRCULAR_ISSUE)
def correct(request, period_code, unit_code):
    period, unit, _summary = _page(request, period_code, unit_code)
    require(request.user, Do.CIRCULAR_ISSUE, unit)
    original = services.circular_of(period, unit)
    form = CorrectionForm(request.POST)
    if original is None or not original.issued:
        messages.error(request, "本期通报尚未印发，不需要更正。")
    elif not form.is_valid():
        messages.error(request, "成文日期不对。")
    else:
        try:
            done = services.correction_issue(
                actor=request.user, circular=original, date=form.cleaned_data["date"]
            )
        except ValidationError as e:
            _refused(request, e)
        else:
            messages.success(request, f"已印发更正：{done.number}。")
    return redirect("circulars:circular", period.code, unit.code)


@require_right(Do.CIRCULAR_ISSUE)
def draft_docx(request, period_code, unit_code):
    """The draft as it would be issued now (without its number), to read in Word."""
    period, unit, summary = _page(request, period_code, unit_code)
    require(request.user, Do.CIRCULAR_ISSUE, unit)
    shown = services.circular_of(period, unit) or services.new_draft(period, unit, summary)
    if shown.issued:
        return redirect("circulars:circular", period.code, unit.code)
    shown.date = shown.date or timezone.localdate()
    settings = DocumentSettings.current()
    letter = documents.circular_letter(summary, shown, settings, number="〔印发时编号〕")
    response = HttpResponse(document_bytes(summary, letter), content_type=CONTENT_TYPES["docx"])
    filename = f"{shown.title}（草稿）.docx"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    audit_record(
        actor=request.user,
        action=Action.EXPORT,
        unit=unit,
        summary=f"下载通报草稿：{shown.title}",
        detail={"period": period.code, "unit": unit.code, "format": "docx"},
    )
    return response


@require_right(Do.CIRCULAR_READ)
def issued_file(request, file_id):
    """An issued file, byte for byte as it was issued."""
    stored = get_object_or_404(IssuedFile.objects.select_related("circular__unit"), pk=file_id)
    unit_or_404(request.user, Do.CIRCULAR_READ, stored.circular.unit.code)
    response = HttpResponse(bytes(stored.content), content_type=CONTENT_TYPES[stored.format])
    response["Content-Disposition"] = content_disposition_header(True, stored.filename)
    audit_record(
        actor=request.user,
        action=Action.EXPORT,
        unit=stored.circular.unit,
        obj=stored.circular,
        summary=f"下载印发文件：{stored.filename}",
        detail={"format": stored.format, "sha256": stored.sha256},
    )
    return response
