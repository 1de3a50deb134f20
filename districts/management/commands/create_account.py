"""Creates an account with its unit and role, e.g. the first system administrator of a new
installation: `python manage.py create_account admin1 --role sysadmin --unit 370400`.

The password is read from the terminal (or standard input with --password-stdin), checked
against the password rules, and must be changed at the first login."""

import getpass
import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from districts import services
from districts.access import SYSTEM
from districts.models import Role, Unit, Wording

_FIELDS = {
    "username": "用户名",
    "unit": "单位",
    "role": "角色",
    "email": "电子邮箱",
    "phone": "电话",
}


class Command(BaseCommand):
    help = "建立账号（指定单位和角色），如新系统的第一个系统管理员。密码首次登录后必须修改。"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--unit", required=True, help="单位编码，如 370400")
        parser.add_argument(
            "--create-unit",
            metavar="NAME",
            default="",
            help="新系统还没有任何单位时，同时建立这个顶级单位，如 --create-unit 某某省",
        )
        parser.add_argument(
            "--unit-kind",
            choices=Unit.Kind.values,
            default=Unit.Kind.CITY,
            help="--create-unit 建立的单位类型：nation 全国、province 省、city 市（默认）……",
        )
        parser.add_argument("--name", default="", help="姓名")
        parser.add_argument("--password-stdin", action="store_true", help="从标准输入读密码")

    def handle(
        self, *args, username, role, unit, name, password_stdin, create_unit, unit_kind, **options
    ):
        problems = services.username_errors(username)
        if problems:
            raise CommandError(" ".join(problems))
        unit_obj = Unit.objects.filter(code=unit).first()
        if unit_obj is None and create_unit:
            if Unit.objects.exists():
                raise CommandError(
                    "已经有单位了，--create-unit 只用于全新的系统；请在管理后台建立单位。"
                )
        elif unit_obj is None:
            raise CommandError(
                f"没有编码为 {unit} 的单位。新系统可加 --create-unit 单位名称 同时建立。"
            )
        if password_stdin:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = getpass.getpass("密码：")
            if password != getpass.getpass("再输一次："):
                raise CommandError("两次输入的密码不一致。")
        try:
            with transaction.atomic():
                if unit_obj is None:
                    unit_obj = services.unit_save(
                        actor=SYSTEM,
                        via="命令行建立顶级单位",
                        code=unit,
                        division_code=unit if unit.isdigit() else "",
                        name=create_unit,
                        kind=unit_kind,
                        parent=None,
                    ).obj
                services.account_create(
                    actor=None,
                    username=username,
                    name=name,
                    unit=unit_obj,
                    role=role,
                    password=password,
                )
        except ValidationError as exc:
            raise CommandError(_describe(exc)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"已建立 {username}（{unit_obj.name}，{Wording.current().role_label(role)}），"
                "首次登录须修改密码。"
            )
        )


def _describe(exc: ValidationError) -> str:
    parts = []
    for field, messages in exc.message_dict.items():
        prefix = "密码不符合要求：" if field == "password" else f"{_FIELDS.get(field, field)}："
        parts.append(prefix + " ".join(messages))
    return " ".join(parts)
