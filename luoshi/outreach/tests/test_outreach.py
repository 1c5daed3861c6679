"""Outreach lectures: teams, targets, recording a lecture through the page and the API, the
coverage table (generic ledger records counted by place), exports; the outsider sees no lecture
of unit A."""

import datetime
import io
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from luoshi.audit.models import AuditEvent
from luoshi.ledgers import services as ledger
from luoshi.ledgers.models import Activity, ActivityType, Category, VenueCategory
from luoshi.outreach import selectors, services
from luoshi.outreach.models import Lecture, LectureTarget, LectureTeam

pytestmark = pytest.mark.django_db


@pytest.fixture
def lecture_type(world) -> ActivityType:
    return ledger.create_activity_type(
        actor=world.office,
        name="挎包宣讲",
        category=Category.LECTURE,
        has_venue_category=True,
        has_audience=True,
        fields=[
            {"key": "topic", "label": "宣讲主题", "kind": "text", "required": True},
            {"key": "materials", "label": "发放资料（份）", "kind": "number"},
        ],
    )


@pytest.fixture
def places(world) -> dict[str, LectureTarget]:
    specs = [
        ("冷湖镇 牧业点", VenueCategory.PASTORAL, world.unit_b),
        ("冷湖社区", VenueCategory.COMMUNITY, world.unit_b),
        ("茫崖市第一中学", VenueCategory.CAMPUS, world.city),
        ("文旅公司", VenueCategory.ENTERPRISE, world.city),
    ]
    return {
        name: services.create_target(
            actor=world.office, name=name, venue_category=category, unit=unit
        )
        for name, category, unit in specs
    }


@pytest.fixture
def team(world) -> LectureTeam:
    return services.create_team(
        actor=world.liaison,
        unit=world.unit_a,
        name="文体局宣讲分队",
        leader=world.liaison,
        members=[world.staff],
    )


def _at(days_ago: int) -> datetime.datetime:
    day = timezone.localdate() - datetime.timedelta(days=days_ago)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))


def _lecture(world, lecture_type, target, *, days_ago=0, team=None, actor=None):
    return services.create_lecture(
        actor=actor or world.liaison,
        activity_type=lecture_type,
        unit=world.unit_a,
        starts_at=_at(days_ago),
        topic="“四大”专项行动宣讲",
        team=team,
        target=target,
        audience=40,
    )


def _sheet(response) -> list[tuple]:
    assert response.status_code == 200
    return list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))


