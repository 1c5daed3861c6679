"""Moves that cannot race: two moves on one task at the same moment, from two threads with their
own database connections, through the API. Exactly one wins; the other gets 409 with
"任务状态已变化" naming the state the task changed to, and the timeline holds one event.

A threading.Barrier holds each request after it has loaded the task and before it calls the
service, so both requests act on the same (soon stale) state — the race, every time, no sleeps.
Runs on SQLite and on PostgreSQL (LUOSHI_DATABASE_URL=postgres://…).
"""

import sqlite3
import threading
from collections.abc import Callable, Iterator

import pytest
from django.db import connections
from django.test import Client
from django.urls import reverse

from luoshi.api.tests.conftest import Api
from luoshi.campaigns import services as chain
from luoshi.campaigns.api import tasks as task_api
from luoshi.campaigns.models import SupervisionNotice, Task, TaskEvent, TaskRollup, TaskState
from luoshi.campaigns.views import tasks as task_views
from luoshi.testing import World

from .conftest import task_in_state

BARRIER_TIMEOUT = 60  # seconds: only reached when a thread is stuck, never waited on a pass


@pytest.fixture
def shared_database(tmp_path) -> Iterator[None]:
    """A database on which each thread's own connection sees the others' commits and waits for
    their write lock, as in production.

    PostgreSQL and a file-backed SQLite already are. Django's in-memory SQLite test database is
    a shared cache, whose writers fail at once ("database table is locked") instead of waiting:
    for the test its committed contents are copied to a file and every connection opened during
    the test opens that file (with the project's IMMEDIATE transactions and busy timeout)."""
    connection = connections["default"]
    if connection.vendor != "sqlite" or not connection.is_in_memory_db():  # type: ignore[attr-defined]
        yield
        return
    memory_name = connection.settings_dict["NAME"]
    keeper = sqlite3.connect(memory_name, uri=True)  # keeps the in-memory database alive
    copy = sqlite3.connect(tmp_path / "race.sqlite3")
    keeper.backup(copy)
    copy.close()
    connection.settings_dict["NAME"] = str(tmp_path / "race.sqlite3")  # shared by all threads
    connection.close()
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["NAME"] = memory_name
        connection.ensure_connection()
        keeper.close()


def api_as(user) -> Api:
    client = Client()
    client.force_login(user)
    return Api(client)


def race(monkeypatch, *calls: Callable[[], object]) -> list:
    """Run `calls` at once, one thread each; every request waits at the barrier right after it
    has looked the task up (campaigns.access via the API module), then goes on to its move."""
    barrier = threading.Barrier(len(calls), timeout=BARRIER_TIMEOUT)
    lookup = task_api.get_task_for_user
    waited = threading.local()

    def lookup_then_wait(user, pk, **kwargs):
        task = lookup(user, pk, **kwargs)
        if not getattr(waited, "done", False):
            waited.done = True
            barrier.wait()
        return task

    monkeypatch.setattr(task_api, "get_task_for_user", lookup_then_wait)
    results: list = [None] * len(calls)

    def run(index: int, call: Callable[[], object]) -> None:
        try:
            results[index] = call()
        except BaseException as error:  # noqa: BLE001 — reported by the test below
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=BARRIER_TIMEOUT * 2)
    assert not any(thread.is_alive() for thread in threads)
    errors = [r for r in results if isinstance(r, BaseException)]
    assert errors == []
    return results


def _winner_and_loser(responses) -> tuple:
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [200, 409], [r.content for r in responses]
    winner = next(r for r in responses if r.status_code == 200)
    loser = next(r for r in responses if r.status_code == 409)
    return winner, loser


@pytest.mark.django_db(transaction=True)
def test_verify_pass_and_return_at_once(world: World, shared_database, monkeypatch):
    task = task_in_state(world, "submitted")
    passing, returning = api_as(world.office), api_as(world.office)
    path = f"/tasks/{task.pk}/verify"
    responses = race(
        monkeypatch,
        lambda: passing.post(path, {"decision": "pass", "quality": "good"}),
        lambda: returning.post(path, {"decision": "return", "reason": "缺少佐证材料"}),
    )
    winner, loser = _winner_and_loser(responses)
    task.refresh_from_db()
    body = loser.json()
    assert body["code"] == "state_changed"
    assert body["state"] == task.state == winner.json()["state"]
    assert body["detail"].startswith("任务状态已变化：")
    assert str(TaskState(task.state).label) in body["detail"]
    verdicts = TaskEvent.objects.filter(task=task, action__in=["verify", "return"])
    assert verdicts.count() == 1
    if task.state == TaskState.VERIFIED:
        assert (task.returned_count, verdicts.get().action) == (0, "verify")
    else:
        assert (task.state, task.returned_count) == (TaskState.IN_PROGRESS, 1)
        assert verdicts.get().action == "return"


