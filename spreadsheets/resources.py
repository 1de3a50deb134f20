"""Raw data in and out through django-import-export, the way every resource here shares.

A resource only turns cells into arguments and a service's errors into row-numbered Chinese
messages; it decides nothing. Each row is written by the service that the admin form and the
commands call too (``write_row``), inside the import's single transaction, so:

- All or nothing. One bad row and nothing is written; every bad row is reported with its row
  number as the spreadsheet shows it (the header is row 1) and a Chinese reason.
- The preview is the same run, rolled back.
- Re-importing an exported file changes nothing: a service that finds nothing to change
  says so, and the row counts as unchanged.
- Only those with the import right import (the admin's user; on the command line the
  account named by ``ZZIP_ACTOR``); every import and export is audited, and each change by
  the service that made it.
- Text a spreadsheet would run as a formula is exported with a leading apostrophe, which
  the import strips again (spreadsheets.writing).
"""

from __future__ import annotations

import os
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import (
    NON_FIELD_ERRORS,
    ObjectDoesNotExist,
    PermissionDenied,
    ValidationError,
)
from import_export.fields import Field
from import_export.formats import base_formats
from import_export.resources import ModelResource
from import_export.results import Error, Result, RowResult
from import_export.widgets import Widget

from audit.models import Action
from audit.services import audit_record
from districts.access import Do, has_right

from . import reading
from .writing import escape_formula, unescape_formula

ACTOR_ENV = "ZZIP_ACTOR"
# import-export numbers data rows from 1; the spreadsheet has its header on row 1.
HEADER_ROWS = 1
WHOLE_ROW = "整行"


class ImportRefused(Exception):
    """A problem with the whole import (who runs it, the headers, an empty file).

    Its repr is its message, because django-import-export's ``import`` command prints
    ``repr(error)``: the office reads the reason, not a class name.
    """

    def __repr__(self):
        return str(self)


def sheet_row(number: int) -> int:
    """The spreadsheet row of import-export's data row ``number``."""
    return number + HEADER_ROWS


def text(row, header) -> str:
    """A cell of an import row as the text a person typed, an export's apostrophe removed."""
    return unescape_formula(reading.cell_text(row.get(header)))


# --- Formats: only xlsx and csv ---------------------------------------------------------------


class XLSX(base_formats.XLSX):
    """xlsx read through spreadsheets.reading: size and zip-bomb limits, formulas, merges."""

    def create_dataset(self, in_stream):
        return reading.xlsx_dataset(in_stream)

    def export_data(self, dataset, **kwargs):
        # Values are escaped by the resources' widgets already; the library's own escaping
        # (IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT) would turn every number into text.
        return dataset.export("xlsx", **kwargs)


class CSV(base_formats.CSV):
    """CSV as Excel and WPS in China write it: UTF-8 with or without BOM, or GB18030.

    Binary on purpose: this class decodes the bytes itself and writes UTF-8 with a BOM, so
    that Excel opens the export with its Chinese intact.
    """

    def is_binary(self):
        return True

    def get_read_mode(self):
        return "rb"

    def create_dataset(self, in_stream):
        if isinstance(in_stream, str):
            in_stream = in_stream.encode("utf-8")
        return reading.csv_dataset(in_stream)

    def export_data(self, dataset, **kwargs):
        return dataset.export("csv", **kwargs).encode("utf-8-sig")


FORMATS = [XLSX, CSV]


# --- Columns ----------------------------------------------------------------------------------


class CellWidget(Widget):
    """Renders values for a sheet: whole Decimals as integers, formula-like text escaped."""

    def render(self, value, obj=None, **kwargs):
        native = kwargs.get("force_native_type", False)
        if value is None:
            return "" if not native else None
        if isinstance(value, bool):
            return "是" if value else "否"
        if isinstance(value, Decimal):
            value = value.normalize()
            whole = value == value.to_integral_value()
            if native:
                return int(value) if whole else Decimal(f"{value:f}")
            return f"{value:f}" if not whole else str(int(value))
        if isinstance(value, int):
            return value if native else str(value)
        return escape_formula(str(value))


