"""Every change of the document settings and of circulars: saved, issued, corrected.

Each service checks access itself (districts.access), runs in one transaction, locks what it
changes, validates, and writes its audit record. Issuing takes the next number of the year
under a lock on the settings row, builds the Word, Excel and (where LibreOffice is installed)
PDF files from the summary, and stores them with the figures they print; nothing changes
them afterwards. A figure of an issued period that changes later shows as a difference, and a
更正 notice lists each one and carries the corrected table, numbered and stored the same way.
"""

from __future__ import annotations

import datetime
import hashlib
import string
import unicodedata

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from audit.models import Action
from audit.services import audit_record
from districts import tree
from districts.access import Do, NotNow, require
from districts.models import Unit
from indicators.exports.docx import document_bytes
from indicators.exports.xlsx import summary_xlsx_bytes
from indicators.models import Indicator, Period
from indicators.rules import TEXT_MAX
from indicators.selectors import Summary, summarize

from . import documents
from .models import Circular, DocumentSettings, IssuedFile
from .pdf import ConversionError, docx_to_pdf

MAX_BLOCKS = 200
_FIELDS = {
    "issuer_mark": ("发文机关标志", 40),
    "number_pattern": ("发文字号格式", 60),
    "addressees": ("主送机关", 300),
    "signature": ("署名", 80),
    "printer": ("印发机关", 80),
}
NO_PATTERN = (
    "请先在管理后台「公文设置」中填写发文字号格式（如 某知战办〔{year}〕{n:02d}号），再印发。"
)


def _text_problem(label: str, value: str, longest: int) -> str | None:
    if len(value) > longest:
        return f"{label}最多 {longest} 个字，现在有 {len(value)} 个字。"
    if any(unicodedata.category(ch) in ("Cc", "Cf") and ch not in "\n" for ch in value):
        return f"{label}中有不可见的控制字符。"
    return None


def pattern_problem(pattern: str) -> str | None:
    """Why a 发文字号 pattern cannot number documents: it may name only {year} and {n} (with
    a width such as {n:02d}), and must hold {n}."""
    if not pattern:
        return None
    try:
        fields = list(string.Formatter().parse(pattern))
    except ValueError:
        return "发文字号格式中的花括号不成对。"
    names = [name for _text, name, _spec, _conv in fields if name is not None]
    for _text, name, spec, conv in fields:
        if name is None:
            continue
        if name not in ("year", "n") or conv or (spec and not _plain_width(spec)):
            return "发文字号格式只能使用 {year}（年份）和 {n}（序号，可写 {n:02d}）。"
    if "n" not in names:
        return "发文字号格式须含有 {n}（当年序号）。"
    return None


def _plain_width(spec: str) -> bool:
    digits = spec.removesuffix("d")
    return len(digits) <= 2 and digits.isdigit()


def settings_errors(**fields) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for name, (label, longest) in _FIELDS.items():
        if problem := _text_problem(label, fields.get(name) or "", longest):
            errors[name] = [problem]
    if "number_pattern" not in errors and (
        problem := pattern_problem(fields.get("number_pattern") or "")
    ):
        errors["number_pattern"] = [problem]
    return errors


def _settings_data(s: DocumentSettings) -> dict:
    if s._state.adding:
        return {}
    return {
        **{name: getattr(s, name) for name in _FIELDS},
        "colophon": s.colophon,
        "sections": s.section_codes(),
    }


def settings_save(
    *,
    actor,
    issuer_mark: str = "",
    number_pattern: str = "",
    addressees: str = "",
    signature: str = "",
    printer: str = "",
    colophon: bool = False,
    sections: dict[str, list[Indicator]] | None = None,
) -> DocumentSettings:
    """Saves the office's document settings (one row) with each section's indicators: the
    installation's, so only the office at the top of the tree sets them."""
    require(actor, Do.CIRCULAR_ISSUE, tree.root())
    values = {
        "issuer_mark": (issuer_mark or "").strip(),
        "number_pattern": (number_pattern or "").strip(),
        "addressees": (addressees or "").strip(),
        "signature": (signature or "").strip(),
        "printer": (printer or "").strip(),
    }
    errors = settings_errors(**values)
    sections = sections or {}
    chosen = [i.code for name in DocumentSettings.SECTION_FIELDS for i in sections.get(name, [])]
    twice = sorted({c for c in chosen if chosen.count(c) > 1})
    if twice:
        errors["__all__"] = [f"指标 {'、'.join(twice)} 只能归入一个部分。"]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        row = DocumentSettings.objects.select_for_update().filter(pk=1).first()
        row = row or DocumentSettings(pk=1)
        before = _settings_data(row)
        for name, value in values.items():
            setattr(row, name, value)
        row.colophon = bool(colophon)
        row.save()
        for name in DocumentSettings.SECTION_FIELDS:
            getattr(row, name).set(sections.get(name, []))
        after = _settings_data(row)
        if after != before:
            changed = sorted(k for k in after if before.get(k) != after[k])
            audit_record(
                actor=actor,
                action=Action.OTHER,
                obj=row,
                summary=f"修改公文设置（{'、'.join(changed)}）",
                detail={"before": before, "after": after},
            )
    return row


