"""Sends a city's approved figures of a period to a province's installation (api.push)."""

from urllib.parse import urlsplit

from django.core.management.base import BaseCommand, CommandError

from audit.models import Action
from audit.services import audit_record
from indicators.management.commands import export_summary

from ... import push


class Command(BaseCommand):
    help = (
        "把本级某一填报期经审核的合计数，作为本单位的填报表报送到上级（省级）系统："
        "重复报送不做修改；数值有变化时作为更正重新报送，由上级重新审核。"
    )

    _period = export_summary.Command._period
    _unit = export_summary.Command._unit

    def add_arguments(self, parser):
        parser.add_argument("period", help="填报期，如 2023Q2")
        parser.add_argument("--to", required=True, help="上级系统的地址，如 https://省级系统/")
        parser.add_argument(
            "--token-file", required=True, help="存放上级系统 API 令牌的文件（一行）"
        )
        parser.add_argument("--unit", help="本级单位编码；只有一个顶级单位时可以不填")
        parser.add_argument("--as", dest="remote_unit", help="本单位在上级系统中的编码；默认相同")

    def handle(self, *args, **options):
        period = self._period(options["period"])
        unit = self._unit(options["unit"])
        try:
            token = push.read_token(options["token_file"])
            result = push.push_period(
                period=period,
                unit=unit,
                base_url=options["to"],
                token=token,
                remote_unit=options["remote_unit"],
            )
        except push.PushError as exc:
            raise CommandError(str(exc)) from None
        audit_record(
            actor=None,
            action=Action.EXPORT,
            unit=unit,
            summary=f"命令行上报 {period.title}{unit.name}数据：{result.message}",
            detail={
                "period": period.code,
                "unit": unit.code,
                # Where to, never who: a user:password in the address stays out of the log.
                "to": _where(options["to"]),
                "outcome": result.outcome,
                "via": "manage.py push_period",
                "username": f"命令行:{export_summary._os_user()}",
            },
        )
        done = f"{period.title}{unit.name}：{result.message}（上级版本 {result.version}）"
        self.stdout.write(self.style.SUCCESS(done))


def _where(url: str) -> str:
    parts = urlsplit(url)
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname or ''}{port}{parts.path}"[:200]