def test_office_sets_targets_and_teams_are_managed_by_liaison_or_office(world, client_for, places):
    office = client_for(world.office)
    response = office.post(
        reverse("outreach:target-create"),
        {
            "name": "冷湖镇中心学校",
            "venue_category": "campus",
            "unit": world.unit_b.pk,
            "sort_order": 1,
        },
    )
    assert response.status_code == 302
    target = LectureTarget.objects.get(name="冷湖镇中心学校")
    assert (target.venue_category, target.unit) == ("campus", world.unit_b)
    assert AuditEvent.objects.filter(action="create", object_id=str(target.pk)).exists()
    liaison = client_for(world.liaison)
    assert liaison.get(reverse("outreach:target-create")).status_code == 403
    assert liaison.get(reverse("outreach:target-edit", args=[target.pk])).status_code == 403
    response = liaison.post(
        reverse("outreach:team-create"),
        {
            "unit": world.unit_a.pk,
            "name": "文体局宣讲分队",
            "leader": world.liaison.pk,
            "members": [world.staff.pk, world.staff2.pk],
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    team = LectureTeam.objects.get(name="文体局宣讲分队")
    assert set(team.members.values_list("person__username", flat=True)) == {
        "wtl",
        "staff",
        "staff2",
    }
    # members from several units: the office reaches them all, the liaison only their own
    with pytest.raises(ValidationError):
        services.create_team(
            actor=world.liaison, unit=world.unit_a, name="联合宣讲队", members=[world.outsider]
        )
    joint = services.create_team(
        actor=world.office,
        unit=world.office_unit,
        name="茫崖市挎包宣讲队",
        leader=world.office,
        members=[world.staff, world.outsider],
    )
    assert joint.members.count() == 3
    assert (
        client_for(world.outsider).get(reverse("outreach:team-edit", args=[team.pk])).status_code
        == 403
    )
    with pytest.raises(PermissionDenied):
        services.update_team(actor=world.outsider, team=team, name="改名")


def test_recording_a_lecture_takes_the_category_and_place_from_the_target(
    world, client_for, lecture_type, places, team
):
    liaison = client_for(world.liaison)
    target = places["冷湖镇 牧业点"]
    response = liaison.post(
        reverse("outreach:lecture-record"),
        {
            "type": lecture_type.pk,
            "team": team.pk,
            "target": target.pk,
            "starts_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "topic": "党的惠民政策进牧区",
            "audience": 46,
            "materials": 80,
            "unit": world.unit_a.pk,
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    activity = Activity.objects.get(type=lecture_type)
    assert (activity.venue_category, activity.place) == ("pastoral", "冷湖镇 牧业点")
    assert activity.values == {"topic": "党的惠民政策进牧区", "materials": 80}
    assert activity.audience == 46 and activity.unit == world.unit_a
    assert set(activity.participations.values_list("person__username", flat=True)) == {
        "wtl",
        "staff",
    }
    lecture = Lecture.objects.get(activity=activity)
    assert (lecture.team, lecture.target) == (team, target)
    assert AuditEvent.objects.filter(verb="lecture", object_id=str(activity.pk)).exists()
    # lecturers picked by hand instead of the team
    response = liaison.post(
        reverse("outreach:lecture-record"),
        {
            "type": lecture_type.pk,
            "team": team.pk,
            "target": places["冷湖社区"].pk,
            "starts_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "topic": "社区宣讲",
            "unit": world.unit_a.pk,
            "participants": [world.staff2.pk],
        },
    )
    assert response.status_code == 302
    picked = Activity.objects.get(title="社区宣讲")
    assert list(picked.participations.values_list("person", flat=True)) == [world.staff2.pk]
    missing = liaison.post(
        reverse("outreach:lecture-record"),
        {
            "type": lecture_type.pk,
            "starts_at": "2026-01-01T10:00",
            "topic": "无地点",
            "unit": world.unit_a.pk,
        },
    )
    assert "请选择覆盖点，或填写宣讲地点" in missing.content.decode()
    assert Activity.objects.count() == 2


def test_coverage_counts_lectures_per_target_and_month_and_flags_the_unreached(
    world, client_for, lecture_type, places, team
):
    _lecture(world, lecture_type, places["冷湖镇 牧业点"], team=team)
    _lecture(world, lecture_type, places["冷湖镇 牧业点"], team=team)
    _lecture(world, lecture_type, places["茫崖市第一中学"], days_ago=40)
    # through the generic ledger form: no Lecture row, counted by its place
    ledger.record_activity(
        actor=world.liaison,
        activity_type=lecture_type,
        unit=world.unit_a,
        title="社区宣讲",
        starts_at=_at(0),
        place="冷湖社区",
        venue_category="community",
        values={"topic": "社区宣讲"},
    )
    liaison = client_for(world.liaison)
    page = liaison.get(reverse("outreach:coverage"))
    rows = {row["target"].name: row for row in page.context["rows"]}
    assert rows["冷湖镇 牧业点"]["counts"][-1] == 2
    assert rows["冷湖社区"]["total"] == 1
    assert rows["茫崖市第一中学"]["total"] == 1
    assert rows["文旅公司"]["total"] == 0
    assert "data-unreached" in page.content.decode()
    summary = {s["category"]: (s["reached"], s["total"]) for s in page.context["table"].summary}
    assert summary == {
        "pastoral": (1, 1),
        "community": (1, 1),
        "enterprise": (0, 1),
        "campus": (1, 1),
    }
    assert "已覆盖 0 / 1" in page.content.decode()
    # each number links to the records behind it
    cell = rows["冷湖镇 牧业点"]["cells"][-1][1]
    assert len(liaison.get(cell).context["lectures"]) == 2
    generic = liaison.get(rows["冷湖社区"]["link"]).context["lectures"]
    assert [a.title for a in generic] == ["社区宣讲"]
    # the team filter: only that team's lectures (a generic record names no team)
    by_team = liaison.get(reverse("outreach:coverage") + f"?team={team.pk}").context["rows"]
    assert {r["target"].name: r["total"] for r in by_team}["冷湖社区"] == 0
    # category and unit filters
    pastoral = liaison.get(reverse("outreach:coverage") + "?category=pastoral").context["rows"]
    assert [r["target"].name for r in pastoral] == ["冷湖镇 牧业点"]
    sheet = _sheet(liaison.get(reverse("outreach:coverage") + "?export=xlsx"))
    assert any(row[1] == "冷湖镇 牧业点" and row[-1] == 2 for row in sheet)
    assert AuditEvent.objects.filter(action="export", object_repr="挎包宣讲覆盖情况").exists()


def test_outsider_gets_404_on_unit_a_lectures(world, client_for, lecture_type, places, team):
    activity = _lecture(world, lecture_type, places["冷湖镇 牧业点"], team=team)
    outsider = client_for(world.outsider)
    for name in ("outreach:coverage", "outreach:lecture-list"):
        assert outsider.get(reverse(name) + f"?unit={world.unit_a.pk}").status_code == 404
        assert (
            outsider.get(reverse(name) + f"?unit={world.unit_a.pk}&export=xlsx").status_code == 404
        )
    # targets in the outsider's own town: unit A's lecture there is not theirs to see
    rows = outsider.get(reverse("outreach:coverage")).context["rows"]
    assert all(row["total"] == 0 for row in rows)
    assert not outsider.get(reverse("outreach:lecture-list")).context["lectures"]
    sheet = _sheet(outsider.get(reverse("outreach:lecture-list") + "?export=xlsx"))
    assert all(activity.title not in str(row) for row in sheet)
    assert outsider.get(reverse("ledgers:activity-detail", args=[activity.pk])).status_code == 404
    response = outsider.get(f"/api/outreach/lectures?unit={world.unit_a.pk}")
    assert response.status_code == 404
    assert outsider.get("/api/outreach/lectures").json() == []
    assert outsider.get(f"/api/outreach/coverage?unit={world.unit_a.pk}").status_code == 404


def test_api_teams_targets_lectures_and_coverage(world, client_for, lecture_type, places, team):
    liaison = client_for(world.liaison)
    assert [t["name"] for t in liaison.get("/api/outreach/teams").json()] == ["文体局宣讲分队"]
    assert len(liaison.get("/api/outreach/targets?category=community").json()) == 1
    body = {
        "team_id": team.pk,
        "target_id": places["文旅公司"].pk,
        "starts_at": timezone.now().isoformat(),
        "topic": "文旅融合政策宣讲",
        "audience": 30,
    }
    response = liaison.post(
        "/api/outreach/lectures", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["venue_category"] == "enterprise" and data["target"]["name"] == "文旅公司"
    assert Lecture.objects.get(activity_id=data["id"]).team == team
    assert [a["id"] for a in liaison.get("/api/outreach/lectures").json()] == [data["id"]]
    coverage = liaison.get("/api/outreach/coverage").json()
    totals = {row["target"]["name"]: row["total"] for row in coverage["rows"]}
    assert totals["文旅公司"] == 1 and totals["冷湖社区"] == 0
    assert {"category": "enterprise", "label": "企业", "reached": 1, "total": 1} in coverage[
        "summary"
    ]
    staff = client_for(world.staff)
    bad = dict(body, topic="")
    response = staff.post(
        "/api/outreach/lectures", json.dumps(bad), content_type="application/json"
    )
    assert response.status_code == 422
    assert Lecture.objects.count() == 1


@pytest.mark.parametrize("persona", ["office", "liaison", "leader", "outsider"])
def test_lecture_and_target_lists_page_and_api_agree(
    world, client_for, lecture_type, places, team, persona
):
    _lecture(world, lecture_type, places["冷湖社区"], team=team)
    _lecture(world, lecture_type, places["文旅公司"], days_ago=40)
    _lecture(
        world, lecture_type, places["茫崖市第一中学"], days_ago=400
    )  # before the default period
    client = client_for(getattr(world, persona))
    long_ago = (timezone.localdate() - datetime.timedelta(days=500)).isoformat()
    for query in [
        {},
        {"team": team.pk},
        {"category": "community"},
        {"target": places["文旅公司"].pk},
        {"from": long_ago},
    ]:
        page = client.get(reverse("outreach:lecture-list"), query)
        api = client.get("/api/outreach/lectures", query)
        assert page.status_code == api.status_code == 200, query
        assert [a.pk for a in page.context["lectures"]] == [a["id"] for a in api.json()], query
    for category in ["", "community"]:
        page = client.get(reverse("outreach:target-list"), {"category": category})
        api = client.get("/api/outreach/targets", {"category": category}).json()
        assert [t.pk for t, _may in page.context["targets"]] == [t["id"] for t in api]
    page_teams = client.get(reverse("outreach:team-list")).context["teams"]
    api_teams = client.get("/api/outreach/teams").json()
    assert [t.pk for t, _members, _may in page_teams] == [t["id"] for t in api_teams]


def test_selector_period_defaults_to_six_months(world):
    flt = selectors.OutreachFilter(date_to=datetime.date(2026, 11, 26))
    assert flt.period() == (datetime.date(2026, 6, 1), datetime.date(2026, 11, 26))


@pytest.mark.parametrize("persona", ["office", "liaison", "staff", "leader", "outsider"])
def test_pages_render(world, client_for, lecture_type, places, team, persona):
    _lecture(world, lecture_type, places["文旅公司"], team=team)
    client = client_for(getattr(world, persona))
    for name in (
        "outreach:coverage",
        "outreach:lecture-list",
        "outreach:team-list",
        "outreach:target-list",
    ):
        assert client.get(reverse(name)).status_code == 200, name
    recording = client.get(reverse("outreach:lecture-record")).status_code
    # the office records its own department's lectures (the role table of docs/architecture.md)
    assert recording == (200 if persona in ("office", "liaison", "outsider") else 403)
    target_edit = client.get(reverse("outreach:target-edit", args=[places["文旅公司"].pk]))
    assert target_edit.status_code == (200 if persona == "office" else 403)
    team_edit = client.get(reverse("outreach:team-edit", args=[team.pk])).status_code
    assert team_edit == (200 if persona in ("office", "liaison") else 403)
