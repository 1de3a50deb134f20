"""Raw data of targets and figures in and out (django-import-export), keyed by codes (unit
code, indicator code, year, quarter), never by database ids. Rows become the arguments of
``services.target_set`` and ``services.history_record``, the services the admin, the
年度目标下达表 and the demo use too (spreadsheets.resources says how every import behaves)::

    ZZIP_ACTOR=office python manage.py import indicators.resources.TargetResource 目标.xlsx
    python manage.py export XLSX indicators.resources.TargetResource > 目标.xlsx

Figures are imported as approved history, in the name of the importing account; which
periods and reports may be written that way is ``indicators.rules.history_block_reason``.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError

from districts.models import Unit
from spreadsheets.resources import CodedResource, Column, text

from . import calendar, services
from .models import Figure, Indicator, Report, Target
from .periods import parse_quarter


class UnitIndicatorResource(CodedResource):
    """Rows keyed by a unit code and an indicator code: codes are looked up once per import."""

    def prepare(self, dataset):
        self.units = {u.code: u for u in Unit.objects.all()}
        self.indicators = {i.code: i for i in Indicator.objects.all()}

    def lookup(self, row, errors) -> tuple[Unit | None, Indicator | None]:
        unit_code, code = text(row, "单位编码"), text(row, "指标编码")
        unit, indicator = self.units.get(unit_code), self.indicators.get(code)
        if unit is None:
            errors["单位编码"] = [
                "单位编码为空。" if not unit_code else f"未知单位编码“{unit_code[:20]}”。"
            ]
        if indicator is None:
            errors["指标编码"] = ["指标编码为空。" if not code else f"未知指标编码“{code[:40]}”。"]
        return unit, indicator


class TargetResource(UnitIndicatorResource):
    """Annual guidance targets: unit code, indicator code, year, value (one per row)."""

    what = "年度指导目标"
    import_note = (
        "每行一个单位、一个指标、一年的目标。汇总单位的目标是下级单位的合计，"
        "不单独导入。按单位一行、指标一列的宽表，请用「年度目标下达表」页面。"
    )
    field_columns = {"unit": "单位编码", "indicator": "指标编码", "year": "年份", "value": "目标值"}
    key_columns = ("单位编码", "指标编码", "年份")
    key_words = "同一单位、指标、年份"

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

    def find(self, row):
        year = text(row, "年份").removesuffix("年")
        if not year.isdigit():
            return None
        return (
            Target.objects.select_related("unit", "indicator")
            .filter(
                unit__code=text(row, "单位编码"),
                indicator__code=text(row, "指标编码"),
                year=int(year),
            )
            .first()
        )

    def read_row(self, row) -> dict:
        errors: dict[str, list[str]] = {}
        unit, indicator = self.lookup(row, errors)
        if errors:
            raise ValidationError(errors)
        return {
            "unit": unit,
            "indicator": indicator,
            "year": text(row, "年份"),
            "value": text(row, "目标值"),
        }

    def write_row(self, args):
        return services.target_set(actor=self.actor, via=f"导入（{self.via}）", **args)

    def check_row(self, args):
        return services.target_errors(**args)[0]


class FigureResource(UnitIndicatorResource):
    """Figures of past periods, imported as approved history (see the module's docstring)."""

    what = "指标数值（历史数据）"
    import_note = (
        "数值作为已审核的历史数据导入，记在导入人名下。填报期写在“期别”列（如 2023Q2、2025M07、"
        "2024Y），季度数据也可写“年份”和“季度”两列。只能导入已截止的填报期，或尚未设立且已结束的"
        "（自动设立为已截止）；正在填报、未开放、在审核流程中或经审核通过的填报表不能用导入修改。"
        "与系统中相同的行自动跳过。"
    )
    field_columns = {"period": "期别", "values": "数值"}
    key_words = "同一单位、指标、填报期"

    unit_code = Column("单位编码", lambda f: f.report.unit.code, required=True)
    unit_name = Column(
        "单位名称", lambda f: f.report.unit.name, readonly=True, note="只读，导入时忽略"
    )
    indicator_code = Column("指标编码", lambda f: f.indicator.code, required=True)
    indicator_name = Column(
        "指标名称", lambda f: f.indicator.name, readonly=True, note="只读，导入时忽略"
    )
    period = Column(
        "期别", lambda f: f.report.period.code, note="如 2023Q2（上半年）、2025M07、2024Y"
    )
    year = Column("年份", lambda f: f.report.period.year, note="没有“期别”时：年份")
    quarter = Column(
        "季度",
        lambda f: f.report.period.number if f.report.period.frequency == "Q" else "",
        note="没有“期别”时：1–4（上半年填 2，全年填 4）",
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
            "period",
            "year",
            "quarter",
            "value",
            "state",
        )
        # The period is 期别, or 年份 and 季度: FigureResource.find reads either.
        import_id_fields = ("unit_code", "indicator_code")

    def get_queryset(self):
        return Figure.objects.select_related(
            "report__unit", "report__period", "indicator"
        ).order_by(
            "report__period__year",
            "report__period__frequency",
            "report__period__number",
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

    def _check_headers(self, dataset):
        problem = super()._check_headers(dataset)
        headers = set(dataset.headers or [])
        if problem is None and "期别" not in headers and not {"年份", "季度"} <= headers:
            return "表头缺少列：期别（或年份和季度两列）。如 2023Q2、2025M07、2024Y。"
        return problem

    def period_code(self, row) -> str:
        """The row's period as a code: its 期别, or its 年份 and 季度."""
        written = text(row, "期别")
        if written:
            return calendar.code(*calendar.parse_code(written))
        year = text(row, "年份").removesuffix("年")
        if not year.isdigit():
            raise calendar.PeriodCodeError(f"年份“{year[:20]}”不对，应为四位数字，如 2022。")
        return calendar.code("Q", int(year), parse_quarter(text(row, "季度")))

    def row_key(self, row):
        try:
            code = self.period_code(row)
        except calendar.PeriodCodeError:
            return None
        return (text(row, "单位编码"), text(row, "指标编码"), code)

    def find(self, row):
        try:
            frequency, year, number = calendar.parse_code(self.period_code(row))
        except calendar.PeriodCodeError:
            return None
        return (
            Figure.objects.select_related("report__unit", "report__period", "indicator")
            .filter(
                report__unit__code=text(row, "单位编码"),
                indicator__code=text(row, "指标编码"),
                report__period__frequency=frequency,
                report__period__year=year,
                report__period__number=number,
            )
            .first()
        )

    def read_row(self, row) -> dict:
        errors: dict[str, list[str]] = {}
        unit, indicator = self.lookup(row, errors)
        code = None
        try:
            code = self.period_code(row)
        except calendar.PeriodCodeError as exc:
            errors["期别" if text(row, "期别") else "季度"] = [str(exc)]
        if not text(row, "数值"):
            errors["数值"] = ["数值为空。"]
        if errors:
            raise ValidationError(errors)
        return {"unit": unit, "period": code, "values": {indicator.code: text(row, "数值")}}

    def write_row(self, args):
        try:
            saved = services.history_record(actor=self.actor, via=f"导入（{self.via}）", **args)
        except services.FigureErrors as exc:
            messages = [m for ms in exc.errors.values() for m in ms]
            raise ValidationError({"values": messages}) from None
        self.code = next(iter(args["values"]))
        return saved

    def shown(self, saved):
        figures = saved.report.figures.select_related("report__unit", "report__period", "indicator")
        return figures.filter(indicator__code=self.code).first()
