"""Brings a backup written by `backup` back, replacing everything in the database."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from audit.backups import BackupError, database_label, database_restore


class Command(BaseCommand):
    help = (
        "从 backup 命令写的备份文件恢复数据库：现有数据全部被备份中的数据替换。"
        "恢复前请先停止网站（systemctl stop zzip）。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="备份文件")
        parser.add_argument("--yes", action="store_true", help="不再询问，直接恢复（用于脚本）")

    def handle(self, *args, file, yes, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"备份文件“{path}”不存在。")
        if not yes:
            if not sys.stdin.isatty():
                raise CommandError("恢复会覆盖现有全部数据；非交互运行时请加 --yes。")
            answer = input(f"将用 {path} 覆盖 {database_label()} 中的全部数据。输入 yes 继续：")
            if answer.strip().lower() != "yes":
                raise CommandError("已取消，数据库未改动。")
        try:
            result = database_restore(path=path)
        except BackupError as e:
            raise CommandError(f"恢复失败：{e}") from e
        self.stdout.write(self.style.SUCCESS(f"已从 {result.path} 恢复数据库。"))
