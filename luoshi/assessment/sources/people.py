"""Person-level figures (个人指标, off by default): the sources that can also be read for each
person of an assessed unit, on the person's own records.

A person function takes the unit and the ids of its people and returns one `Figure` per person,
reading each source's records for the whole unit in a few queries (never one query per person).
Per head does not apply to a person. The figures are read as at the cut-off, as the unit's are.
"""

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from luoshi.ledgers.models import Participation
from luoshi.org.models import Unit

from . import Context, Figure, attach_people, quantize, ratio, records
from .chain import _activity_url, _done_by_cutoff, _task_url, unit_activities
from .domain import YES, _study_type
from .volunteer import _service_url, confirmed_hours

People = list[int]


def _by_person(rows: Iterable[tuple[int, Any]]) -> dict[int, list[Any]]:
    grouped: dict[int, list[Any]] = defaultdict(list)
    for person_id, row in rows:
        grouped[person_id].append(row)
    return grouped


def _person_tasks(ctx: Context, unit: Unit, people: People):
    """The tasks of the unit's tasks (and their sub-tasks) that the person owns."""
    from luoshi.campaigns.models import Task, TaskState

    return (
        Task.objects.alive()
        .filter(
            campaign_id=ctx.campaign_id,
            unit__path__startswith=unit.path,
            owner_id__in=people,
            deadline__gte=ctx.start,
            deadline__lte=ctx.last_day,
            issued_at__lt=ctx.cutoff_at,
        )
        .exclude(state__in=[TaskState.DRAFT, TaskState.WITHDRAWN])
        .order_by("deadline", "id")
    )


def on_time_rate(ctx: Context, unit: Unit, people: People, params: dict) -> dict[int, Figure]:
    from luoshi.campaigns.models import Task

    tasks = _by_person(
        (t.owner_id, t)
        for t in _person_tasks(ctx, unit, people).only(
            "id", "title", "state", "owner_id", "timeliness", "verified_at", "score"
        )
    )
    figures = {}
    for person_id in people:
        mine = tasks.get(person_id, [])
        done = sum(
            1
            for t in mine
            if t.timeliness == Task.Timeliness.ON_TIME
            and t.score is not None
            and t.verified_at is not None
            and t.verified_at < ctx.cutoff_at
        )
        figures[person_id] = Figure(
            ratio(done, len(mine)),
            _("按时办结 %(done)d 项 / 应办结 %(total)d 项") % {"done": done, "total": len(mine)},
            records(mine, lambda t: f"{t.title}（{t.get_state_display()}）", _task_url),
            len(mine),
        )
    return figures


def average_score(ctx: Context, unit: Unit, people: People, params: dict) -> dict[int, Figure]:
    done = _by_person(
        (t.owner_id, t)
        for t in _person_tasks(ctx, unit, people)
        .filter(_done_by_cutoff(ctx))
        .only("id", "title", "score", "owner_id")
    )
    figures = {}
    for person_id in people:
        mine = done.get(person_id, [])
        value = (
            quantize(sum((Decimal(t.score) for t in mine), Decimal(0)) / len(mine))
            if mine
            else None
        )
        figures[person_id] = Figure(
            value,
            _("%(count)d 项已办结任务的平均得分 %(avg)s")
            % {"count": len(mine), "avg": value if value is not None else "—"},
            records(mine, lambda t: f"{t.title}（{t.score} 分）", _task_url),
            len(mine),
        )
    return figures


def participation(ctx: Context, unit: Unit, people: People, params: dict) -> dict[int, Figure]:
    """The person's attendance of the unit's activities (of the indicator's types)."""
    activities = unit_activities(ctx, unit, params)
    count = activities.count()
    attended = _by_person(
        (p.person_id, p.activity)
        for p in Participation.objects.filter(
            activity__in=activities.values("id"), person_id__in=people
        )
        .select_related("activity")
        .order_by("activity__starts_at", "activity_id")
    )
    figures = {}
    for person_id in people:
        mine = attended.get(person_id, [])
        figures[person_id] = Figure(
            ratio(len(mine), count) if count else Decimal(0),
            _("参加 %(attended)d 次 / 应参加 %(count)d 次")
            % {"attended": len(mine), "count": count},
            records(mine, lambda a: f"{a.starts_at:%Y-%m-%d} {a.title}", _activity_url),
            len(mine),
        )
    return figures


def _personal_counts(
    ctx: Context, unit: Unit, people: People, type_name: str, condition: Q, what: str
) -> dict[int, Figure]:
    type_id = _study_type(ctx, type_name)
    figures: dict[int, Figure] = {}
    if type_id is None:
        return {person_id: Figure(None, _("未设置个人学习记录的活动类型")) for person_id in people}
    rows = _by_person(
        (p.person_id, p.activity)
        for p in Participation.objects.filter(
            condition,
            activity__in=unit_activities(ctx, unit, {}).filter(type_id=type_id).values("id"),
            person_id__in=people,
        )
        .select_related("activity")
        .order_by("activity__starts_at", "activity_id")
    )
    for person_id in people:
        mine = rows.get(person_id, [])
        figures[person_id] = Figure(
            Decimal(len(mine)),
            f"{len(mine)} {what}",
            records(mine, lambda a: f"{a.starts_at:%Y-%m-%d} {a.title}", _activity_url),
            len(mine),
        )
    return figures


def readings(ctx: Context, unit: Unit, people: People, params: dict) -> dict[int, Figure]:
    from luoshi.study.models import Reading

    titles = list(
        Reading.objects.filter(campaign_id=ctx.campaign_id).values_list("title", flat=True)
    )
    designated = Q(activity__values__designated=YES)
    if titles:
        designated |= Q(activity__values__book__in=titles)
    return _personal_counts(ctx, unit, people, "reading_type_id", designated, _("本"))


def essays(ctx: Context, unit: Unit, people: People, params: dict) -> dict[int, Figure]:
    return _personal_counts(ctx, unit, people, "essay_type_id", Q(), _("篇"))


def excellent_essays(ctx: Context, unit: Unit, people: People, params: dict) -> dict[int, Figure]:
    commended = Q(activity__commended_at__lt=ctx.cutoff_at)
    return _personal_counts(ctx, unit, people, "essay_type_id", commended, _("篇"))


def volunteer_hours(ctx: Context, unit: Unit, people: People, params: dict) -> dict[int, Figure]:
    """The person's confirmed volunteer hours in the period (wherever they served)."""
    rows = _by_person(
        (h.volunteer.person_id, h)
        for h in confirmed_hours(ctx, None)
        .filter(volunteer__person_id__in=people)
        .select_related("volunteer", "service__activity")
    )
    figures = {}
    for person_id in people:
        mine = rows.get(person_id, [])
        total = sum((h.hours for h in mine), Decimal(0))
        figures[person_id] = Figure(
            quantize(total),
            _("志愿服务 %(total)s 小时（%(count)d 人次）") % {"total": total, "count": len(mine)},
            records(
                mine,
                lambda h: f"{h.served_on:%Y-%m-%d} {h.hours} 小时：{h.service.activity.title}",
                lambda h: _service_url(h.service_id),
            ),
            len(mine),
        )
    return figures


attach_people("tasks.on_time_rate", on_time_rate)
attach_people("tasks.average_score", average_score)
attach_people("ledger.participation", participation)
attach_people("study.readings", readings)
attach_people("study.essays", essays)
attach_people("study.excellent_essays", excellent_essays)
attach_people("volunteering.hours", volunteer_hours)
