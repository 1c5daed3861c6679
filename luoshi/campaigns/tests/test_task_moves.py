"""The task page's move buttons, the API's `moves` and access.allowed_moves() are one list.

For each persona and each state of the chain, the `data-move` markers of the task page, the
`moves` of GET /api/tasks/{id} and access.allowed_moves() must be equal, and every action the
page can post about the task sits inside a `data-move` marker: a template that shows a button the
access layer does not allow fails here.
"""

import datetime
from collections.abc import Callable
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone

from luoshi.campaigns import access
from luoshi.campaigns import services as chain
from luoshi.campaigns.models import Task
from luoshi.testing import World, issued_task

from .conftest import task_in_state

pytestmark = pytest.mark.django_db

PERSONAS = ("office", "liaison", "leader", "staff", "outsider")


class MoveMarkers(HTMLParser):
    """The `data-move` values of a page, and the move forms and links found outside them."""

    VOID = frozenset({"input", "img", "br", "hr", "meta", "link", "source", "wbr", "area"})

    def __init__(self, move_urls: Callable[[str], bool]):
        super().__init__()
        self.move_urls = move_urls
        self.moves: set[str] = set()
        self.unmarked: list[str] = []
        self.stack: list[bool] = []  # per open element: whether it carries data-move

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        marked = "data-move" in attributes
        if marked:
            self.moves.add(attributes["data-move"] or "")
        inside = marked or any(self.stack)
        target = attributes.get("action") if tag == "form" else attributes.get("href")
        if tag in ("form", "a") and target and self.move_urls(target) and not inside:
            self.unmarked.append(f"<{tag} {target}>")
        if tag not in self.VOID:
            self.stack.append(marked)

    def handle_endtag(self, tag):
        if tag not in self.VOID and self.stack:
            self.stack.pop()


def _move_url_test(task: Task) -> Callable[[str], bool]:
    """Whether a URL is one of the moves on `task` (its own action URLs, its notices' reply,
    its milestones' toggle) — not the page itself, nor links to other tasks."""
    own = reverse("campaigns:task-detail", args=[task.pk])
    replies = {reverse("campaigns:notice-reply", args=[n.pk]) for n in task.notices.all()}
    toggles = {reverse("campaigns:milestone-toggle", args=[m.pk]) for m in task.milestones.all()}

    def is_move(url: str) -> bool:
        path = url.split("?")[0]
        return (path.startswith(own) and path != own) or path in replies or path in toggles

    return is_move


def _page_moves(client, task: Task) -> set[str]:
    response = client.get(reverse("campaigns:task-detail", args=[task.pk]))
    assert response.status_code == 200
    parser = MoveMarkers(_move_url_test(task))
    parser.feed(response.content.decode())
    assert parser.unmarked == [], "move forms or links without a data-move marker"
    return parser.moves


def _with_open_notice_and_milestone(world: World) -> Task:
    task = task_in_state(world, "in_progress")
    assert task.deadline is not None
    chain.issue_notice(actor=world.office, task=task, content="请加快进度")
    chain.create_milestone(
        actor=world.office,
        task=task,
        title="完成首次学习会",
        due_date=task.deadline - datetime.timedelta(days=1),
    )
    return task


def _sub_task(world: World) -> Task:
    task = task_in_state(world, "signed")
    return chain.decompose_task(
        actor=world.liaison,
        task=task,
        items=[chain.SubTaskSpec(title="整理签到表", owner=world.staff)],
    )[0]


def _plan(world: World) -> Task:
    plan = issued_task(world)[0].parent
    assert plan is not None
    return plan


SCENARIOS: dict[str, Callable[[World], Task]] = {
    "plan": _plan,
    "draft_plan": lambda w: chain.create_task(
        actor=w.office,
        campaign=w.campaign,
        title="草拟中的任务",
        deadline=timezone.localdate() + datetime.timedelta(days=30),
    ),
    "issued": lambda w: task_in_state(w, "issued"),
    "signed": lambda w: task_in_state(w, "signed"),
    "in_progress": lambda w: task_in_state(w, "in_progress"),
    "noticed": _with_open_notice_and_milestone,
    "submitted": lambda w: task_in_state(w, "submitted"),
    "returned": lambda w: task_in_state(w, "returned"),
    "verified": lambda w: task_in_state(w, "verified"),
    "sub_task": _sub_task,
    "unit_b_issued": lambda w: issued_task(w, units=[w.unit_b])[0],
}


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_page_buttons_equal_api_moves_equal_access(world, client_for, api_for, scenario):
    task = SCENARIOS[scenario](world)
    for name in PERSONAS:
        user = getattr(world, name)
        fresh = Task.objects.select_related(*access.TASK_RELATED).get(pk=task.pk)
        if not access.can_view_task(user, fresh):
            page = client_for(user).get(reverse("campaigns:task-detail", args=[task.pk]))
            assert page.status_code == 404, name
            assert api_for(user).get(f"/tasks/{task.pk}").status_code == 404, name
            continue
        expected = access.allowed_moves(user, fresh)
        response = api_for(user).get(f"/tasks/{task.pk}")
        assert response.status_code == 200, name
        assert response.json()["moves"] == expected, name
        assert _page_moves(client_for(user), task) == set(expected), name


def test_the_scenarios_reach_every_move(world):
    """The matrix above is only as good as its reach: together the personas and states must
    meet every move at least once."""
    seen: set[str] = set()
    for make in SCENARIOS.values():
        task = make(world)
        for name in PERSONAS:
            fresh = Task.objects.select_related(*access.TASK_RELATED).get(pk=task.pk)
            seen.update(access.allowed_moves(getattr(world, name), fresh))
    assert seen == set(access.MOVES)


def test_a_button_the_access_layer_refuses_is_caught(world, client_for):
    """The marker check itself: a move form outside any data-move marker is reported."""
    task = task_in_state(world, "submitted")
    parser = MoveMarkers(_move_url_test(task))
    url = reverse("campaigns:task-verify", args=[task.pk])
    parser.feed(f'<div><form method="post" action="{url}"><button>复核</button></form></div>')
    assert parser.unmarked == [f"<form {url}>"]
    assert parser.moves == set()
