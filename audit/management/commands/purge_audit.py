"""For cron: removes audit records older than N days (N >= 180); the purge itself is audited."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from audit.services import MIN_RETENTION_DAYS, audit_purge


class Command(BaseCommand):
    help = (
        f"清理 N 天之前的审计记录（N 不小于 {MIN_RETENTION_DAYS}，网络安全法要求至少保留六个月）；"
        "清理本身记入审计记录。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=MIN_RETENTION_DAYS,
            help=f"保留最近多少天的记录（默认并且至少 {MIN_RETENTION_DAYS}）",
        )

    def handle(self, *args, days, **options):
        before = timezone.now() - datetime.timedelta(days=days)
        try:
            count = audit_purge(before=before, actor=None)
        except ValueError as e:
            raise CommandError(str(e)) from e
        local = timezone.localtime(before)
        self.stdout.write(
            self.style.SUCCESS(f"已清理 {local:%Y-%m-%d %H:%M} 之前的审计记录 {count} 条。")
        )
