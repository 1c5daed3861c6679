"""Each list page and its API endpoint return the same rows for the same filter and user.

Both read the filter through the page's filter form into the same dataclass (TaskFilter,
NoticeFilter, CampaignFilter) and call the same selector, so the ids — and their order — agree
for every persona and filter combination tried here.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from luoshi.campaigns import services as chain
from luoshi.campaigns.models import Campaign
from luoshi.testing import World, issued_task

from .conftest import task_in_state

pytestmark = pytest.mark.django_db

PERSONAS = ("office", "liaison", "leader", "staff", "outsider")


@pytest.fixture
def lists_world(world: World) -> World:
    """Tasks at several steps in units A and B, sub-tasks, open and replied notices and a second
    campaign in its draft stage."""
    task_in_state(world, "signed")
    doing = task_in_state(world, "in_progress")
    task_in_state(world, "submitted")
    task_in_state(world, "returned")
    issued_task(world, title="冷湖镇的任务", units=[world.unit_a, world.unit_b])
    chain.decompose_task(
        actor=world.liaison,
        task=task_in_state(world, "signed"),
        items=[chain.SubTaskSpec(title="整理签到表", owner=world.staff2)],
    )
    chain.issue_notice(actor=world.office, task=doing, content="请加快进度")
    replied = chain.issue_notice(actor=world.office, task=doing, content="请报送照片")
    chain.reply_notice(actor=world.liaison, notice=replied, reply="已报送")
    today = timezone.localdate()
    chain.create_campaign(
        actor=world.office,
        name="清朗网络专项行动",
        office_unit=world.office_unit,
        start_date=today,
        end_date=today + datetime.timedelta(days=90),
    )
    return world


def _api_params(params: dict) -> dict:
    """The page's query string as the API spells it (a checkbox's "on" is a boolean)."""
    return {name: "true" if value == "on" else value for name, value in params.items()}


def _page_ids(client, name: str, params: dict) -> list[int] | set[str]:
    """The ids the page lists, or — when its filter form refuses the input (a unit outside the
    user's scope) — the names of the refused fields."""
    response = client.get(reverse(name), {**params, "per_page": 100})
    assert response.status_code == 200
    form = response.context["form"]
    if form.errors:
        return set(form.errors)
    return [row.pk for row in response.context["page"].object_list]


def _api_ids(api, path: str, params: dict) -> list[int] | set[str]:
    """The ids the API lists, or the names of the fields its 422 refuses."""
    response = api.get(path, {**_api_params(params), "page_size": 200})
    body = response.json()
    if response.status_code == 422:
        return set(body["errors"])
    assert response.status_code == 200, body
    rows = body["items"] if isinstance(body, dict) else body
    return [row["id"] for row in rows]


TASK_FILTERS = {
    "none": lambda w: {},
    "open": lambda w: {"state": "open"},
    "submitted": lambda w: {"state": "submitted"},
    "mine": lambda w: {"mine": "on"},
    "plans": lambda w: {"level": "plan"},
    "sub_tasks": lambda w: {"level": "sub"},
    "unit_a_subtree": lambda w: {"unit": w.unit_a.pk, "subtree": "on", "state": "doing"},
    "unit_b": lambda w: {"unit": w.unit_b.pk},
    "keyword": lambda w: {"q": "冷湖镇", "campaign": w.campaign.pk},
    "deadline": lambda w: {
        "deadline_from": timezone.localdate().isoformat(),
        "deadline_to": (timezone.localdate() + datetime.timedelta(days=60)).isoformat(),
    },
}


@pytest.mark.parametrize("combo", TASK_FILTERS)
def test_task_list_page_and_api_agree(lists_world, client_for, api_for, combo):
    world = lists_world
    params = TASK_FILTERS[combo](world)
    listed: list[list] = []
    for name in PERSONAS:
        user = getattr(world, name)
        page = _page_ids(client_for(user), "campaigns:task-list", params)
        assert page == _api_ids(api_for(user), "/tasks", params), (name, params)
        if isinstance(page, list):
            listed.append(page)
    assert any(listed), params  # someone sees a task under every combination


NOTICE_FILTERS = {
    "none": lambda w: {},
    "open": lambda w: {"state": "open"},
    "replied": lambda w: {"state": "replied"},
    "mine": lambda w: {"mine": "on"},
    "unit_a": lambda w: {"unit": w.unit_a.pk, "subtree": "on", "campaign": w.campaign.pk},
    "keyword": lambda w: {"q": "照片"},
}


@pytest.mark.parametrize("combo", NOTICE_FILTERS)
def test_notice_list_page_and_api_agree(lists_world, client_for, api_for, combo):
    world = lists_world
    params = NOTICE_FILTERS[combo](world)
    seen = []
    for name in PERSONAS:
        user = getattr(world, name)
        page = _page_ids(client_for(user), "campaigns:notice-list", params)
        assert page == _api_ids(api_for(user), "/notices", params), (name, params)
        if isinstance(page, list):
            seen += page
    assert seen, params  # someone sees a notice under every combination


CAMPAIGN_FILTERS = {
    "none": {},
    "draft": {"status": Campaign.Status.DRAFT},
    "active": {"status": Campaign.Status.ACTIVE},
    "keyword": {"q": "四大"},
}


@pytest.mark.parametrize("combo", CAMPAIGN_FILTERS)
def test_campaign_list_page_and_api_agree(lists_world, client_for, api_for, combo):
    params = CAMPAIGN_FILTERS[combo]
    for name in PERSONAS:
        user = getattr(lists_world, name)
        page = _page_ids(client_for(user), "campaigns:campaign-list", params)
        assert page == _api_ids(api_for(user), "/campaigns", params), (name, params)
