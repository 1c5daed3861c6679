"""Each move on the task page refused for the wrong persona: 403 where the task is visible but the
move is not theirs, 404 for the outsider; illegal moves come back as a message."""

import pytest
from django.urls import reverse

from luoshi.campaigns import services as chain
from luoshi.campaigns.models import AccountabilityKind, Task, TaskEvent, TaskState
from luoshi.testing import issued_task

pytestmark = pytest.mark.django_db


def task_in(world, state: str) -> Task:
    task = issued_task(world)[0]
    if state == "issued":
        return task
    chain.sign_task(actor=world.liaison, task=task)
    chain.assign_task(actor=world.liaison, task=task, owner=world.staff)
    if state == "in_progress":
        return task
    chain.report_progress(actor=world.staff, task=task, percent=100, text="完成", complete=True)
    if state == "submitted":
        return task
    if state == "returned":
        chain.verify_task(actor=world.office, task=task, passed=False, reason="不全")
        return task
    chain.verify_task(actor=world.office, task=task, passed=True, quality="good")
    return task


def payload(action: str, world) -> dict:
    kind = AccountabilityKind.objects.filter(is_active=True).first()
    assert kind is not None, "the migrations seed the accountability kinds"
    return {
        "task-sign": {"note": ""},
        "task-assign": {"owner": world.staff.pk},
        "task-report": {"percent": 50, "text": "进展"},
        "task-verify": {"decision": "pass", "quality": "good"},
        "task-close": {"note": ""},
        "task-withdraw": {"reason": "重复下发"},
        "notice-create": {"content": "请加快", "reply_deadline": "2099-01-01"},
        "task-remind": {"note": ""},
        "accountability-create": {"kind": kind.pk, "target_unit": "on", "reason": "逾期"},
        "task-comment": {"text": "抓紧"},
        "task-delete": {"reason": "误建"},
    }[action]


MATRIX = [
    # action, state the task is in, persona who may see it but not act, persona who acts
    ("task-sign", "issued", "leader", "liaison"),
    ("task-sign", "issued", "office", "liaison"),
    ("task-assign", "issued", "leader", None),
    ("task-report", "in_progress", "leader", "staff"),
    ("task-verify", "submitted", "liaison", "office"),
    ("task-verify", "submitted", "staff", "office"),
    ("task-close", "verified", "liaison", "office"),
    ("task-withdraw", "issued", "liaison", "office"),
    ("notice-create", "in_progress", "liaison", "office"),
    ("task-remind", "in_progress", "leader", "liaison"),
    ("accountability-create", "returned", "liaison", "office"),
    ("task-comment", "in_progress", "liaison", "leader"),
    ("task-delete", "issued", "liaison", "office"),
]


@pytest.mark.parametrize(("action", "state", "denied", "allowed"), MATRIX)
def test_action_matrix(world, client_for, action, state, denied, allowed):
    task = task_in(world, state)
    before_events = task.events.count()
    before_state = task.state
    url = reverse(f"campaigns:{action}", args=[task.pk])
    body = payload(action, world)

    response = client_for(world.outsider).post(url, body)
    assert response.status_code == 404
    response = client_for(getattr(world, denied)).post(url, body)
    assert response.status_code == 403
    task.refresh_from_db()
    assert task.events.count() == before_events and task.state == before_state

    if allowed:
        response = client_for(getattr(world, allowed)).post(url, body)
        assert response.status_code == 302
        assert Task.objects.filter(pk=task.pk).first() is None or (
            task.events.count() > before_events
        )


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("office", 200), ("liaison", 200), ("leader", 200), ("outsider", 404), ("staff2", 404)],
)
def test_task_page_visibility(world, client_for, persona, expected):
    task = task_in(world, "in_progress")
    response = client_for(getattr(world, persona)).get(
        reverse("campaigns:task-detail", args=[task.pk])
    )
    assert response.status_code == expected


def test_action_forms_shown_only_to_who_may_move(world, client_for):
    task = task_in(world, "issued")
    url = reverse("campaigns:task-detail", args=[task.pk])
    sign_url = reverse("campaigns:task-sign", args=[task.pk])
    assert sign_url in client_for(world.liaison).get(url).content.decode()
    assert sign_url not in client_for(world.leader).get(url).content.decode()
    assert sign_url not in client_for(world.office).get(url).content.decode()


@pytest.mark.parametrize(
    ("name", "persona", "expected"),
    [
        ("task-edit", "liaison", 403),
        ("task-edit", "outsider", 404),
        ("task-issue", "leader", 403),
        ("campaign-edit", "leader", 403),
        ("campaign-edit", "outsider", 404),
        ("leading-group-edit", "liaison", 403),
        ("task-create", "leader", 403),
    ],
)
def test_setup_pages_refused(world, client_for, name, persona, expected):
    unit_task = issued_task(world)[0]
    pk = {"task-edit": unit_task.pk, "task-issue": unit_task.parent_id}.get(name, world.campaign.pk)
    response = client_for(getattr(world, persona)).get(reverse(f"campaigns:{name}", args=[pk]))
    assert response.status_code == expected


def test_illegal_move_shows_the_message(world, client_for):
    task = task_in(world, "issued")
    office = client_for(world.office)
    response = office.post(
        reverse("campaigns:task-verify", args=[task.pk]),
        {"decision": "pass", "quality": "good"},
        follow=True,
    )
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("campaigns:task-detail", args=[task.pk])
    assert "当前为“待签收”，不能复核" in page
    task.refresh_from_db()
    assert task.state == TaskState.ISSUED
    assert not task.events.filter(action=TaskEvent.Action.VERIFY).exists()

    liaison = client_for(world.liaison)
    liaison.post(reverse("campaigns:task-sign", args=[task.pk]), {})
    response = liaison.post(reverse("campaigns:task-sign", args=[task.pk]), {}, follow=True)
    assert "不能签收" in response.content.decode()
    assert task.events.filter(action=TaskEvent.Action.SIGN).count() == 1


def test_field_errors_stay_at_the_field(world, client_for):
    task = task_in(world, "submitted")
    response = client_for(world.office).post(
        reverse("campaigns:task-verify", args=[task.pk]), {"decision": "return", "reason": ""}
    )
    assert response.status_code == 400
    assert "退回时请填写理由" in response.content.decode()
    task.refresh_from_db()
    assert task.state == TaskState.SUBMITTED and task.returned_count == 0
