"""Writes the circular's attachment table of one period to an Excel file."""

import getpass
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from audit.models import Action
from audit.services import audit_record
from districts.models import Unit
from indicators import calendar
from indicators.exports.xlsx import summary_filename, summary_xlsx_bytes
from indicators.models import Period
from indicators.selectors import summarize


class Command(BaseCommand):
    help = "导出通报附件表（Excel）：某一填报期、某一单位的下级单位逐行列出，合计行在最后。"
    # What the file is, for messages, the help and the audit record; export_circular
    # reuses this command with its own.
    kind = "Excel 附件表"
    format = "xlsx"
    example = "2023年上半年全市知识产权工作情况.xlsx"

    def content(self, summary) -> tuple[bytes, str]:
        """The file's bytes and its default name."""
        return summary_xlsx_bytes(summary), summary_filename(summary)

    def add_arguments(self, parser):
        parser.add_argument("period", help="填报期，如 2023Q2（2023年上半年）")
        parser.add_argument(
            "-o", "--output", help=f"输出文件路径；不填则在当前目录按标题保存，如“{self.example}”"
        )
        parser.add_argument("--unit", help="汇总单位的编码，如 370400；只有一个顶级单位时可以不填")

    def handle(self, *args, **options):
        period = self._period(options["period"])
        unit = self._unit(options["unit"])
        summary = summarize(period, unit)
        if not summary.rows:
            raise CommandError(
                f"“{unit.name}”没有下级单位，附件表无行可列；请用 --unit 指定上级单位。"
            )
        data, default_name = self.content(summary)
        path = Path(options["output"] or default_name)
        try:
            path.write_bytes(data)
        except OSError as e:
            raise CommandError(f"无法写入“{path}”：{e.strerror or e}") from e
        audit_record(
            actor=None,
            action=Action.EXPORT,
            unit=summary.parent,
            summary=f"命令行导出 {self.kind}：{summary.title}",
            detail={
                "period": period.code,
                "unit": unit.code,
                "format": self.format,
                "via": f"manage.py {self.__module__.rsplit('.', 1)[-1]}",
                # Shown as the actor of a record without an account (audit_record).
                "username": f"命令行:{_os_user()}",
                "file": str(path),
            },
        )
        total = summary.total
        if total.leaves_reported < total.leaves:
            self.stderr.write(
                self.style.WARNING(
                    f"注意：{total.leaves} 个填报单位中有 {total.leaves - total.leaves_reported}"
                    " 个尚未报送，只计已报送和已审核的数字。"
                )
            )
        self.stdout.write(self.style.SUCCESS(f"已导出“{summary.title}”{self.kind}：{path}"))

    def _period(self, code: str) -> Period:
        try:
            frequency, year, number = calendar.parse_code(code)
        except calendar.PeriodCodeError as e:
            raise CommandError(str(e)) from e
        try:
            return Period.objects.get(frequency=frequency, year=year, number=number)
        except Period.DoesNotExist:
            title = calendar.title(frequency, year, number)
            raise CommandError(
                f"没有填报期 {calendar.code(frequency, year, number)}（{title}），"
                "请先在管理后台建立。"
            ) from None

    def _unit(self, code: str | None) -> Unit:
        if code:
            unit = Unit.objects.filter(code=code.strip()).first()
            if unit is None:
                raise CommandError(f"没有编码为“{code}”的填报单位。")
            if not unit.active:
                raise CommandError(f"填报单位“{unit.name}”（{unit.code}）已停用。")
            return unit
        roots = list(Unit.objects.filter(parent__isnull=True, active=True))
        if not roots:
            raise CommandError("还没有填报单位；可先运行 python manage.py demo 加载演示数据。")
        if len(roots) > 1:
            listed = "、".join(f"{u.name}（{u.code}）" for u in roots)
            raise CommandError(f"有多个顶级单位：{listed}；请用 --unit 指定其中一个。")
        return roots[0]


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for the uid (a container)
        return "?"
