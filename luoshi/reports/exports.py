"""Row builders of the reports' Excel exports (the list of issued briefings)."""

from collections.abc import Iterable, Iterator
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from .models import IssuedBriefing


def issued_headers() -> list[str]:
    return [_("标题"), _("单位"), _("开始日期"), _("截止日期"), _("印发人"), _("印发时间")]


def issued_rows(items: Iterable[IssuedBriefing]) -> Iterator[list[Any]]:
    for item in items:
        yield [
            item.title,
            item.unit.name,
            item.date_from,
            item.date_to,
            item.issued_by.name,
            timezone.localtime(item.issued_at).replace(tzinfo=None),
        ]
