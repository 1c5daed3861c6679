"""`manage.py purge_audit [--before DATE]`: delete audit records past the retention period."""

import datetime
import getpass

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from luoshi.audit import services


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError as error:
        raise CommandError(f"--before：日期“{text}”无法识别，请写成 2026-01-31 的形式。") from error


class Command(BaseCommand):
    help = (
        "清理保存期限（LUOSHI_AUDIT_RETENTION_DAYS，至少 184 天）以前的审计记录；"
        "清理本身记入审计日志。Purge audit records older than the retention period."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--before", type=_date, help="只清理此日期以前的记录（不得在保存期限之内）"
        )

    def handle(self, *args, **options) -> None:
        try:
            event = services.purge_audit(
                actor=None,
                before=options["before"],
                operator=f"manage.py purge_audit（{getpass.getuser()}）",
            )
        except (ValidationError, ImproperlyConfigured) as error:
            message = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
            raise CommandError(message, returncode=2) from error
        self.stdout.write(event.note)
