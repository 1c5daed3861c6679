"""一月一主题: the centre's monthly themes and their prescribed actions (规定动作), each a plan
task of the centre's campaign issued to every participating unit through the chain; the units'
progress is counted from their volunteer activities linked to the task, never typed."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext as _

from luoshi.accounts.models import User
from luoshi.audit.services import record_created
from luoshi.campaigns import services as chain
from luoshi.campaigns.models import Campaign, Task
from luoshi.ledgers.models import Activity
from luoshi.lib.dates import past_error
from luoshi.org.access import require_perm
from luoshi.org.models import Unit

from ..models import PracticeUnit, PrescribedAction, Theme


@transaction.atomic
def create_theme(
    *,
    actor: User,
    campaign: Campaign,
    year: int,
    month: int,
    title: str,
    description: str = "",
) -> Theme:
    """The centre sets the theme of a month on its campaign (one theme a month)."""
    require_perm(actor, "volunteer.centre")
    require_perm(actor, "task.issue", campaign.office_unit)
    errors: dict[str, str] = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = _("请填写本月主题。")
    if not 1 <= month <= 12:
        errors["month"] = _("月份须在 1 到 12 之间。")
    if not 2000 <= year <= 2100:
        errors["year"] = _("请填写正确的年份。")
    if not errors and Theme.objects.filter(year=year, month=month).exists():
        errors["month"] = _("%(year)d年%(month)d月已有主题。") % {"year": year, "month": month}
    if errors:
        raise ValidationError(errors)
    theme = Theme.objects.create(
        campaign=campaign,
        year=year,
        month=month,
        title=title,
        description=description or "",
        created_by=actor,
    )
    record_created(actor=actor, obj=theme)
    return theme


@transaction.atomic
def add_action(
    *,
    actor: User,
    theme: Theme,
    title: str,
    deadline: datetime.date | None,
    expected_activities: int = 1,
    description: str = "",
) -> PrescribedAction:
    """A prescribed action of the theme: its plan task (kind 规定动作) in the campaign's
    breakdown, not yet issued."""
    require_perm(actor, "volunteer.centre")
    errors: dict[str, str] = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = _("请填写规定动作。")
    if deadline is None:
        errors["deadline"] = _("请填写完成时限。")
    elif message := past_error(deadline, label=_("完成时限")):
        errors["deadline"] = message
    if expected_activities < 1:
        errors["expected_activities"] = _("每个单位应开展的活动至少 1 场。")
    if errors:
        raise ValidationError(errors)
    assert deadline is not None
    plan = chain.create_task(
        actor=actor,
        campaign=theme.campaign,
        title=_("%(month)d月规定动作：%(title)s") % {"month": theme.month, "title": title},
        description=description or "",
        expected_evidence=_(
            "本单位以该规定动作开展的志愿服务活动 %(n)d 场（在志愿服务中发布，自动关联）。"
        )
        % {"n": expected_activities},
        kind=Task.Kind.PRESCRIBED,
        start_date=datetime.date(theme.year, theme.month, 1),
        deadline=deadline,
    )
    action = PrescribedAction.objects.create(
        theme=theme,
        title=title,
        description=description or "",
        expected_activities=expected_activities,
        deadline=deadline,
        plan_task=plan,
        sort_order=theme.actions.count(),
    )
    record_created(actor=actor, obj=action)
    return action


def participating_units() -> list[Unit]:
    """The units that take the prescribed actions: the 所 and 站 marked to take part."""
    return list(
        Unit.objects.alive()
        .filter(
            practice__takes_part=True,
            practice__level__in=[PracticeUnit.Level.INSTITUTE, PracticeUnit.Level.STATION],
        )
        .order_by("path")
    )


@transaction.atomic
def issue_action(
    *, actor: User, action: PrescribedAction, units: list[Unit] | None = None, note: str = ""
) -> list[Task]:
    """明责: the action's plan issued to every participating unit (or to `units`) through the
    chain's issue_task; each unit signs, assigns and works it as any task."""
    require_perm(actor, "volunteer.centre")
    if action.plan_task is None:
        raise ValidationError({"action": _("该规定动作没有对应的任务。")})
    chosen = participating_units() if units is None else list(units)
    already = set(action.plan_task.children.alive().values_list("unit_id", flat=True))
    chosen = [unit for unit in chosen if unit.pk not in already]
    if not chosen:
        raise ValidationError({"units": _("没有尚未下发的参与单位。")})
    return chain.issue_task(actor=actor, task=action.plan_task, units=chosen, note=note)


def counted(action: PrescribedAction) -> dict[int, int]:
    """Live volunteer activities per unit task of the action (the task's linked evidence)."""
    if action.plan_task_id is None:
        return {}
    tasks = Task.objects.filter(parent_id=action.plan_task_id, deleted_at__isnull=True).values_list(
        "pk", flat=True
    )
    done = dict(
        Activity.objects.alive()
        .filter(service__action=action, evidence_task__parent_id=action.plan_task_id)
        .values_list("evidence_task_id")
        .annotate(n=Count("id"))
        .values_list("evidence_task_id", "n")
    )
    return {pk: done.get(pk, 0) for pk in tasks}


def sync_action_progress(action: PrescribedAction) -> int:
    """Each unit task's progress from the activities counted for it (done ÷ expected, at most
    100 %); returns how many tasks changed. Called after an activity is published or removed,
    by the theme page and by the daily job."""
    changed = 0
    done = counted(action)
    tasks = Task.objects.filter(pk__in=done).select_related("parent", "unit")
    for task in tasks:
        n = done[task.pk]
        percent = min(100, n * 100 // action.expected_activities)
        note = _("按本单位关联的志愿服务活动计算：%(done)d / %(expected)d 场") % {
            "done": n,
            "expected": action.expected_activities,
        }
        if chain.record_counted_progress(task=task, percent=percent, note=note):
            changed += 1
    return changed


def sync_all_progress(*, since: datetime.date | None = None) -> int:
    """The daily job: every action whose deadline has not long passed."""
    actions = PrescribedAction.objects.filter(plan_task__isnull=False)
    if since is not None:
        actions = actions.filter(deadline__gte=since)
    return sum(sync_action_progress(action) for action in actions)
