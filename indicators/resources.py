"""Raw data in and out through django-import-export: reporting units, populations, annual
targets and figures, keyed by natural codes (unit code, indicator code, year, quarter), never
by database ids.

The same resources serve the admin (import: upload, preview, confirm; export) and
django-import-export's own commands::

    ZZIP_ACTOR=office python manage.py import indicators.resources.TargetResource 目标.xlsx
    python manage.py export XLSX indicators.resources.TargetResource > 目标.xlsx

Every import follows the same rules:

- All or nothing. The file runs in one transaction; one bad row and nothing is written. Every
  bad row is reported with its row number as the spreadsheet shows it (the header is row 1,
  the first data row is row 2) and a Chinese reason.
- Only office staff import. In the admin the signed-in person acts; on the command line the
  environment variable ``ZZIP_ACTOR`` names the office account the import is recorded under.
- Every import and every export is audited, and so is each unit, population and target an
  import changes (old and new value); figures keep their FigureChange records.
- Re-importing an exported file changes nothing: rows equal to what is stored are skipped.
- Text a spreadsheet would run as a formula (starting with = + - @) is exported with a leading
  apostrophe, which an import strips again, so a round trip keeps the text as it was.

Figures are imported as approved history (``services.history_record``), only for periods that
are closed or, when the period does not exist yet, whose quarter has ended (the period is
then created, closed). A row that would change a figure is refused when its period is open or
not yet opened, when the unit's report for it is in the clerk workflow (draft, submitted,
returned), or when the report was approved through review; history imported earlier may be
corrected by importing again, and every such change is kept (who, when, old, new).
"""

from __future__ import annotations

import datetime
import os
from collections import defaultdict
from decimal import Decimal, InvalidOperation

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from import_export import forms as ie_forms
from import_export.admin import ImportExportMixin
from import_export.fields import Field
from import_export.formats import base_formats
from import_export.resources import ModelResource
from import_export.results import Error, Result, RowResult
from import_export.widgets import Widget

from audit.models import Action
from audit.services import audit_record
from districts.access import OFFICE_ROLES, role_of
from districts.models import Population, Unit

from . import sheets
from .models import QUARTER_TITLES, Figure, Indicator, Period, Report, Target
from .selectors import UnitTree
from .services import history_record, parse_figure

ACTOR_ENV = "ZZIP_ACTOR"
FIRST_YEAR, LAST_YEAR = 1949, 2100
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


def escape_formula(value):
    if isinstance(value, str) and value.startswith(sheets.FORMULA_PREFIXES):
        return "'" + value
    return value


def unescape_formula(text: str) -> str:
    if text.startswith("'") and text[1:].startswith(sheets.FORMULA_PREFIXES):
        return text[1:]
    return text


# --- Formats: only xlsx and csv ---------------------------------------------------------------


class XLSX(base_formats.XLSX):
    """xlsx read through indicators.sheets: size and zip-bomb limits, formulas, merged cells."""

    def create_dataset(self, in_stream):
        return sheets.xlsx_dataset(in_stream)

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
        return sheets.csv_dataset(in_stream)

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
    """One column: its header, how to read it from an instance, whether an import needs it.

    Reading goes through ``getter`` for export and for the preview's before/after alike; the
    import itself is each resource's ``read_row``, which gives Chinese reasons.
    """

    def __init__(self, header, getter, *, required=False, readonly=False, note=""):
        super().__init__(column_name=header, readonly=readonly, widget=CellWidget())
        self.getter = getter
        self.required = required
        self.note = note

    def get_value(self, instance):
        try:
            return self.getter(instance)
        except (AttributeError, Unit.DoesNotExist, Indicator.DoesNotExist, Report.DoesNotExist):
            return None


def _text(row, header) -> str:
    return unescape_formula(sheets.cell_text(row.get(header)))


def _year(text: str) -> int:
    cleaned = text.removesuffix("年").strip()
    if not cleaned.isdigit() or not FIRST_YEAR <= int(cleaned) <= LAST_YEAR:
        raise ValueError(f"年份“{text}”不对，应为四位数字，如 2022。")
    return int(cleaned)


_QUARTERS = {
    **{str(q): q for q in range(1, 5)},
    **{f"Q{q}": q for q in range(1, 5)},
    **{t: q for q, t in QUARTER_TITLES.items()},
    "二季度": 2,
    "三季度": 3,
    "四季度": 4,
    "第一季度": 1,
    "第二季度": 2,
    "第三季度": 3,
    "第四季度": 4,
}


