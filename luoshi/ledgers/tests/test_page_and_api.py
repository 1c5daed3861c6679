"""Every ledger list with a page and an API list shows the same records for the same filter and
reader: both build the same filter dataclass and call the same selector (activity_list,
type_list, ledger_pivot, person_counts)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from luoshi.api.tests.conftest import Api
from luoshi.ledgers import services

pytestmark = pytest.mark.django_db

PERSONAS = ["office", "liaison", "staff", "outsider"]


@pytest.fixture
def records(world, lecture, meeting):
    now = timezone.now()
    made = []
    for days, activity_type, title, people in [
        (1, lecture, "挎包宣讲进社区", [world.staff]),
        (3, lecture, "挎包宣讲进校园", []),
        (40, meeting, "周例会", [world.staff, world.staff2]),
    ]:
        extra = {"venue_category": "community", "values": {"topic": "宣讲"}}
        made.append(
            services.record_activity(
                actor=world.liaison,
                activity_type=activity_type,
                unit=world.unit_a,
                title=title,
                starts_at=now - datetime.timedelta(days=days),
                participants=people,
                **(extra if activity_type == lecture else {}),
            )
        )
    return made


def _queries(world, lecture):
    today = timezone.localdate()
    week = (today - datetime.timedelta(days=7)).isoformat()
    return [
        {},
        {"type": str(lecture.pk)},
        {"q": "宣讲"},
        {"from": week, "to": today.isoformat()},
        {"person": str(world.staff.pk)},
        {"unit": str(world.unit_a.pk), "only": "1"},
    ]


@pytest.mark.parametrize("persona", PERSONAS)
def test_activity_list_page_and_api_agree(world, client_for, lecture, records, persona):
    client = client_for(getattr(world, persona))
    for query in _queries(world, lecture):
        page = client.get(reverse("ledgers:activity-list"), query)
        api = Api(client).get(
            "/ledger/activities", {**query, "only": query.get("only") == "1", "page_size": 100}
        )
        assert page.status_code == api.status_code, query
        if page.status_code == 200:
            assert [a.pk for a in page.context["activities"]] == [
                item["id"] for item in api.json()["items"]
            ], query


@pytest.mark.parametrize("persona", PERSONAS)
def test_ledger_view_and_pivot_api_agree(world, client_for, lecture, records, persona):
    client = client_for(getattr(world, persona))
    year_start = timezone.localdate().replace(month=1, day=1) - datetime.timedelta(days=60)
    for query in [{}, {"type": str(lecture.pk)}, {"from": year_start.isoformat()}]:
        page = client.get(reverse("ledgers:ledger"), query)
        api = Api(client).get("/ledger/pivot", {**query, "page_size": 100})
        assert page.status_code == api.status_code, query
        if page.status_code != 200:
            continue
        pivot = page.context["pivot"]
        shown = [(row["unit"].pk, row["type"].pk, row["own"], row["counts"]) for row in pivot.rows]
        body = api.json()
        assert shown == [
            (row["unit"]["id"], row["type"]["id"], row["own"], row["counts"])
            for row in body["rows"]
        ], query
        assert pivot.total == body["total"]


@pytest.mark.parametrize("persona", PERSONAS)
def test_people_page_and_api_agree(world, client_for, lecture, records, persona):
    client = client_for(getattr(world, persona))
    for query in [{}, {"category": "lecture"}, {"category": "meeting"}]:
        page = client.get(reverse("ledgers:people"), query)
        api = Api(client).get("/ledger/people-counts", query)
        assert page.status_code == api.status_code, query
        if page.status_code != 200:
            continue
        table = page.context["table"]
        body = api.json()
        assert [t.pk for t in table.types] == [t["id"] for t in body["types"]], query
        assert [(row["person"].pk, row["counts"]) for row in table.rows] == [
            (row["person"]["id"], row["counts"]) for row in body["rows"]
        ], query


def test_type_list_page_and_api_agree(world, client_for, lecture, meeting):
    services.update_activity_type(actor=world.office, activity_type=meeting, is_active=False)
    client = client_for(world.office)  # the page is the office's
    for page_query, api_query in [
        ({}, {}),
        ({"q": "宣讲"}, {"q": "宣讲"}),
        ({"category": "meeting"}, {"category": "meeting"}),
        ({"active": "0"}, {"active": "false"}),
        ({"active": "1"}, {"active": "true"}),
    ]:
        page = client.get(reverse("ledgers:type-list"), page_query)
        api = Api(client).get("/ledger/types", api_query)
        assert [t.pk for t in page.context["types"]] == [t["id"] for t in api.json()], page_query
