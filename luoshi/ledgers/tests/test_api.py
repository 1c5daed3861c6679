"""The ledger on the JSON API: activity types, activities, attendance, check-in and the counts,
through token and session (+CSRF) authentication, asserting the database; the outsider (冷湖镇)
gets 404 on every record of unit A, plain staff 403 where they see but may not write."""

import datetime
import zoneinfo

import pytest
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from django.utils import timezone

from luoshi.api.tests.conftest import Api, make_token
from luoshi.audit.models import AuditEvent
from luoshi.ledgers import services
from luoshi.ledgers.models import Activity, ActivityType, Participation
from luoshi.testing import issued_task

pytestmark = pytest.mark.django_db
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.fixture
def api_for():
    """api_for(user): a JSON client authenticating with a fresh personal access token."""
    return lambda user: Api(Client(), {"Authorization": f"Bearer {make_token(user)}"})


def _record(world, activity_type, **extra) -> Activity:
    values = {
        "actor": world.liaison,
        "activity_type": activity_type,
        "unit": world.unit_a,
        "title": "“挎包宣讲”进社区",
        "starts_at": timezone.now() - datetime.timedelta(days=1),
        "participants": [world.liaison, world.staff],
    }
    if activity_type.name == "挎包宣讲":
        values.update(venue_category="community", values={"topic": "党的二十大精神"})
    values.update(extra)
    return services.record_activity(**values)


# --- Authentication -------------------------------------------------------------------------------


def test_no_credentials_get_401():
    assert Client().get("/api/ledger/activities").status_code == 401
    assert (
        Client().post("/api/ledger/checkin", "{}", content_type="application/json").status_code
        == 401
    )


def test_session_writes_need_csrf(world, lecture):
    activity = _record(world, lecture)
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.liaison)
    url = f"/api/ledger/activities/{activity.pk}"
    assert client.get(url).status_code == 200
    refused = client.patch(url, '{"title": "改名"}', content_type="application/json")
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
    secret = _get_new_csrf_string()
    client.cookies["csrftoken"] = secret
    accepted = client.patch(
        url, '{"title": "改名"}', content_type="application/json", headers={"X-CSRFToken": secret}
    )
    assert accepted.status_code == 200, accepted.content
    activity.refresh_from_db()
    assert activity.title == "改名"


# --- Activity types -------------------------------------------------------------------------------


def test_types_listed_to_ledger_users_and_configured_by_the_office(world, lecture, api_for):
    listed = api_for(world.liaison).get("/ledger/types", {"category": "lecture"})
    assert listed.status_code == 200
    assert [t["name"] for t in listed.json()] == ["挎包宣讲"]
    assert listed.json()[0]["fields"][0]["key"] == "topic"
    assert (
        api_for(world.liaison).get(f"/ledger/types/{lecture.pk}").json()["category_display"]
        == "宣讲"
    )

    track = world.campaign.tracks.first()
    created = api_for(world.office).post(
        "/ledger/types",
        {
            "name": "晨读+分享",
            "category": "study",
            "track_id": track.pk,
            "takes_checkin": True,
            "fields": [{"key": "book", "label": "书目", "kind": "text", "required": True}],
        },
    )
    assert created.status_code == 201, created.content
    new = ActivityType.objects.get(name="晨读+分享")
    # the track's campaign is filled in by the service
    assert (new.campaign, new.track, new.takes_checkin) == (world.campaign, track, True)
    assert new.fields[0]["label"] == "书目"
    assert AuditEvent.objects.filter(
        object_type="ledgers.activitytype", object_id=str(new.pk)
    ).exists()

    edited = api_for(world.office).patch(
        f"/ledger/types/{new.pk}", {"is_active": False, "sort_order": 5}
    )
    assert edited.status_code == 200, edited.content
    new.refresh_from_db()
    assert (new.is_active, new.sort_order) == (False, 5)
    assert [
        t["name"] for t in api_for(world.office).get("/ledger/types", {"active": False}).json()
    ] == ["晨读+分享"]


def test_type_errors_in_chinese_and_liaison_refused(world, lecture, api_for):
    office = api_for(world.office)
    duplicate = office.post("/ledger/types", {"name": "挎包宣讲"})
    assert duplicate.status_code == 422
    assert "已有名为" in duplicate.json()["errors"]["name"][0]
    bad = office.post(
        "/ledger/types",
        {
            "name": "签到会",
            "takes_attendance": False,
            "takes_checkin": True,
            "fields": [{"key": "1x"}],
        },
    )
    assert bad.status_code == 422
    assert "标识" in bad.json()["errors"]["fields"][0]
    assert not ActivityType.objects.filter(name="签到会").exists()

    liaison = api_for(world.liaison)
    assert liaison.post("/ledger/types", {"name": "自建类型"}).status_code == 403
    assert liaison.patch(f"/ledger/types/{lecture.pk}", {"name": "改名"}).status_code == 403
    lecture.refresh_from_db()
    assert lecture.name == "挎包宣讲" and not ActivityType.objects.filter(name="自建类型").exists()
    assert liaison.get("/ledger/types/999999").status_code == 404