def _quarter(text: str) -> int:
    quarter = _QUARTERS.get(text.strip().upper())
    if quarter is None:
        raise ValueError(f"季度“{text}”不对，应为 1–4（1 一季度、2 上半年、3 前三季度、4 全年）。")
    return quarter


def quarter_ended(year: int, quarter: int, today: datetime.date | None = None) -> bool:
    """Whether the quarter is over (today is on or after the next quarter's first day)."""
    today = today or timezone.localdate()
    return today >= datetime.date(year + quarter // 4, quarter % 4 * 3 + 1, 1)


def actor_from_environment():
    """The office account a command-line import is recorded under (ZZIP_ACTOR)."""
    name = os.environ.get(ACTOR_ENV, "").strip()
    if not name:
        raise ImportRefused(
            f"命令行导入须指明操作人：请把环境变量 {ACTOR_ENV} 设为市局工作人员的账号，"
            f"如 {ACTOR_ENV}=office python manage.py import …"
        )
    user = get_user_model().objects.filter(username__iexact=name, is_active=True).first()
    if user is None:
        raise ImportRefused(f"{ACTOR_ENV}={name}：没有这个启用中的账号。")
    return user


class CodedResource(ModelResource):
    """What every resource here shares: the actor, all-or-nothing, reasons, audit, escaping."""

    what = ""  # e.g. "年度指导目标", for messages and the audit log
    import_note = ""  # the rule an office should know before importing, shown on the page
    tracked: tuple[str, ...] = ()  # attributes compared to skip unchanged rows and to audit

    class Meta:
        skip_unchanged = True
        report_skipped = True
        use_transactions = True

    def __init__(self, actor=None, **kwargs):
        super().__init__(**kwargs)
        self.actor = actor  # the signed-in user in the admin; None on the command line
        self.via = "管理后台" if actor is not None else "命令行"

    # Columns ---------------------------------------------------------------------------------

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
        headers = [sheets.cell_text(h).lstrip("\ufeff") for h in (dataset.headers or [])]
        dataset.headers = headers
        expected = [c.column_name for c in self.columns()]
        wanted = [c.column_name for c in self.columns() if c.required]
        missing = [h for h in wanted if h not in headers]
        doubled = sorted({h for h in headers if h and headers.count(h) > 1})
        if missing:
            return (
                f"表头缺少列：{'、'.join(missing)}。第 1 行应是列名，"
                f"可用的列：{'、'.join(expected)}（只读列导入时忽略）。"
                f"文件中的表头是：{'、'.join(h for h in headers if h) or '（空）'}。"
            )
        if doubled:
            return f"表头中有重复的列：{'、'.join(doubled)}。每列只能出现一次。"
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
        if role_of(user) not in OFFICE_ROLES:
            return self._refused(
                f"{getattr(user, 'username', '此账号')} 不是市局工作人员，不能导入数据。"
            )
        self.actor, self.via = user, ("命令行" if from_command else "管理后台")
        self.from_command = from_command
        self.file_name = kwargs.get("file_name") or ""
        problem = self._check_headers(dataset)
        if problem:
            return self._refused(problem)
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
        """Loads what the rows are checked against, once per import (not once per row)."""
        self.seen: dict[tuple, int] = {}

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
        self.write(result, **kwargs)
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

    def write(self, result, **kwargs) -> None:
        """Writes what only the whole file decides (figures); rows save themselves otherwise."""

    # Import: one row --------------------------------------------------------------------------

    def import_row(self, row, instance_loader, **kwargs):
        if all(sheets.cell_text(v) == "" for v in row.values()):
            result = self.get_row_result_class()()
            result.import_type = RowResult.IMPORT_TYPE_SKIP
            result.zz_blank = True
            return result
        self.row_number = sheet_row(kwargs["row_number"])
        return super().import_row(row, instance_loader, **kwargs)

    def get_instance(self, instance_loader, row):
        # Rows are looked up in read_row, where an unknown code becomes a reason, not an error.
        return self.find(row)

    def find(self, row):
        return None

    def import_instance(self, instance, row, **kwargs):
        errors: dict[str, list[str]] = defaultdict(list)
        self.before = {name: getattr(instance, name) for name in self.tracked}
        self.creating = instance.pk is None
        self.read_row(instance, row, errors)
        if errors:
            raise ValidationError(dict(errors))

    def read_row(self, instance, row, errors) -> None:
        """Reads one row into ``instance``, adding each problem to ``errors`` by column."""
        raise NotImplementedError

    def duplicate(self, key: tuple, errors, description: str) -> bool:
        first = self.seen.get(key)
        if first is not None:
            errors[NON_FIELD_ERRORS].append(f"与第 {first} 行重复（{description}只能出现一次）。")
            return True
        self.seen[key] = self.row_number
        return False

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if import_validation_errors or instance.pk is None:
            return False
        return all(getattr(instance, name) == self.before[name] for name in self.tracked)

    def after_save_instance(self, instance, row, **kwargs):
        super().after_save_instance(instance, row, **kwargs)
        changed = {
            name: {"old": self.before[name], "new": getattr(instance, name)}
            for name in self.tracked
            if getattr(instance, name) != self.before[name]
        }
        self.audit_row(instance, changed, self.creating)

    def audit_row(self, instance, changed, created) -> None:
        pass

    # Export -------------------------------------------------------------------------------------

    def export(self, queryset=None, **kwargs):
        dataset = super().export(queryset, **kwargs)
        actor, via = self.actor, self.via
        if actor is None:
            name = os.environ.get(ACTOR_ENV, "").strip()
            actor = get_user_model().objects.filter(username__iexact=name).first() if name else None
        audit_record(
            actor=actor,
            action=Action.EXPORT,
            summary=f"导出{self.what}（{via}）：{len(dataset)} 行",
            detail={
                "resource": f"{type(self).__module__}.{type(self).__name__}",
                "rows": len(dataset),
                "format": kwargs.get("export_format", ""),
                "via": via,
                "username": "" if actor else f"命令行（{os.environ.get('USER', '')}）",
            },
        )
        return dataset


def _number_text(value: Decimal | None) -> str:
    return "（无）" if value is None else f"{value.normalize():f}"


# --- Units ------------------------------------------------------------------------------------

_KINDS = {
    **{value: value for value in Unit.Kind.values},
    **{str(label): value for value, label in Unit.Kind.choices},
    "区(市)": Unit.Kind.DISTRICT,
    "区（市）": Unit.Kind.DISTRICT,
    "区": Unit.Kind.DISTRICT,
    "县": Unit.Kind.DISTRICT,
    "县级市": Unit.Kind.DISTRICT,
    "其他": Unit.Kind.OTHER,
    "市直": Unit.Kind.OTHER,
    "其他/市直": Unit.Kind.OTHER,
}
_YES = {"是", "启用", "1", "TRUE", "YES", "Y"}
_NO = {"否", "停用", "0", "FALSE", "NO", "N"}


class UnitResource(CodedResource):
    """Reporting units: the tree, keyed by the unit's code; a parent is named by its code."""

    what = "填报单位"
    import_note = (
        "按编码新增或修改单位；文件中没有的列保持原值。上级编码为空表示最上级单位（只能有一个）；"
        "上级单位在同一文件中时，请放在下级单位之前。"
    )
    audit_action = Action.UNIT_CHANGED
    tracked = (
        "code",
        "name",
        "short_name",
        "kind",
        "parent_id",
        "order",
        "division_code",
        "active",
    )

    code = Column("编码", lambda u: u.code, required=True, note="唯一编码，如 370481、370400GX")
    name = Column("名称", lambda u: u.name, required=True, note="全称，如 滕州市")
    short_name = Column("表中名称", lambda u: u.short_name, note="附件表中的名称，可空")
    kind = Column("类型", lambda u: u.get_kind_display(), note="省、市、区(市)、开发区、其他/市直")
    parent = Column(
        "上级编码",
        lambda u: u.parent.code if u.parent_id else "",
        note="上级单位的编码；最上级单位留空",
    )
    order = Column("排列顺序", lambda u: u.order, note="整数，小的在前")
    division_code = Column("行政区划代码", lambda u: u.division_code, note="可空")
    active = Column("启用", lambda u: u.active, note="是/否")

    class Meta(CodedResource.Meta):
        model = Unit
        fields = (
            "code",
            "name",
            "short_name",
            "kind",
            "parent",
            "order",
            "division_code",
            "active",
        )
        import_id_fields = ("code",)

    def get_queryset(self):
        return Unit.objects.select_related("parent")

    def iter_queryset(self, queryset):
        # Parents before children, in the office's order, so the file imports back as is.
        units = list(queryset.select_related("parent"))
        chosen = {u.id for u in units}
        children = defaultdict(list)
        for u in sorted(units, key=lambda u: (u.order, u.code)):
            children[u.parent_id if u.parent_id in chosen else None].append(u)
        stack = list(reversed(children[None]))
        while stack:
            unit = stack.pop()
            yield unit
            stack.extend(reversed(children.get(unit.id, [])))

    def prepare(self, dataset):
        super().prepare(dataset)
        self.units = {u.code: u for u in Unit.objects.all()}
        code_of = {u.id: u.code for u in self.units.values()}
        self.parent_of = {u.code: code_of.get(u.parent_id) for u in self.units.values()}
        self.headers = set(dataset.headers)

    def find(self, row):
        return self.units.get(_text(row, "编码"))

    def read_row(self, unit, row, errors):
        code = _text(row, "编码")
        if not code:
            errors["编码"].append("编码为空。")
            return
        if len(code) > 20 or any(ch.isspace() for ch in code):
            errors["编码"].append(f"编码“{code}”不对：最多 20 个字符，不能有空格。")
            return
        if self.duplicate((code,), errors, "同一单位编码"):
            return
        new = unit.pk is None
        unit.code = code
        present = self.headers

        name = _text(row, "名称")
        if not name:
            errors["名称"].append("名称为空。")
        elif len(name) > 50:
            errors["名称"].append("名称最多 50 个字。")
        else:
            unit.name = name
        if "表中名称" in present:
            short = _text(row, "表中名称")
            if len(short) > 20:
                errors["表中名称"].append("表中名称最多 20 个字。")
            else:
                unit.short_name = short
        if "类型" in present and _text(row, "类型"):
            kind = _KINDS.get(_text(row, "类型"), _KINDS.get(_text(row, "类型").lower()))
            if kind is None:
                errors["类型"].append(
                    f"类型“{_text(row, '类型')}”不对，应为：省、市、区(市)、开发区、其他/市直。"
                )
            else:
                unit.kind = kind
        elif new:
            errors["类型"].append("新增单位须填写类型（省、市、区(市)、开发区、其他/市直）。")
        if "排列顺序" in present and _text(row, "排列顺序"):
            text = _text(row, "排列顺序")
            if not text.isdigit():
                errors["排列顺序"].append(f"排列顺序“{text}”不对，应为不小于 0 的整数。")
            else:
                unit.order = int(text)
        if "行政区划代码" in present:
            division = _text(row, "行政区划代码")
            if len(division) > 12 or (division and not division.isdigit()):
                errors["行政区划代码"].append(f"行政区划代码“{division}”不对，应为最多 12 位数字。")
            else:
                unit.division_code = division
        if "启用" in present and _text(row, "启用"):
            flag = _text(row, "启用").upper()
            if flag in _YES:
                unit.active = True
            elif flag in _NO:
                unit.active = False
            else:
                errors["启用"].append(f"启用“{_text(row, '启用')}”不对，应为“是”或“否”。")
        if "上级编码" in present:
            self._read_parent(unit, code, _text(row, "上级编码"), errors)
        elif new:
            errors["上级编码"].append("新增单位须填写上级编码（最上级单位的上级编码留空）。")

    def _read_parent(self, unit, code, parent_code, errors):
        if not parent_code:
            others = [
                c for c, p in self.parent_of.items() if p is None and c != code and c in self.units
            ]
            if others:
                root = self.units[others[0]]
                errors["上级编码"].append(
                    f"上级编码为空表示最上级单位，但已有最上级单位 {root.name}（{root.code}）。"
                    "只能有一个最上级单位。"
                )
                return
            unit.parent = None
            return
        parent = self.units.get(parent_code)
        if parent is None:
            errors["上级编码"].append(
                f"上级编码“{parent_code}”不存在（如果上级单位也在本文件中，请把它放在前面）。"
            )
            return
        walk, steps = parent_code, 0
        while walk is not None and steps <= len(self.parent_of) + 1:
            if walk == code:
                errors["上级编码"].append("上级单位不能是本单位或它的下级单位。")
                return
            walk, steps = self.parent_of.get(walk), steps + 1
        unit.parent = parent

    def after_save_instance(self, instance, row, **kwargs):
        self.units[instance.code] = instance
        self.parent_of[instance.code] = instance.parent.code if instance.parent_id else None
        super().after_save_instance(instance, row, **kwargs)

    def audit_row(self, unit, changed, created):
        audit_record(
            actor=self.actor,
            action=Action.UNIT_CHANGED,
            unit=unit,
            obj=unit,
            summary=f"{'新增' if created else '修改'}填报单位：{unit.name}（{unit.code}）（导入）",
            detail={"changed": changed, "created": created},
        )


# --- Populations ------------------------------------------------------------------------------


class UnitYearResource(CodedResource):
    """Shared lookups for rows keyed by a unit code (and usually an indicator code)."""

    def prepare(self, dataset):
        super().prepare(dataset)
        self.units = {u.code: u for u in Unit.objects.all()}
        self.indicators = {i.code: i for i in Indicator.objects.all()}
        self.tree = UnitTree.load()

    def read_unit(self, row, errors, *, leaf_only: bool, action: str):
        code = _text(row, "单位编码")
        if not code:
            errors["单位编码"].append("单位编码为空。")
            return None
        unit = self.units.get(code)
        if unit is None:
            errors["单位编码"].append(f"未知单位编码“{code}”。")
            return None
        if leaf_only:
            if unit.id not in self.tree.units:
                errors["单位编码"].append(f"{unit.name}（{code}）已停用，不能{action}。")
                return None
            if not self.tree.is_leaf(unit.id):
                errors["单位编码"].append(
                    f"{unit.name}是汇总单位，它的数由下级单位合计，不能{action}。"
                )
                return None
        return unit

    def read_indicator(self, row, errors):
        code = _text(row, "指标编码")
        if not code:
            errors["指标编码"].append("指标编码为空。")
            return None
        indicator = self.indicators.get(code)
        if indicator is None:
            errors["指标编码"].append(f"未知指标编码“{code}”。")
        return indicator

    def read_year(self, row, errors, header="年份"):
        try:
            return _year(_text(row, header))
        except ValueError as exc:
            errors[header].append(str(exc))
            return None


class PopulationResource(UnitYearResource):
    """Year-end resident population (万人) per unit and year, with its published source."""

    what = "常住人口"
    import_note = "按单位编码和年份新增或修改；人口以万人计，最多两位小数，须注明来源。"
    tracked = ("unit_id", "year", "value", "source")

    unit_code = Column("单位编码", lambda p: p.unit.code, required=True)
    unit_name = Column("单位名称", lambda p: p.unit.name, readonly=True, note="只读，导入时忽略")
    year = Column("年份", lambda p: p.year, required=True, note="年末常住人口所属年份")
    value = Column(
        "常住人口（万人）", lambda p: p.value, required=True, note="大于 0，最多两位小数"
    )
    source = Column("来源", lambda p: p.source, required=True, note="如：2022年统计公报")

    class Meta(CodedResource.Meta):
        model = Population
        fields = ("unit_code", "unit_name", "year", "value", "source")
        import_id_fields = ("unit_code", "year")

    def get_queryset(self):
        return Population.objects.select_related("unit").order_by(
            "year", "unit__order", "unit__code"
        )

    def prepare(self, dataset):
        super().prepare(dataset)
        self.stored = {(p.unit.code, p.year): p for p in Population.objects.select_related("unit")}

    def find(self, row):
        try:
            return self.stored.get((_text(row, "单位编码"), _year(_text(row, "年份"))))
        except ValueError:
            return None

    def read_row(self, population, row, errors):
        unit = self.read_unit(row, errors, leaf_only=False, action="")
        year = self.read_year(row, errors)
        text = _text(row, "常住人口（万人）").replace(",", "").replace("，", "")
        value = None
        if not text:
            errors["常住人口（万人）"].append("常住人口为空。")
        else:
            try:
                value = Decimal(text)
                if not value.is_finite():
                    raise InvalidOperation
            except InvalidOperation:
                errors["常住人口（万人）"].append(f"“{text}”不是数字，请只填阿拉伯数字。")
                value = None
        if value is not None:
            if value <= 0:
                errors["常住人口（万人）"].append("常住人口必须大于 0。")
            elif value.as_tuple().exponent < -2:
                errors["常住人口（万人）"].append("常住人口以万人计，最多保留两位小数。")
            elif value >= Decimal("1e8"):
                errors["常住人口（万人）"].append("数值过大，请核对（单位是万人）。")
        source = _text(row, "来源")
        if not source:
            errors["来源"].append("请填写来源（如：2022年枣庄市国民经济和社会发展统计公报）。")
        elif len(source) > 200:
            errors["来源"].append("来源最多 200 个字。")
        if unit is None or year is None:
            return
        if self.duplicate((unit.code, year), errors, "同一单位、同一年份"):
            return
        population.unit, population.year = unit, year
        if value is not None and not errors.get("常住人口（万人）"):
            population.value = value
        population.source = source

    def audit_row(self, population, changed, created):
        old = changed.get("value", {}).get("old")
        audit_record(
            actor=self.actor,
            action=Action.POPULATION_CHANGED,
            unit=population.unit,
            obj=population,
            summary=f"{population.unit.name}{population.year}年常住人口："
            f"{_number_text(old if not created else None)} → {_number_text(population.value)}万人"
            "（导入）",
            detail={"changed": changed, "created": created},
        )


# --- Targets ----------------------------------------------------------------------------------


class TargetResource(UnitYearResource):
    """Annual guidance targets: unit code, indicator code, year, value (one per row)."""

    what = "年度指导目标"
    import_note = (
        "每行一个单位、一个指标、一年的目标。汇总单位（如全市）的目标是下级单位的合计，"
        "不单独导入。按单位一行、指标一列的宽表，请用「年度目标下达表」页面。"
    )
    tracked = ("unit_id", "indicator_id", "year", "value")

    unit_code = Column("单位编码", lambda t: t.unit.code, required=True)
    unit_name = Column("单位名称", lambda t: t.unit.name, readonly=True, note="只读，导入时忽略")
    indicator_code = Column("指标编码", lambda t: t.indicator.code, required=True)
    indicator_name = Column(
        "指标名称", lambda t: t.indicator.name, readonly=True, note="只读，导入时忽略"
    )
    year = Column("年份", lambda t: t.year, required=True)
    value = Column("目标值", lambda t: t.value, required=True, note="不小于 0；件数只能是整数")

    class Meta(CodedResource.Meta):
        model = Target
        fields = ("unit_code", "unit_name", "indicator_code", "indicator_name", "year", "value")
        import_id_fields = ("unit_code", "indicator_code", "year")

    def get_queryset(self):
        return Target.objects.select_related("unit", "indicator").order_by(
            "year", "unit__order", "unit__code", "indicator__order", "indicator__code"
        )

    def prepare(self, dataset):
        super().prepare(dataset)
        self.stored = {
            (t.unit.code, t.indicator.code, t.year): t
            for t in Target.objects.select_related("unit", "indicator")
        }

    def find(self, row):
        try:
            key = (_text(row, "单位编码"), _text(row, "指标编码"), _year(_text(row, "年份")))
        except ValueError:
            return None
        return self.stored.get(key)

    def read_row(self, target, row, errors):
        unit = self.read_unit(row, errors, leaf_only=True, action="单独下达目标")
        indicator = self.read_indicator(row, errors)
        year = self.read_year(row, errors)
        if indicator is not None and not indicator.has_target:
            errors["指标编码"].append(f"“{indicator.name}”不设年度指导目标。")
            indicator = None
        text = _text(row, "目标值")
        value = None
        if not text:
            errors["目标值"].append("目标值为空。")
        elif indicator is not None:
            try:
                value = parse_figure(text, indicator)
            except ValidationError as exc:
                errors["目标值"].extend(exc.messages)
        if unit is None or indicator is None or year is None:
            return
        if self.duplicate((unit.code, indicator.code, year), errors, "同一单位、指标、年份"):
            return
        target.unit, target.indicator, target.year = unit, indicator, year
        if value is not None:
            target.value = value

    def audit_row(self, target, changed, created):
        old = None if created else changed.get("value", {}).get("old", target.value)
        audit_record(
            actor=self.actor,
            action=Action.TARGET_CHANGED,
            unit=target.unit,
            obj=target,
            summary=f"{target.year}年{target.unit.name}{target.indicator.name}目标："
            f"{_number_text(old)} → {_number_text(target.value)}（导入）",
            detail={
                "year": target.year,
                "indicator": target.indicator.code,
                "old": old,
                "new": target.value,
            },
        )


# --- Figures ----------------------------------------------------------------------------------


def _figure_report(f: Figure):
    return getattr(f, "zz_key", None) or (
        f.report.unit,
        f.report.period.year,
        f.report.period.quarter,
    )


class FigureResource(UnitYearResource):
    """Figures of past periods, imported as approved history (see the module's docstring)."""

    what = "指标数值（历史数据）"
    import_note = (
        "数值作为已审核的历史数据导入，记在导入人名下。只能导入已截止的季度，或尚未设立且已结束的"
        "季度（自动设立为已截止）；正在填报、未开放、在审核流程中或经审核通过的填报表不能用导入修改。"
        "与系统中相同的行自动跳过。"
    )
    tracked = ("value",)

    unit_code = Column("单位编码", lambda f: _figure_report(f)[0].code, required=True)
    unit_name = Column(
        "单位名称", lambda f: _figure_report(f)[0].name, readonly=True, note="只读，导入时忽略"
    )
    indicator_code = Column("指标编码", lambda f: f.indicator.code, required=True)
    indicator_name = Column(
        "指标名称", lambda f: f.indicator.name, readonly=True, note="只读，导入时忽略"
    )
    year = Column("年份", lambda f: _figure_report(f)[1], required=True)
    quarter = Column(
        "季度", lambda f: _figure_report(f)[2], required=True, note="1–4（上半年填 2，全年填 4）"
    )
    value = Column(
        "数值",
        lambda f: f.value,
        required=True,
        note="流量填自1月1日起的累计数，存量填期末数",
    )
    state = Column(
        "状态",
        lambda f: f.report.get_state_display(),
        readonly=True,
        note="只读：填报表的状态",
    )

    class Meta(CodedResource.Meta):
        model = Figure
        fields = (
            "unit_code",
            "unit_name",
            "indicator_code",
            "indicator_name",
            "year",
            "quarter",
            "value",
            "state",
        )
        import_id_fields = ("unit_code", "indicator_code", "year", "quarter")

    def get_queryset(self):
        return Figure.objects.select_related(
            "report__unit", "report__period", "indicator"
        ).order_by(
            "report__period__year",
            "report__period__quarter",
            "report__unit__order",
            "report__unit__code",
            "indicator__order",
            "indicator__code",
        )

    def filter_export(self, queryset, **kwargs):
        # From the admin's report list the queryset is of reports: export their figures.
        if queryset is not None and queryset.model is Report:
            return self.get_queryset().filter(report__in=queryset)
        return queryset

    def prepare(self, dataset):
        super().prepare(dataset)
        self.periods = {(p.year, p.quarter): p for p in Period.objects.all()}
        self.reports = {
            (r.unit_id, r.period_id): r
            for r in Report.objects.prefetch_related("transitions").select_related("period")
        }
        # {(unit_id, year, code): {quarter: value}} of what counts, to check cumulative flows.
        self.cumulative: dict[tuple, dict[int, Decimal]] = defaultdict(dict)
        self.pending: dict[tuple, dict[str, Decimal]] = defaultdict(dict)
        self.figures: dict[int, dict[tuple, Figure]] = {}  # by period, loaded when first met

    def _stored_year(self, unit, year):
        key = ("loaded", unit.id, year)
        if key in self.seen:
            return
        self.seen[key] = 0
        for quarter, code, value in Figure.objects.filter(
            report__unit=unit,
            report__period__year=year,
            report__state__in=[Report.State.SUBMITTED, Report.State.APPROVED],
        ).values_list("report__period__quarter", "indicator__code", "value"):
            self.cumulative[(unit.id, year, code)].setdefault(quarter, value)

    def find(self, row):
        unit = self.units.get(_text(row, "单位编码"))
        indicator = self.indicators.get(_text(row, "指标编码"))
        try:
            year, quarter = _year(_text(row, "年份")), _quarter(_text(row, "季度"))
        except ValueError:
            return None
        if unit is None or indicator is None:
            return None
        period = self.periods.get((year, quarter))
        if period is None:
            return None
        if period.id not in self.figures:
            self.figures[period.id] = {
                (f.report.unit_id, f.indicator_id): f
                for f in Figure.objects.filter(report__period=period).select_related("report")
            }
        figure = self.figures[period.id].get((unit.id, indicator.id))
        if figure is not None:
            figure.zz_key = (unit, year, quarter)
        return figure

    def read_row(self, figure, row, errors):
        unit = self.read_unit(row, errors, leaf_only=True, action="导入数值")
        indicator = self.read_indicator(row, errors)
        year = self.read_year(row, errors)
        quarter = None
        try:
            quarter = _quarter(_text(row, "季度"))
        except ValueError as exc:
            errors["季度"].append(str(exc))
        text = _text(row, "数值")
        value = None
        if not text:
            errors["数值"].append("数值为空。")
        elif indicator is not None:
            try:
                value = parse_figure(text, indicator)
            except ValidationError as exc:
                errors["数值"].extend(exc.messages)
        if unit is None or indicator is None or year is None or quarter is None:
            return
        if self.duplicate(
            (unit.code, indicator.code, year, quarter), errors, "同一单位、指标、季度"
        ):
            return
        figure.zz_key = (unit, year, quarter)
        figure.indicator = indicator
        if value is None:
            return
        figure.value = value
        if figure.pk is not None and value == self.before["value"]:
            return  # unchanged: nothing is written, so no lock applies
        title = f"{year}年{QUARTER_TITLES[quarter]}"
        reason = self._locked(unit, year, quarter, title)
        if reason:
            errors[NON_FIELD_ERRORS].append(reason)
            return
        if indicator.is_flow:
            self._check_cumulative(unit, indicator, year, quarter, value, errors)

    def _locked(self, unit, year, quarter, title) -> str | None:
        period = self.periods.get((year, quarter))
        if period is None:
            if not quarter_ended(year, quarter):
                return f"{title}还没有结束，不能导入历史数据。"
            return None
        if period.status == Period.Status.OPEN:
            return f"{title}正在填报中，本期数据由区(市)填报员在系统中填报、经市局审核，不能导入。"
        if period.status == Period.Status.PLANNED:
            return (
                f"{title}尚未开放（未开放的填报期不能导入）。如是往年数据，"
                "请先在管理后台把该填报期设为“已截止”。"
            )
        report = self.reports.get((unit.id, period.id))
        if report is None:
            return None
        if report.state != Report.State.APPROVED:
            return (
                f"{unit.name}{title}的填报表{report.get_state_display()}，正在审核流程中，"
                "不能用导入覆盖。请在审核页处理。"
            )
        if report.transitions.all():
            return (
                f"{unit.name}{title}的数据由填报员报送、经市局审核通过，已锁定，不能用导入修改。"
                "如需更正，请在审核页重新打开，由填报员修改。"
            )
        return None

    def _check_cumulative(self, unit, indicator, year, quarter, value, errors):
        self._stored_year(unit, year)
        known = self.cumulative[(unit.id, year, indicator.code)]
        earlier = [(q, v) for q, v in known.items() if q < quarter]
        later = [(q, v) for q, v in known.items() if q > quarter]
        if earlier:
            q, v = max(earlier)
            if value < v:
                errors["数值"].append(
                    f"{indicator.name}是自1月1日起的累计数，不能小于{year}年"
                    f"{QUARTER_TITLES[q]}的 {v.normalize():f}{indicator.unit_label}。"
                )
                return
        if later:
            q, v = min(later)
            if value > v:
                errors["数值"].append(
                    f"{indicator.name}是自1月1日起的累计数，不能大于{year}年"
                    f"{QUARTER_TITLES[q]}的 {v.normalize():f}{indicator.unit_label}。"
                )
                return
        known[quarter] = value

    def save_instance(self, instance, is_create, row, **kwargs):
        # Nothing is saved row by row: write() records each report's figures in one go,
        # through services.history_record, so that FigureChange and the audit log see them.
        unit, year, quarter = instance.zz_key
        self.pending[(unit.id, year, quarter)][instance.indicator.code] = instance.value

    def write(self, result, **kwargs):
        user = self.actor
        by_id = {u.id: u for u in self.units.values()}
        for (unit_id, year, quarter), values in sorted(self.pending.items()):
            unit = by_id[unit_id]
            period = self.periods.get((year, quarter))
            if period is None:
                period, _created = Period.objects.get_or_create(
                    year=year, quarter=quarter, defaults={"status": Period.Status.CLOSED}
                )
                self.periods[(year, quarter)] = period
                audit_record(
                    actor=user,
                    action=Action.PERIOD_CHANGED,
                    obj=period,
                    summary=f"导入历史数据时新建填报期：{period.title}（已截止）",
                    detail={"period": period.code, "status": period.status},
                )
            report = history_record(unit=unit, period=period, values=values, user=user)
            audit_record(
                actor=user,
                action=Action.IMPORT,
                unit=unit,
                obj=report,
                summary=f"导入历史数据：{period.title}{unit.name} {len(values)} 个数值（已审核）",
                detail={
                    "period": period.code,
                    "values": {code: v for code, v in values.items()},
                    "file": self.file_name,
                },
            )


# --- Admin ------------------------------------------------------------------------------------


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
            sheets.check_size(upload.size)
        except sheets.SheetError as exc:
            raise ValidationError(str(exc)) from exc
        return upload


class OfficeImportExportMixin(ImportExportMixin):
    """django-import-export in the admin, for office staff only, xlsx and csv only.

    A confirmed import that fails after all (someone changed data between the preview and
    the confirmation) is reported as a failure, with nothing written, not as a success.
    """

    formats = FORMATS
    import_form_class = SizedImportForm
    import_template_name = "admin/import_export/zzip_import.html"
    export_template_name = "admin/import_export/zzip_export.html"
    skip_admin_log = True  # the audit log records every import

    def has_import_permission(self, request):
        return role_of(request.user) in OFFICE_ROLES

    def has_export_permission(self, request):
        return role_of(request.user) in OFFICE_ROLES

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
        if isinstance(e, sheets.SheetError):
            form.add_error("import_file", str(e))
        else:
            form.add_error(
                "import_file",
                "无法读取这个文件。请确认“格式”选对了（xlsx 或 csv），"
                "文件可以在 Excel 或 WPS 中打开。",
            )

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
            return HttpResponseRedirect(
                reverse(
                    "admin:{}_{}_import".format(*self.get_model_info()),
                    current_app=self.admin_site.name,
                )
            )
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
