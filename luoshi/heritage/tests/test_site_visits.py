"""The heritage site of a ledger record, kept by heritage (`SiteVisit`) through the ledger's
record part: the record form's picker, the services' checks, the list filter, the API and the
detail page; the migration that moved the ledger's old `Activity.site` column into it."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from luoshi.api.tests.conftest import Api, make_token
from luoshi.heritage.models import Site, SiteVisit
from luoshi.heritage.selectors import activity_site
from luoshi.ledgers import hooks
from luoshi.ledgers import services as ledger
from luoshi.ledgers.forms import ActivityForm
from luoshi.ledgers.models import Activity, ActivityType, Category


@pytest.fixture
def lecture(world) -> ActivityType:
    return ledger.create_activity_type(
        actor=world.office,
        name="挎包宣讲",
        category=Category.LECTURE,
        has_venue_category=True,
        fields=[{"key": "topic", "label": "宣讲主题", "kind": "text", "required": True}],
    )


@pytest.fixture
def api_for():
    return lambda user: Api(Client(), {"Authorization": f"Bearer {make_token(user)}"})


def _when(days: int = 0) -> str:
    moment = timezone.localtime() - datetime.timedelta(days=days)
    return moment.strftime("%Y-%m-%dT%H:%M")


def _record(world, activity_type, **extra) -> Activity:
    return ledger.record_activity(
        actor=world.liaison,
        activity_type=activity_type,
        unit=world.unit_a,
        title="参观",
        starts_at=timezone.now(),
        venue_category="other",
        values={"topic": "石油精神"},
        **extra,
    )


@pytest.mark.django_db
def test_activity_held_at_a_heritage_site(world, client_for, lecture):
    site = Site.objects.create(name="狮20井", kind="oil_well")
    client = client_for(world.liaison)
    page = client.get(reverse("ledgers:activity-record") + f"?type={lecture.pk}").content.decode()
    assert "红色资源点位" in page and "狮20井" in page
    response = client.post(
        reverse("ledgers:activity-record"),
        {
            "type": lecture.pk,
            "title": "红色教育现场教学",
            "unit": world.unit_a.pk,
            "starts_at": _when(1),
            "site": site.pk,
            "venue_category": "other",
            "x_topic": "石油精神",
        },
    )
    assert response.status_code == 302
    activity = Activity.objects.get()
    assert activity_site(activity) == site and activity.place == "狮20井"  # the place defaults
    detail = client.get(reverse("ledgers:activity-detail", args=[activity.pk])).content.decode()
    assert "红色资源点位" in detail
    assert reverse("heritage:site-detail", args=[site.pk]) in detail
    edit = client.get(reverse("ledgers:activity-edit", args=[activity.pk])).content.decode()
    assert f'<option value="{site.pk}" selected>' in edit


@pytest.mark.django_db
def test_the_edit_form_moves_and_clears_the_site_audited(world, client_for, lecture):
    first, second = Site.objects.create(name="狮20井"), Site.objects.create(name="英雄地中四井")
    activity = _record(world, lecture, parts={"site": first})
    client = client_for(world.liaison)
    form = {
        "title": "参观",
        "unit": world.unit_a.pk,
        "starts_at": _when(1),
        "venue_category": "other",
        "x_topic": "石油精神",
    }
    url = reverse("ledgers:activity-edit", args=[activity.pk])
    assert client.post(url, {**form, "site": second.pk}).status_code == 302
    assert SiteVisit.objects.get(activity=activity).site == second
    assert client.post(url, form).status_code == 302
    assert not SiteVisit.objects.filter(activity=activity).exists()
    from luoshi.audit.models import AuditEvent

    changes = [
        event.changes.get("site_id")
        for event in AuditEvent.objects.filter(object_type="ledgers.activity", action="update")
    ]
    assert [first.pk, second.pk] in changes and [second.pk, None] in changes


@pytest.mark.django_db
def test_inactive_site_is_refused(world, lecture):
    site = Site.objects.create(name="旧点位", is_active=False)
    with pytest.raises(ValidationError) as error:
        _record(world, lecture, parts={"site": site})
    assert "已停用" in str(error.value.message_dict["site"])
    assert not Activity.objects.exists() and not SiteVisit.objects.exists()


@pytest.mark.django_db
def test_moving_a_record_to_an_inactive_site_is_refused(world, lecture):
    activity = _record(world, lecture)
    closed = Site.objects.create(name="旧点位", is_active=False)
    with pytest.raises(ValidationError) as error:
        ledger.update_activity(actor=world.liaison, activity=activity, parts={"site": closed})
    assert "已停用" in str(error.value.message_dict["site"])
    assert not SiteVisit.objects.exists()


@pytest.mark.django_db
def test_activity_list_page_and_api_filter_by_site(world, client_for, api_for, lecture):
    site = Site.objects.create(name="七个泉军事设施")
    visit = _record(world, lecture, parts={"site": site})
    away = _record(world, lecture)
    page = client_for(world.liaison).get(reverse("ledgers:activity-list") + f"?site={site.pk}")
    assert [a.pk for a in page.context["activities"]] == [visit.pk]
    assert page.context["params"]["site"] == str(site.pk)
    body = api_for(world.liaison).get("/ledger/activities", {"site": site.pk}).json()
    assert [item["id"] for item in body["items"]] == [visit.pk]
    assert body["items"][0]["site"] == {"id": site.pk, "name": site.name}
    every = api_for(world.liaison).get("/ledger/activities").json()["items"]
    assert {item["id"]: item["site"] for item in every}[away.pk] is None


@pytest.mark.django_db
def test_api_records_and_moves_the_site(world, api_for, lecture):
    site = Site.objects.create(name="冷湖石油工业遗址", unit=world.unit_a)
    api = api_for(world.liaison)
    payload = {
        "type_id": lecture.pk,
        "unit_id": world.unit_a.pk,
        "title": "现场教学",
        "starts_at": "2026-03-15T09:30:00",
        "venue_category": "other",
        "values": {"topic": "石油精神"},
    }
    missing = api.post("/ledger/activities", {**payload, "site_id": 999999})
    assert missing.status_code == 422
    assert missing.json()["errors"] == {"site": ["所选红色资源点位不存在。"]}
    response = api.post("/ledger/activities", {**payload, "site_id": site.pk})
    assert response.status_code == 201, response.content
    activity = Activity.objects.get(pk=response.json()["id"])
    assert (activity_site(activity), activity.place) == (site, site.name)
    assert response.json()["site"] == {"id": site.pk, "name": site.name}
    cleared = api.patch(f"/ledger/activities/{activity.pk}", {"site_id": None})
    assert cleared.status_code == 200 and cleared.json()["site"] is None
    assert not SiteVisit.objects.exists()


@pytest.mark.django_db
def test_without_the_heritage_part_the_ledger_form_has_no_site(world, lecture, monkeypatch):
    Site.objects.create(name="狮20井")
    assert "site" in ActivityForm(user=world.liaison, activity_type=lecture).fields
    monkeypatch.setattr(hooks, "RECORD_PARTS", [])
    assert "site" not in ActivityForm(user=world.liaison, activity_type=lecture).fields


# --- The migration ---------------------------------------------------------------------------------

BEFORE = [("heritage", "0002_routes_exhibitions"), ("ledgers", "0007_ledger_counts")]
AFTER = [("heritage", "0003_site_visits_from_ledger"), ("ledgers", "0008_remove_activity_site")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_the_migration_moves_the_sites_into_visits_and_back():
    try:
        old = _migrate(BEFORE)
        unit = old.get_model("org", "Unit").objects.create(name="单位", path="/1/")
        person = old.get_model("accounts", "User").objects.create(username="m")
        kind = old.get_model("ledgers", "ActivityType").objects.create(name="红色教育")
        site = old.get_model("heritage", "Site").objects.create(name="狮20井")
        OldActivity = old.get_model("ledgers", "Activity")
        common = {"type": kind, "unit": unit, "recorded_by": person, "starts_at": timezone.now()}
        held = OldActivity.objects.create(title="现场教学", site=site, **common)
        away = OldActivity.objects.create(title="集中学习", **common)

        new = _migrate(AFTER)
        visits = new.get_model("heritage", "SiteVisit").objects.values_list("activity", "site")
        assert list(visits) == [(held.pk, site.pk)]

        old = _migrate(BEFORE)
        sites = dict(old.get_model("ledgers", "Activity").objects.values_list("pk", "site"))
        assert sites == {held.pk: site.pk, away.pk: None}
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
