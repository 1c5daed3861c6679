"""`manage.py demo_accounts`: the demo accounts, their password, role and unit, as a table."""

import unicodedata

from django.core.management.base import BaseCommand

from luoshi.accounts.models import User
from luoshi.demo.data import PASSWORD
from luoshi.demo.people import DEMO_ACCOUNTS
from luoshi.org.services import primary_unit


def _width(text: str) -> int:
    """Columns a string takes in a terminal: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def render_table(rows: list[list[str]]) -> str:
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    rule = "+" + "+".join("-" * (w + 2) for w in widths) + "+"
    lines = [rule]
    for index, row in enumerate(rows):
        lines.append(
            "| " + " | ".join(_pad(cell, w) for cell, w in zip(row, widths, strict=True)) + " |"
        )
        if index == 0:
            lines.append(rule)
    lines.append(rule)
    return "\n".join(lines)


class Command(BaseCommand):
    help = "列出演示账号。Print the demo accounts."

    def handle(self, *args, **options) -> None:
        people = {
            user.username: user
            for user in User.objects.filter(
                username__in=[username for username, *_rest in DEMO_ACCOUNTS], is_demo=True
            )
        }
        if not people:
            self.stdout.write("尚未载入演示数据（manage.py load_demo）。No demo loaded yet.")
            return
        rows = [["账号 Username", "密码 Password", "角色 Role", "姓名 Name", "单位 Unit"]]
        for username, role, role_en in DEMO_ACCOUNTS:
            user = people.get(username)
            if user is None:
                continue
            unit = primary_unit(user)
            rows.append([username, PASSWORD, f"{role} {role_en}", user.name, str(unit or "")])
        self.stdout.write("演示账号 Demo accounts:")
        self.stdout.write(render_table(rows))