# --- Drafts -------------------------------------------------------------------------------------


def blocks_errors(blocks: list[dict]) -> list[str]:
    if len(blocks) > MAX_BLOCKS:
        return [f"正文最多 {MAX_BLOCKS} 段，现在有 {len(blocks)} 段。"]
    problems = []
    for i, block in enumerate(blocks, start=1):
        if block.get("kind") not in documents.KINDS:
            problems.append(f"第 {i} 段的类别不对。")
        elif block["kind"] == "data" and block.get("section") not in documents.SECTION_KEYS:
            problems.append(f"第 {i} 段：没有这个数据部分。")
        elif block["kind"] != "data" and not (block.get("text") or "").strip():
            problems.append(f"第 {i} 段没有文字。")
        elif problem := _text_problem(f"第 {i} 段", block.get("text") or "", TEXT_MAX):
            problems.append(problem)
    return problems


def _clean_blocks(blocks: list[dict]) -> list[dict]:
    return [
        {
            "kind": b["kind"],
            # One paragraph is one line: the office's line breaks become paragraphs' ends.
            "text": "" if b["kind"] == "data" else " ".join((b.get("text") or "").split()),
            "section": b.get("section", "") if b["kind"] == "data" else "",
        }
        for b in blocks
    ]


def new_draft(period: Period, unit: Unit, summary: Summary | None = None) -> Circular:
    """An unsaved draft with the settings' addressees and signature and the default body."""
    settings = DocumentSettings.current()
    summary = summary or summarize(period, unit)
    return Circular(
        kind=Circular.Kind.CIRCULAR,
        state=Circular.State.DRAFT,
        period=period,
        unit=unit,
        title=documents.circular_title(summary),
        addressees=settings.addressees,
        signature=settings.signature,
        blocks=documents.default_blocks(summary, settings.section_codes()),
    )


def circular_of(period: Period, unit: Unit) -> Circular | None:
    return (
        Circular.objects.filter(kind=Circular.Kind.CIRCULAR, period=period, unit=unit)
        .select_related("period", "unit")
        .first()
    )


def circular_save(
    *,
    actor,
    period: Period,
    unit: Unit,
    addressees: str,
    signature: str,
    date: datetime.date | None,
    blocks: list[dict],
    expected_version: int | None = None,
) -> Circular:
    """Saves the office's parts of a draft circular (created by its first save)."""
    require(actor, Do.CIRCULAR_ISSUE, unit)
    addressees, signature = (addressees or "").strip(), (signature or "").strip()
    errors: dict[str, list[str]] = {}
    for name, value in (("addressees", addressees), ("signature", signature)):
        label, longest = _FIELDS[name]
        if problem := _text_problem(label, value, longest):
            errors[name] = [problem]
    if problems := blocks_errors(blocks):
        errors["blocks"] = problems
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        circular = _locked(period, unit) or new_draft(period, unit)
        if circular.issued:
            raise NotNow("这份通报已印发，不能再修改；如数据有变动，请发更正。")
        if expected_version is not None and circular.pk and circular.version != expected_version:
            raise NotNow("这份通报已被他人修改，请重新打开页面后再改。")
        circular.addressees, circular.signature, circular.date = addressees, signature, date
        circular.blocks = _clean_blocks(blocks)
        circular.version = (circular.version or 0) + (1 if circular.pk else 0)
        circular.save()
        audit_record(
            actor=actor,
            action=Action.OTHER,
            unit=unit,
            obj=circular,
            summary=f"保存通报草稿：{circular.title}",
            detail={"period": period.code, "blocks": len(circular.blocks)},
        )
        return circular


def _locked(period: Period, unit: Unit) -> Circular | None:
    return (
        Circular.objects.select_for_update()
        .filter(kind=Circular.Kind.CIRCULAR, period=period, unit=unit)
        .first()
    )


# --- Issuing ------------------------------------------------------------------------------------


def _next_number(settings: DocumentSettings, year: int) -> tuple[int, str]:
    last = Circular.objects.filter(year=year).aggregate(m=Max("serial"))["m"] or 0
    return last + 1, documents.number_text(settings.number_pattern, year, last + 1)


def next_number_preview(settings: DocumentSettings, year: int) -> str:
    """The number an issue of ``year`` would take now, to show before it is taken ("" when no
    pattern is set). Taken for real only under lock, at the issue."""
    return _next_number(settings, year)[1] if settings.number_pattern else ""


def _locked_settings() -> DocumentSettings:
    settings = DocumentSettings.objects.select_for_update().filter(pk=1).first()
    if settings is None or not settings.number_pattern:
        raise NotNow(NO_PATTERN)
    return settings


