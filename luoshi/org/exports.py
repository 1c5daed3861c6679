"""Rows of the organisation's Excel exports (the unit tree, the people list, role grants); the
views serve them through `luoshi.audit.services.serve_export`."""

from collections.abc import Iterable

from django.utils.translation import gettext as _

from .models import RoleGrant
from .selectors import TreeRow


def unit_headers() -> list[str]:
    return [_("单位名称"), _("简称"), _("单位类型"), _("上级单位"), _("排序"), _("人数")]


def unit_rows(rows: Iterable[TreeRow]) -> list[list]:
    """One row per unit of the tree, its name indented by its level."""
    return [
        [
            "　" * row.level + row.unit.name,
            row.unit.short_name,
            row.unit.get_kind_display(),
            row.unit.parent.name if row.unit.parent else "",
            row.unit.sort_order,
            row.unit.member_count,
        ]
        for row in rows
    ]


def person_headers() -> list[str]:
    return [_("姓名"), _("登录账号"), _("所在单位及职务"), _("手机号"), _("电子邮箱"), _("状态")]


def person_rows(people: Iterable) -> list[list]:
    """One row per person; expects `selectors.with_phones` (the phone as the viewer may see it)
    and the posts prefetched."""
    return [
        [
            person.name,
            person.username,
            "；".join(f"{m.unit.name} {m.position}".strip() for m in person.memberships.all()),
            person.shown_phone,
            person.email,
            _("启用") if person.is_active else _("停用"),
        ]
        for person in people
    ]


def grant_headers() -> list[str]:
    return [
        _("人员"),
        _("登录账号"),
        _("角色"),
        _("授权单位"),
        _("数据范围"),
        _("自定义单位"),
        _("授权人"),
        _("授权时间"),
    ]


def grant_rows(grants: Iterable[RoleGrant]) -> list[list]:
    return [
        [
            grant.person.name,
            grant.person.username,
            grant.get_role_display(),
            grant.unit.name,
            grant.get_scope_display(),
            "、".join(unit.name for unit in grant.custom_units.all()),
            str(grant.granted_by or ""),
            grant.granted_at,
        ]
        for grant in grants
    ]
