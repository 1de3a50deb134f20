"""Raw data of the unit tree in and out (django-import-export): reporting units and their
populations, keyed by the unit's code. Rows become the arguments of ``unit_save`` and
``population_save``, the services the admin forms call too (spreadsheets.resources).
"""

from __future__ import annotations

from collections import defaultdict

from django.core.exceptions import ValidationError

from spreadsheets.resources import CodedResource, Column, text

from . import services
from .models import Population, Unit

KINDS = {
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
YES = {"是", "启用", "1", "TRUE", "YES", "Y"}
NO = {"否", "停用", "0", "FALSE", "NO", "N"}


class UnitResource(CodedResource):
    """Reporting units: the tree, keyed by the unit's code; a parent is named by its code."""

    what = "填报单位"
    import_note = (
        "按编码新增或修改单位；文件中没有的列保持原值。上级编码为空表示最上级单位（只能有一个）；"
        "上级单位在同一文件中时，请放在下级单位之前。"
    )
    field_columns = {
        "code": "编码",
        "name": "名称",
        "short_name": "表中名称",
        "kind": "类型",
        "parent": "上级编码",
        "order": "排列顺序",
        "division_code": "行政区划代码",
        "active": "启用",
    }
    key_columns = ("编码",)
    key_words = "同一单位编码"

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
        self.headers = set(dataset.headers)

    def find(self, row):
        return Unit.objects.filter(code=text(row, "编码")).first()

    def read_row(self, row) -> dict:
        errors: dict[str, list[str]] = {}
        args: dict = {"code": text(row, "编码"), "name": text(row, "名称")}
        present = self.headers
        if "表中名称" in present:
            args["short_name"] = text(row, "表中名称")
        if "类型" in present and text(row, "类型"):
            typed = text(row, "类型")
            kind = KINDS.get(typed, KINDS.get(typed.lower()))
            if kind is None:
                errors["类型"] = [
                    f"类型“{typed[:20]}”不对，应为：省、市、区(市)、开发区、其他/市直。"
                ]
            else:
                args["kind"] = kind
        if "排列顺序" in present and text(row, "排列顺序"):
            typed = text(row, "排列顺序")
            if not typed.isdigit():
                errors["排列顺序"] = [f"排列顺序“{typed[:20]}”不对，应为不小于 0 的整数。"]
            else:
                args["order"] = int(typed)
        if "行政区划代码" in present:
            args["division_code"] = text(row, "行政区划代码")
        if "启用" in present and text(row, "启用"):
            flag = text(row, "启用").upper()
            if flag not in YES | NO:
                errors["启用"] = [f"启用“{text(row, '启用')[:20]}”不对，应为“是”或“否”。"]
            else:
                args["active"] = flag in YES
        if "上级编码" in present:
            parent_code = text(row, "上级编码")
            if parent_code:
                parent = Unit.objects.filter(code=parent_code).first()
                if parent is None:
                    errors["上级编码"] = [
                        f"上级编码“{parent_code[:20]}”不存在（如果上级单位也在本文件中，请把它放在前面）。"
                    ]
                args["parent"] = parent
            else:
                args["parent"] = None
        self.unit = self.find(row)
        if self.unit is None:
            if "kind" not in args and "类型" not in errors:
                errors["类型"] = ["新增单位须填写类型（省、市、区(市)、开发区、其他/市直）。"]
            if "上级编码" not in present:
                errors["上级编码"] = ["新增单位须填写上级编码（最上级单位的上级编码留空）。"]
        if errors:
            raise ValidationError(errors)
        return args

    def write_row(self, args):
        return services.unit_save(
            actor=self.actor, unit=self.unit, via=f"导入（{self.via}）", **args
        )


class PopulationResource(CodedResource):
    """Year-end resident population (万人) per unit and year, with its published source."""

    what = "常住人口"
    import_note = "按单位编码和年份新增或修改；人口以万人计，最多两位小数，须注明来源。"
    field_columns = {
        "unit": "单位编码",
        "year": "年份",
        "value": "常住人口（万人）",
        "source": "来源",
    }
    key_columns = ("单位编码", "年份")
    key_words = "同一单位、同一年份"

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
        self.units = {u.code: u for u in Unit.objects.all()}

    def find(self, row):
        year = text(row, "年份").removesuffix("年")
        if not year.isdigit():
            return None
        return (
            Population.objects.select_related("unit")
            .filter(unit__code=text(row, "单位编码"), year=int(year))
            .first()
        )

    def read_row(self, row) -> dict:
        code = text(row, "单位编码")
        unit = self.units.get(code)
        if unit is None:
            raise ValidationError(
                {"单位编码": ["单位编码为空。" if not code else f"未知单位编码“{code[:20]}”。"]}
            )
        return {
            "unit": unit,
            "year": text(row, "年份"),
            "value": text(row, "常住人口（万人）"),
            "source": text(row, "来源"),
        }

    def write_row(self, args):
        return services.population_save(actor=self.actor, via=f"导入（{self.via}）", **args)

    def check_row(self, args):
        return services.population_errors(**args)[0]
