"""Headers and rows of the study exports (读书记录, 心得体会, 学习统计, 学习小组, 指定读本); the
views hand them to `luoshi.audit.services.serve_export`."""

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from luoshi.ledgers.models import Activity

from . import selectors
from .models import GroupMember, Reading, StudyGroup


def _name(person) -> str:
    return (person.name or person.username) if person else ""


def book_headers() -> list[str]:
    return [_("读完日期"), _("姓名"), _("单位"), _("书名"), _("作者"), _("指定读本"), _("读书笔记")]


def book_rows(records: Iterable[Activity]) -> list[list[Any]]:
    return [
        [
            timezone.localtime(a.starts_at).date(),
            _name(selectors.author_of(a)),
            a.unit.name,
            a.values.get("book") or a.title,
            a.values.get("author", ""),
            a.values.get("designated", ""),
            a.notes,
        ]
        for a in records
    ]


def essay_headers() -> list[str]:
    return [_("日期"), _("姓名"), _("单位"), _("题目"), _("评定"), _("正文")]


def essay_rows(records: Iterable[Activity]) -> list[list[Any]]:
    return [
        [
            timezone.localtime(a.starts_at).date(),
            _name(selectors.author_of(a)),
            a.unit.name,
            a.title,
            _("优秀") if a.commended_at else "",
            a.notes,
        ]
        for a in records
    ]


def count_headers(table, *, by_unit: bool, personal_headers: Sequence[str]) -> list[str]:
    first = [_("单位")] if by_unit else [_("姓名")]
    return [*first, *[t.name for t in table.session_types], *personal_headers]


def count_rows(table, *, by_unit: bool) -> list[list[Any]]:
    """One row per person (or unit): sessions by type, then the personal columns."""
    return [
        [
            row["unit"].name if by_unit else _name(row["person"]),
            *row["sessions"],
            *[row[key] for key in selectors.PERSONAL_COLUMNS],
        ]
        for row in table.rows
    ]


def group_headers() -> list[str]:
    return [_("单位"), _("学习小组"), _("姓名"), _("角色")]


def group_rows(
    groups: Iterable[StudyGroup], members: Mapping[int, list[GroupMember]]
) -> list[list[Any]]:
    """One row per member of each group."""
    return [
        [g.unit.name, g.name, _name(m.person), m.get_role_display()]
        for g in groups
        for m in members.get(g.pk, [])
    ]


def reading_headers() -> list[str]:
    return [_("排序"), _("书名"), _("作者"), _("说明")]


def reading_rows(readings: Iterable[Reading]) -> list[list[Any]]:
    return [[r.sort_order, r.title, r.author, r.note] for r in readings]
