"""Sources from the chain and the ledger: tasks, supervision notices, accountability, activities,
participation, and the manual items of the inspection team."""

import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from luoshi.campaigns.models import (
    AccountabilityAction,
    SupervisionNotice,
    Task,
    TaskEvent,
    TaskState,
)
from luoshi.ledgers.models import Activity, Participation
from luoshi.org.models import Membership, Unit

from . import (
    PARAM_KINDS,
    PARAM_PER_HEAD,
    PARAM_TYPES,
    Context,
    Figure,
    Source,
    count_figure,
    quantize,
    ratio,
    records,
    register_source,
)

TASKS = gettext_lazy("任务")
LEDGER = gettext_lazy("台账")
OTHER = gettext_lazy("其他")


def _task_url(task) -> str:
    return reverse("campaigns:task-detail", args=[task.pk])


def _activity_url(activity) -> str:
    return reverse("ledgers:activity-detail", args=[activity.pk])


def unit_tasks(ctx: Context, unit: Unit):
    """The campaign's tasks of the unit (and units below) due in the period and issued by the
    cut-off; a liaison's sub-tasks are part of their unit task, not counted again."""
    return (
        Task.objects.alive()
        .filter(
            campaign_id=ctx.campaign_id,
            unit__path__startswith=unit.path,
            deadline__gte=ctx.start,
            deadline__lte=ctx.last_day,
            issued_at__lt=ctx.cutoff_at,
        )
        .exclude(state__in=[TaskState.DRAFT, TaskState.WITHDRAWN])
        .exclude(parent__unit__isnull=False)
        .order_by("deadline", "id")
    )


def _done_by_cutoff(ctx: Context) -> Q:
    return Q(verified_at__lt=ctx.cutoff_at, score__isnull=False)


def on_time_rate(ctx: Context, unit: Unit, params: dict[str, Any]) -> Figure:
    tasks = unit_tasks(ctx, unit)
    total = tasks.count()
    on_time = tasks.filter(_done_by_cutoff(ctx), timeliness=Task.Timeliness.ON_TIME)
    done = on_time.count()
    value = ratio(done, total)
    text = _("按时办结 %(done)d 项 / 应办结 %(total)d 项") % {"done": done, "total": total}
    rows = records(
        list(tasks.only("id", "title", "state")),
        lambda t: f"{t.title}（{t.get_state_display()}）",
        _task_url,
    )
    return Figure(value, text, rows, total)


def average_score(ctx: Context, unit: Unit, params: dict[str, Any]) -> Figure:
    done = unit_tasks(ctx, unit).filter(_done_by_cutoff(ctx))
    count = done.count()
    average = done.aggregate(avg=Avg("score"))["avg"]
    value = quantize(average) if average is not None else None
    text = _("%(count)d 项已办结任务的平均得分 %(avg)s") % {
        "count": count,
        "avg": value if value is not None else "—",
    }
    rows = records(
        list(done.only("id", "title", "score")), lambda t: f"{t.title}（{t.score} 分）", _task_url
    )
    return Figure(value, text, rows, count)


def returned(ctx: Context, unit: Unit, params: dict[str, Any]) -> Figure:
    events = (
        TaskEvent.objects.filter(
            action=TaskEvent.Action.RETURN,
            at__gte=ctx.start_at,
            at__lt=ctx.end_at,
            task__in=unit_tasks_any_deadline(ctx, unit),
        )
        .select_related("task")
        .order_by("at", "id")
    )
    rows = list(events)
    return Figure(
        Decimal(len(rows)),
        _("退回 %(count)d 次") % {"count": len(rows)},
        records(
            rows, lambda e: f"{e.task.title}（{e.at:%Y-%m-%d} 退回）", lambda e: _task_url(e.task)
        ),
        len(rows),
    )


def unit_tasks_any_deadline(ctx: Context, unit: Unit):
    return (
        Task.objects.alive()
        .filter(campaign_id=ctx.campaign_id, unit__path__startswith=unit.path)
        .exclude(parent__unit__isnull=False)
        .values("id")
    )


def red_days(ctx: Context, unit: Unit, params: dict[str, Any]) -> Figure:
    """Days past the deadline (红色预警天数): for each task due in the period, from the deadline
    to its submission, or to the last counted day while it was still open then."""
    tasks = unit_tasks(ctx, unit).filter(deadline__lt=ctx.last_day)
    total, rows = 0, []
    for task in tasks.only("id", "title", "deadline", "submitted_at"):
        assert task.deadline is not None
        ended = ctx.last_day
        if task.submitted_at is not None and task.submitted_at < ctx.end_at:
            ended = min(ended, _local_date(task.submitted_at))
        days = (ended - task.deadline).days
        if days > 0:
            total += days
            rows.append(
                {
                    "label": _("%(title)s（逾期 %(days)d 天）")
                    % {"title": task.title, "days": days},
                    "url": _task_url(task),
                }
            )
    return Figure(
        Decimal(total),
        _("%(count)d 项任务逾期共 %(days)d 天") % {"count": len(rows), "days": total},
        rows,
        len(rows),
    )


def _local_date(moment: datetime.datetime) -> datetime.date:
    from django.utils import timezone

    return timezone.localtime(moment).date()


