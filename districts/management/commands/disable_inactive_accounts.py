"""For cron: disables accounts unused for N days (default 90); each one is audited."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from districts.inactive import accounts_disable_inactive


class Command(BaseCommand):
    help = (
        "停用超过 N 天（默认 90）未登录的账号；从未登录的按创建时间算。超级用户也不例外。"
        "每停用一个账号都记入审计记录。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=90, help="多少天未登录即停用（默认 90）")

    def handle(self, *args, days, **options):
        if days < 1:
            raise CommandError("--days 至少为 1。")
        disabled = accounts_disable_inactive(days=days)
        if not disabled:
            self.stdout.write(f"没有超过 {days} 天未使用的账号。")
            return
        for d in disabled:
            what = "创建于" if d.never_logged_in else "最后登录"
            self.stdout.write(
                f"已停用 {d.username}（{what} {timezone.localtime(d.last_seen):%Y-%m-%d}）"
            )
        self.stdout.write(self.style.SUCCESS(f"共停用 {len(disabled)} 个账号。"))
