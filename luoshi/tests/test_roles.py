"""The role table of docs/architecture.md ("Who may do what") is the truth the tests check: every
cell is read from the document and checked through the pages (what the persona is offered, what
it is refused) and the services' permission predicates. Changing who may do what means changing
the table, and the other way round."""

import datetime
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from luoshi.campaigns import access as task_access
from luoshi.ledgers import services as ledger
from luoshi.ledgers.models import Activity, Category
from luoshi.meetings import services as meetings
from luoshi.meetings.access import decision_perm, visible_meetings
from luoshi.org.access import has_perm
from luoshi.rectification.access import finding_perm
from luoshi.testing import World
from luoshi.volunteering import access as volunteer_access

pytestmark = pytest.mark.django_db

DOC = Path(__file__).resolve().parents[2] / "docs" / "architecture.md"
PERSONAS = ("office", "liaison", "staff", "leader")


def role_table() -> list[tuple[str, dict[str, bool]]]:
    """The rows of the role table: (action, {persona: allowed})."""
    text = DOC.read_text(encoding="utf-8")
    section = text.split("### Who may do what", 1)[1].split("\n#", 1)[0]
    rows = []
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 1 + len(PERSONAS) or cells[0] in ("action", "---"):
            continue
        assert all(cell in ("yes", "no") for cell in cells[1:]), line
        rows.append((cells[0], dict(zip(PERSONAS, [c == "yes" for c in cells[1:]], strict=True))))
    return rows


def _user(world: World, who: str):
    return {
        "office": world.office,
        "liaison": world.liaison,
        "staff": world.staff,
        "leader": world.leader,
    }[who]


def _own_unit(world: World, who: str):
    """The unit whose records the persona would keep: its membership (the leader, who keeps
    none, is asked about unit A's)."""
    return world.office_unit if who == "office" else world.unit_a


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _activity(world: World, who: str, category: str) -> Activity:
    kind = ledger.create_activity_type(
        actor=world.office, name=f"{category}-{who}", category=category, campaign=world.campaign
    )
    recorder = world.office if who == "office" else world.liaison
    if category == Category.MEETING:
        return meetings.create_meeting(
            actor=recorder,
            activity_type=kind,
            unit=_own_unit(world, who),
            title="周例会",
            starts_at=timezone.now() - datetime.timedelta(hours=1),
            campaign=world.campaign,
            minutes="会议纪要",
        ).activity
    return ledger.record_activity(
        actor=recorder,
        activity_type=kind,
        unit=_own_unit(world, who),
        title="文化市场检查",
        starts_at=timezone.now() - datetime.timedelta(hours=1),
    )


def _page_offers(world, who, name: str, unit_field: str = "unit") -> bool:
    """The record page answers 200 with the own unit to choose, or refuses (403)."""
    response = _client(_user(world, who)).get(reverse(name))
    if response.status_code == 403:
        return False
    assert response.status_code == 200, (name, response.status_code)
    units = response.context["form"].fields[unit_field].queryset
    return units.filter(pk=_own_unit(world, who).pk).exists()


def _minutes(world, who) -> bool:
    activity = _activity(world, who, Category.MEETING)
    user = _user(world, who)
    response = _client(user).get(reverse("meetings:meeting-edit", args=[activity.pk]))
    if response.status_code == 404:  # a meeting the persona does not see
        assert not visible_meetings(user).filter(pk=activity.pk).exists()
        return False
    if response.status_code == 403:  # seen, not written
        return False
    assert response.status_code == 200
    return True


def _decisions(world, who) -> bool:
    activity = _activity(world, who, Category.MEETING)
    user = _user(world, who)
    page = _client(user).get(reverse("meetings:meeting-detail", args=[activity.pk]))
    if page.status_code == 404:
        return False
    offered = page.context["form"] is not None
    assert offered == bool(decision_perm(user, activity.meeting))
    return offered


def _finding(world, who) -> bool:
    activity = _activity(world, who, Category.INSPECTION)
    user = _user(world, who)
    page = _client(user).get(reverse("rectification:inspection-detail", args=[activity.pk]))
    if page.status_code == 404:
        return False
    offered = page.context["form"] is not None
    assert offered == bool(finding_perm(user, activity))
    return offered


def _briefing(world, who) -> bool:
    client = _client(_user(world, who))
    response = client.get(reverse("reports:briefing"))
    in_menu = f'href="{reverse("reports:briefing")}"' in client.get("/workbench/").content.decode()
    assert in_menu == (response.status_code == 200), who
    return response.status_code == 200


