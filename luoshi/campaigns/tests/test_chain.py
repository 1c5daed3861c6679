"""The responsibility chain through the services: every move, illegal moves, warnings, scope."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from luoshi.audit.models import AuditEvent
from luoshi.campaigns import access
from luoshi.campaigns import services as chain
from luoshi.campaigns.models import AccountabilityKind, Task, TaskEvent, TaskState
from luoshi.testing import issued_task

pytestmark = pytest.mark.django_db


def test_full_chain_writes_timeline_and_audit(world):
    plan_children = issued_task(world, units=[world.unit_a, world.unit_b])
    task = plan_children[0]
    assert task.state == TaskState.ISSUED and task.parent.state == TaskState.ISSUED
    chain.sign_task(actor=world.liaison, task=task)
    chain.assign_task(actor=world.liaison, task=task, owner=world.staff)
    chain.report_progress(actor=world.staff, task=task, percent=40, text="已开展两次")
    task.parent.refresh_from_db()
    assert task.parent.progress == 20  # (40 + 0) / 2
    chain.report_progress(actor=world.staff, task=task, percent=100, text="全部完成", complete=True)
    chain.verify_task(actor=world.office, task=task, passed=False, reason="缺少签到表")
    assert task.state == TaskState.IN_PROGRESS and task.returned_count == 1
    chain.report_progress(
        actor=world.staff, task=task, percent=100, text="补充签到表", complete=True
    )
    chain.verify_task(actor=world.office, task=task, passed=True, quality=Task.Quality.EXCELLENT)
    assert task.timeliness == Task.Timeliness.ON_TIME
    assert task.score == 95  # 100 − one return
    chain.close_task(actor=world.office, task=task)
    actions = list(task.events.values_list("action", flat=True))
    assert actions == [
        "issue",
        "sign",
        "assign",
        "report",
        "submit",
        "return",
        "submit",
        "verify",
        "close",
    ]
    assert (
        AuditEvent.objects.filter(
            object_type="campaigns.task", object_id=str(task.pk), action="transition"
        ).count()
        >= 8
    )


def test_illegal_moves_are_refused_with_a_message(world):
    task = issued_task(world)[0]
    with pytest.raises(ValidationError, match="待签收"):
        chain.verify_task(actor=world.office, task=task, passed=True, quality="good")
    with pytest.raises(PermissionDenied):
        chain.sign_task(actor=world.outsider, task=task)
    with pytest.raises(PermissionDenied):
        chain.report_progress(actor=world.outsider, task=task, percent=10, text="x")


def test_owner_must_belong_to_the_unit(world):
    task = issued_task(world)[0]
    chain.sign_task(actor=world.liaison, task=task)
    with pytest.raises(ValidationError, match="不是"):
        chain.assign_task(actor=world.liaison, task=task, owner=world.outsider)


def test_warnings_are_computed(world):
    task = issued_task(world, days=2)[0]
    assert task.warning == "blue"  # computed by the issue itself, not left to the daily job
    assert Task.objects.get(pk=task.pk).warning == "blue"
    later = timezone.localdate() + datetime.timedelta(days=5)
    chain.refresh_warnings(tasks=[task], today=later)
    assert task.warning == "red"


def test_yellow_when_behind_schedule(world):
    task = issued_task(world, days=10)[0]
    Task.objects.filter(pk=task.pk).update(
        start_date=timezone.localdate() - datetime.timedelta(days=30)
    )
    task.refresh_from_db()
    chain.refresh_warnings(tasks=[task])
    assert task.warning == "yellow"


def test_notice_numbering_and_reply(world):
    task = issued_task(world)[0]
    first = chain.issue_notice(actor=world.office, task=task, content="请加快进度")
    second = chain.issue_notice(actor=world.office, task=task, content="再次督办")
    year = timezone.localdate().year
    assert first.number == f"茫宣督〔{year}〕1号" and second.number == f"茫宣督〔{year}〕2号"
    chain.reply_notice(actor=world.liaison, notice=first, reply="已部署落实")
    with pytest.raises(ValidationError):
        chain.reply_notice(actor=world.liaison, notice=first, reply="again")
    assert world.liaison.notifications.filter(title__contains="督办单").exists()


def test_accountability_only_for_red_or_returned(world):
    task = issued_task(world)[0]
    kind = AccountabilityKind.objects.get(name="约谈")
    with pytest.raises(ValidationError, match="红色预警"):
        chain.record_accountability(
            actor=world.office, task=task, kind=kind, reason="x", unit=world.unit_a
        )
    Task.objects.filter(pk=task.pk).update(warning="red")
    task.refresh_from_db()
    chain.record_accountability(
        actor=world.office, task=task, kind=kind, reason="逾期未完成", unit=world.unit_a
    )
    assert task.events.filter(action=TaskEvent.Action.ACCOUNTABILITY).exists()
    with pytest.raises(ValidationError, match="问责记录"):
        chain.delete_task(actor=world.office, task=task.parent, reason="x")


def test_stale_edit_is_refused_with_the_other_change(world):
    plan = issued_task(world)[0].parent
    version = plan.version
    chain.update_task(actor=world.office, task=plan, version=version, values={"title": "新标题"})
    with pytest.raises(chain.StaleEdit) as caught:
        chain.update_task(
            actor=world.office, task=plan, version=version, values={"description": "另一处修改"}
        )
    assert caught.value.changes[0]["changes"]["title"] == ["组织“晨读+分享”学习会", "新标题"]


def test_working_day_deadline(world):
    plan = chain.create_task(
        actor=world.office,
        campaign=world.campaign,
        title="五个工作日内报送方案",
        deadline_working_days=5,
    )
    task = chain.issue_task(actor=world.office, task=plan, units=[world.unit_a])[0]
    assert (task.deadline - timezone.localdate()).days >= 5


def test_milestones_on_the_timeline(world):
    plan = chain.create_task(
        actor=world.office,
        campaign=world.campaign,
        title="建立台账",
        deadline=timezone.localdate() + datetime.timedelta(days=30),
        milestones=[(timezone.localdate() + datetime.timedelta(days=10), "制定方案")],
    )
    milestone = plan.milestones.get()
    assert milestone.title == "制定方案" and not milestone.done
    with pytest.raises(ValidationError, match="不能晚于完成时限"):
        chain.create_milestone(
            actor=world.office,
            task=plan,
            title="太晚",
            due_date=plan.deadline + datetime.timedelta(days=1),
        )
    with pytest.raises(PermissionDenied):
        chain.create_milestone(actor=world.liaison, task=plan, title="x", due_date=plan.deadline)
    with pytest.raises(PermissionDenied):
        chain.set_milestone_done(actor=world.leader, milestone=milestone, done=True)
    chain.set_milestone_done(actor=world.office, milestone=milestone, done=True)
    assert milestone.done and milestone.done_at is not None
    assert list(plan.events.values_list("action", flat=True)) == [
        "create",
        "milestone",
        "milestone",
    ]
    assert AuditEvent.objects.filter(object_type="campaigns.milestone").count() == 2


def test_can_edit_task_follows_the_services(world):
    task = issued_task(world)[0]
    assert access.can_edit_task(world.office, task)
    assert access.can_edit_task(world.office, task.parent)
    assert not access.can_edit_task(world.liaison, task)
    chain.sign_task(actor=world.liaison, task=task)
    sub = chain.decompose_task(
        actor=world.liaison, task=task, items=[chain.SubTaskSpec(title="子任务", owner=world.staff)]
    )[0]
    assert access.can_edit_task(world.liaison, sub)
    assert not access.can_edit_task(world.staff, sub)


@pytest.mark.parametrize(
    "move",
    [
        lambda w, plan: chain.sign_task(actor=w.liaison, task=plan),
        lambda w, plan: chain.assign_task(actor=w.office, task=plan, owner=w.staff),
        lambda w, plan: chain.remind_task(actor=w.office, task=plan),
        lambda w, plan: chain.withdraw_task(actor=w.office, task=plan, reason="x"),
    ],
    ids=["sign", "assign", "remind", "withdraw"],
)
def test_unit_moves_refuse_a_plan(world, move):
    """A plan has no unit; a permission held on some unit must not let anyone move it."""
    plan = issued_task(world)[0].parent
    with pytest.raises(chain.IllegalMove, match="任务分解"):
        move(world, plan)
    plan.refresh_from_db()
    assert plan.state == TaskState.ISSUED
