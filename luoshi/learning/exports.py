"""The rows of learning's Excel exports: the import history, the monthly summary, a unit's
people, the ranking and the notice list. Views hand them to `audit.services.serve_export`,
which writes the workbook and records the export."""

import datetime
from collections.abc import Iterable

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from . import selectors
from .models import HalfYearNotice, OrgAlias, Platform, PointImport


def _month_text(month: datetime.date) -> str:
    return f"{month.year}年{month.month}月"


def change_text(change: int | None) -> str:
    """A unit's places gained or lost against the month before, as the summary shows it."""
    if change is None:
        return _("新")
    if change > 0:
        return f"↑{change}"
    if change < 0:
        return f"↓{-change}"
    return "—"


# --- Organisation mappings -------------------------------------------------------------------------


def org_alias_headers() -> list[str]:
    return [
        _("平台"),
        _("平台组织名称"),
        _("对应单位"),
        _("适用范围"),
        _("冲突"),
        _("设置人"),
        _("设置时间"),
    ]


def org_alias_rows(aliases: QuerySet[OrgAlias]) -> list[list]:
    """One row per mapping of `selectors.visible_org_aliases` (annotated with `units`)."""
    listed = list(aliases)
    counts = {alias.pk: getattr(alias, "units", 1) for alias in listed}
    return [
        [
            alias.get_platform_display(),
            alias.name,
            alias.unit.name,
            alias.scope_unit.name if alias.scope_unit else _("全部"),
            _("同一组织对应 %(n)d 个单位") % {"n": counts[alias.pk]}
            if counts[alias.pk] > 1
            else "",
            alias.created_by.name,
            timezone.localtime(alias.created_at).replace(tzinfo=None),
        ]
        for alias in listed
    ]


# --- The import history ----------------------------------------------------------------------------


def import_headers() -> list[str]:
    return [
        _("编号"),
        _("平台"),
        _("导入范围"),
        _("统计期间"),
        _("文件名"),
        _("文件指纹（SHA-256）"),
        _("状态"),
        _("数据行数"),
        _("已匹配"),
        _("未匹配"),
        _("跳过"),
        _("范围外"),
        _("入库条数"),
        _("推算条数"),
        _("上传人"),
        _("上传时间"),
        _("确认人"),
        _("确认时间"),
    ]


def import_rows(imports: Iterable[PointImport]) -> list[list]:
    """One row per import (select_related unit, created_by, confirmed_by)."""
    return [
        [
            item.pk,
            item.get_platform_display(),
            item.unit.name,
            f"{item.period_start}—{item.period_end}",
            item.file_name,
            item.file_sha256,
            item.get_status_display(),
            item.row_count,
            item.matched_count,
            item.unmatched_count,
            item.skipped_count,
            item.outside_count,
            item.record_count,
            item.derived_count,
            item.created_by.name,
            item.created_at,
            item.confirmed_by.name if item.confirmed_by else "",
            item.confirmed_at,
        ]
        for item in imports
    ]


# --- The monthly summary, a unit's people, the ranking ----------------------------------------------


def summary_title(platform: str, month: datetime.date) -> str:
    return _("%(month)s%(platform)s学习情况月度汇总") % {
        "month": _month_text(month),
        "platform": Platform(platform).label,
    }


def summary_headers(platform: str) -> list[str]:
    label = selectors.unit_label(platform)
    return [
        _("名次"),
        _("较上月"),
        _("单位"),
        _("应注册人数"),
        _("已注册"),
        _("注册率（%）"),
        _("活跃人数"),
        _("活跃率（%）"),
        _("合计%(unit)s") % {"unit": label},
        _("人均%(unit)s") % {"unit": label},
        _("提醒"),
    ]


def summary_rows(summary: selectors.Summary) -> list[list]:
    """One row per unit of the summary; units without a rank (no figures) leave it blank."""
    return [
        [
            row.rank or "",
            change_text(row.change) if row.rank else "",
            row.unit.name,
            row.headcount,
            row.registered,
            row.registration_rate,
            row.active,
            row.active_rate,
            float(row.value),
            row.per_person,
            "；".join(row.flags),
        ]
        for row in summary.rows
    ]


def unit_people_title(unit, platform: str, month: datetime.date) -> str:
    return _("%(unit)s%(month)s%(platform)s个人学习情况") % {
        "unit": unit.name,
        "month": _month_text(month),
        "platform": Platform(platform).label,
    }


def unit_people_headers(platform: str) -> list[str]:
    return [_("单位内名次"), _("姓名"), selectors.unit_label(platform)]


def unit_people_rows(rows: Iterable[selectors.PersonRow]) -> list[list]:
    return [[row.unit_rank, row.record.person.name, float(row.record.value or 0)] for row in rows]


def ranking_title(platform: str, month: datetime.date) -> str:
    return _("%(month)s%(platform)s个人排名") % {
        "month": _month_text(month),
        "platform": Platform(platform).label,
    }


def ranking_headers(platform: str) -> list[str]:
    return [_("名次"), _("姓名"), _("单位"), _("单位内名次"), selectors.unit_label(platform)]


def ranking_rows(rows: Iterable[selectors.PersonRow]) -> list[list]:
    return [
        [
            row.rank,
            row.record.person.name,
            row.record.unit.name,
            row.unit_rank,
            float(row.record.value or 0),
        ]
        for row in rows
    ]


# --- The notice list -------------------------------------------------------------------------------


def notice_headers() -> list[str]:
    return [
        _("文号"),
        _("标题"),
        _("发文单位"),
        _("年度"),
        _("半年"),
        _("平台"),
        _("印发时间"),
        _("已阅单位"),
    ]


def notice_rows(notices: Iterable[HalfYearNotice]) -> list[list]:
    """One row per notice, annotated with `read` and `receipts_total` (selectors.NoticeFilter)."""
    return [
        [
            notice.number,
            notice.title,
            notice.unit.name,
            notice.year,
            notice.get_half_display(),
            notice.get_platform_display(),
            timezone.localtime(notice.issued_at),
            f"{notice.read}/{notice.receipts_total}",  # type: ignore[attr-defined]
        ]
        for notice in notices
    ]
