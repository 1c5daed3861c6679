"""Volunteers and teams: registration through the page (encrypted identity, consent, the ID
check), masked display, scope (the outsider gets 404 on unit A's volunteers), teams and star
levels from the configured thresholds."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse

from luoshi.audit.models import AuditEvent
from luoshi.volunteering import selectors, services
from luoshi.volunteering.models import Team, Volunteer, VolunteerSettings

from .conftest import resident_id

pytestmark = pytest.mark.django_db


def _post(client, **values):
    data = {
        "unit": "",
        "real_name": "张三",
        "phone": "13900005678",
        "id_type": "resident",
        "id_number": "",
        "political_status": "member",
        "areas": "阿拉尔社区",
        "availability": "周末全天",
        "consent": "on",
        **values,
    }
    return client.post(reverse("volunteering:register"), data)


def test_staff_registers_themself_and_identity_is_encrypted(network, client_for):
    client = client_for(network.staff)
    number = resident_id()
    response = _post(client, unit=network.unit_a.pk, id_number=number)
    assert response.status_code == 302
    volunteer = Volunteer.objects.get(person=network.staff)
    assert (volunteer.real_name, volunteer.masked_name, volunteer.id_number) == (
        "张三",
        "张*",
        number,
    )
    assert volunteer.number.startswith("ZY") and volunteer.consent_at is not None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT real_name, phone, id_number FROM volunteering_volunteer WHERE id = %s",
            [volunteer.pk],
        )
        stored = cursor.fetchone()
    assert all(value.startswith("sm4:") for value in stored)
    event = AuditEvent.objects.filter(object_type="volunteering.volunteer").get()
    assert number not in str(event.changes) and "张三" not in str(event.changes)
    page = client.get(reverse("volunteering:home"))
    assert "张*" in page.content.decode()


def test_registration_needs_consent_and_a_valid_id(network, client_for):
    client = client_for(network.staff)
    response = _post(client, unit=network.unit_a.pk, id_number="632803199001011235", consent="")
    form = response.context["form"]
    assert "consent" in form.errors and "id_number" in form.errors
    assert not Volunteer.objects.exists()
    number = resident_id()
    _post(client, unit=network.unit_a.pk, id_number=number)
    other = client_for(network.staff2)
    response = _post(other, unit=network.unit_a.pk, id_number=number, real_name="赵敏")
    assert "已注册" in str(response.context["form"].errors["id_number"])


def test_a_resident_registers_at_a_practice_unit_but_not_elsewhere(network, client_for):
    client = client_for(network.resident)
    response = _post(client, unit=network.office_unit.pk, id_number=resident_id())
    assert response.status_code == 200 and not Volunteer.objects.exists()
    response = _post(client, unit=network.unit_b.pk, id_number=resident_id(), real_name="韩秀兰")
    assert response.status_code == 302
    assert Volunteer.objects.get(person=network.resident).unit == network.unit_b


def test_outsider_gets_404_on_unit_a_volunteers(network, client_for, staff_volunteer):
    outsider = client_for(network.outsider)
    url = reverse("volunteering:volunteer-detail", args=[staff_volunteer.pk])
    assert outsider.get(url).status_code == 404
    assert (
        outsider.get(reverse("volunteering:volunteer-edit", args=[staff_volunteer.pk])).status_code
        == 404
    )
    listing = outsider.get(reverse("volunteering:volunteer-list"))
    assert staff_volunteer not in listing.context["volunteers"]
    liaison = client_for(network.liaison)
    assert (
        staff_volunteer in liaison.get(reverse("volunteering:volunteer-list")).context["volunteers"]
    )
    page = liaison.get(url).content.decode()
    assert staff_volunteer.real_name in page and staff_volunteer.id_number not in page
    leader_page = client_for(network.leader).get(url).content.decode()
    assert "张*" in leader_page and "张三" not in leader_page and "13900005678" not in leader_page


def test_volunteer_list_exports(network, client_for, staff_volunteer):
    response = client_for(network.liaison).get(
        reverse("volunteering:volunteer-list") + "?export=xlsx"
    )
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


def test_liaison_sets_up_a_team(network, client_for, staff_volunteer):
    other = services.register_volunteer(
        actor=network.liaison,
        unit=network.unit_a,
        real_name="王芳",
        id_number=resident_id(),
        consent=True,
    )
    client = client_for(network.liaison)
    response = client.post(
        reverse("volunteering:team-create"),
        {
            "unit": network.unit_a.pk,
            "name": "文体局志愿服务队",
            "leaders": [staff_volunteer.pk],
            "members": [other.pk],
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    team = Team.objects.get()
    assert {(m.volunteer_id, m.is_leader) for m in team.members.all()} == {
        (staff_volunteer.pk, True),
        (other.pk, False),
    }
    outsider = client_for(network.outsider)
    assert outsider.get(reverse("volunteering:team-edit", args=[team.pk])).status_code == 403


def test_star_levels_follow_the_configured_thresholds(network):
    rules = VolunteerSettings.load()
    assert rules.star_thresholds == [100, 300, 600, 1000, 1500]
    assert [rules.star_for(Decimal(h)) for h in (0, 99.5, 100, 599, 1500, 3000)] == [
        0,
        0,
        1,
        2,
        5,
        5,
    ]
    rules.star_thresholds = [10, 20, 30, 40, 50]
    rules.save()
    assert VolunteerSettings.load().star_for(25) == 2


def test_hours_summary_of_a_new_volunteer(staff_volunteer):
    summary = selectors.hours_summary(staff_volunteer)
    assert (summary.final, summary.star, summary.next_threshold) == (0, 0, 100)


def test_a_grant_over_everything_sees_every_volunteer(
    network, staff_volunteer, resident_volunteer, client_for
):
    """An "all" scope must not shrink to one's own record when joined with it (Q() | Q(...))."""
    from luoshi.org import services as org
    from luoshi.org.models import Role, Scope
    from luoshi.testing import person

    province = person("province", "省文明办", network.city)
    org.grant_role(
        actor=None,
        person=province,
        role=Role.CENTRE,
        unit=network.city,
        scope=Scope.ALL,
        audit=False,
    )
    client = client_for(province)
    listed = {
        v.pk for v in client.get(reverse("volunteering:volunteer-list")).context["volunteers"]
    }
    assert listed == {staff_volunteer.pk, resident_volunteer.pk}
    assert (
        client.get(reverse("volunteering:volunteer-detail", args=[staff_volunteer.pk])).status_code
        == 200
    )


def test_the_record_page_title_is_plain_text(network, client_for, staff_volunteer):
    """The record's certificates are in the page, not in its <title> (they once were)."""
    page = client_for(network.staff).get(
        reverse("volunteering:volunteer-detail", args=[staff_volunteer.pk])
    )
    (title,) = re.findall(r"<title>(.*?)</title>", page.content.decode(), flags=re.S)
    assert title.startswith("志愿服务记录 张*") and "<" not in title and "出具证明" not in title