class Column(Field):
    """One column: its header, how to read it from an instance, whether an import needs it."""

    def __init__(self, header, getter, *, required=False, readonly=False, note=""):
        super().__init__(column_name=header, readonly=readonly, widget=CellWidget())
        self.getter = getter
        self.required = required
        self.note = note

    def get_value(self, instance):
        try:
            return self.getter(instance)
        except (AttributeError, ObjectDoesNotExist):
            return None


def find_account(name: str):
    return get_user_model().objects.filter(username__iexact=name).first()


def actor_from_environment():
    """The account a command-line import is recorded under (ZZIP_ACTOR)."""
    name = os.environ.get(ACTOR_ENV, "").strip()
    if not name:
        raise ImportRefused(
            f"命令行导入须指明操作人：请把环境变量 {ACTOR_ENV} 设为有导入权限的账号，"
            f"如 {ACTOR_ENV}=office python manage.py import …"
        )
    user = find_account(name)
    if user is None or not user.is_active:
        raise ImportRefused(f"{ACTOR_ENV}={name}：没有这个启用中的账号。")
    return user


class CodedResource(ModelResource):
    """What every resource here shares: the actor, all-or-nothing, reasons, audit, escaping.

    A subclass says how a row becomes arguments (``read_row``), which service writes them
    (``write_row``), and which column each of the service's fields came from
    (``field_columns``), so that its errors are shown where the office typed.
    """

    what = ""  # e.g. "年度指导目标", for messages and the audit log
    import_note = ""  # the rule an office should know before importing, shown on the page
    field_columns: dict[str, str] = {}  # service field → column header
    key_columns: tuple[str, ...] = ()  # the columns that name a row (no two rows alike)
    key_words = ""  # how a message names that key, e.g. "同一单位、指标、年份"
    right = Do.IMPORT  # who may import it (accounts: those who manage accounts)
    right_words = "主管部门工作人员才能导入"

    class Meta:
        skip_unchanged = False
        report_skipped = True
        use_transactions = True

    def __init__(self, actor=None, **kwargs):
        super().__init__(**kwargs)
        self.actor = actor  # the signed-in user in the admin; None on the command line
        self.via = "管理后台" if actor is not None else "命令行"

    # Columns -----------------------------------------------------------------------------------

    @classmethod
    def columns(cls) -> list[Column]:
        """The columns in the order of Meta.fields, which is also the export's order."""
        return [cls.fields[name] for name in cls._meta.fields or () if name in cls.fields]

    @classmethod
    def column_help(cls) -> list[dict]:
        """Header, whether the import needs it, and what it holds: for the admin and README."""
        return [
            {
                "header": c.column_name,
                "required": c.required,
                "readonly": c.readonly,
                "note": c.note,
            }
            for c in cls.columns()
        ]

    @classmethod
    def get_display_name(cls):
        return cls.what or cls.__name__

    def get_user_visible_fields(self):
        return self.columns()

    # Import: the whole file ---------------------------------------------------------------------

    def _refused(self, message: str) -> Result:
        result = self.get_result_class()()
        result.diff_headers = self.get_diff_headers()
        result.append_base_error(Error(ImportRefused(message)))
        return result

    def _check_headers(self, dataset) -> str | None:
        # A BOM survives the library's own CSV reader (the command without --format).
        headers = [reading.cell_text(h).lstrip("\ufeff") for h in (dataset.headers or [])]
        dataset.headers = headers
        expected = [c.column_name for c in self.columns()]
        wanted = [c.column_name for c in self.columns() if c.required]
        missing = [h for h in wanted if h not in headers]
        doubled = sorted({h for h in headers if h and headers.count(h) > 1})
        if missing:
            return (
                f"表头缺少列：{'、'.join(missing)}。第 1 行应是列名，"
                f"可用的列：{'、'.join(expected)}（只读列导入时忽略）。"
                f"文件中的表头是：{'、'.join(h for h in headers if h)[:300] or '（空）'}。"
            )
        if doubled:
            return f"表头中有重复的列：{'、'.join(doubled)[:300]}。每列只能出现一次。"
        if len(dataset) == 0:
            return "文件中只有表头，没有数据行。"
        return None

    def import_data(
        self,
        dataset,
        dry_run=False,
        raise_errors=False,
        use_transactions=None,
        collect_failed_rows=False,
        rollback_on_validation_errors=False,
        **kwargs,
    ):
        """Runs the import in one transaction, rolled back if any row is wrong."""
        from_command = "user" not in kwargs and self.actor is None
        try:
            user = actor_from_environment() if from_command else (kwargs.get("user") or self.actor)
        except ImportRefused as exc:
            return self._refused(str(exc))
        if not has_right(user, self.right):
            return self._refused(
                f"{getattr(user, 'username', '此账号')} 没有导入数据的权限（{self.right_words}）。"
            )
        self.actor, self.via = user, ("命令行" if from_command else "管理后台")
        self.from_command = from_command
        self.file_name = (kwargs.get("file_name") or "")[:200]
        problem = self._check_headers(dataset)
        if problem:
            return self._refused(problem)
        self.seen: dict[tuple, int] = {}
        self.prepare(dataset)
        kwargs.setdefault("user", user)
        return super().import_data(
            dataset,
            dry_run=dry_run,
            raise_errors=raise_errors,
            use_transactions=True,
            collect_failed_rows=collect_failed_rows,
            rollback_on_validation_errors=True,
            **kwargs,
        )

    def prepare(self, dataset) -> None:
        """Loads what rows are looked up in (codes → objects), once per import."""

    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)
        # Blank rows are kept while importing so that every row keeps its sheet number, but
        # they are not worth a line in the preview.
        blanks = [r for r in result.rows if getattr(r, "zz_blank", False)]
        if blanks:
            result.rows = [r for r in result.rows if not getattr(r, "zz_blank", False)]
            result.totals[RowResult.IMPORT_TYPE_SKIP] -= len(blanks)
        if result.has_validation_errors():
            if self.from_command:
                # The command prints base errors only; these carry the row-numbered reasons.
                for invalid in result.invalid_rows:
                    for column, errors in invalid.error_dict.items():
                        label = WHOLE_ROW if column == NON_FIELD_ERRORS else column
                        for message in errors:
                            result.append_base_error(
                                Error(
                                    ImportRefused(
                                        f"第 {sheet_row(invalid.number)} 行 {label}：{message}"
                                    )
                                )
                            )
            return
        if result.has_errors():
            return
        totals = result.totals
        audit_record(
            actor=self.actor,
            action=Action.IMPORT,
            summary=f"导入{self.what}（{self.via}）：新增 {totals['new']}，"
            f"修改 {totals['update']}，未变 {totals['skip']}"
            + (f"，文件 {self.file_name}" if self.file_name else ""),
            detail={
                "resource": f"{type(self).__module__}.{type(self).__name__}",
                "new": totals["new"],
                "update": totals["update"],
                "skip": totals["skip"],
                "file": self.file_name,
                "via": self.via,
            },
        )

    # Import: one row --------------------------------------------------------------------------

    def import_row(self, row, instance_loader, **kwargs):
        if all(reading.cell_text(v) == "" for v in row.values()):
            result = self.get_row_result_class()()
            result.import_type = RowResult.IMPORT_TYPE_SKIP
            result.zz_blank = True
            return result
        self.row_number = sheet_row(kwargs["row_number"])
        self.saved = None
        return super().import_row(row, instance_loader, **kwargs)

    def get_instance(self, instance_loader, row):
        # The stored object of the row's key, for the preview's before/after; a row with an
        # unknown code is reported by read_row, not here.
        return self.find(row)

    def find(self, row):
        return None

    def import_instance(self, instance, row, **kwargs):
        errors: dict[str, list[str]] = {}
        self.args = None
        try:
            self.args = self.read_row(row)
        except ValidationError as exc:
            errors = (
                exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.messages}
            )
        key = self.row_key(row)
        if key is not None:
            first = self.seen.get(key)
            if first is not None:
                same = self.key_words or "、".join(self.key_columns) + "相同的行"
                errors.setdefault(NON_FIELD_ERRORS, []).append(
                    f"与第 {first} 行重复（{same}只能出现一次）。"
                )
                # The row is not written, but whatever else is wrong with it is listed too.
                if self.args is not None and not errors.keys() - {NON_FIELD_ERRORS}:
                    for column, messages in self.by_column(
                        ValidationError(self.check_row(self.args))
                    ).items():
                        if column != NON_FIELD_ERRORS:
                            errors.setdefault(column, []).extend(messages)
            else:
                self.seen[key] = self.row_number
        if errors:
            raise ValidationError(errors)

    def row_key(self, row) -> tuple | None:
        """What names the row (no two rows of a file may name the same thing)."""
        if not self.key_columns:
            return None
        return tuple(text(row, h) for h in self.key_columns)

    def read_row(self, row) -> dict:
        """The service's arguments from one row, or ValidationError keyed by column header."""
        raise NotImplementedError

    def skip_row(self, instance, original, row, import_validation_errors=None):
        return False  # decided by the service (after_import_row)

    def save_instance(self, instance, is_create, row, **kwargs):
        try:
            self.saved = self.write_row(self.args)
        except ValidationError as exc:
            raise ValidationError(self.by_column(exc)) from None
        except PermissionDenied as exc:
            raise ValidationError({NON_FIELD_ERRORS: [str(exc)]}) from None
        obj = self.shown(self.saved)
        if obj is not None:
            instance.__dict__.update(
                {k: v for k, v in obj.__dict__.items() if not k.startswith("_state")}
            )
            instance._state = obj._state

    def write_row(self, args: dict):
        """Calls the service with ``args``; returns its ``Saved``."""
        raise NotImplementedError

    def check_row(self, args: dict) -> dict[str, list[str]]:
        """The service's own check of ``args`` without writing (by service field)."""
        return {}

    def shown(self, saved):
        """The object the preview shows for a written row."""
        return getattr(saved, "obj", None)

    def by_column(self, exc: ValidationError) -> dict[str, list[str]]:
        if not hasattr(exc, "error_dict"):
            return {NON_FIELD_ERRORS: exc.messages}
        out: dict[str, list[str]] = {}
        for field, errors in exc.message_dict.items():
            column = self.field_columns.get(field, NON_FIELD_ERRORS)
            out.setdefault(column, []).extend(errors)
        return out

    def after_import_row(self, row, row_result, **kwargs):
        super().after_import_row(row, row_result, **kwargs)
        saved = self.saved
        if saved is None or row_result.import_type == RowResult.IMPORT_TYPE_INVALID:
            return
        if saved.unchanged:
            row_result.import_type = RowResult.IMPORT_TYPE_SKIP
        elif saved.created:
            row_result.import_type = RowResult.IMPORT_TYPE_NEW
        else:
            row_result.import_type = RowResult.IMPORT_TYPE_UPDATE

    def save_m2m(self, instance, row, **kwargs):
        pass

    # Export -------------------------------------------------------------------------------------

    def export(self, queryset=None, **kwargs):
        dataset = super().export(queryset, **kwargs)
        actor, via = self.actor, self.via
        if actor is None:
            name = os.environ.get(ACTOR_ENV, "").strip()
            actor = find_account(name) if name else None
        audit_record(
            actor=actor,
            action=Action.EXPORT,
            summary=f"导出{self.what}（{via}）：{len(dataset)} 行",
            detail={
                "resource": f"{type(self).__module__}.{type(self).__name__}",
                "rows": len(dataset),
                "format": str(kwargs.get("export_format", ""))[:10],
                "via": via,
                "username": "" if actor else f"命令行（{os.environ.get('USER', '')}）",
            },
        )
        return dataset


def number_text(value) -> str:
    return "（无）" if value is None else f"{value.normalize():f}"
