"""Row builders and headers of the volunteer exports."""

from collections.abc import Iterable

from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Team, Volunteer


def volunteer_headers() -> list[str]:
    return [
        _("志愿者编号"),
        _("姓名"),
        _("注册单位"),
        _("政治面貌"),
        _("技能特长"),
        _("服务区域"),
        _("服务次数"),
        _("累计时长（小时）"),
        _("已确认时长（小时）"),
        _("在册"),
    ]


def volunteer_rows(volunteers: Iterable[Volunteer]) -> Iterable[list]:
    for v in volunteers:
        yield [
            v.number,
            v.masked_name,
            v.unit.name,
            v.get_political_status_display(),
            "、".join(s.name for s in v.skills.all()),
            v.areas,
            getattr(v, "services", 0),
            getattr(v, "total_hours", None) or 0,
            getattr(v, "final_hours", None) or 0,
            _("是") if v.is_active else _("否"),
        ]


def team_headers() -> list[str]:
    return [_("名称"), _("所属单位"), _("队长"), _("队员人数"), _("服务内容"), _("启用")]


def team_rows(teams: Iterable[Team]) -> Iterable[list]:
    for team in teams:
        members = list(team.members.all())
        yield [
            team.name,
            team.unit.name,
            "、".join(m.volunteer.masked_name for m in members if m.is_leader),
            len(members),
            team.description,
            _("是") if team.is_active else _("否"),
        ]


def activity_headers() -> list[str]:
    return [
        _("活动名称"),
        _("类别"),
        _("月度主题"),
        _("规定动作"),
        _("组织单位"),
        _("志愿服务队"),
        _("地点"),
        _("开始时间"),
        _("计划时长（小时）"),
        _("招募人数"),
        _("已录用"),
        _("报名截止"),
    ]


def activity_rows(services: Iterable) -> Iterable[list]:
    for s in services:
        yield [
            s.activity.title,
            s.get_kind_display(),
            str(s.theme or ""),
            str(s.action or ""),
            s.activity.unit.name,
            s.team.name if s.team else "",
            s.activity.place,
            timezone.localtime(s.activity.starts_at).replace(tzinfo=None),
            s.planned_hours,
            getattr(s, "places", None) or 0,
            getattr(s, "taken", None) or 0,
            timezone.localtime(s.recruit_until).replace(tzinfo=None),
        ]
