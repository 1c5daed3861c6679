"""One source for every headline number (issue 11): a plan follows its units' tasks, a task with
sub-tasks is as far on as they are, warnings follow each move in its own transaction, and the
workbench's tiles, the campaign cards and the lists they open count the same tasks."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from luoshi.campaigns import services as chain
from luoshi.campaigns.models import Task
from luoshi.testing import issued_task

pytestmark = pytest.mark.django_db


def _fresh(task: Task) -> Task:
    return Task.objects.get(pk=task.pk)


def _walk_to_closed(world, task: Task, owner) -> None:
    liaison = world.liaison if task.unit == world.unit_a else world.outsider
    if task.state == "issued":
        chain.sign_task(actor=liaison, task=task)
    chain.assign_task(actor=liaison, task=task, owner=owner)
    chain.report_progress(actor=owner, task=task, percent=100, text="完成", complete=True)
    chain.verify_task(actor=world.office, task=task, passed=True, quality=Task.Quality.GOOD)
    chain.close_task(actor=world.office, task=task)


def test_plan_state_follows_its_unit_tasks(world, client_for):
    task_a, task_b = issued_task(world, units=[world.unit_a, world.unit_b])
    plan = task_a.parent
    assert _fresh(plan).state == "issued"  # every unit task waits to be signed
    chain.sign_task(actor=world.liaison, task=task_a)
    assert _fresh(plan).state == "in_progress"
    _walk_to_closed(world, task_a, world.staff)
    assert _fresh(plan).state == "in_progress"  # unit B is still open
    _walk_to_closed(world, task_b, world.outsider)
    assert _fresh(plan).state == "closed" and _fresh(plan).progress == 100
    api = client_for(world.office).get(f"/api/tasks/{plan.pk}").json()
    assert api["state"] == "closed"
    page = client_for(world.office).get(
        reverse("campaigns:campaign-detail", args=[plan.campaign_id])
    )
    row = re.search(rf'data-task="{plan.pk}".*?</tr>', page.content.decode(), re.S)
    assert row is not None and "已销号" in row.group(0) and "待签收" not in row.group(0)


def test_plan_is_verified_when_all_done_but_not_all_closed(world):
    task_a, task_b = issued_task(world, units=[world.unit_a, world.unit_b])
    _walk_to_closed(world, task_a, world.staff)
    chain.withdraw_task(actor=world.office, task=task_b, reason="调整")
    assert _fresh(task_a.parent).state == "closed"  # withdrawn tasks are left out
    more = chain.issue_task(actor=world.office, task=_fresh(task_a.parent), units=[world.unit_b])
    assert _fresh(task_a.parent).state == "in_progress"
    chain.sign_task(actor=world.outsider, task=more[0])
    chain.assign_task(actor=world.outsider, task=more[0], owner=world.outsider)
    chain.report_progress(
        actor=world.outsider, task=more[0], percent=100, text="完成", complete=True
    )
    assert _fresh(task_a.parent).state == "submitted"
    chain.verify_task(actor=world.office, task=more[0], passed=True, quality=Task.Quality.GOOD)
    assert _fresh(task_a.parent).state == "verified"


def test_subtask_progress_rolls_up_to_its_task_and_plan(world, client_for):
    task = issued_task(world)[0]
    chain.sign_task(actor=world.liaison, task=task)
    first, second = chain.decompose_task(
        actor=world.liaison,
        task=task,
        items=[
            chain.SubTaskSpec(title="整理台账", owner=world.staff),
            chain.SubTaskSpec(title="撰写总结", owner=world.staff2),
        ],
    )
    chain.report_progress(actor=world.staff, task=first, percent=100, text="完成")
    chain.report_progress(actor=world.staff2, task=second, percent=30, text="起草中")
    assert _fresh(task).progress == 65  # (100 + 30) / 2, each sub-task weighing the same
    assert _fresh(task.parent).progress == 65
    page = client_for(world.liaison).get(reverse("campaigns:task-detail", args=[task.pk]))
    assert "完成进度 65%" in page.content.decode()


def test_warnings_follow_each_move_in_its_transaction(world):
    today = timezone.localdate()
    plan = chain.create_task(
        actor=world.office,
        campaign=world.campaign,
        title="报送学习计划",
        deadline=today,
    )
    (task,) = chain.issue_task(actor=world.office, task=_fresh(plan), units=[world.unit_a])
    # due today (a deadline already passed is refused at issue): warned at once
    assert _fresh(task).warning == "blue"
    assert _fresh(plan).warning == "blue"

    far = chain.issue_task(
        actor=world.office,
        task=chain.create_task(
            actor=world.office,
            campaign=world.campaign,
            title="编写学习手册",
            deadline=today + datetime.timedelta(days=60),
        ),
        units=[world.unit_a],
    )[0]
    assert _fresh(far).warning == ""
    far = chain.update_task(
        actor=world.office,
        task=far,
        version=_fresh(far).version,
        values={"deadline": today + datetime.timedelta(days=1)},
    )
    assert _fresh(far).warning == "blue"  # the deadline change
    chain.sign_task(actor=world.liaison, task=far)
    chain.assign_task(actor=world.liaison, task=far, owner=world.staff)
    chain.report_progress(actor=world.staff, task=far, percent=100, text="完成", complete=True)
    assert _fresh(far).warning == ""  # submitted: nothing to warn about
    chain.verify_task(actor=world.office, task=far, passed=False, reason="缺少佐证")
    assert _fresh(far).warning == "yellow"  # returned once
    chain.report_progress(actor=world.staff, task=far, percent=100, text="补齐", complete=True)
    chain.verify_task(actor=world.office, task=far, passed=True, quality=Task.Quality.GOOD)
    assert _fresh(far).warning == ""


def test_behind_schedule_turns_yellow_on_the_report(world):
    task = issued_task(world, days=10)[0]
    Task.objects.filter(pk=task.pk).update(
        start_date=timezone.localdate() - datetime.timedelta(days=30)
    )
    chain.sign_task(actor=world.liaison, task=_fresh(task))
    chain.assign_task(actor=world.liaison, task=_fresh(task), owner=world.staff)
    chain.report_progress(actor=world.staff, task=_fresh(task), percent=10, text="刚起步")
    assert _fresh(task).warning == "yellow"
    chain.report_progress(actor=world.staff, task=_fresh(task), percent=90, text="赶上")
    assert _fresh(task).warning == "blue" or _fresh(task).warning == ""


def _rows_opened(client, url: str) -> int:
    response = client.get(url + "&per_page=100")
    return response.context["page"].paginator.count


def test_tiles_and_cards_count_the_rows_they_open(world, client_for):
    today = timezone.localdate()
    task_a, task_b = issued_task(world, units=[world.unit_a, world.unit_b], days=1)
    chain.sign_task(actor=world.liaison, task=task_a)
    chain.decompose_task(
        actor=world.liaison,
        task=task_a,
        items=[chain.SubTaskSpec(title="子任务", owner=world.staff)],
    )
    chain.refresh_warnings(today=today + datetime.timedelta(days=5))  # all red now
    for user in (world.office, world.liaison, world.staff, world.leader, world.outsider):
        client = client_for(user)
        response = client.get(reverse("campaigns:workbench"))
        assert "统计口径" in response.content.decode()
        for level, _label, count, url in response.context["warnings"]:
            assert count == _rows_opened(client, url), (user, level)
        for card in response.context["bench"].cards:
            for level in ("red", "yellow", "blue"):
                url = (
                    reverse("campaigns:task-list")
                    + f"?campaign={card.campaign.pk}&level=issued&warning={level}"
                )
                assert url.replace("&", "&amp;") in response.content.decode()
                assert getattr(card, level) == _rows_opened(client, url), (user, level)
    office = client_for(world.office).get(reverse("campaigns:workbench")).context
    assert {level: count for level, _l, count, _u in office["warnings"]}["red"] == 2