def _store(circular: Circular, summary: Summary, docx: bytes, stem: str) -> None:
    files = [(IssuedFile.Format.DOCX, docx), (IssuedFile.Format.XLSX, summary_xlsx_bytes(summary))]
    try:
        files.append((IssuedFile.Format.PDF, docx_to_pdf(docx)))
        circular.pdf_note = ""
    except ConversionError as e:
        circular.pdf_note = str(e)
    for fmt, data in files:
        IssuedFile.objects.create(
            circular=circular,
            format=fmt,
            filename=f"{stem}.{fmt}",
            content=data,
            sha256=hashlib.sha256(data).hexdigest(),
            size=len(data),
        )


def _stem(title: str, number: str) -> str:
    name = f"{title}（{number}）"
    return "".join("_" if ch in '\\/:*?"<>|' else ch for ch in name)


def circular_issue(*, actor, period: Period, unit: Unit) -> Circular:
    """Issues the period's circular: its number, its files, the figures it prints."""
    require(actor, Do.CIRCULAR_ISSUE, unit)
    with transaction.atomic():
        settings = _locked_settings()
        circular = _locked(period, unit)
        summary = summarize(period, unit)
        if not summary.rows:
            raise NotNow(f"{unit.name}没有下级单位，没有通报附件表。")
        if circular is None:
            circular = new_draft(period, unit, summary)
        if circular.issued:
            raise NotNow(f"这份通报已于{circular.issued_at:%Y-%m-%d}印发（{circular.number}）。")
        circular.date = circular.date or timezone.localdate()
        circular.year = circular.date.year
        circular.serial, circular.number = _next_number(settings, circular.year)
        circular.title = documents.circular_title(summary)
        letter = documents.circular_letter(summary, circular, settings, number=circular.number)
        docx = document_bytes(summary, letter)
        circular.snapshot = documents.snapshot(summary)
        circular.state = Circular.State.ISSUED
        circular.issued_at, circular.issued_by = timezone.now(), actor
        circular.save()
        _store(circular, summary, docx, _stem(circular.title, circular.number))
        circular.save(update_fields=["pdf_note"])
        _audit_issue(actor, circular, "印发通报")
        return circular


def _audit_issue(actor, circular: Circular, verb: str) -> None:
    audit_record(
        actor=actor,
        action=Action.OTHER,
        unit=circular.unit,
        obj=circular,
        summary=f"{verb}：{circular.number} {circular.title}",
        detail={
            "period": circular.period.code,
            "number": circular.number,
            "files": dict(circular.files.values_list("format", "sha256")),
            "pdf": circular.pdf_note or "已生成",
        },
    )


def latest_issue(circular: Circular) -> Circular:
    """The issued document whose figures are in force: the last correction, else itself."""
    return circular.corrections.filter(state=Circular.State.ISSUED).order_by("-id").first() or (
        circular
    )


def out_of_date(circular: Circular, summary: Summary) -> list[documents.Change]:
    """The figures that differ now from those the circular (or its last correction) printed."""
    if not circular.issued:
        return []
    return documents.changes(latest_issue(circular).snapshot, documents.snapshot(summary))


def correction_issue(*, actor, circular: Circular, date: datetime.date | None = None) -> Circular:
    """Issues a 更正 of an issued circular: each changed figure, the corrected table."""
    require(actor, Do.CIRCULAR_ISSUE, circular.unit)
    with transaction.atomic():
        settings = _locked_settings()
        original = Circular.objects.select_for_update().get(pk=circular.pk)
        if not original.issued or original.kind != Circular.Kind.CIRCULAR:
            raise NotNow("只有已印发的通报可以更正。")
        summary = summarize(original.period, original.unit)
        found = out_of_date(original, summary)
        if not found:
            raise NotNow("印发后数据没有变动，不需要更正。")
        date = date or timezone.localdate()
        serial, number = _next_number(settings, date.year)
        letter = documents.correction_letter(
            summary, original, settings, found, number=number, date=date
        )
        correction = Circular.objects.create(
            kind=Circular.Kind.CORRECTION,
            state=Circular.State.ISSUED,
            period=original.period,
            unit=original.unit,
            corrects=original,
            title=letter.title,
            year=date.year,
            serial=serial,
            number=number,
            addressees=original.addressees,
            signature=original.signature,
            date=date,
            blocks=[{"kind": "p", "text": b.text, "section": ""} for b in letter.blocks],
            snapshot=documents.snapshot(summary),
            issued_at=timezone.now(),
            issued_by=actor,
        )
        _store(correction, summary, document_bytes(summary, letter), _stem(letter.title, number))
        correction.save(update_fields=["pdf_note"])
        _audit_issue(actor, correction, f"印发更正（{len(found)} 处）")
        return correction
