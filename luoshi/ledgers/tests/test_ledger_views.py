"""Delete/restore, check-in, hand correction, the ledger pivot, exports and the permission matrix."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from luoshi.audit.models import AuditEvent
from luoshi.ledgers import services
from luoshi.ledgers.models import Activity, Participation

pytestmark = pytest.mark.django_db


def _at(day: datetime.date, hour: int = 9) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _record(world, activity_type, *, when=None, unit=None, people=(), actor=None, **extra):
    return services.record_activity(
        actor=actor or world.liaison,
        activity_type=activity_type,
        unit=unit or world.unit_a,
        title=extra.pop("title", f"{activity_type.name}活动"),
        starts_at=when or timezone.now(),
        participants=list(people),
        **extra,
    )


def _lecture_extra():
    return {"venue_category": "community", "values": {"topic": "宣讲"}}


def _pivot_total(client, query: str = "") -> int:
    return client.get(reverse("ledgers:ledger") + query).context["pivot"].total


# --- Soft delete and restore ----------------------------------------------------------------------


def test_soft_delete_leaves_the_counts_and_restore_brings_it_back(world, client_for, lecture):
    activity = _record(world, lecture, **_lecture_extra())
    liaison, office = client_for(world.liaison), client_for(world.office)
    assert _pivot_total(liaison) == 1
    response = liaison.post(
        reverse("ledgers:activity-delete", args=[activity.pk]), {"reason": "重复登记"}
    )
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.deleted_at is not None
    assert _pivot_total(liaison) == 0 and _pivot_total(office) == 0
    assert not liaison.get(reverse("ledgers:activity-list")).context["activities"]
    assert liaison.get(reverse("ledgers:activity-detail", args=[activity.pk])).status_code == 404
    assert AuditEvent.objects.filter(
        action="delete", object_id=str(activity.pk), note="重复登记"
    ).exists()
    # Only the office restores, from the list of deleted records.
    assert liaison.post(reverse("ledgers:activity-restore", args=[activity.pk])).status_code == 404
    deleted = office.get(reverse("ledgers:activity-list") + "?deleted=1")
    assert [a.pk for a in deleted.context["activities"]] == [activity.pk]
    assert office.post(reverse("ledgers:activity-restore", args=[activity.pk])).status_code == 302
    activity.refresh_from_db()
    assert activity.deleted_at is None
    assert _pivot_total(liaison) == 1
    assert AuditEvent.objects.filter(action="restore", object_id=str(activity.pk)).exists()


def test_liaison_without_restore_right_cannot_restore(world, client_for, lecture):
    activity = _record(world, lecture, **_lecture_extra())
    services.delete_activity(actor=world.liaison, activity=activity)
    response = client_for(world.leader).post(
        reverse("ledgers:activity-restore", args=[activity.pk])
    )
    assert response.status_code == 404
    activity.refresh_from_db()
    assert activity.deleted_at is not None


# --- Check-in -------------------------------------------------------------------------------------


def test_checkin_inside_the_window_and_duplicate(world, client_for, meeting):
    activity = _record(world, meeting, people=[world.liaison])
    assert len(activity.checkin_code) == 6 and activity.checkin_code.isdigit()
    client = client_for(world.staff)
    page = client.get(reverse("ledgers:checkin") + f"?code={activity.checkin_code}")
    assert activity.checkin_code in page.content.decode()
    response = client.post(reverse("ledgers:checkin"), {"code": activity.checkin_code})
    assert response.status_code == 200
    assert "签到成功" in response.content.decode()
    participation = Participation.objects.get(activity=activity, person=world.staff)
    assert participation.source == "checkin" and participation.checked_in_at is not None
    again = client.post(reverse("ledgers:checkin"), {"code": activity.checkin_code})
    assert "无需重复签到" in again.content.decode()
    assert Participation.objects.filter(activity=activity, person=world.staff).count() == 1
    assert activity.participations.count() == 2
    # The organiser sees attendance grow (the fragment the page refreshes).
    fragment = client_for(world.liaison).get(
        reverse("ledgers:activity-detail", args=[activity.pk]) + "?part=participants"
    )
    assert "张三" in fragment.content.decode() and "共 2 人" in fragment.content.decode()


@pytest.mark.parametrize(("offset_hours", "message"), [(-30, "签到已结束"), (30, "签到尚未开始")])
def test_checkin_outside_the_window_is_refused(world, client_for, meeting, offset_hours, message):
    when = timezone.now() + datetime.timedelta(hours=offset_hours)
    activity = _record(world, meeting, when=when)
    response = client_for(world.staff).post(
        reverse("ledgers:checkin"), {"code": activity.checkin_code}
    )
    assert message in response.content.decode()
    assert not Participation.objects.filter(activity=activity).exists()


def test_checkin_with_a_wrong_code(world, client_for, meeting):
    activity = _record(world, meeting)
    wrong = "000000" if activity.checkin_code != "000000" else "111111"
    response = client_for(world.staff).post(reverse("ledgers:checkin"), {"code": wrong})
    assert "签到码无效" in response.content.decode()
    response = client_for(world.staff).post(reverse("ledgers:checkin"), {"code": "12ab"})
    assert "请输入 6 位数字签到码" in response.content.decode()
    assert not Participation.objects.exists()


def test_detail_shows_the_code_to_project(world, client_for, meeting):
    activity = _record(world, meeting)
    page = client_for(world.liaison).get(reverse("ledgers:activity-detail", args=[activity.pk]))
    assert activity.checkin_code in page.content.decode()
    assert "签到进行中" in page.content.decode()


# --- Hand correction ------------------------------------------------------------------------------


def test_hand_correction_is_audited(world, client_for, meeting):
    activity = _record(world, meeting, people=[world.staff])
    services.check_in(actor=world.staff2, code=activity.checkin_code)
    response = client_for(world.liaison).post(
        reverse("ledgers:activity-participants", args=[activity.pk]),
        {"participants": [world.staff2.pk, world.liaison.pk]},
    )
    assert response.status_code == 302
    assert set(activity.participations.values_list("person__username", flat=True)) == {
        "staff2",
        "wtl",
    }
    event = AuditEvent.objects.get(verb="participants", object_id=str(activity.pk))
    assert event.actor == world.liaison
    assert event.changes["added"] == [None, ["李晓梅"]]
    assert event.changes["removed"] == [["张三"], None]
    # Staff (a participant) sees the record but cannot correct it.
    response = client_for(world.staff2).post(
        reverse("ledgers:activity-participants", args=[activity.pk]), {"participants": []}
    )
    assert response.status_code == 403
    assert activity.participations.count() == 2
    # Out of reach: the outsider's person cannot be added.
    client_for(world.liaison).post(
        reverse("ledgers:activity-participants", args=[activity.pk]),
        {"participants": [world.outsider.pk]},
    )
    assert not activity.participations.filter(person=world.outsider).exists()


# --- The ledger pivot and exports -----------------------------------------------------------------


def test_ledger_pivot_counts_type_unit_month_with_links(world, client_for, lecture, meeting):
    today = timezone.localdate()
    this_month = today.replace(day=1)
    last_month = (this_month - datetime.timedelta(days=1)).replace(day=1)
    for _ in range(3):
        _record(world, lecture, when=_at(this_month), **_lecture_extra())
    _record(world, lecture, when=_at(last_month), **_lecture_extra())
    _record(world, meeting, when=_at(last_month), unit=world.section_a)
    _record(world, meeting, when=_at(last_month), unit=world.unit_b, actor=world.outsider)
    query = f"?from={last_month.isoformat()}&to={today.isoformat()}"
    client = client_for(world.liaison)
    response = client.get(reverse("ledgers:ledger") + query)
    rows = {(row["unit"].name, row["type"].name): row for row in response.context["table"]}
    assert set(rows) == {("市文体旅游广电局", "挎包宣讲"), ("办公室", "周例会")}  # no 冷湖镇
    assert rows[("市文体旅游广电局", "挎包宣讲")]["counts"] == [1, 3]
    assert rows[("办公室", "周例会")]["counts"] == [1, 0]
    assert response.context["pivot"].total == 5
    assert response.context["pivot"].column_totals == [2, 3]
    # Each number links to the records behind it.
    count, link = rows[("市文体旅游广电局", "挎包宣讲")]["cells"][1]
    listing = client.get(link)
    assert len(listing.context["activities"]) == count == 3
    count, link = rows[("市文体旅游广电局", "挎包宣讲")]["cells"][0]
    assert len(client.get(link).context["activities"]) == 1  # not the section's meeting
    # The office sees both units; a subtree filter narrows it to unit A.
    office = client_for(world.office)
    assert office.get(reverse("ledgers:ledger") + query).context["pivot"].total == 6
    narrowed = office.get(reverse("ledgers:ledger") + query + f"&unit={world.unit_a.pk}")
    assert narrowed.context["pivot"].total == 5
    # Export: the same numbers, audited.
    export = client.get(reverse("ledgers:ledger") + query + "&export=xlsx")
    sheet = load_workbook(io.BytesIO(export.content)).worksheets[0]
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header = values[2]
    assert header == ["单位", "活动类型", f"{last_month:%Y-%m}", f"{this_month:%Y-%m}", "合计"]
    assert ["市文体旅游广电局（本单位）", "挎包宣讲", 1, 3, 4] in values
    assert ["办公室", "周例会", 1, 0, 1] in values
    assert values[-1] == ["合计", None, 2, 3, 5]
    assert AuditEvent.objects.filter(action="export", object_repr="台账统计").exists()


def test_activity_list_filters_and_export_cells(world, client_for, lecture, meeting):
    first = _record(
        world,
        lecture,
        title="挎包宣讲进社区",
        people=[world.staff, world.staff2],
        audience=80,
        campaigns=[world.campaign],
        **_lecture_extra(),
    )
    _record(world, meeting, title="第一次周例会", when=timezone.now() - datetime.timedelta(days=40))
    client = client_for(world.liaison)
    by_type = client.get(reverse("ledgers:activity-list") + f"?type={lecture.pk}")
    assert [a.pk for a in by_type.context["activities"]] == [first.pk]
    by_category = client.get(reverse("ledgers:activity-list") + "?category=meeting")
    assert [a.title for a in by_category.context["activities"]] == ["第一次周例会"]
    since = (timezone.localdate() - datetime.timedelta(days=5)).isoformat()
    by_date = client.get(reverse("ledgers:activity-list") + f"?from={since}")
    assert [a.pk for a in by_date.context["activities"]] == [first.pk]
    export = client.get(reverse("ledgers:activity-list") + f"?type={lecture.pk}&export=xlsx")
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(export.content)).worksheets[0]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0][0] == "活动台账"
    assert rows[2][:4] == ["时间", "活动类型", "类别", "名称"]
    assert len(rows) == 4
    data = rows[3]
    assert data[1:8] == ["挎包宣讲", "宣讲", "挎包宣讲进社区", "市文体旅游广电局", None, "社区", 2]
    assert data[8] == 80 and "“四大”专项行动" in data[10] and data[11] == "李晓梅"
    event = AuditEvent.objects.get(action="export", object_repr="活动台账")
    assert event.actor == world.liaison and "1 行" in event.note


# --- Permission matrix ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        ("office", True),
        ("liaison", True),
        ("leader", True),
        ("staff", True),  # a participant
        ("staff2", False),  # neither recorder nor participant
        ("outsider", False),
        ("sysadmin", False),
        ("auditor", False),
    ],
)
def test_who_sees_an_activity_of_unit_a(world, client_for, lecture, persona, sees):
    activity = _record(world, lecture, people=[world.staff], **_lecture_extra())
    client = client_for(getattr(world, persona))
    detail = client.get(reverse("ledgers:activity-detail", args=[activity.pk]))
    assert detail.status_code == (200 if sees else 404)
    listing = client.get(reverse("ledgers:activity-list"))
    if listing.status_code == 200:
        assert (activity in listing.context["activities"]) is sees
    else:
        assert listing.status_code == 403 and not sees


@pytest.mark.parametrize("persona", ["outsider", "leader", "staff", "staff2"])
def test_who_cannot_change_an_activity_of_unit_a(world, client_for, lecture, persona):
    activity = _record(world, lecture, people=[world.staff], **_lecture_extra())
    client = client_for(getattr(world, persona))
    expected = 404 if persona in ("outsider", "staff2") else 403
    assert client.get(reverse("ledgers:activity-edit", args=[activity.pk])).status_code == expected
    assert (
        client.post(reverse("ledgers:activity-delete", args=[activity.pk])).status_code == expected
    )
    activity.refresh_from_db()
    assert activity.deleted_at is None


def test_outsider_gets_404_on_unit_a_by_page_and_export(world, client_for, lecture, meeting):
    activity = _record(world, meeting, people=[world.staff])
    outsider = client_for(world.outsider)
    for name in ("activity-detail", "activity-edit"):
        assert outsider.get(reverse(f"ledgers:{name}", args=[activity.pk])).status_code == 404
    for name in ("activity-delete", "activity-restore", "activity-participants"):
        assert outsider.post(reverse(f"ledgers:{name}", args=[activity.pk])).status_code == 404
    unit_a = f"?unit={world.unit_a.pk}"
    for name in ("activity-list", "ledger"):
        assert outsider.get(reverse(f"ledgers:{name}") + unit_a).status_code == 404
        assert outsider.get(reverse(f"ledgers:{name}") + unit_a + "&export=xlsx").status_code == 404
        export = outsider.get(reverse(f"ledgers:{name}") + "?export=xlsx")
        assert "市文体旅游广电局" not in str(
            [
                c.value
                for row in load_workbook(io.BytesIO(export.content)).worksheets[0].iter_rows()
                for c in row
            ]
        )
    assert Activity.objects.filter(deleted_at__isnull=True).count() == 1


def test_hand_correction_by_search_when_many_people(world, client_for, meeting, monkeypatch):
    from luoshi.ledgers import forms

    monkeypatch.setattr(forms, "CHECKBOX_LIMIT", 1)
    activity = _record(world, meeting, people=[world.staff])
    client = client_for(world.liaison)
    page = client.get(reverse("ledgers:activity-detail", args=[activity.pk])).content.decode()
    assert "data-picker-url" in page and "张三" in page
    client.post(
        reverse("ledgers:activity-participants", args=[activity.pk]),
        {"participants": [world.staff.pk, world.staff2.pk]},
    )
    assert activity.participations.count() == 2


def test_months_are_local_months(world, client_for, lecture):
    """An activity at 00:30 Beijing time on the 1st counts in that month, not the one before."""
    local = _at(datetime.date(2026, 3, 1), 0) + datetime.timedelta(minutes=30)
    _record(world, lecture, when=local, **_lecture_extra())
    response = client_for(world.liaison).get(
        reverse("ledgers:ledger") + "?from=2026-02-01&to=2026-03-31"
    )
    (row,) = response.context["table"]
    assert row["counts"] == [0, 1]
    march = client_for(world.liaison).get(row["cells"][1][1])
    assert len(march.context["activities"]) == 1


def test_per_person_study_records(world, client_for, reading, meeting):
    for _ in range(3):
        _record(world, reading, actor=world.staff, people=[world.staff], values={"book": "书"})
    _record(world, reading, people=[world.staff2], values={"book": "书"})
    _record(world, meeting, people=[world.staff])  # a meeting: not study
    client = client_for(world.liaison)
    response = client.get(reverse("ledgers:people"))
    rows = {row["person"].name: row for row in response.context["rows"]}
    assert [t.name for t in response.context["table"].types] == ["每月读一本好书"]
    assert rows["张三"]["counts"] == [3] and rows["赵敏"]["counts"] == [1]
    listing = client.get(rows["张三"]["cells"][0][1])
    assert len(listing.context["activities"]) == 3
    everything = client.get(reverse("ledgers:people") + "?category=")
    rows = {row["person"].name: row for row in everything.context["rows"]}
    assert rows["张三"]["total"] == 4
    export = client.get(reverse("ledgers:people") + "?export=xlsx")
    sheet = load_workbook(io.BytesIO(export.content)).worksheets[0]
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert ["张三", 3, 3] in values and ["赵敏", 1, 1] in values
    # Staff see their own line only; the outsider gets 404 for unit A's people.
    own = client_for(world.staff2).get(reverse("ledgers:people"))
    assert [row["person"].name for row in own.context["rows"]] == ["赵敏"]
    outsider = client_for(world.outsider)
    assert (
        outsider.get(reverse("ledgers:activity-list") + f"?person={world.staff.pk}").status_code
        == 404
    )
    assert not outsider.get(reverse("ledgers:people")).context["rows"]


def test_checkin_window_follows_a_moved_activity(world, client_for, meeting):
    activity = _record(world, meeting, when=timezone.now() - datetime.timedelta(days=2))
    code = activity.checkin_code
    refused = client_for(world.staff).post(reverse("ledgers:checkin"), {"code": code})
    assert "签到已结束" in refused.content.decode()
    now = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    response = client_for(world.liaison).post(
        reverse("ledgers:activity-edit", args=[activity.pk]),
        {"title": activity.title, "unit": world.unit_a.pk, "starts_at": now},
    )
    assert response.status_code == 302
    client_for(world.staff).post(reverse("ledgers:checkin"), {"code": code})
    assert activity.participations.filter(person=world.staff, source="checkin").exists()


def test_wrong_codes_pause_checkin(world, client_for, meeting, settings):
    from django.core.cache import cache

    cache.clear()
    activity = _record(world, meeting)
    wrong = "100000" if activity.checkin_code != "100000" else "100001"
    client = client_for(world.staff)
    for _ in range(10):
        client.post(reverse("ledgers:checkin"), {"code": wrong})
    response = client.post(reverse("ledgers:checkin"), {"code": activity.checkin_code})
    assert "输错次数过多" in response.content.decode()
    assert not activity.participations.filter(person=world.staff).exists()
    # Someone else is not affected.
    client_for(world.staff2).post(reverse("ledgers:checkin"), {"code": activity.checkin_code})
    assert activity.participations.filter(person=world.staff2).exists()
    cache.clear()


# --- 逐级汇总: counts, drill-down, breadcrumb, scope --------------------------------------------


def _month_query(first: datetime.date, last: datetime.date) -> str:
    end = (last + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
    return f"?from={first.isoformat()}&to={end.isoformat()}"


@pytest.fixture
def spread(world, lecture, meeting):
    """Records in unit A, its section and 冷湖镇 over two whole months."""
    this_month = timezone.localdate().replace(day=1)
    last_month = (this_month - datetime.timedelta(days=1)).replace(day=1)
    for _ in range(3):
        _record(world, lecture, when=_at(this_month), **_lecture_extra())
    _record(world, lecture, when=_at(last_month), **_lecture_extra())
    _record(world, meeting, when=_at(last_month), unit=world.section_a)
    _record(world, meeting, when=_at(last_month), unit=world.unit_b, actor=world.outsider)
    return _month_query(last_month, this_month)


def _rows(response) -> dict[tuple[str, bool, str], list[int]]:
    return {
        (row["unit"].name, row["own"], row["type"].name): row["counts"]
        for row in response.context["pivot"].rows
    }


def test_office_reads_child_subtrees_from_the_counts_and_drills_down(world, client_for, spread):
    office = client_for(world.office)
    response = office.get(reverse("ledgers:ledger") + spread)
    pivot = response.context["pivot"]
    assert pivot.from_counts and pivot.unit == world.city  # the top of the office's reach
    assert _rows(response) == {
        ("市文体旅游广电局", False, "挎包宣讲"): [1, 3],  # unit A with its section
        ("市文体旅游广电局", False, "周例会"): [1, 0],
        ("冷湖镇", False, "周例会"): [1, 0],
    }
    assert pivot.total == 6 and pivot.column_totals == [3, 3]
    assert [unit.name for unit in pivot.crumbs] == []  # 海西州 is outside the office's scope
    row = next(r for r in response.context["table"] if r["unit"] == world.unit_a)
    # The unit's name opens its own pivot: its own records and its section's.
    drilled = office.get(row["drill_link"])
    assert drilled.context["pivot"].unit == world.unit_a
    assert _rows(drilled) == {
        ("市文体旅游广电局", True, "挎包宣讲"): [1, 3],
        ("办公室", False, "周例会"): [1, 0],
    }
    assert [unit.name for unit in drilled.context["pivot"].crumbs] == ["茫崖市"]
    assert "ledger-crumbs" in drilled.content.decode()
    # A child row's number lists the child's whole subtree; the own row only the unit's records.
    count, link = row["cells"][0]
    assert "only=1" not in link
    assert len(office.get(link).context["activities"]) == count == 1
    own = next(r for r in drilled.context["table"] if r["own"])
    count, link = own["cells"][0]
    assert "only=1" in link
    assert len(office.get(link).context["activities"]) == count == 1
    count, link = drilled.context["totals"][0]
    assert count == 2 and len(office.get(link).context["activities"]) == 2


def test_partial_scope_counts_live_with_the_same_numbers(world, client_for, spread):
    office = client_for(world.office)
    counted = office.get(reverse("ledgers:ledger") + spread)
    # A partial-month period cannot be read from the counts: counted live, same numbers here.
    today = timezone.localdate()
    first = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    live = office.get(
        reverse("ledgers:ledger")
        + f"?from={first.isoformat()}&to={(today + datetime.timedelta(days=1)).isoformat()}"
    )
    assert not live.context["pivot"].from_counts
    assert _rows(live) == _rows(counted)
    # An extra filter (text) also counts live.
    text = office.get(reverse("ledgers:ledger") + spread + "&q=活动")
    assert not text.context["pivot"].from_counts and _rows(text) == _rows(counted)
    # The outsider reaches 冷湖镇 alone (not a subtree): live, only its record.
    outsider = client_for(world.outsider).get(reverse("ledgers:ledger") + spread)
    assert not outsider.context["pivot"].from_counts
    assert _rows(outsider) == {("冷湖镇", True, "周例会"): [1, 0]}
    # Staff of unit A read their own records only ("self"): live, grouped by the top unit.
    staff = client_for(world.staff).get(reverse("ledgers:ledger") + spread)
    assert staff.status_code == 200 and not staff.context["pivot"].from_counts


def test_outsider_gets_404_on_unit_a_pivot_and_export(world, client_for, spread):
    outsider = client_for(world.outsider)
    url = reverse("ledgers:ledger") + spread + f"&unit={world.unit_a.pk}"
    assert outsider.get(url).status_code == 404
    assert outsider.get(url + "&export=xlsx").status_code == 404
    assert (
        outsider.get(reverse("ledgers:ledger") + f"?unit={world.section_a.pk}").status_code == 404
    )


def test_counts_follow_a_deleted_record_and_category_filter(world, client_for, spread, lecture):
    office = client_for(world.office)
    activity = services.record_activity(
        actor=world.liaison,
        activity_type=lecture,
        unit=world.section_a,
        title="科室宣讲",
        starts_at=_at(timezone.localdate().replace(day=1)),
        participants=[],
        **_lecture_extra(),
    )
    assert _rows(office.get(reverse("ledgers:ledger") + spread))[
        ("市文体旅游广电局", False, "挎包宣讲")
    ] == [1, 4]
    services.delete_activity(actor=world.liaison, activity=activity)
    response = office.get(reverse("ledgers:ledger") + spread + "&category=meeting")
    assert response.context["pivot"].from_counts
    assert set(_rows(response)) == {
        ("市文体旅游广电局", False, "周例会"),
        ("冷湖镇", False, "周例会"),
    }


def test_many_rows_are_paginated(world, client_for, spread, monkeypatch):
    from luoshi.ledgers.views import lists

    monkeypatch.setattr(lists, "PIVOT_PAGE_SIZE", 2)
    office = client_for(world.office)
    first = office.get(reverse("ledgers:ledger") + spread)
    assert len(first.context["table"]) == 2 and first.context["page"].paginator.count == 3
    second = office.get(reverse("ledgers:ledger") + spread + "&page=2")
    assert len(second.context["table"]) == 1
    assert second.context["pivot"].total == 6  # totals over every row
