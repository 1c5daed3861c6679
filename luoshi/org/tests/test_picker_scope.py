"""The searchable person picker (issue 11): its search endpoint answers only people in the
viewer's data scope — another unit's liaison finds no one outside their unit, whichever
permission it asks under — and a form with the picker renders only the chosen person and refuses
a person outside scope however the request is made."""

import re

import pytest
from django.urls import reverse

from luoshi.campaigns.models import LeadingGroupMember
from luoshi.org import services as org
from luoshi.org.models import UnitKind
from luoshi.testing import person

pytestmark = pytest.mark.django_db

PEOPLE = reverse("org:person-picker")


def _names(client, **params) -> set[str]:
    response = client.get(PEOPLE, {"perm": "person.view", **params})
    assert response.status_code == 200
    return {item["text"] for item in response.json()["results"]}


def test_another_units_liaison_finds_only_its_own_people(world, client_for):
    outsider = client_for(world.outsider)
    assert _names(outsider) == {"马海燕"}
    for query in ("张三", "zs", "zhangsan", "staff", "李晓梅"):
        assert _names(outsider, q=query) == set(), query
    for perm in ("ledger.record", "task.assign", "person.phone", "unit.manage"):
        assert _names(outsider, q="张三", perm=perm) == set(), perm


def test_a_liaison_finds_its_units_people_and_not_the_other_units(world, client_for):
    liaison = client_for(world.liaison)
    assert _names(liaison, q="zs") == {"张三"}
    assert _names(liaison, q="马海燕") == set()
    assert _names(client_for(world.staff), q="李晓梅") == set()  # staff: themselves only


def test_the_leading_group_picker_renders_the_chosen_and_refuses_outside_scope(world, client_for):
    elsewhere = org.create_unit(
        actor=None, name="大柴旦行委", kind=UnitKind.CITY, parent=world.city.parent, audit=False
    )
    stranger = person("stranger", "外单位人员", elsewhere)
    office = client_for(world.office)
    assert _names(office, q="外单位人员") == set()
    url = reverse("campaigns:leading-group-edit", args=[world.campaign.pk])
    form = {"lg-TOTAL_FORMS": 1, "lg-INITIAL_FORMS": 0, "lg-0-seat": "member"}
    response = office.post(url, {**form, "lg-0-person": stranger.pk})
    assert response.status_code == 200 and response.context["formset"].errors[0]["person"]
    assert not LeadingGroupMember.objects.exists()

    assert office.post(url, {**form, "lg-0-person": world.leader.pk}).status_code == 302
    page = office.get(url).content.decode()
    rows = re.findall(r'<select name="lg-\d+-person".*?</select>', page, re.S)
    assert len(rows) == 4  # the member and three empty rows
    assert all('data-picker-url="/org/pickers/people/?perm=person.view"' in row for row in rows)
    assert [row.count("<option") for row in rows] == [2, 1, 1, 1]  # the empty choice + chosen
    assert "陈志强" in rows[0] and "张三" not in page
