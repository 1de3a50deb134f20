"""Admin edits of reference data (targets, populations, indicators, units, periods, accounts)
leave an audit record with old and new values, like every other change."""

from django.db import transaction

from districts.privacy import mask_phone

from .models import Action
from .services import audit_record

_ACTIONS = {
    "indicators.target": Action.TARGET_CHANGED,
    "districts.population": Action.POPULATION_CHANGED,
    "indicators.indicator": Action.INDICATOR_CHANGED,
    "indicators.indicatorset": Action.INDICATOR_CHANGED,
    "districts.unit": Action.UNIT_CHANGED,
    "districts.wording": Action.OTHER,
    "districts.levelwords": Action.OTHER,
    "indicators.period": Action.PERIOD_CHANGED,
    "indicators.extension": Action.EXTENSION_GRANTED,
    "auth.user": Action.ACCOUNT_CHANGED,
    "districts.profile": Action.ACCOUNT_CHANGED,
}
_HIDDEN = {"password"}
# Personal data is recorded masked: the log shows that a phone number changed, not the number.
_MASKED = {"phone": mask_phone}


def _changes(form) -> dict:
    changed = {}
    for name in form.changed_data:
        if name in _HIDDEN or name.startswith("password") or name == "usable_password":
            changed[name] = {"old": "***", "new": "***"}
            continue
        old, new = form.initial.get(name), form.cleaned_data.get(name)
        if name in _MASKED:
            old, new = _MASKED[name](old), _MASKED[name](new)
        changed[name] = {"old": old, "new": new}
    return changed


def _unit_of(obj):
    unit = getattr(obj, "unit", None)
    if unit is None and obj._meta.label_lower == "districts.unit":
        unit = obj
    return unit


class AuditedAdminMixin:
    def save_model(self, request, obj, form, change):
        changed = _changes(form)
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            if change and not changed:
                return
            verb = "修改" if change else "新增"
            fields = "、".join(str(form.fields[n].label or n) for n in changed if n in form.fields)
            audit_record(
                actor=request.user,
                action=_ACTIONS.get(obj._meta.label_lower, Action.OTHER),
                unit=_unit_of(obj) if obj._meta.label_lower != "auth.user" else None,
                obj=obj,
                summary=f"{verb}{obj._meta.verbose_name}：{obj}"
                + (f"（{fields}）" if change and fields else ""),
                detail={"changed": changed, "created": not change},
            )

    def save_formset(self, request, form, formset, change):
        """Inline edits (a user's unit and role) are recorded like the main object's."""
        with transaction.atomic():
            super().save_formset(request, form, formset, change)
            for inline_form in formset.forms:
                if not inline_form.has_changed() or inline_form.instance.pk is None:
                    continue
                obj = inline_form.instance
                changed = _changes(inline_form)
                audit_record(
                    actor=request.user,
                    action=_ACTIONS.get(obj._meta.label_lower, Action.OTHER),
                    unit=_unit_of(obj),
                    obj=obj,
                    summary=f"修改{obj._meta.verbose_name}：{obj}",
                    detail={"changed": changed},
                )

    def delete_model(self, request, obj):
        with transaction.atomic():
            description = str(obj)
            unit = _unit_of(obj) if obj._meta.label_lower != "districts.unit" else None
            super().delete_model(request, obj)
            audit_record(
                actor=request.user,
                action=_ACTIONS.get(obj._meta.label_lower, Action.OTHER),
                unit=unit,
                summary=f"删除{obj._meta.verbose_name}：{description}",
                detail={"deleted": description},
            )

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)
