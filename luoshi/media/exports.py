"""Rows and headers of the media exports (the matrix, publications, journalists' targets); the
views hand them to `luoshi.audit.services.serve_export`."""

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from .models import JournalistTarget, Publication
from .selectors import Matrix, authors_of


def publication_headers() -> list[str]:
    return [
        _("刊播时间"),
        _("标题"),
        _("渠道"),
        _("级别"),
        _("作者"),
        _("组织单位"),
        _("阅读（播放）量"),
        _("链接"),
    ]


def target_headers() -> list[str]:
    return [
        _("周期"),
        _("类型"),
        _("记者"),
        _("单位"),
        _("级别"),
        _("任务量（篇）"),
    ]


def matrix_headers(table: Matrix) -> list[str]:
    """The matrix's columns: the totals, one per channel, a target and a count per level."""
    level_headers: list[str] = []
    for _value, label in table.levels:
        level_headers += [
            _("%(level)s级任务") % {"level": label},
            _("%(level)s级刊播") % {"level": label},
        ]
    return [
        _("记者"),
        _("单位"),
        _("任务量"),
        _("刊播篇数"),
        _("完成率"),
        _("未完成任务"),
        *[c.name for c in table.channels],
        *level_headers,
        _("阅读（播放）量"),
    ]


def matrix_rows(table: Matrix) -> list[list[Any]]:
    rows: list[list[Any]] = []
    for row in table.rows:
        levels: list[Any] = []
        for target, placed in row.by_level:
            levels += [target, placed]
        rows.append(
            [
                row.person.name or row.person.username,
                row.unit.name if row.unit else "",
                row.target,
                row.placements,
                f"{row.rate}%" if row.rate is not None else "",
                _("未完成") if row.under else "",
                *row.by_channel,
                *levels,
                row.views,
            ]
        )
    return rows


def publication_rows(publications: Iterable[Publication]) -> list[list[Any]]:
    return [
        [
            p.activity.starts_at,
            p.activity.title,
            p.channel.name,
            p.get_level_display(),
            authors_of(p),
            p.activity.unit.name,
            p.views,
            p.link,
        ]
        for p in publications
    ]


def target_rows(targets: Iterable[JournalistTarget]) -> list[list[Any]]:
    return [
        [
            t.period_label,
            t.get_period_kind_display(),
            t.person.name or t.person.username,
            t.unit.name,
            t.get_level_display() or _("不分级别"),
            t.count,
        ]
        for t in targets
    ]
