"""Fixtures of the volunteer tests: the 文明实践 network on the test world (the centre under the
city, a 所 in 冷湖镇 = unit B), the centre's account (wmzx), a resident with the volunteer role
only, volunteers of unit A, and the volunteer activity type."""

import itertools

import pytest

from luoshi.ledgers import services as ledger
from luoshi.ledgers.models import ActivityType, Category
from luoshi.org import services as org
from luoshi.org.models import Role, Scope, UnitKind
from luoshi.testing import person
from luoshi.volunteering import services
from luoshi.volunteering.models import PracticeUnit, Volunteer

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_serial = itertools.count(1)


def resident_id(serial: int | None = None) -> str:
    """A valid 18-digit resident ID (茫崖 632803, born 1990) for test volunteers."""
    body = f"6328031990{(serial or next(_serial)) % 10**7:07d}"
    check = "10X98765432"[sum(int(d) * w for d, w in zip(body, _WEIGHTS, strict=True)) % 11]
    return body + check


@pytest.fixture
def network(world):
    centre_unit = org.create_unit(
        actor=None,
        name="茫崖市新时代文明实践中心",
        kind=UnitKind.OTHER,
        parent=world.city,
        audit=False,
    )
    centre = person("wmzx", "文明实践中心专干", centre_unit, phone="13700001111")
    org.grant_role(
        actor=None,
        person=centre,
        role=Role.CENTRE,
        unit=world.city,
        scope=Scope.SUBTREE,
        audit=False,
    )
    PracticeUnit.objects.create(unit=centre_unit, level=PracticeUnit.Level.CENTRE)
    PracticeUnit.objects.create(unit=world.unit_b, level=PracticeUnit.Level.INSTITUTE)
    PracticeUnit.objects.create(unit=world.unit_a, level=PracticeUnit.Level.STATION)
    resident = person("jumin", "韩秀兰", world.unit_b, phone="13600002222")
    org.grant_role(
        actor=None,
        person=resident,
        role=Role.VOLUNTEER,
        unit=world.unit_b,
        scope=Scope.SELF,
        audit=False,
    )
    world.centre_unit = centre_unit
    world.centre = centre
    world.resident = resident
    return world


@pytest.fixture
def service_type(network) -> ActivityType:
    return ledger.create_activity_type(
        actor=network.office,
        name="志愿服务活动",
        category=Category.VOLUNTEER,
        takes_checkin=True,
        records_hours=True,
    )


def register(world, who, *, unit=None, name=None, actor=None) -> Volunteer:
    return services.register_volunteer(
        actor=actor or who,
        unit=unit or world.unit_a,
        person=who,
        real_name=name or who.name,
        phone=who.phone,
        id_number=resident_id(),
        consent=True,
    )


@pytest.fixture
def staff_volunteer(network) -> Volunteer:
    return register(network, network.staff)


@pytest.fixture
def resident_volunteer(network) -> Volunteer:
    return register(network, network.resident, unit=network.unit_b)


def at(hours_from_now: float):
    """A moment `hours_from_now` hours away, whole minutes."""
    import datetime

    from django.utils import timezone

    moment = timezone.now() + datetime.timedelta(hours=hours_from_now)
    return moment.replace(second=0, microsecond=0)


def publish(
    world,
    service_type,
    *,
    actor=None,
    unit=None,
    capacity=2,
    starts_in=48,
    hours=3,
    action=None,
    team=None,
    needs_approval=False,
    title="清洁家园志愿服务",
    recruit_in=None,
):
    from decimal import Decimal

    return services.publish_activity(
        actor=actor or world.liaison,
        activity_type=service_type,
        unit=unit or world.unit_a,
        title=title,
        place="花土沟镇阿拉尔社区",
        starts_at=at(starts_in),
        ends_at=at(starts_in + hours),
        planned_hours=Decimal(hours),
        recruit_until=at(starts_in - 1 if recruit_in is None else recruit_in),
        positions=[
            services.PositionSpec("环境清理", capacity),
            services.PositionSpec("秩序引导", 5),
        ],
        action=action,
        team=team,
        needs_approval=needs_approval,
    )


@pytest.fixture
def centre_campaign(network):
    import datetime

    from luoshi.campaigns import services as chain

    today = __import__("django.utils.timezone", fromlist=["localdate"]).localdate()
    return chain.create_campaign(
        actor=network.centre,
        name="2026年新时代文明实践志愿服务",
        office_unit=network.centre_unit,
        start_date=today - datetime.timedelta(days=30),
        end_date=today + datetime.timedelta(days=300),
    )


class Clock:
    """timezone.now() moved by hand (check-in, check-out, publicity) without sleeping."""

    def __init__(self, monkeypatch):
        from django.utils import timezone

        self.moment = timezone.now()
        monkeypatch.setattr(timezone, "now", lambda: self.moment)

    def advance(self, **delta):
        import datetime

        self.moment += datetime.timedelta(**delta)


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)
