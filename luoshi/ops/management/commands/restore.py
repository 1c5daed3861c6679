"""manage.py restore ARCHIVE [--force]: restore a backup onto an empty instance and verify it."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from luoshi.ops.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = "Restore an archive of `manage.py backup`; checks every hash and every row count."

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path)
        parser.add_argument(
            "--force", action="store_true", help="overwrite an instance that is not empty"
        )

    def handle(self, *args, archive: Path, force: bool = False, **options):
        try:
            report = restore_backup(archive, force=force)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        for warning in report.warnings:
            self.stderr.write(_("注意：%(warning)s") % {"warning": warning})
        self.stdout.write(
            _(
                "已恢复 %(path)s：%(tables)s 张表共 %(rows)s 行与备份一致，%(files)s 个文件校验通过。"
            )
            % {
                "path": archive,
                "tables": len(report.tables),
                "rows": sum(report.tables.values()),
                "files": report.files,
            }
        )
