"""For cron: remind clerks of units that have not submitted a period due within N days."""

from django.conf import settings
from django.core.management.base import BaseCommand

from indicators import services


class Command(BaseCommand):
    help = "提醒截止日期临近（或已逾期）仍未报送的单位的填报员：站内通知，配置了邮件时同时发邮件。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--days", type=int, default=3, help="截止日期在几天之内就提醒（默认 3；逾期的一直提醒）"
        )

    def handle(self, *args, days, **options):
        result = services.reminders_send(days=days, send_email=settings.NOTIFY_BY_EMAIL)
        if result.notices:
            self.stdout.write(
                f"已提醒 {len(result.units)} 个单位（{'、'.join(result.units)}）："
                f"站内通知 {result.notices} 条，邮件 {result.emails} 封。"
            )
        else:
            self.stdout.write("没有需要提醒的单位。")
