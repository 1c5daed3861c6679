"""Writing the rectification list: task forces, problems and inspection findings.

A problem or a finding is listed and its 整改 task opened in one step: the campaigns services
create the task (kind RECTIFICATION) in the breakdown and issue it to the responsible unit, in the
same transaction as the problem or finding, so that neither exists without the other. From then
on the task walks the chain (签收, 分派, 填报, 复核, 销号) on the task pages like any other.
"""

import datetime
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from luoshi.accounts.models import User
from luoshi.audit.models import AuditEvent
from luoshi.audit.services import diff, record, record_created, snapshot
from luoshi.campaigns import services as chain
from luoshi.campaigns.models import Campaign, Task
from luoshi.ledgers.models import Activity, Category
from luoshi.lib.dates import past_error
from luoshi.org.access import require_perm, units_for_picker, visible_people
from luoshi.org.models import Unit

from .access import finding_campaigns, finding_perm
from .models import Finding, Problem, TaskForce

TASK_FORCE_FIELDS = ("name", "lead", "description")


# --- Task forces ----------------------------------------------------------------------------------


def _check_people(actor: User, people: Sequence[User], field: str) -> None:
    ids = {person.pk for person in people}
    seen = set(visible_people(actor).filter(pk__in=ids).values_list("pk", flat=True))
    outside = [person.name or person.username for person in people if person.pk not in seen]
    if outside:
        raise ValidationError(
            {field: _("以下人员不在您的数据范围内：%(names)s。") % {"names": "、".join(outside)}}
        )


def _check_task_force(task_force: TaskForce) -> None:
    if not task_force.name:
        raise ValidationError({"name": _("请填写攻坚组名称。")})
    clash = TaskForce.objects.filter(campaign=task_force.campaign, name=task_force.name)
    if clash.exclude(pk=task_force.pk).exists():
        raise ValidationError(
            {"name": _("已有名为“%(name)s”的攻坚组。") % {"name": task_force.name}}
        )


@transaction.atomic
def create_task_force(
    *,
    actor: User,
    campaign: Campaign,
    name: str,
    lead: User,
    members: Sequence[User] = (),
    description: str = "",
) -> TaskForce:
    """The office sets up a task force (项目攻坚组): a lead and members from several units."""
    require_perm(actor, "task.issue", campaign.office_unit)
    _check_people(actor, [lead, *members], "members")
    task_force = TaskForce(
        campaign=campaign,
        name=(name or "").strip()[:100],
        lead=lead,
        description=(description or "").strip(),
        created_by=actor,
    )
    _check_task_force(task_force)
    task_force.save()
    people = {person.pk: person for person in [lead, *members]}
    task_force.members.set(list(people.values()))
    record_created(
        actor=actor,
        obj=task_force,
        note=_("成员：%(names)s") % {"names": "、".join(str(p) for p in people.values())},
    )
    return task_force


@transaction.atomic
def update_task_force(
    *,
    actor: User,
    task_force: TaskForce,
    name: str,
    lead: User,
    members: Sequence[User],
    description: str = "",
) -> TaskForce:
    """Rename a task force, change its lead or members (the lead is always a member)."""
    require_perm(actor, "task.issue", task_force.campaign.office_unit)
    _check_people(actor, [lead, *members], "members")
    names = ["name", "lead_id", "description"]
    before = snapshot(task_force, names)
    before_members = sorted(str(p) for p in task_force.members.all())
    task_force.name = (name or "").strip()[:100]
    task_force.lead = lead
    task_force.description = (description or "").strip()
    _check_task_force(task_force)
    task_force.save(update_fields=["name", "lead", "description"])
    people = {person.pk: person for person in [lead, *members]}
    task_force.members.set(list(people.values()))
    changes = diff(before, snapshot(task_force, names))
    after_members = sorted(str(p) for p in people.values())
    if after_members != before_members:
        changes["members"] = [before_members, after_members]
    if changes:
        record(actor=actor, action=AuditEvent.Action.UPDATE, obj=task_force, changes=changes)
    return task_force


# --- One step: create the 整改 task and issue it to the unit ------------------------------------