def _publishes(world, who, team=None) -> bool:
    """The volunteer activity page offers unit A (and the team) exactly when the service allows
    publishing there."""
    user = _user(world, who)
    allowed = volunteer_access.can_publish(user, world.unit_a, team)
    response = _client(user).get(reverse("volunteering:activity-create"))
    if response.status_code == 403:
        assert not allowed
        return False
    form = response.context["form"]
    offered = form.fields["unit"].queryset.filter(pk=world.unit_a.pk).exists()
    if team is not None:
        offered = offered and form.fields["team"].queryset.filter(pk=team.pk).exists()
    assert offered == allowed, who
    return allowed


def _led_team(world, who):
    """A unit A team the persona leads, registered as a volunteer of its own unit."""
    from luoshi.volunteering import services as volunteering

    user = _user(world, who)
    volunteer = volunteering.register_volunteer(
        actor=user,
        unit=user.memberships.first().unit,
        person=user,
        real_name=user.name,
        phone=user.phone,
        id_number="632803199001011231",
        consent=True,
    )
    return volunteering.create_team(
        actor=world.liaison, unit=world.unit_a, name=f"{who}志愿服务队", leaders=[volunteer]
    )


def _takes_order(world, who) -> bool:
    """接单 on an order dispatched to a unit A team the persona leads, through the service."""
    from luoshi.campaigns import services as chain
    from luoshi.volunteering.models import ServiceOrder
    from luoshi.volunteering.services import orders

    team = _led_team(world, who)
    plan = chain.create_task(
        actor=world.office,
        campaign=world.campaign,
        title="群众点单：代购生活用品",
        deadline=timezone.localdate() + datetime.timedelta(days=7),
    )
    (task,) = chain.issue_task(actor=world.office, task=plan, units=[world.unit_a])
    order = ServiceOrder.objects.create(
        code="ROLE0001",
        name="马秀英",
        phone="13897001234",
        community="阿拉尔社区",
        need="家中老人需要代购生活用品",
        status=ServiceOrder.Status.DISPATCHED,
        team=team,
        task=task,
    )
    try:
        orders.take_order(actor=_user(world, who), order=order)
    except (PermissionDenied, ValidationError):
        return False
    return True


CHECKS: dict[str, Callable[[World, str], bool]] = {
    "record a lecture (登记宣讲) for the own unit": lambda w, who: _page_offers(
        w, who, "outreach:lecture-record"
    ),
    "record a meeting (登记会议) for the own unit": lambda w, who: _page_offers(
        w, who, "meetings:meeting-create"
    ),
    "write the minutes of an own unit's meeting (staff do not see it)": _minutes,
    "turn a meeting's decisions into tasks": _decisions,
    "record a publication (登记稿件) for the own unit": lambda w, who: _page_offers(
        w, who, "media:publication-create"
    ),
    "raise a finding of an own unit's inspection": _finding,
    "add tasks to the breakdown and issue them": lambda w, who: task_access.can_create_task(
        _user(w, who), w.campaign
    ),
    "sign and assign unit A's tasks": lambda w, who: (
        has_perm(_user(w, who), "task.sign", w.unit_a)
        and has_perm(_user(w, who), "task.assign", w.unit_a)
    ),
    "verify and close unit A's tasks": lambda w, who: has_perm(
        _user(w, who), "task.verify", w.unit_a
    ),
    "comment (批示) on unit A's tasks": lambda w, who: has_perm(
        _user(w, who), "task.comment", w.unit_a
    ),
    "open the briefings (工作简报)": _briefing,
    "publish a volunteer activity of unit A (发布志愿服务活动) leading no team": _publishes,
    "publish an activity of a unit A volunteer team the persona leads (队长)": lambda w, who: (
        _publishes(w, who, _led_team(w, who))
    ),
    "take an order dispatched to a unit A team the persona leads (接单; the owner is of unit A)": (
        _takes_order
    ),
}


def test_every_row_of_the_table_is_checked():
    assert {action for action, _cells in role_table()} == set(CHECKS)


@pytest.mark.parametrize(
    ("action", "who", "allowed"),
    [(action, who, cells[who]) for action, cells in role_table() for who in PERSONAS],
    ids=lambda value: re.sub(r"\W+", "-", str(value))[:40],
)
def test_role_table(world, action, who, allowed):
    assert CHECKS[action](world, who) == allowed
