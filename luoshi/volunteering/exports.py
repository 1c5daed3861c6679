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


def order_headers() -> list[str]:
    return [
        _("点单编号"),
        _("点单时间"),
        _("所在社区"),
        _("服务需求"),
        _("状态"),
        _("服务类别"),
        _("承接队伍"),
        _("派单时间"),
        _("接单时间"),
        _("办结时间"),
        _("评价（1–5）"),
    ]


def _local(moment):
    return timezone.localtime(moment).replace(tzinfo=None) if moment else None


def order_rows(orders: Iterable) -> Iterable[list]:
    for o in orders:
        yield [
            o.code,
            _local(o.created_at),
            o.community,
            o.need,
            o.get_status_display(),
            o.category,
            o.team.name if o.team else "",
            _local(o.dispatched_at),
            _local(o.taken_at),
            _local(o.closed_at),
            o.rating,
        ]


def return_headers() -> list[str]:
    return [
        _("单位"),
        _("活动（场）"),
        _("其中规定动作"),
        _("参与志愿者（人次）"),
        _("参与志愿者（人）"),
        _("服务时长（小时）"),
        _("其中补录"),
        _("规定动作完成"),
        _("规定动作应完成"),
        _("派单"),
        _("办结"),
        _("平均评价"),
    ]


def _return_line(row) -> list:
    return [
        row.unit.name,
        row.activities,
        row.prescribed,
        row.attendances,
        row.volunteers,
        row.hours,
        row.added_hours,
        row.actions_done,
        row.actions_expected,
        row.orders_dispatched,
        row.orders_closed,
        row.average_rating,
    ]


def return_rows(report) -> Iterable[list]:
    for row in report.rows:
        yield _return_line(row)
    yield _return_line(report.total)


def national_headers(columns: list[list[str]]) -> list[str]:
    return [header for header, _key in columns]


def national_rows(rows: Iterable, columns: list[list[str]]) -> Iterable[list]:
    """One line per service record in the configured column layout (VolunteerSettings)."""
    for h in rows:
        values = {
            "name": h.volunteer.real_name,
            "id_type": h.volunteer.get_id_type_display(),
            "id_number": h.volunteer.id_number,
            "activity": h.service.activity.title,
            "date": h.served_on,
            "hours": h.hours,
            "organiser": h.unit.name,
            "method": h.get_method_display(),
            "phone": h.volunteer.phone,
        }
        yield [values.get(key, "") for _header, key in columns]