# --- Activities -----------------------------------------------------------------------------------


def test_record_with_participants_values_campaigns_and_task(world, lecture, api_for):
    task = issued_task(world)[0]
    response = api_for(world.liaison).post(
        "/ledger/activities",
        {
            "type_id": lecture.pk,
            "unit_id": world.unit_a.pk,
            "title": "“挎包宣讲”进牧区",
            "starts_at": "2026-03-15T09:30:00",  # no offset: local time
            "venue_category": "pastoral",
            "audience": 45,
            "values": {"topic": "党的二十大精神", "copies": "120", "form": "入户宣讲"},
            "participant_ids": [world.staff.pk, world.staff2.pk, world.staff.pk],
            "campaign_ids": [world.campaign.pk],
            "evidence_task_id": task.pk,
            "place": "冷湖镇",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    activity = Activity.objects.get(pk=body["id"])
    assert activity.recorded_by == world.liaison and activity.unit == world.unit_a
    assert timezone.localtime(activity.starts_at).strftime("%Y-%m-%d %H:%M") == "2026-03-15 09:30"
    assert activity.values == {"topic": "党的二十大精神", "copies": 120, "form": "入户宣讲"}
    assert (activity.audience, activity.venue_category) == (45, "pastoral")
    assert (activity.evidence_task, activity.place) == (task, "冷湖镇")
    assert list(activity.campaigns.all()) == [world.campaign]
    assert set(activity.participations.values_list("person__username", flat=True)) == {
        "staff",
        "staff2",
    }
    assert body["participants"] == 2 and body["can_edit"] is True
    assert body["campaigns"][0]["id"] == world.campaign.pk
    assert AuditEvent.objects.filter(
        object_type="ledgers.activity", object_id=str(activity.pk)
    ).exists()


def test_record_refused_with_field_messages_saves_nothing(world, lecture, api_for):
    liaison = api_for(world.liaison)
    response = liaison.post(
        "/ledger/activities",
        {
            "type_id": lecture.pk,
            "unit_id": world.unit_a.pk,
            "title": "",
            "starts_at": "2026-03-15T09:30:00+08:00",
            "ends_at": "2026-03-15T08:00:00+08:00",
            "values": {"copies": "许多"},
            "participant_ids": [world.outsider.pk],
        },
    )
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert "活动名称" in errors["title"][0]
    assert "结束时间" in errors["ends_at"][0]
    assert "宣讲主题" in errors["x_topic"][0]
    assert "数字" in errors["x_copies"][0]
    assert "场所类别" in errors["venue_category"][0]
    assert "马海燕" in errors["participants"][0]
    assert not Activity.objects.exists()

    other_unit = liaison.post(
        "/ledger/activities",
        {
            "type_id": lecture.pk,
            "unit_id": world.unit_b.pk,
            "title": "越权登记",
            "starts_at": "2026-03-15T09:30:00+08:00",
            "venue_category": "community",
            "values": {"topic": "x"},
        },
    )
    assert other_unit.status_code == 422 and "组织单位" in other_unit.json()["errors"]["unit"][0]
    unknown = liaison.post(
        "/ledger/activities",
        {"type_id": 999999, "unit_id": world.unit_a.pk, "starts_at": "2026-03-15T09:30:00"},
    )
    assert unknown.status_code == 422 and "活动类型" in unknown.json()["errors"]["type"][0]
    assert not Activity.objects.exists()
    # plain staff may not record for the unit, only their own personal records
    assert (
        api_for(world.staff)
        .post(
            "/ledger/activities",
            {
                "type_id": lecture.pk,
                "unit_id": world.unit_a.pk,
                "title": "x",
                "starts_at": "2026-03-15T09:30:00",
                "venue_category": "community",
                "values": {"topic": "x"},
            },
        )
        .status_code
        == 403
    )
    assert not Activity.objects.exists()


def test_list_uses_the_pages_filters(world, lecture, reading, api_for):
    march = datetime.datetime(2026, 3, 10, 9, tzinfo=SHANGHAI)
    april = datetime.datetime(2026, 4, 10, 9, tzinfo=SHANGHAI)
    in_march = _record(world, lecture, starts_at=march, title="三月宣讲")
    in_april = _record(world, lecture, starts_at=april, title="四月宣讲")
    in_section = _record(world, lecture, starts_at=april, title="科室宣讲", unit=world.section_a)
    book = _record(
        world,
        reading,
        starts_at=april,
        title="",
        participants=[world.staff2],
        values={"book": "论持久战"},
    )
    liaison = api_for(world.liaison)

    def titles(**params) -> list[str]:
        response = liaison.get("/ledger/activities", params)
        assert response.status_code == 200, response.content
        return [item["title"] for item in response.json()["items"]]

    assert len(titles()) == 4
    assert titles(**{"from": "2026-04-01", "to": "2026-04-30", "type": lecture.pk}) == [
        in_section.title,
        in_april.title,
    ] or titles(**{"from": "2026-04-01", "to": "2026-04-30", "type": lecture.pk}) == [
        in_april.title,
        in_section.title,
    ]
    assert set(titles(unit=world.unit_a.pk, only="true", category="lecture")) == {
        in_march.title,
        in_april.title,
    }
    assert titles(unit=world.section_a.pk) == [in_section.title]
    assert titles(q="三月") == [in_march.title]
    assert titles(person=world.staff2.pk) == [book.title]
    assert titles(field="topic", value="党的二十大精神", unit=world.section_a.pk) == [
        in_section.title
    ]
    assert titles(field="topic", value="别的主题") == []
    Activity.objects.filter(pk=in_march.pk).update(commended_at=timezone.now())  # rated 优秀
    assert titles(commended="true") == [in_march.title]
    page = liaison.get("/ledger/activities", {"page_size": 1, "page": 2}).json()
    assert (page["count"], page["page"], len(page["items"])) == (4, 2, 1)


def test_outsider_gets_404_on_every_record_of_unit_a(world, lecture, api_for):
    activity = _record(world, lecture)
    outsider = api_for(world.outsider)
    base = f"/ledger/activities/{activity.pk}"
    assert outsider.get(base).status_code == 404
    assert outsider.patch(base, {"title": "改名"}).status_code == 404
    assert outsider.delete(base).status_code == 404
    assert outsider.get(f"{base}/participants").status_code == 404
    assert (
        outsider.put(f"{base}/participants", {"person_ids": [world.outsider.pk]}).status_code == 404
    )
    assert outsider.post(f"{base}/restore").status_code == 404
    assert outsider.get("/ledger/activities").json()["count"] == 0
    assert outsider.get("/ledger/activities", {"unit": world.unit_a.pk}).status_code == 404
    assert outsider.get("/ledger/pivot", {"unit": world.unit_a.pk}).status_code == 404
    assert outsider.get("/ledger/people-counts", {"unit": world.unit_a.pk}).status_code == 404
    assert outsider.get("/ledger/activities", {"person": world.staff.pk}).status_code == 404
    assert outsider.get("/ledger/pivot").json()["total"] == 0
    activity.refresh_from_db()
    assert activity.title == "“挎包宣讲”进社区" and activity.deleted_at is None
    assert activity.participations.count() == 2


def test_staff_see_their_activity_but_may_not_change_it(world, lecture, api_for):
    activity = _record(world, lecture)
    staff = api_for(world.staff)
    base = f"/ledger/activities/{activity.pk}"
    seen = staff.get(base)
    assert seen.status_code == 200
    assert seen.json()["can_edit"] is False and seen.json()["checkin_code"] == ""
    assert staff.patch(base, {"title": "改名"}).status_code == 403
    assert staff.delete(base).status_code == 403
    assert staff.put(f"{base}/participants", {"person_ids": [world.staff.pk]}).status_code == 403
    activity.refresh_from_db()
    assert activity.title == "“挎包宣讲”进社区" and activity.deleted_at is None
    assert activity.participations.count() == 2


def test_edit_with_field_errors_and_values(world, lecture, api_for):
    activity = _record(world, lecture)
    liaison = api_for(world.liaison)
    base = f"/ledger/activities/{activity.pk}"
    bad = liaison.patch(base, {"ends_at": "2020-01-01T00:00:00+08:00", "values": {"topic": ""}})
    assert bad.status_code == 422
    assert "结束时间" in bad.json()["errors"]["ends_at"][0]
    assert "宣讲主题" in bad.json()["errors"]["x_topic"][0]
    assert liaison.patch(base, {"title": None}).status_code == 422
    activity.refresh_from_db()
    assert activity.ends_at is None and activity.values == {"topic": "党的二十大精神"}

    good = liaison.patch(
        base,
        {
            "title": "“挎包宣讲”进校园",
            "venue_category": "campus",
            "values": {"topic": "红色文化", "form": "集中宣讲"},
            "campaign_ids": [],
        },
    )
    assert good.status_code == 200, good.content
    activity.refresh_from_db()
    assert (activity.title, activity.venue_category) == ("“挎包宣讲”进校园", "campus")
    assert activity.values == {"topic": "红色文化", "form": "集中宣讲"}
    assert not activity.campaigns.exists()
    assert AuditEvent.objects.filter(
        object_type="ledgers.activity", object_id=str(activity.pk), action=AuditEvent.Action.UPDATE
    ).exists()


def test_delete_and_restore(world, lecture, api_for):
    activity = _record(world, lecture)
    liaison, office = api_for(world.liaison), api_for(world.office)
    base = f"/ledger/activities/{activity.pk}"
    deleted = liaison.delete(base, {"reason": "重复登记"})
    assert deleted.status_code == 200, deleted.content
    activity.refresh_from_db()
    assert activity.deleted_at is not None
    assert liaison.get(base).status_code == 404
    assert liaison.get("/ledger/activities").json()["count"] == 0
    # only the office sees and restores deleted records
    assert liaison.get("/ledger/activities", {"deleted": "true"}).json()["count"] == 0
    assert liaison.post(f"{base}/restore").status_code == 404
    assert [
        a["id"] for a in office.get("/ledger/activities", {"deleted": "true"}).json()["items"]
    ] == [activity.pk]
    restored = office.post(f"{base}/restore")
    assert restored.status_code == 200, restored.content
    activity.refresh_from_db()
    assert activity.deleted_at is None
    assert AuditEvent.objects.filter(
        object_id=str(activity.pk), action=AuditEvent.Action.RESTORE
    ).exists()


# --- Attendance and check-in ----------------------------------------------------------------------


def test_participants_listed_and_corrected_by_hand(world, lecture, api_for):
    activity = _record(world, lecture)
    liaison = api_for(world.liaison)
    base = f"/ledger/activities/{activity.pk}/participants"
    listed = liaison.get(base)
    assert listed.status_code == 200
    assert {p["person"]["name"] for p in listed.json()} == {"李晓梅", "张三"}
    assert listed.json()[0]["source"] == "hand"

    corrected = liaison.put(base, {"person_ids": [world.staff.pk, world.staff2.pk]})
    assert corrected.status_code == 200, corrected.content
    assert set(activity.participations.values_list("person__username", flat=True)) == {
        "staff",
        "staff2",
    }
    assert {p["person"]["id"] for p in corrected.json()} == {world.staff.pk, world.staff2.pk}

    outside = liaison.put(base, {"person_ids": [world.outsider.pk]})
    assert outside.status_code == 422 and "马海燕" in outside.json()["errors"]["participants"][0]
    unknown = liaison.put(base, {"person_ids": [999999]})
    assert unknown.status_code == 422 and "999999" in unknown.json()["errors"]["participants"][0]
    assert activity.participations.count() == 2


def test_check_in_by_code(world, meeting, api_for):
    activity = _record(world, meeting, title="周例会", participants=[], starts_at=timezone.now())
    assert len(activity.checkin_code) == 6
    code = api_for(world.liaison).get(f"/ledger/activities/{activity.pk}").json()["checkin_code"]
    assert code == activity.checkin_code
    staff = api_for(world.staff2)
    first = staff.post("/ledger/checkin", {"code": code})
    assert first.status_code == 200, first.content
    assert first.json()["created"] is True and first.json()["activity"]["id"] == activity.pk
    participation = Participation.objects.get(activity=activity, person=world.staff2)
    assert participation.source == "checkin" and participation.checked_in_at is not None
    again = staff.post("/ledger/checkin", {"code": code})
    assert again.status_code == 200 and again.json()["created"] is False
    assert activity.participations.count() == 1

    wrong = staff.post("/ledger/checkin", {"code": "12345"})
    assert wrong.status_code == 422 and "6 位数字" in wrong.json()["errors"]["code"][0]
    other = "100000" if code != "100000" else "100001"
    unknown = staff.post("/ledger/checkin", {"code": other})
    assert unknown.status_code == 422 and "签到码无效" in unknown.json()["errors"]["code"][0]


# --- Counts ---------------------------------------------------------------------------------------


def test_pivot_by_type_unit_and_local_month(world, lecture, meeting, api_for):
    # 2026-03-31 17:00 UTC is 1 April 01:00 in Asia/Shanghai: it counts in April.
    boundary = datetime.datetime(2026, 3, 31, 17, 0, tzinfo=datetime.UTC)
    march = datetime.datetime(2026, 3, 5, 9, tzinfo=SHANGHAI)
    _record(world, lecture, starts_at=boundary)
    _record(world, lecture, starts_at=march)
    _record(world, meeting, starts_at=march, title="周例会", participants=[])
    _record(world, lecture, starts_at=march, unit=world.section_a)
    gone = _record(world, lecture, starts_at=march)
    services.delete_activity(actor=world.liaison, activity=gone)

    response = api_for(world.liaison).get(
        "/ledger/pivot", {"unit": world.unit_a.pk, "from": "2026-03-01", "to": "2026-04-30"}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["months"] == ["2026-03", "2026-04"]
    rows = {(row["unit"]["name"], row["type"]["name"]): row["counts"] for row in body["rows"]}
    assert rows == {
        ("市文体旅游广电局", "挎包宣讲"): [1, 1],
        ("市文体旅游广电局", "周例会"): [1, 0],
        ("办公室", "挎包宣讲"): [1, 0],
    }
    assert (body["column_totals"], body["total"]) == ([3, 1], 4)
    own = {(row["unit"]["name"], row["type"]["name"]): row["own"] for row in body["rows"]}
    assert own[("市文体旅游广电局", "挎包宣讲")] and not own[("办公室", "挎包宣讲")]
    only_lectures = (
        api_for(world.office)
        .get("/ledger/pivot", {"from": "2026-04-01", "to": "2026-04-30", "category": "lecture"})
        .json()
    )
    assert only_lectures["total"] == 1
    assert (
        api_for(world.staff)
        .get("/ledger/pivot", {"from": "2026-03-01", "to": "2026-04-30"})
        .json()["total"]
        == 3
    )  # staff see the three lectures they took part in, not the meeting


def test_people_counts(world, lecture, reading, api_for):
    day = datetime.datetime(2026, 3, 5, 9, tzinfo=SHANGHAI)
    _record(world, lecture, starts_at=day)
    _record(
        world,
        reading,
        starts_at=day,
        title="",
        participants=[world.staff],
        values={"book": "论持久战"},
    )
    _record(
        world,
        reading,
        starts_at=day,
        title="",
        participants=[world.staff],
        values={"book": "实践论"},
    )
    params = {"unit": world.unit_a.pk, "from": "2026-03-01", "to": "2026-03-31"}
    study = api_for(world.liaison).get("/ledger/people-counts", params)
    assert study.status_code == 200, study.content
    assert [t["name"] for t in study.json()["types"]] == ["每月读一本好书"]
    assert [(r["person"]["name"], r["counts"], r["total"]) for r in study.json()["rows"]] == [
        ("张三", [2], 2)
    ]
    lectures = (
        api_for(world.liaison)
        .get("/ledger/people-counts", {**params, "category": "lecture"})
        .json()
    )
    assert {r["person"]["name"]: r["total"] for r in lectures["rows"]} == {"李晓梅": 1, "张三": 1}


def test_pivot_over_a_long_period_counts_the_same(world, lecture, api_for):
    """Up to 36 months the database counts each month's range; beyond, rows are grouped by the
    local month: the same counts, at the local month's boundaries."""
    for year, month in ((2023, 1), (2024, 6), (2026, 3), (2026, 3)):
        # 00:30 on the 1st in Shanghai is still the previous month in UTC
        _record(world, lecture, starts_at=datetime.datetime(year, month, 1, 0, 30, tzinfo=SHANGHAI))
    liaison = api_for(world.liaison)
    long = liaison.get("/ledger/pivot", {"from": "2023-01-01", "to": "2026-04-30"}).json()
    assert len(long["months"]) == 40 and long["total"] == 4
    assert long["rows"][0]["counts"][0] == 1 and long["rows"][0]["counts"][38] == 2
    short = liaison.get("/ledger/pivot", {"from": "2025-05-01", "to": "2026-04-30"}).json()
    assert len(short["months"]) == 12 and short["total"] == 2
    assert short["rows"][0]["counts"][10] == 2 and short["column_totals"][10] == 2
    # rows come a page at a time; the totals stay those of every row
    _record(
        world,
        lecture,
        starts_at=datetime.datetime(2026, 3, 2, 9, tzinfo=SHANGHAI),
        unit=world.section_a,
    )
    paged = liaison.get(
        "/ledger/pivot", {"from": "2025-05-01", "to": "2026-04-30", "page_size": 1, "page": 2}
    ).json()
    assert (paged["count"], len(paged["rows"]), paged["total"]) == (2, 1, 3)
    assert paged["rows"][0]["unit"]["name"] == "办公室"
