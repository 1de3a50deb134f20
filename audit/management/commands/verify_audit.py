"""For cron and for the assessor: walks the audit log's hash chain, reports the first break,
and compares the chain's head with the anchor file kept outside the database (audit.anchor),
so records cut off the end are reported with how many are missing."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from audit.anchor import audit_anchor_check
from audit.models import AuditEvent
from audit.services import audit_reanchor, audit_verify


class Command(BaseCommand):
    help = (
        "校验审计记录的哈希链，并与数据库之外的锚点文件（AUDIT_ANCHOR_FILE）比对："
        "完整时报告校验的条数；有断点或末尾记录缺失时报告编号、缺失条数和原因，退出码为 1。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reanchor",
            metavar="REASON",
            help="从表中最后一条起重设锚点（锚点文件丢失、开发库重建之后），须写明原因；"
            "重设本身记入审计记录",
        )

    def handle(self, *args, reanchor=None, **options):
        report = audit_verify()
        if report.broken_at is not None:
            event = AuditEvent.objects.filter(id=report.broken_at).first()
            when = f"，时间 {timezone.localtime(event.at):%Y-%m-%d %H:%M:%S}" if event else ""
            raise CommandError(
                f"审计记录链在编号 {report.broken_at} 处断开{when}：{report.reason}。"
                f"此前 {report.checked} 条完好。"
            )
        if reanchor is not None:
            try:
                event = audit_reanchor(actor=None, reason=reanchor)
            except ValueError as e:
                raise CommandError(str(e)) from e
            self.stdout.write(self.style.WARNING(f"已从编号 {event.id} 起重设锚点。"))
            return
        self.stdout.write(self.style.SUCCESS(f"已校验 {report.checked} 条审计记录，链完整。"))
        last = AuditEvent.objects.order_by("-id").values_list("id", "hash").first()
        if last is not None:
            self.stdout.write(f"最后一条：编号 {last[0]}，哈希 {last[1]}")
        anchor = audit_anchor_check()
        if not anchor.ok:
            raise CommandError(anchor.message)
        if anchor.warning:
            self.stderr.write(self.style.WARNING(anchor.message))
        else:
            self.stdout.write(anchor.message)
