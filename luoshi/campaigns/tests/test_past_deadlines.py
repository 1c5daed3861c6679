"""A deadline set in the past is refused wherever the chain sets one — a plan's 完成时限 (new or
changed), issuing a plan whose 完成时限 has passed, a sub-task's 时限, a 督办单's 回复时限, a
milestone — on the page and the API alike, with the field named; today is accepted, and an
edit that leaves an already-passed deadline as it was is saved."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from luoshi.campaigns import services as chain
from luoshi.campaigns.models import Milestone, SupervisionNotice, Task
from luoshi.testing import issued_task

pytestmark = pytest.mark.django_db


def today() -> datetime.date:
    return timezone.localdate()


def yesterday() -> datetime.date:
    return today() - datetime.timedelta(days=1)


def refused(field: str) -> str:
    return f"{field}不能早于今天（{today().isoformat()}）。"


def plan(world, *, days: int = 30) -> Task:
    return chain.create_task(
        actor=world.office,
        campaign=world.campaign,
        title="建立学习台账",
        deadline=today() + datetime.timedelta(days=days),
    )


def passed(task: Task) -> Task:
    """`task` with its deadline moved to yesterday behind the services' back (time passing)."""
    Task.objects.filter(pk=task.pk).update(deadline=yesterday())
    task.refresh_from_db()
    return task


def _create_form(deadline: datetime.date) -> dict:
    return {
        "title": "建立学习台账",
        "priority": 2,
        "kind": "campaign",
        "deadline_mode": "date",
        "deadline": deadline.isoformat(),
    }


def test_a_new_task_in_the_past_is_refused_on_the_page_and_the_api(world, client_for, api_for):
    office = client_for(world.office)
    url = reverse("campaigns:task-create", args=[world.campaign.pk])
    response = office.post(url, _create_form(yesterday()))
    assert response.status_code == 200 and refused("完成时限") in response.content.decode()
    response = api_for(world.office).post(
        "/tasks",
        {"campaign_id": world.campaign.pk, "title": "建立学习台账", "deadline": str(yesterday())},
    )
    assert response.status_code == 422
    assert response.json()["errors"]["deadline"] == [refused("完成时限")]
    assert not Task.objects.exists()

    assert office.post(url, _create_form(today())).status_code == 302
    response = api_for(world.office).post(
        "/tasks", {"campaign_id": world.campaign.pk, "title": "第二项", "deadline": str(today())}
    )
    assert response.status_code == 201
    assert list(Task.objects.values_list("deadline", flat=True)) == [today(), today()]


def _edit_form(task: Task, **changes) -> dict:
    return {
        "title": task.title,
        "priority": task.priority,
        "kind": task.kind,
        "deadline": task.deadline.isoformat() if task.deadline else "",
        "version": task.version,
        **changes,
    }


def test_moving_a_deadline_into_the_past_is_refused(world, client_for, api_for):
    task = plan(world)
    url = reverse("campaigns:task-edit", args=[task.pk])
    response = client_for(world.office).post(url, _edit_form(task, deadline=str(yesterday())))
    assert response.status_code == 200 and refused("完成时限") in response.content.decode()
    response = api_for(world.office).patch(
        f"/tasks/{task.pk}", {"version": task.version, "deadline": str(yesterday())}
    )
    assert response.status_code == 422
    assert response.json()["errors"]["deadline"] == [refused("完成时限")]
    task.refresh_from_db()
    assert task.deadline == today() + datetime.timedelta(days=30)

    response = api_for(world.office).patch(
        f"/tasks/{task.pk}", {"version": task.version, "deadline": str(today())}
    )
    assert response.status_code == 200
    task.refresh_from_db()
    assert task.deadline == today()


def test_an_edit_leaving_a_passed_deadline_as_it_was_is_saved(world, client_for, api_for):
    task = passed(plan(world))
    url = reverse("campaigns:task-edit", args=[task.pk])
    response = client_for(world.office).post(url, _edit_form(task, title="建立学习台账（修订）"))
    assert response.status_code == 302
    task.refresh_from_db()
    assert (task.title, task.deadline) == ("建立学习台账（修订）", yesterday())
    response = api_for(world.office).patch(
        f"/tasks/{task.pk}",
        {"version": task.version, "title": "再次修订", "deadline": str(yesterday())},
    )
    assert response.status_code == 200
    task.refresh_from_db()
    assert (task.title, task.deadline) == ("再次修订", yesterday())


