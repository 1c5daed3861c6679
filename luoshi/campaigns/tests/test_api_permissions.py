"""The permission matrix: persona × action → status. 404 outside scope (the outsider, and anyone
who cannot see the task), 403 with a Chinese message where seen but not allowed, and nothing
changes in the database unless the action succeeds."""

import pytest

from luoshi.campaigns import services as chain
from luoshi.campaigns.models import AccountabilityKind, SupervisionNotice, Task, TaskEvent

from .conftest import task_in_state

pytestmark = pytest.mark.django_db

PERSONAS = ("office", "liaison", "staff", "staff2", "leader", "outsider", "auditor")


def _kind() -> int:
    return AccountabilityKind.objects.get(name="约谈").pk


# action: (state of the task, method, path, body, {persona: expected status})
ACTIONS = {
    "sign": (
        "issued",
        "post",
        "/tasks/{id}/sign",
        {},
        {"office": 403, "liaison": 200, "staff": 404, "leader": 403},
    ),
    "withdraw": (
        "issued",
        "post",
        "/tasks/{id}/withdraw",
        {"reason": "下发有误"},
        {"office": 200, "liaison": 403, "staff": 404, "leader": 403},
    ),
    "assign": (
        "signed",
        "post",
        "/tasks/{id}/assign",
        {"owner_id": "{staff}"},
        {"office": 403, "liaison": 200, "staff": 404, "leader": 403},
    ),
    "report": (
        "in_progress",
        "upload",
        "/tasks/{id}/reports",
        {"percent": 50, "text": "进行中"},
        {"office": 403, "liaison": 201, "staff": 201, "leader": 403},
    ),
    "verify": (
        "submitted",
        "post",
        "/tasks/{id}/verify",
        {"decision": "pass", "quality": "good"},
        {"office": 200, "liaison": 403, "staff": 403, "leader": 403},
    ),
    "close": (
        "verified",
        "post",
        "/tasks/{id}/close",
        {},
        {"office": 200, "liaison": 403, "staff": 403, "leader": 403},
    ),
    "notice": (
        "in_progress",
        "post",
        "/tasks/{id}/notices",
        {"content": "请加快进度"},
        {"office": 201, "liaison": 403, "staff": 403, "leader": 403},
    ),
    "remind": (
        "in_progress",
        "post",
        "/tasks/{id}/remind",
        {"note": "请抓紧"},
        {"office": 200, "liaison": 200, "staff": 403, "leader": 403},
    ),
    "comment": (
        "in_progress",
        "post",
        "/tasks/{id}/comments",
        {"text": "要注重实效"},
        {"office": 201, "liaison": 403, "staff": 403, "leader": 201},
    ),
    "accountability": (
        "returned",
        "post",
        "/tasks/{id}/accountability",
        {"kind_id": "{kind}", "reason": "多次退回", "unit_id": "{unit_a}"},
        {"office": 201, "liaison": 403, "staff": 403, "leader": 403},
    ),
    "edit": (
        "in_progress",
        "patch",
        "/tasks/{id}",
        {"version": "{version}", "title": "改名"},
        {"office": 200, "liaison": 403, "staff": 403, "leader": 403},
    ),
    "issue_plan": (
        "plan",
        "post",
        "/tasks/{id}/issue",
        {"unit_ids": ["{unit_b}"]},
        {"office": 201, "liaison": 404, "staff": 404, "leader": 403},
    ),
    "reply": (
        "notice",
        "post",
        "/notices/{id}/reply",
        {"reply": "已整改"},
        {"office": 403, "liaison": 200, "staff": 200, "leader": 403},
    ),
}

# Who is not named above cannot see the task at all: staff2 (not its owner), the outsider
# (liaison of 冷湖镇), the audit admin (no task scope).
CASES = [
    (action, persona, ACTIONS[action][4].get(persona, 404))
    for action in ACTIONS
    for persona in PERSONAS
]


def _fill(value, values: dict):
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return values[value[1:-1]]
    if isinstance(value, list):
        return [_fill(item, values) for item in value]
    return value


def _target(world, state: str):
    """(object id for the path, the task whose state the action may change)."""
    if state == "plan":
        plan = task_in_state(world, "issued").parent
        assert plan is not None
        return plan.pk, plan
    if state == "notice":
        task = task_in_state(world, "in_progress")
        notice = chain.issue_notice(actor=world.office, task=task, content="督办")
        return notice.pk, task
    task = task_in_state(world, state)
    return task.pk, task


def _snapshot(task: Task) -> tuple:
    task.refresh_from_db()
    return (
        task.state,
        task.title,
        task.version,
        task.events.count(),
        task.children.count(),
        SupervisionNotice.objects.filter(state="replied").count(),
    )


@pytest.mark.parametrize(("action", "persona", "expected"), CASES)
def test_permission_matrix(world, api_for, action, persona, expected):
    state, method, path, body, _statuses = ACTIONS[action]
    target_id, task = _target(world, state)
    values = {
        "id": target_id,
        "staff": world.staff.pk,
        "kind": _kind(),
        "unit_a": world.unit_a.pk,
        "unit_b": world.unit_b.pk,
        "version": task.version,
    }
    body = {key: _fill(value, values) for key, value in body.items()}
    before = _snapshot(task)
    client = api_for(getattr(world, persona))
    response = getattr(client, method)(path.format(id=target_id), body)
    assert response.status_code == expected, response.content
    if expected >= 400:
        assert response.json()["detail"]
        assert _snapshot(task) == before
    else:
        assert _snapshot(task) != before
    if expected == 403:
        detail = response.json()["detail"]
        assert any("\u4e00" <= char <= "\u9fff" for char in detail), detail


@pytest.mark.parametrize("persona", PERSONAS)
def test_create_task_matrix(world, api_for, persona):
    task_in_state(world, "issued")  # so that unit A's people see the campaign
    expected = {"office": 201, "liaison": 403, "staff": 404, "staff2": 404, "leader": 403}.get(
        persona, 404
    )
    before = Task.objects.count()
    response = api_for(getattr(world, persona)).post(
        "/tasks",
        {"campaign_id": world.campaign.pk, "title": "新任务", "deadline": "2027-06-30"},
    )
    assert response.status_code == expected, response.content
    assert Task.objects.count() == before + (1 if expected == 201 else 0)
    assert TaskEvent.objects.filter(action="create", task__title="新任务").exists() == (
        expected == 201
    )
