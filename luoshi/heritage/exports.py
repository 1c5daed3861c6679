"""Headers and rows of the heritage exports (点位, 点位活动统计, 线路, 展览); the views hand them
to `luoshi.audit.services.serve_export`."""

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from .models import Exhibition, Route
from .selectors import SiteCounts


def site_headers() -> list[str]:
    return [
        _("名称"),
        _("类别"),
        _("位置"),
        _("管理单位"),
        _("状态"),
        _("活动次数"),
        _("参加人次"),
        _("受众人数"),
    ]


def site_rows(counts: SiteCounts) -> list[list[Any]]:
    """One row per site of the site list, with the activities held there in the period."""
    return [
        [
            row.site.name,
            row.site.get_kind_display(),
            row.site.location,
            row.site.unit.name if row.site.unit else "",
            _("启用") if row.site.is_active else _("停用"),
            row.total.activities,
            row.total.participants,
            row.total.audience,
        ]
        for row in counts.rows
    ]


def count_headers(counts: SiteCounts) -> list[str]:
    headers = [_("点位")]
    for activity_type in counts.types:
        headers += [
            _("%(type)s次数") % {"type": activity_type.name},
            _("%(type)s参加人次") % {"type": activity_type.name},
            _("%(type)s受众人数") % {"type": activity_type.name},
        ]
    return [*headers, _("活动次数合计"), _("参加人次合计"), _("受众人数合计")]


def count_rows(counts: SiteCounts) -> list[list[Any]]:
    """Site × activity type (times, participants, audience), and the totals row."""
    rows: list[list[Any]] = []
    for row in counts.rows:
        values: list[Any] = [row.site.name]
        for cell in row.cells:
            values += [cell.activities, cell.participants, cell.audience]
        values += [row.total.activities, row.total.participants, row.total.audience]
        rows.append(values)
    totals: list[Any] = [_("合计")]
    for cell in counts.column_totals:
        totals += [cell.activities, cell.participants, cell.audience]
    totals += [counts.total.activities, counts.total.participants, counts.total.audience]
    rows.append(totals)
    return rows


def route_headers() -> list[str]:
    return [_("名称"), _("类别"), _("途经点位"), _("简介")]


def route_rows(routes: Iterable[Route]) -> list[list[Any]]:
    """One row per route (stops prefetched with their sites)."""
    return [
        [
            route.name,
            route.get_kind_display(),
            " → ".join(stop.site.name for stop in route.stops.all()),
            route.description,
        ]
        for route in routes
    ]


def exhibition_headers() -> list[str]:
    return [_("名称"), _("地点"), _("开展日期"), _("闭展日期"), _("主办单位"), _("简介")]


def exhibition_rows(exhibitions: Iterable[Exhibition]) -> list[list[Any]]:
    return [
        [e.title, e.where, e.starts_on, e.ends_on, e.unit.name if e.unit else "", e.description]
        for e in exhibitions
    ]
