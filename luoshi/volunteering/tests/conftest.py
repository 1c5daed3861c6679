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