def _check_target(
    *,
    actor: User,
    campaign: Campaign,
    unit: Unit | None,
    deadline: datetime.date | None,
    perm: str = "task.issue",
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if unit is None or not units_for_picker(actor, perm).filter(pk=unit.pk).exists():
        errors["unit"] = (
            _("请选择您可以下发任务的责任单位。")
            if perm == "task.issue"
            else _("请选择本单位：联络员只能将检查发现的问题作为本单位的整改任务。")
        )
    if deadline is None:
        errors["deadline"] = _("请填写整改时限。")
    elif message := past_error(deadline, label=_("整改时限")):
        # a problem kept on paper since the start is entered with the time now left to fix it
        errors["deadline"] = message
    elif deadline < campaign.start_date:
        errors["deadline"] = _("整改时限不能早于专项行动开始日期 %(date)s。") % {
            "date": campaign.start_date
        }
    elif deadline > campaign.end_date:
        errors["deadline"] = _("整改时限不能晚于专项行动结束日期 %(date)s。") % {
            "date": campaign.end_date
        }
    return errors


def open_rectification_task(
    *,
    actor: User,
    campaign: Campaign,
    title: str,
    description: str,
    unit: Unit,
    deadline: datetime.date,
    note: str = "",
) -> Task:
    """Create a 整改 task in the campaign's breakdown and issue it to `unit`: the unit's task.
    Called inside the caller's transaction (the problem or finding is saved with it)."""
    plan = chain.create_task(
        actor=actor,
        campaign=campaign,
        title=title[:200],
        description=description,
        kind=Task.Kind.RECTIFICATION,
        priority=Task.Priority.HIGH,
        deadline=deadline,
    )
    [unit_task] = chain.issue_task(actor=actor, task=plan, units=[unit], note=note)
    return unit_task


@transaction.atomic
def create_problem(
    *,
    actor: User,
    campaign: Campaign,
    title: str,
    unit: Unit | None,
    deadline: datetime.date | None,
    description: str = "",
    source: str = "",
    task_force: TaskForce | None = None,
) -> Problem:
    """List a problem and open its 整改 task for the responsible unit, in one step."""
    require_perm(actor, "task.issue", campaign.office_unit)
    title = (title or "").strip()
    errors = _check_target(actor=actor, campaign=campaign, unit=unit, deadline=deadline)
    if not title:
        errors["title"] = _("请填写问题名称。")
    if task_force is not None and task_force.campaign_id != campaign.pk:
        errors["task_force"] = _("所选攻坚组不属于该专项行动。")
    if errors:
        raise ValidationError(errors)
    assert unit is not None and deadline is not None
    description = (description or "").strip()
    task_text = description
    if task_force is not None:
        task_text = _("%(text)s\n项目攻坚组：%(name)s（组长：%(lead)s）") % {
            "text": description,
            "name": task_force.name,
            "lead": task_force.lead,
        }
    task = open_rectification_task(
        actor=actor,
        campaign=campaign,
        title=title,
        description=task_text.strip(),
        unit=unit,
        deadline=deadline,
        note=_("问题清单：%(source)s") % {"source": source} if source else "",
    )
    problem = Problem.objects.create(
        campaign=campaign,
        title=title[:200],
        description=description,
        source=(source or "").strip()[:100],
        unit=unit,
        task_force=task_force,
        deadline=deadline,
        task=task,
        created_by=actor,
    )
    record_created(actor=actor, obj=problem, note=_("整改任务 #%(id)d") % {"id": task.pk})
    return problem


@transaction.atomic
def create_finding(
    *,
    actor: User,
    activity: Activity,
    campaign: Campaign | None,
    description: str,
    unit: Unit | None,
    deadline: datetime.date | None,
) -> Finding:
    """A problem found by an inspection opens a 整改 task for the responsible unit, in one step.
    The caller has fetched `activity` through access (the actor sees it)."""
    if activity.type.category != Category.INSPECTION:
        raise ValidationError({"activity": _("只有检查类活动可以登记发现问题。")})
    if campaign is None:
        raise ValidationError({"campaign": _("请选择整改任务所属的专项行动。")})
    perm = finding_perm(actor, activity)
    if perm == "task.issue" or not perm:
        require_perm(actor, "task.issue", campaign.office_unit)
    elif not finding_campaigns(actor, perm).filter(pk=campaign.pk).exists():
        raise ValidationError({"campaign": _("请选择进行中的专项行动。")})
    description = (description or "").strip()
    errors = _check_target(
        actor=actor, campaign=campaign, unit=unit, deadline=deadline, perm=perm or "task.issue"
    )
    if not description:
        errors["description"] = _("请填写发现的问题。")
    if errors:
        raise ValidationError(errors)
    assert unit is not None and deadline is not None
    venue = activity.values.get("venue_name") or activity.title
    title = _("%(venue)s：%(text)s") % {"venue": venue, "text": description.splitlines()[0]}
    task_text = _("%(text)s\n来源：%(activity)s（%(date)s）") % {
        "text": description,
        "activity": activity.title,
        "date": timezone.localtime(activity.starts_at).date(),
    }
    note = _("检查发现问题：%(title)s") % {"title": activity.title}
    if perm == "task.assign":
        task = chain.open_unit_task(
            actor=actor,
            campaign=campaign,
            unit=unit,
            title=title,
            description=task_text,
            kind=Task.Kind.RECTIFICATION,
            deadline=deadline,
            note=note,
        )
    else:
        task = open_rectification_task(
            actor=actor,
            campaign=campaign,
            title=title,
            description=task_text,
            unit=unit,
            deadline=deadline,
            note=note,
        )
    finding = Finding.objects.create(
        activity=activity,
        description=description,
        unit=unit,
        deadline=deadline,
        task=task,
        created_by=actor,
    )
    record_created(actor=actor, obj=finding, note=_("整改任务 #%(id)d") % {"id": task.pk})
    return finding
