"""manage.py backup [--output PATH]: one consistent archive of this instance."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from luoshi.ops.backup import BackupError, create_backup, default_output


class Command(BaseCommand):
    help = "Write one archive: database, queue, media, key references and an SM3 manifest."

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, help="archive path (default var/backups/…)")

    def handle(self, *args, output: Path | None = None, **options):
        output = output or default_output()
        try:
            manifest = create_backup(output)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            _("备份已写入 %(path)s：%(tables)s 张表共 %(rows)s 行，%(files)s 个文件。")
            % {
                "path": output,
                "tables": len(manifest["tables"]),
                "rows": sum(manifest["tables"].values()),
                "files": len(manifest["files"]),
            }
        )
