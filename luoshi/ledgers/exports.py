"""Headers and rows of the ledger's Excel exports (活动类型, 活动台账, 台账统计, 个人学习记录); the
views hand them to `luoshi.audit.services.serve_export`."""

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from .models import Activity, ActivityType
from .selectors import PersonTable, Pivot


def type_headers() -> list[str]:
    return [
        _("名称"),
        _("类别"),
        _("专项行动"),
        _("方向"),
        _("个人记录"),
        _("扫码签到"),
        _("自定义字段"),
        _("状态"),
        _("记录数"),
    ]


def type_rows(types: Iterable[ActivityType]) -> list[list[Any]]:
    """One row per type of the type list (annotated with `used`, its live records)."""
    yes, no = _("是"), _("否")
    return [
        [
            t.name,
            t.get_category_display(),
            t.campaign.display_name if t.campaign else "",
            t.track.name if t.track else "",
            yes if t.is_personal else no,
            yes if t.takes_checkin else no,
            "、".join(d["label"] for d in t.fields),
            _("启用") if t.is_active else _("停用"),
            t.used,  # type: ignore[attr-defined]
        ]
        for t in types
    ]


def activity_headers() -> list[str]:
    return [
        _("时间"),
        _("活动类型"),
        _("类别"),
        _("名称"),
        _("组织单位"),
        _("地点"),
        _("场所类别"),
        _("参加人数"),
        _("受众人数"),
        _("时长（小时）"),
        _("计入专项行动"),
        _("登记人"),
    ]


def activity_rows(activities: Iterable[Activity]) -> list[list[Any]]:
    """One row per record of `selectors.activity_list` (annotated with `people`)."""
    return [
        [
            a.starts_at,
            a.type.name,
            a.type.get_category_display(),
            a.title,
            a.unit.name,
            a.place,
            a.get_venue_category_display(),
            a.people,  # type: ignore[attr-defined]
            a.audience,
            a.hours,
            "、".join(c.display_name for c in a.campaigns.all()),
            a.recorded_by.name or a.recorded_by.username,
        ]
        for a in activities
    ]


def pivot_headers(pivot: Pivot) -> list[str]:
    return [_("单位"), _("活动类型"), *[f"{month:%Y-%m}" for month in pivot.months], _("合计")]


def pivot_rows(pivot: Pivot) -> list[list[Any]]:
    """The ledger view's rows (the selected unit's own records first) and the totals row."""
    own_label = _("%(unit)s（本单位）")
    rows = [
        [
            own_label % {"unit": row["unit"].name} if row["own"] else row["unit"].name,
            row["type"].name,
            *row["counts"],
            row["total"],
        ]
        for row in pivot.rows
    ]
    rows.append([_("合计"), "", *pivot.column_totals, pivot.total])
    return rows


def person_headers(table: PersonTable) -> list[str]:
    return [_("姓名"), *[t.name for t in table.types], _("合计")]


def person_rows(table: PersonTable) -> list[list[Any]]:
    return [
        [row["person"].name or row["person"].username, *row["counts"], row["total"]]
        for row in table.rows
    ]
