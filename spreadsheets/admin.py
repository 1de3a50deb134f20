"""django-import-export in the admin: the upload form, where uploads wait for their
confirmation, and the mixin every office list with 导入 / 导出 uses.

How a row is read and written is spreadsheets.resources'; this module only knows the admin's
pages: who may import or export, the size limit, the uploads kept under names we generate,
and the messages after a confirmation.
"""

from __future__ import annotations

import os
import re
import secrets
import time
from pathlib import Path

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import BadRequest, FieldError, PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from import_export import forms as ie_forms
from import_export.admin import ImportExportMixin
from import_export.tmp_storages import TempFolderStorage

from districts.access import Do, has_right

from . import reading
from .resources import ACTOR_ENV, FORMATS, XLSX, sheet_row

# Uploads waiting for their confirmation live here, under names we generate, for an hour.
UPLOAD_NAME = re.compile(r"^zzip-import-[0-9a-f]{32}$")
UPLOAD_MAX_AGE = 60 * 60


def upload_folder() -> Path:
    folder = Path(settings.IMPORT_UPLOAD_DIR)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


class UploadGone(Exception):
    """The upload a confirmation names is not ours, was confirmed already, or expired."""


class ImportUploads(TempFolderStorage):
    """import-export's temporary storage, kept in a folder of ours under names we make.

    The confirmation form carries the name back; a name we did not generate (a path, another
    file) is refused, so no other file can be read or removed through it. An upload is removed
    after its confirmation or cancellation, and any left over after an hour.
    """

    def __init__(self, **kwargs):
        name = kwargs.get("name")
        if name is not None and not UPLOAD_NAME.match(str(name)):
            raise UploadGone("not one of our uploads")
        super().__init__(**kwargs)

    def save(self, data):
        sweep_uploads()
        if self.name is None:
            self.name = f"zzip-import-{secrets.token_hex(16)}"
        path = self.get_full_path()
        mode = "wb" if isinstance(data, bytes) else "w"
        with open(
            path, mode, **({} if mode == "wb" else {"encoding": self.encoding or "utf-8"})
        ) as f:
            f.write(data)
        os.chmod(path, 0o600)

    def read(self):
        try:
            return super().read()
        except FileNotFoundError:
            raise UploadGone("gone") from None

    def remove(self):
        Path(self.get_full_path()).unlink(missing_ok=True)

    def get_full_path(self):
        return str(upload_folder() / self.name)


def sweep_uploads(now: float | None = None) -> int:
    """Removes uploads older than an hour (never confirmed); returns how many."""
    now = now or time.time()
    removed = 0
    for path in upload_folder().glob("zzip-import-*"):
        try:
            if now - path.stat().st_mtime > UPLOAD_MAX_AGE:
                path.unlink()
                removed += 1
        except FileNotFoundError:
            continue
    return removed


class SizedImportForm(ie_forms.ImportForm):
    """The admin's upload form, with the size limit every spreadsheet upload has."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["import_file"].error_messages["empty"] = (
            "文件是空的（0 字节）。请选择填好数据的文件。"
        )

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        try:
            reading.check_size(upload.size)
        except reading.SheetError as exc:
            raise ValidationError(str(exc)) from exc
        return upload


class OfficeImportExportMixin(ImportExportMixin):
    """django-import-export in the admin, for those with the import and export rights only,
    xlsx and csv only.

    A confirmed import that fails after all (someone changed data between the preview and
    the confirmation) is reported as a failure, with nothing written, not as a success; so is
    a confirmation sent twice.
    """

    formats = FORMATS
    import_form_class = SizedImportForm
    import_template_name = "admin/import_export/zzip_import.html"
    export_template_name = "admin/import_export/zzip_export.html"
    skip_admin_log = True  # the audit log records every import
    tmp_storage_class = ImportUploads

    def has_import_permission(self, request):
        return has_right(request.user, Do.IMPORT)

    def has_export_permission(self, request):
        return has_right(request.user, Do.EXPORT)

    def get_import_resource_kwargs(self, request, **kwargs):
        return {"actor": request.user}

    def get_export_resource_kwargs(self, request, **kwargs):
        return {"actor": request.user}

    def get_import_context_data(self, **kwargs):
        context = super().get_import_context_data(**kwargs)
        resources = self.get_import_resource_classes(None)
        context["column_help"] = resources[0].column_help() if resources else []
        context["import_note"] = resources[0].import_note if resources else ""
        context["actor_env"] = ACTOR_ENV
        context["resource_path"] = (
            f"{resources[0].__module__}.{resources[0].__name__}" if resources else ""
        )
        return context

    def get_import_resource_classes(self, request):
        return self.resource_classes

    def get_export_resource_classes(self, request):
        return self.resource_classes

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, reading.SheetError):
            form.add_error("import_file", str(e))
        else:
            form.add_error(
                "import_file",
                "无法读取这个文件。请确认“格式”选对了（xlsx 或 csv），"
                "文件可以在 Excel 或 WPS 中打开。",
            )

    def _back_to_import(self, request):
        return HttpResponseRedirect(
            reverse(
                "admin:{}_{}_import".format(*self.get_model_info()),
                current_app=self.admin_site.name,
            )
        )

    def process_import(self, request, **kwargs):
        try:
            return super().process_import(request, **kwargs)
        except UploadGone:
            messages.error(
                request,
                "这次导入已经确认过，或预览已超过一小时失效，没有再写入任何数据。"
                "如需导入，请重新上传文件。",
            )
            return self._back_to_import(request)

    def get_export_queryset(self, request):
        # The list's filters come from the address; one that names no field (typed or
        # tampered with) is a bad request, not a server error.
        try:
            queryset = super().get_export_queryset(request)
            queryset.exists()  # a lookup on a wrong value fails only when it runs
        except (FieldError, IncorrectLookupParameters, ValidationError, ValueError) as exc:
            raise BadRequest("导出的筛选条件不对。") from exc
        return queryset

    def get_export_data(self, file_format, request, queryset, **kwargs):
        if not self.has_export_permission(request):
            raise PermissionDenied
        data = self.get_data_for_export(
            request,
            queryset,
            force_native_type=isinstance(file_format, XLSX),
            export_format=file_format.get_extension(),
            **kwargs,
        )
        return file_format.export_data(data)

    def get_export_filename(self, request, queryset, file_format):
        name = self.model._meta.model_name
        return f"zzip-{name}-{timezone.localdate():%Y%m%d}.{file_format.get_extension()}"

    def process_result(self, result, request):
        if result.has_errors() or result.has_validation_errors():
            reasons = [str(e.error) for e in result.base_errors][:5]
            for invalid in result.invalid_rows[:5]:
                found = [m for ms in invalid.error_dict.values() for m in ms]
                reasons.append(f"第 {sheet_row(invalid.number)} 行：{'；'.join(found)}")
            messages.error(
                request,
                "导入没有完成，没有写入任何数据（预览之后数据可能被他人修改过）："
                + "；".join(reasons),
            )
            return self._back_to_import(request)
        totals = result.totals
        messages.success(
            request,
            f"导入完成：新增 {totals['new']}，修改 {totals['update']}，未变 {totals['skip']}。",
        )
        return HttpResponseRedirect(
            reverse(
                "admin:{}_{}_changelist".format(*self.get_model_info()),
                current_app=self.admin_site.name,
            )
        )


class OfficeImportExportModelAdmin(OfficeImportExportMixin, admin.ModelAdmin):
    """ImportExportModelAdmin for office staff (see OfficeImportExportMixin)."""
