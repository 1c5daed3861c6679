"""Sources from volunteer service (志愿服务): confirmed hours (per head optional), volunteer
activities held, prescribed actions (规定动作) done, residents' ratings of orders, and the share of
the unit's people registered as volunteers.

Read as the records stood at the plan's cut-off: hours count once their publicity ended by the
cut-off with no objection open then (the volunteering app's *confirmed* hours); activities,
registrations and ratings count when recorded by the cut-off. Volunteer service is not tied to
the plan's campaign (a unit's volunteers serve under the 文明实践 centre's campaign), so these
sources read every record of the period.
"""

from decimal import Decimal
from typing import Any

from django.db.models import Avg, Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from luoshi.campaigns.models import Task
from luoshi.ledgers.models import Activity
from luoshi.org.models import Membership, Unit
from luoshi.volunteering.models import (
    Objection,
    ServiceActivity,
    ServiceHours,
    ServiceOrder,
    Volunteer,
)

from . import (
    PARAM_PER_HEAD,
    Context,
    Figure,
    Source,
    count_figure,
    head_count,
    quantize,
    ratio,
    records,
    register_source,
)
from .chain import _local_date, _task_url

VOLUNTEERING = gettext_lazy("志愿服务")


def _people(unit: Unit):
    return Membership.objects.filter(
        unit__path__startswith=unit.path, person__deleted_at__isnull=True
    ).values("person_id")


def _service_url(service_id: int) -> str:
    return reverse("volunteering:activity-detail", args=[service_id])


def confirmed_hours(ctx: Context, unit: Unit | None):
    """The hours of the unit's volunteers (registered at the unit or below, or people of it;
    everyone's without a unit) served in the period and confirmed by the cut-off (or now, if
    that is earlier): publicity over, no objection open."""
    # Open at the cut-off: filed by then and not decided by then (an objection escalated to the
    # centre is still open; its rejection by the organiser is not the decision).
    open_then = Q(objections__created_at__lt=ctx.cutoff_at) & (
        Q(objections__decided_at__isnull=True)
        | Q(objections__decided_at__gte=ctx.cutoff_at)
        | Q(objections__status=Objection.Status.ESCALATED)
    )
    found = ServiceHours.objects.filter(
        served_on__gte=ctx.start,
        served_on__lte=ctx.last_day,
        recorded_at__lt=ctx.cutoff_at,
        public_until__lt=min(ctx.cutoff_at, timezone.now()),
    )
    if unit is not None:
        found = found.filter(
            Q(volunteer__unit__path__startswith=unit.path)
            | Q(volunteer__person_id__in=_people(unit))
        )
    return found.exclude(pk__in=ServiceHours.objects.filter(open_then).values("pk")).order_by(
        "served_on", "id"
    )


def hours(ctx: Context, unit: Unit, params: dict[str, Any]) -> Figure:
    """志愿服务时长: confirmed hours of the unit's volunteers; per head of the unit's people."""
    rows = list(confirmed_hours(ctx, unit).select_related("volunteer", "service__activity"))
    total = sum((row.hours for row in rows), Decimal(0))
    shown = records(
        rows,
        lambda h: (
            f"{h.served_on:%Y-%m-%d} {h.volunteer.masked_name} {h.hours} 小时"
            f"（{h.get_method_display()}）：{h.service.activity.title}"
        ),
        lambda h: _service_url(h.service_id),
    )
    if params.get(PARAM_PER_HEAD):
        heads = head_count(unit)
        value = quantize(total / heads) if heads else None
        text = _("人均 %(value)s 小时（共 %(total)s 小时，%(heads)d 人）") % {
            "value": value if value is not None else "—",
            "total": total,
            "heads": heads,
        }
        return Figure(value, text, shown, len(rows))
    text = _("志愿服务 %(total)s 小时（%(count)d 人次）") % {"total": total, "count": len(rows)}
    return Figure(quantize(total), text, shown, len(rows))


def activities(ctx: Context, unit: Unit, params: dict[str, Any]) -> Figure:
    """Volunteer activities the unit (or a unit below) organised in the period."""
    found = list(
        ServiceActivity.objects.filter(
            activity__in=Activity.objects.alive().filter(
                unit__path__startswith=unit.path,
                starts_at__gte=ctx.start_at,
                starts_at__lt=ctx.end_at,
                created_at__lt=ctx.cutoff_at,
            )
        )
        .select_related("activity")
        .order_by("activity__starts_at", "activity_id")
    )
    shown = records(
        found,
        lambda s: f"{s.activity.starts_at:%Y-%m-%d} {s.activity.title}（{s.get_kind_display()}）",
        lambda s: _service_url(s.pk),
    )
    return count_figure(len(found), unit, params, _("场"), shown)


