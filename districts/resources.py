"""Raw data of the unit tree in and out (django-import-export): reporting units and their
populations, keyed by the unit's code, and new accounts in bulk. Rows become the arguments of
``unit_save``, ``population_save`` and ``account_create``, the services the admin forms call
too (spreadsheets.resources).
"""

from __future__ import annotations

from collections import defaultdict

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from spreadsheets.resources import CodedResource, Column, text

from . import services
from .access import Do
from .identity import normalize_username
from .models import Population, Role, Unit, Wording
from .services.units import Saved
from .slips import Created

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
    "县(市、区)": Unit.Kind.DISTRICT,
    "县（市、区）": Unit.Kind.DISTRICT,
    "小计": Unit.Kind.SUBTOTAL,
    "市本级": Unit.Kind.SUBTOTAL,
}
KIND_WORDS = "全国、省、市、区(市)、开发区、小计（如市本级）、其他/市直"
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
    kind = Column("类型", lambda u: u.get_kind_display(), note=KIND_WORDS)
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
                errors["类型"] = [f"类型“{typed[:20]}”不对，应为：{KIND_WORDS}。"]
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
                errors["类型"] = [f"新增单位须填写类型（{KIND_WORDS}）。"]
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


def _role_names() -> dict[str, str]:
    """Every way a file may name a role: its code, its label, and this installation's label."""
    wording = Wording.current()
    names: dict[str, str] = {}
    for value, label in Role.choices:
        names[value] = value
        names[str(label)] = value
        names[wording.role_label(value)] = value
    return names


class AccountResource(CodedResource):
    """New accounts in bulk, one per row, through ``account_create``: the admin's own service.

    The preview checks every row with the service's rules (no password is generated or
    hashed); the confirmation creates them all in one transaction, each with a one-time
    random password that must be changed at first sign-in, and hands the passwords out once,
    in the file the confirmation downloads (districts.slips)."""

    what = "账号"
    import_note = (
        "每行新建一个账号；用户名已存在的行不导入。确认导入后，浏览器会下载“初始密码”文件"
        "（账号清单和可裁剪的密码条），每个新账号一个随机初始密码，首次登录时必须修改。"
        "密码只在这个文件中出现一次，系统不保存明文，请妥善保管并当面或密封交给本人。"
    )
    field_columns = {
        "username": "用户名",
        "name": "姓名",
        "unit": "单位编码",
        "role": "角色",
        "phone": "电话",
        "email": "电子邮箱",
    }
    key_words = "同一用户名（不区分大小写、全角半角）"
    right = Do.ACCOUNTS
    right_words = "系统管理员才能导入账号"

    username = Column("用户名", lambda u: u.username, required=True, note="登录用，如 tengzhou01")
    name = Column("姓名", lambda u: u.first_name, required=True)
    unit = Column("单位编码", lambda u: getattr(u, "zz_unit", ""), required=True, note="如 370481")
    role = Column(
        "角色",
        lambda u: getattr(u, "zz_role", ""),
        required=True,
        note="填报员、主管部门工作人员、领导/查看、系统管理员、审计管理员",
    )
    phone = Column("电话", lambda u: getattr(u, "zz_phone", ""), note="可空，最多 20 个字符")
    email = Column("电子邮箱", lambda u: u.email, note="可空")

    class Meta(CodedResource.Meta):
        model = get_user_model()
        fields = ("username", "name", "unit", "role", "phone", "email")
        import_id_fields = ("username",)

    @classmethod
    def column_help(cls) -> list[dict]:
        # The roles as this installation names them (市局工作人员 where the office is 市局).
        labels = "、".join(Wording.current().role_label(value) for value in Role.values)
        return [
            {**c, "note": f"{labels}（或其英文代码）"} if c["header"] == "角色" else c
            for c in super().column_help()
        ]

    def prepare(self, dataset):
        self.units = {u.code: u for u in Unit.objects.filter(active=True)}
        self.roles = _role_names()
        self.created: list[Created] = []

    def get_queryset(self):
        return get_user_model().objects.none()

    def row_key(self, row):
        key = normalize_username(text(row, "用户名"))
        return (key,) if key else None

    def read_row(self, row) -> dict:
        errors: dict[str, list[str]] = {}
        code = text(row, "单位编码")
        unit = self.units.get(code)
        if unit is None:
            errors["单位编码"] = [
                "请填写单位编码。" if not code else f"没有编码为“{code[:20]}”的启用中的单位。"
            ]
        typed = text(row, "角色")
        role = self.roles.get(typed) or self.roles.get(typed.lower())
        if role is None:
            errors["角色"] = [
                "请填写角色。"
                if not typed
                else f"角色“{typed[:20]}”不对，应为：{'、'.join(self._role_labels())}。"
            ]
        if not text(row, "姓名"):
            errors["姓名"] = ["请填写姓名。"]
        if errors:
            raise ValidationError(errors)
        return {
            "username": text(row, "用户名"),
            "name": text(row, "姓名"),
            "unit": unit,
            "role": role,
            "phone": text(row, "电话"),
            "email": text(row, "电子邮箱"),
        }

    def _role_labels(self) -> list[str]:
        wording = Wording.current()
        return [wording.role_label(value) for value in Role.values]

    def import_data(self, dataset, dry_run=False, **kwargs):
        if "user" not in kwargs and self.actor is None:
            # The one-time passwords are handed out by the admin's confirmation, never lost.
            return self._refused(
                "账号只能在管理后台导入（系统管理员：账号 → 导入），确认时下载初始密码文件。"
            )
        return super().import_data(dataset, dry_run=dry_run, **kwargs)

    def import_row(self, row, instance_loader, **kwargs):
        self.dry_run = kwargs.get("dry_run", False)
        return super().import_row(row, instance_loader, **kwargs)

    def check_row(self, args):
        return services.account_create_errors(actor=self.actor, **args)

    def write_row(self, args):
        if self.dry_run:
            # The preview: the same rules, nothing hashed (the confirmation creates them).
            errors = self.check_row(args)
            if errors:
                raise ValidationError(errors)
            user = get_user_model()(username=args["username"])
        else:
            user, password = services.account_create(actor=self.actor, **args)
            self.created.append(
                Created(
                    username=user.username,
                    name=args["name"],
                    unit=args["unit"].name,
                    role=Wording.current().role_label(args["role"]),
                    password=password,
                )
            )
        user.first_name, user.email = args["name"], args["email"]
        user.zz_unit, user.zz_phone = args["unit"].code, args["phone"]
        user.zz_role = Wording.current().role_label(args["role"])
        return Saved(obj=user, created=True, changed={})

    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)
        if not self.dry_run and not (result.has_errors() or result.has_validation_errors()):
            result.zz_created = self.created
