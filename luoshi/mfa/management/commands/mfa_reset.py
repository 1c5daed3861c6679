"""`manage.py mfa_reset USERNAME --reason "…"`: the operator's reset of a second factor."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from luoshi.accounts.models import User
from luoshi.mfa.services import reset_mfa_at_console


class Command(BaseCommand):
    help = (
        "重置一个账号的双因素鉴别（须重新绑定），用于手机和恢复码都已丢失的管理员；记入审计日志。"
        " Reset an account's second factor (audited)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        parser.add_argument("--reason", required=True, help="重置原因，记入审计日志")

    def handle(self, *args, username: str, reason: str, **options) -> None:
        person = User.objects.filter(username__iexact=username, deleted_at__isnull=True).first()
        if person is None:
            raise CommandError(f"没有账号“{username}”。No such account.")
        try:
            reset_mfa_at_console(person=person, reason=reason)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(f"已重置 {person.username} 的双因素鉴别；其下次登录时须重新绑定。")