def test_a_plan_whose_deadline_has_passed_is_not_issued(world, client_for, api_for):
    task = passed(plan(world))
    reason = refused("完成时限") + "请先修改任务的完成时限，再下发。"
    response = client_for(world.office).post(
        reverse("campaigns:task-issue", args=[task.pk]), {"units": [world.unit_a.pk]}
    )
    assert response.status_code == 200 and reason in response.content.decode()
    response = api_for(world.office).post(
        f"/tasks/{task.pk}/issue", {"unit_ids": [world.unit_a.pk]}
    )
    assert response.status_code == 422 and response.json()["errors"]["deadline"] == [reason]
    assert not task.children.exists()

    Task.objects.filter(pk=task.pk).update(deadline=today())
    response = client_for(world.office).post(
        reverse("campaigns:task-issue", args=[task.pk]), {"units": [world.unit_a.pk]}
    )
    assert response.status_code == 302
    response = api_for(world.office).post(
        f"/tasks/{task.pk}/issue", {"unit_ids": [world.unit_b.pk]}
    )
    assert response.status_code == 201
    assert set(task.children.values_list("deadline", flat=True)) == {today()}


def _decompose_form(deadline: datetime.date, owner) -> dict:
    return {
        "sub-TOTAL_FORMS": 1,
        "sub-INITIAL_FORMS": 0,
        "sub-0-title": "收集签到表",
        "sub-0-owner": owner.pk,
        "sub-0-deadline": deadline.isoformat(),
    }


def test_a_sub_task_due_in_the_past_is_refused(world, client_for, api_for):
    task = issued_task(world)[0]
    chain.sign_task(actor=world.liaison, task=task)
    reason = "第 1 项子任务：" + refused("子任务时限")
    url = reverse("campaigns:task-decompose", args=[task.pk])
    response = client_for(world.liaison).post(url, _decompose_form(yesterday(), world.staff))
    assert response.status_code == 400 and reason in response.content.decode()
    item = {"title": "收集签到表", "owner_id": world.staff.pk, "deadline": str(yesterday())}
    response = api_for(world.liaison).post(f"/tasks/{task.pk}/decompose", {"items": [item]})
    assert response.status_code == 422 and response.json()["errors"]["items"] == [reason]
    assert not task.children.exists()

    response = client_for(world.liaison).post(url, _decompose_form(today(), world.staff))
    assert response.status_code == 302
    item["deadline"] = str(today())
    response = api_for(world.liaison).post(f"/tasks/{task.pk}/decompose", {"items": [item]})
    assert response.status_code == 201
    assert list(task.children.values_list("deadline", flat=True)) == [today(), today()]


def test_a_sub_task_without_a_deadline_keeps_its_overdue_tasks(world):
    task = issued_task(world)[0]
    chain.sign_task(actor=world.liaison, task=task)
    passed(task)
    [sub] = chain.decompose_task(
        actor=world.liaison, task=task, items=[chain.SubTaskSpec("收集签到表", world.staff)]
    )
    assert sub.deadline == yesterday()


def test_a_notice_asking_for_a_reply_in_the_past_is_refused(world, client_for, api_for):
    task = issued_task(world)[0]
    url = reverse("campaigns:notice-create", args=[task.pk])
    form = {"content": "请加快进度", "reply_deadline": str(yesterday())}
    response = client_for(world.office).post(url, form)
    assert response.status_code == 400 and refused("回复时限") in response.content.decode()
    response = api_for(world.office).post(f"/tasks/{task.pk}/notices", form)
    assert response.status_code == 422
    assert response.json()["errors"]["reply_deadline"] == [refused("回复时限")]
    assert not SupervisionNotice.objects.exists()

    form["reply_deadline"] = str(today())
    assert client_for(world.office).post(url, form).status_code == 302
    assert api_for(world.office).post(f"/tasks/{task.pk}/notices", form).status_code == 201
    assert list(SupervisionNotice.objects.values_list("reply_deadline", flat=True)) == [
        today(),
        today(),
    ]


def test_a_milestone_in_the_past_is_refused(world, client_for):
    task = plan(world)
    url = reverse("campaigns:milestone-add", args=[task.pk])
    response = client_for(world.office).post(url, {"title": "完成方案", "due_date": yesterday()})
    assert response.status_code == 400 and refused("计划完成日期") in response.content.decode()
    assert not Milestone.objects.exists()
    response = client_for(world.office).post(url, {"title": "完成方案", "due_date": today()})
    assert response.status_code == 302
    assert Milestone.objects.get().due_date == today()