@pytest.mark.django_db(transaction=True)
def test_two_signs_at_once(world: World, shared_database, monkeypatch):
    task = task_in_state(world, "issued")
    first, second = api_as(world.liaison), api_as(world.liaison)
    path = f"/tasks/{task.pk}/sign"
    responses = race(monkeypatch, lambda: first.post(path), lambda: second.post(path))
    _winner, loser = _winner_and_loser(responses)
    assert loser.json()["code"] == "state_changed"
    assert "变为“待分派”" in loser.json()["detail"]
    assert TaskEvent.objects.filter(task=task, action="sign").count() == 1
    task.refresh_from_db()
    assert (task.state, task.signed_by) == (TaskState.SIGNED, world.liaison)


@pytest.mark.django_db(transaction=True)
def test_two_notices_at_once_get_two_numbers(world: World, shared_database, monkeypatch):
    """The campaign's first notices of the year, on two tasks at once: the counter row is made
    once and each notice gets its own serial."""
    tasks = [task_in_state(world, "in_progress"), task_in_state(world, "in_progress")]
    apis = [api_as(world.office), api_as(world.office)]
    responses = race(
        monkeypatch,
        *[
            (
                lambda api=api, task=task: api.post(
                    f"/tasks/{task.pk}/notices", {"content": "请加快"}
                )
            )
            for api, task in zip(apis, tasks, strict=True)
        ],
    )
    assert [r.status_code for r in responses] == [201, 201], [r.content for r in responses]
    serials = sorted(SupervisionNotice.objects.values_list("serial", flat=True))
    assert serials == [1, 2]
    assert len(set(SupervisionNotice.objects.values_list("number", flat=True))) == 2


# --- The loser's message on the pages and from the services (one connection) -------------------


@pytest.mark.django_db
def test_a_stale_move_names_the_state_it_changed_to(world: World):
    task = task_in_state(world, "submitted")
    stale = Task.objects.get(pk=task.pk)
    chain.verify_task(actor=world.office, task=task, passed=False, reason="缺少佐证材料")
    with pytest.raises(chain.StateChanged) as refused:
        chain.verify_task(actor=world.office, task=stale, passed=True, quality="good")
    assert refused.value.state == TaskState.IN_PROGRESS
    assert refused.value.messages == [
        "任务状态已变化：任务“组织“晨读+分享”学习会”已由“待复核”变为“办理中”，"
        "未能复核。请刷新后查看。"
    ]
    assert TaskEvent.objects.filter(task=task, action__in=["verify", "return"]).count() == 1


@pytest.mark.django_db
def test_the_page_shows_the_losers_message(world: World, client_for, monkeypatch):
    """The page loads the task, someone else returns it, then the page's own verify goes in:
    the office sees "任务状态已变化" on the task page (no 500, nothing written)."""
    task = task_in_state(world, "submitted")
    lookup = task_views.get_task_for_user

    def lookup_then_lose_the_race(user, pk, **kwargs):
        loaded = lookup(user, pk, **kwargs)
        if loaded.state == TaskState.SUBMITTED:
            other = Task.objects.get(pk=pk)
            chain.verify_task(actor=world.office, task=other, passed=False, reason="缺少签到表")
        return loaded

    monkeypatch.setattr(task_views, "get_task_for_user", lookup_then_lose_the_race)
    client = client_for(world.office)
    response = client.post(
        reverse("campaigns:task-verify", args=[task.pk]),
        {"decision": "pass", "quality": "good"},
        follow=True,
    )
    assert response.status_code == 200
    assert "任务状态已变化" in response.content.decode()
    assert TaskEvent.objects.filter(task=task, action="verify").count() == 0
    task.refresh_from_db()
    assert (task.state, task.returned_count) == (TaskState.IN_PROGRESS, 1)


@pytest.mark.django_db(transaction=True)
def test_two_units_tasks_signed_at_once_keep_the_overview_counts(
    world: World, shared_database, monkeypatch
):
    """Two different tasks of one unit signed at once: both moves recompute the unit's overview
    rows (TaskRollup, unique per campaign, unit and track); neither may fail or count twice."""
    tasks = [task_in_state(world, "issued"), task_in_state(world, "issued")]
    apis = [api_as(world.liaison), api_as(world.liaison)]
    responses = race(
        monkeypatch,
        *[
            (lambda api=api, task=task: api.post(f"/tasks/{task.pk}/sign"))
            for api, task in zip(apis, tasks, strict=True)
        ],
    )
    assert [r.status_code for r in responses] == [200, 200], [r.content for r in responses]
    rows = TaskRollup.objects.filter(campaign=world.campaign, unit=world.unit_a)
    assert [(row.total, row.issued, row.signed) for row in rows] == [(2, 0, 2)]
