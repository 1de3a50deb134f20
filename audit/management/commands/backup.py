"""For cron: writes a consistent, restorable copy of the database; the backup is audited."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from audit.backups import BackupError, database_backup, default_filename


class Command(BaseCommand):
    help = (
        "备份数据库：PostgreSQL 用 pg_dump（自定义格式），SQLite 用在线备份接口复制数据库文件。"
        "备份文件只有所有者可读（含密码哈希和电话号码）。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "-o",
            "--output",
            help="备份文件路径，或已有的目录（在其中按时间命名，如 zzip-20260101-020000.dump）；"
            "不填则写到当前目录",
        )

    def handle(self, *args, output, **options):
        path = Path(output or ".")
        if path.is_dir():
            stamp = f"{timezone.localtime():%Y%m%d-%H%M%S}"
            path = path / default_filename(connection.vendor, stamp)
        if not path.parent.is_dir():
            raise CommandError(f"目录“{path.parent}”不存在。")
        try:
            result = database_backup(path=path)
        except (BackupError, OSError) as e:
            raise CommandError(f"备份失败：{e}") from e
        self.stdout.write(
            self.style.SUCCESS(
                f"已备份到 {result.path}（{result.size} 字节，SHA-256 {result.sha256[:16]}…）。"
            )
        )
