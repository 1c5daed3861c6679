"""`manage.py sweep_uploads`: remove orphan attachment files older than a day (the nightly job)."""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandParser

from luoshi.files import services


class Command(BaseCommand):
    help = "删除媒体目录中无附件记录引用、且已超过 1 天的孤立上传文件。Remove orphan uploads."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--hours", type=int, default=24, help="只删除早于此小时数的文件（默认 24）"
        )

    def handle(self, *args, **options) -> None:
        removed = services.sweep_orphan_files(older_than=timedelta(hours=max(options["hours"], 1)))
        for name in removed:
            self.stdout.write(f"已删除 {name}")
        self.stdout.write(f"共删除 {len(removed)} 个孤立文件。")
