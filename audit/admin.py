import csv
import json

from django.contrib import admin
from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header

from .models import AuditEvent
from .services import audit_record


def _safe(value) -> str:
    """Spreadsheet formula injection guard for exported text."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: nobody changes or deletes an audit record through the admin."""

    list_display = ["at", "actor_name", "action", "unit", "summary", "ip"]
    # Plain text instead of links: the auditor may read the log, not the accounts or units.
    fields = [
        "at",
        "actor_name",
        "action",
        "unit_name",
        "object_type",
        "object_id",
        "summary",
        "detail_text",
        "ip",
        "prev_hash",
        "hash",
    ]
    list_filter = ["action", "unit", ("actor", admin.RelatedOnlyFieldListFilter), "at"]
    search_fields = ["actor_name", "summary", "object_id"]
    date_hierarchy = "at"
    actions = ["export_csv"]
    list_per_page = 50

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    @admin.display(description="单位")
    def unit_name(self, obj):
        return obj.unit.name if obj.unit else "—"

    @admin.display(description="详情")
    def detail_text(self, obj):
        return json.dumps(obj.detail, ensure_ascii=False, indent=1)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="导出所选审计记录（CSV）")
    def export_csv(self, request, queryset):
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = content_disposition_header(True, "审计记录.csv")
        response.write("\ufeff")  # Excel and WPS read UTF-8 CSV only with a BOM
        writer = csv.writer(response)
        writer.writerow(
            ["时间", "操作人", "操作", "单位", "对象", "摘要", "详情", "客户端地址", "哈希"]
        )
        for e in queryset.select_related("unit"):
            writer.writerow(
                [
                    timezone.localtime(e.at).isoformat(),
                    _safe(e.actor_name),
                    e.get_action_display(),
                    _safe(e.unit.name) if e.unit else "",
                    f"{e.object_type}#{e.object_id}" if e.object_type else "",
                    _safe(e.summary),
                    _safe(json.dumps(e.detail, ensure_ascii=False)),
                    e.ip or "",
                    e.hash,
                ]
            )
        audit_record(
            actor=request.user,
            action="export",
            summary=f"导出审计记录 {queryset.count()} 条",
        )
        return response