def prescribed_actions(ctx: Context, unit: Unit, params: dict[str, Any]) -> Figure:
    """规定动作完成率: the unit's tasks of prescribed actions due in the period, done when the
    activities recorded under them by the cut-off reach the number the action asks."""
    tasks = list(
        Task.objects.alive()
        .filter(
            parent__prescribed_action__isnull=False,
            unit__path__startswith=unit.path,
            parent__prescribed_action__deadline__gte=ctx.start,
            parent__prescribed_action__deadline__lte=ctx.last_day,
            issued_at__lt=ctx.cutoff_at,
        )
        .select_related("parent__prescribed_action", "unit")
        .order_by("parent__prescribed_action__deadline", "unit__path", "id")
    )
    held = dict(
        Activity.objects.alive()
        .filter(
            evidence_task__in=[t.pk for t in tasks],
            service__action__isnull=False,
            created_at__lt=ctx.cutoff_at,
        )
        .values_list("evidence_task_id")
        .annotate(n=Count("id"))
        .values_list("evidence_task_id", "n")
    )
    done, shown = 0, []
    for task in tasks:
        assert task.parent is not None  # the filter: a unit task of an action's plan
        action = task.parent.prescribed_action
        count = held.get(task.pk, 0)
        done += count >= action.expected_activities
        shown.append(
            {
                "label": _("%(title)s（%(unit)s，开展 %(count)d / %(expected)d 场）")
                % {
                    "title": action.title,
                    "unit": task.unit.name if task.unit else "",
                    "count": count,
                    "expected": action.expected_activities,
                },
                "url": _task_url(task),
            }
        )
    return Figure(
        ratio(done, len(tasks)),
        _("完成规定动作 %(done)d 项 / 应完成 %(total)d 项") % {"done": done, "total": len(tasks)},
        shown[:300],
        len(tasks),
    )


def order_rating(ctx: Context, unit: Unit, params: dict[str, Any]) -> Figure:
    """群众评价: the average rating (1–5) residents gave the orders the unit's teams closed in
    the period, rated by the cut-off."""
    orders = ServiceOrder.objects.filter(
        team__unit__path__startswith=unit.path,
        closed_at__gte=ctx.start_at,
        closed_at__lt=ctx.end_at,
        rating__isnull=False,
        rated_at__lt=ctx.cutoff_at,
    ).order_by("closed_at", "id")
    average = orders.aggregate(avg=Avg("rating"))["avg"]
    rows = list(orders.select_related("team"))
    value = quantize(average) if average is not None else None
    shown = records(
        rows,
        lambda o: (
            f"{o.code} {o.team.name if o.team else ''}"
            f"（{_local_date(o.closed_at):%Y-%m-%d} 办结，评价 {o.rating} 分）"
        ),
        lambda o: reverse("volunteering:order-detail", args=[o.pk]),
    )
    text = _("%(count)d 单群众点单的平均评价 %(avg)s 分") % {
        "count": len(rows),
        "avg": value if value is not None else "—",
    }
    return Figure(value, text, shown, len(rows))


def registration(ctx: Context, unit: Unit, params: dict[str, Any]) -> Figure:
    """志愿者注册率: the unit's people registered as volunteers (in the register) by the cut-off."""
    heads = head_count(unit)
    found = list(
        Volunteer.objects.filter(
            person_id__in=_people(unit), is_active=True, created_at__lt=ctx.cutoff_at
        ).order_by("masked_name", "id")
    )
    shown = records(
        found,
        lambda v: f"{v.masked_name}（{v.number}）",
        lambda v: reverse("volunteering:volunteer-detail", args=[v.pk]),
    )
    return Figure(
        ratio(len(found), heads),
        _("注册志愿者 %(count)d 人 / %(heads)d 人") % {"count": len(found), "heads": heads},
        shown,
        len(found),
    )


register_source(
    Source(
        "volunteering.hours",
        gettext_lazy("志愿服务时长"),
        VOLUNTEERING,
        gettext_lazy("小时"),
        hours,
        params=(PARAM_PER_HEAD,),
    )
)
register_source(
    Source(
        "volunteering.activities",
        gettext_lazy("开展志愿服务活动"),
        VOLUNTEERING,
        gettext_lazy("场"),
        activities,
        params=(PARAM_PER_HEAD,),
    )
)
register_source(
    Source(
        "volunteering.prescribed",
        gettext_lazy("规定动作完成率"),
        VOLUNTEERING,
        "%",
        prescribed_actions,
    )
)
register_source(
    Source(
        "volunteering.rating",
        gettext_lazy("群众点单评价"),
        VOLUNTEERING,
        gettext_lazy("分"),
        order_rating,
    )
)
register_source(
    Source(
        "volunteering.registration",
        gettext_lazy("志愿者注册率"),
        VOLUNTEERING,
        "%",
        registration,
    )
)
