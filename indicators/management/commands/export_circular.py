"""Writes the circular of one quarter (GB/T 9704 layout, with its attachment table) to Word."""

import getpass
from pathlib import Path

from django.core.management.base import CommandError

from audit.models import Action
from audit.services import audit_record
from indicators.exports.docx import circular_docx_bytes, circular_filename
from indicators.management.commands import export_summary
from indicators.selectors import summarize


class Command(export_summary.Command):
    """Reads the period and the unit as export_summary does, with the same messages."""

    help = (
        "导出通报（Word，GB/T 9704 版式）：由数据生成的通报文字开头，附件为通报附件表；"
        "文字与表格出自同一份汇总数据。"
    )

    def add_arguments(self, parser):
        parser.add_argument("period", help="填报期，如 2023Q2（2023年上半年）")
        parser.add_argument(
            "-o",
            "--output",
            help="输出文件路径；不填则在当前目录按标题保存，如“2023年上半年全市知识产权工作情况通报.docx”",
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

        path = Path(options["output"] or circular_filename(summary))
        try:
            path.write_bytes(circular_docx_bytes(summary))
        except OSError as e:
            raise CommandError(f"无法写入“{path}”：{e.strerror or e}") from e
        audit_record(
            actor=None,
            action=Action.EXPORT,
            unit=summary.parent,
            summary=f"命令行导出 Word 通报：{summary.title}",
            detail={
                "period": period.code,
                "unit": unit.code,
                "format": "docx",
                "via": "manage.py export_circular",
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
                    " 个尚未报送，通报和附件表中只计已报送和已审核的数字。"
                )
            )
        self.stdout.write(self.style.SUCCESS(f"已导出“{summary.title}”通报：{path}"))


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for the uid (a container)
        return "?"
