"""`manage.py verify_audit`: walk the audit log's hash chain; exit 1 at the first broken link."""

from django.core.management.base import BaseCommand, CommandError

from luoshi.audit import selectors


class Command(BaseCommand):
    help = (
        "校验审计日志的 SM3 杂凑链，报告第一处断开（条目编号与时间）。Verify the audit hash chain."
    )

    def handle(self, *args, **options) -> None:
        state = selectors.chain_state()
        if not state.ok:
            raise CommandError(selectors.describe_chain(state), returncode=1)
        self.stdout.write(f"OK {state.checked}：{selectors.describe_chain(state)}")