def notices_replied(ctx: Context, unit: Unit, params: dict[str, Any]) -> Figure:
    notices = (
        SupervisionNotice.objects.filter(
            task__campaign_id=ctx.campaign_id,
            task__unit__path__startswith=unit.path,
            issued_at__gte=ctx.start_at,
            issued_at__lt=ctx.end_at,
        )
        .select_related("task")
        .order_by("issued_at", "id")
    )
    rows = list(notices)
    on_time = [
        n
        for n in rows
        if n.replied_at is not None
        and n.replied_at < ctx.cutoff_at
        and _local_date(n.replied_at) <= n.reply_deadline
    ]
    return Figure(
        ratio(len(on_time), len(rows)),
        _("按时回复 %(done)d 份 / 督办单 %(total)d 份")
        % {"done": len(on_time), "total": len(rows)},
        records(rows, lambda n: f"{n.number} {n.task.title}", lambda n: _task_url(n.task)),
        len(rows),
    )


def accountability(ctx: Context, unit: Unit, params: dict[str, Any]) -> Figure:
    actions = AccountabilityAction.objects.filter(
        task__campaign_id=ctx.campaign_id,
        unit__path__startswith=unit.path,
        recorded_at__gte=ctx.start_at,
        recorded_at__lt=ctx.end_at,
    ).select_related("kind", "task")
    if params.get(PARAM_KINDS):
        actions = actions.filter(kind_id__in=params[PARAM_KINDS])
    rows = list(actions.order_by("recorded_at", "id"))
    return Figure(
        Decimal(len(rows)),
        _("问责 %(count)d 起") % {"count": len(rows)},
        records(rows, lambda a: f"{a.kind}：{a.task.title}", lambda a: _task_url(a.task)),
        len(rows),
    )


def unit_activities(ctx: Context, unit: Unit, params: dict[str, Any]):
    """Live activities of the unit and its subtree held in the period, recorded by the cut-off,
    of the indicator's activity types."""
    activities = Activity.objects.alive().filter(
        unit__path__startswith=unit.path,
        starts_at__gte=ctx.start_at,
        starts_at__lt=ctx.end_at,
        created_at__lt=ctx.cutoff_at,
    )
    if params.get(PARAM_TYPES):
        activities = activities.filter(type_id__in=params[PARAM_TYPES])
    return activities.order_by("starts_at", "id")


def activity_count(ctx: Context, unit: Unit, params: dict[str, Any]) -> Figure:
    activities = list(unit_activities(ctx, unit, params).only("id", "title", "starts_at"))
    rows = records(activities, lambda a: f"{a.starts_at:%Y-%m-%d} {a.title}", _activity_url)
    return count_figure(len(activities), unit, params, _("次"), rows)


def participation(ctx: Context, unit: Unit, params: dict[str, Any]) -> Figure:
    """参学率: the unit's people's attendances over (activities × people)."""
    activities = unit_activities(ctx, unit, params)
    people = Membership.objects.filter(
        unit__path__startswith=unit.path, person__deleted_at__isnull=True
    ).values("person_id")
    count = activities.count()
    heads = people.distinct().count()
    attended = (
        Participation.objects.filter(activity__in=activities.values("id"), person_id__in=people)
        .values("activity_id", "person_id")
        .distinct()
        .count()
    )
    rows = records(
        list(activities.annotate(n=Count("participations")).only("id", "title", "starts_at")),
        lambda a: f"{a.starts_at:%Y-%m-%d} {a.title}（{a.n} 人）",
        _activity_url,
    )
    # No activity held is a rate of 0, not a figure without a base.
    return Figure(
        ratio(attended, count * heads) if count else Decimal(0),
        _("参加 %(attended)d 人次 / 应参加 %(due)d 人次（%(count)d 次活动 × %(heads)d 人）")
        % {"attended": attended, "due": count * heads, "count": count, "heads": heads},
        rows,
        count,
    )


def manual(ctx: Context, unit: Unit, params: dict[str, Any]) -> Figure:
    return Figure(None, _("由考核组评分"), [], 0)


register_source(
    Source("tasks.on_time_rate", gettext_lazy("任务按时办结率"), TASKS, "%", on_time_rate)
)
register_source(
    Source(
        "tasks.average_score",
        gettext_lazy("任务平均得分"),
        TASKS,
        gettext_lazy("分"),
        average_score,
    )
)
register_source(
    Source("tasks.returned", gettext_lazy("任务被退回次数"), TASKS, gettext_lazy("次"), returned)
)
register_source(
    Source(
        "tasks.red_days",
        gettext_lazy("任务逾期（红色预警）天数"),
        TASKS,
        gettext_lazy("天"),
        red_days,
    )
)
register_source(
    Source("tasks.notices_replied", gettext_lazy("督办单按时回复率"), TASKS, "%", notices_replied)
)
register_source(
    Source(
        "tasks.accountability",
        gettext_lazy("问责记录"),
        TASKS,
        gettext_lazy("起"),
        accountability,
        params=(PARAM_KINDS,),
    )
)
register_source(
    Source(
        "ledger.activities",
        gettext_lazy("开展活动次数"),
        LEDGER,
        gettext_lazy("次"),
        activity_count,
        params=(PARAM_TYPES, PARAM_PER_HEAD),
    )
)
register_source(
    Source(
        "ledger.participation",
        gettext_lazy("活动参学率"),
        LEDGER,
        "%",
        participation,
        params=(PARAM_TYPES,),
    )
)
register_source(
    Source(
        "manual",
        gettext_lazy("考核组评分（考核检查）"),
        OTHER,
        gettext_lazy("分"),
        manual,
        manual=True,
    )
)
