"""Study: groups, the reading list and settings, reading records and essays through the pages
and the API, 优秀 ratings, the study counts and their exports; the outsider sees none of it."""

import datetime
import io
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from luoshi.audit.models import AuditEvent
from luoshi.files.models import Attachment
from luoshi.ledgers import services as ledger
from luoshi.ledgers.models import Activity
from luoshi.study import selectors, services
from luoshi.study.models import GroupMember, Reading, StudyGroup, StudySettings

pytestmark = pytest.mark.django_db


def _today() -> datetime.date:
    return timezone.localdate()


def _book(world, actor=None, title="中国共产党简史", **extra):
    return services.record_reading(
        actor=actor or world.staff,
        campaign=world.campaign,
        title=title,
        finished_on=extra.pop("finished_on", _today()),
        **extra,
    )


def _essay(world, actor=None, title="作风大转变从我做起", **extra):
    return services.write_essay(
        actor=actor or world.staff,
        campaign=world.campaign,
        title=title,
        written_on=_today(),
        text=extra.pop("text", "正文……"),
        **extra,
    )


def _sheet(response) -> list[tuple]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(
        io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
    )
    return list(workbook.active.iter_rows(values_only=True))


# --- Groups ---------------------------------------------------------------------------------------


def test_liaison_sets_up_a_study_group_and_the_picker_selector_gives_its_members(
    world, client_for, study
):
    liaison = client_for(world.liaison)
    response = liaison.post(
        reverse("study:group-create"),
        {
            "unit": world.unit_a.pk,
            "name": "马克思主义学习小组",
            "leaders": [world.liaison.pk],
            "members": [world.staff.pk, world.staff2.pk],
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    group = StudyGroup.objects.get(unit=world.unit_a, name="马克思主义学习小组")
    roles = dict(group.members.values_list("person__username", "role"))
    assert roles == {"wtl": "leader", "staff": "member", "staff2": "member"}
    assert AuditEvent.objects.filter(action="create", object_id=str(group.pk)).exists()
    assert set(selectors.group_members(world.liaison, group)) == {
        world.liaison,
        world.staff,
        world.staff2,
    }
    assert not selectors.group_members(world.outsider, group).exists()
    assert list(selectors.visible_groups(world.staff)) == [group]  # a member sees their group
    page = liaison.get(reverse("study:group-list"))
    assert "马克思主义学习小组" in page.content.decode()
    # editing replaces the members, audited
    response = liaison.post(
        reverse("study:group-edit", args=[group.pk]),
        {"name": "马克思主义学习小组", "leaders": [world.staff.pk], "members": [world.liaison.pk]},
    )
    assert response.status_code == 302
    assert group.members.get(role=GroupMember.Role.LEADER).person == world.staff
    assert group.members.count() == 2
    assert AuditEvent.objects.filter(action="update", object_id=str(group.pk)).exists()


def test_groups_are_out_of_reach_of_the_outsider_and_plain_staff_cannot_manage(
    world, client_for, study
):
    group = services.create_group(
        actor=world.liaison, unit=world.unit_a, name="学习小组", members=[world.staff]
    )
    outsider = client_for(world.outsider)
    assert outsider.get(reverse("study:group-edit", args=[group.pk])).status_code == 404
    assert outsider.post(reverse("study:group-delete", args=[group.pk])).status_code == 404
    assert outsider.get(reverse("study:group-list")).context["groups"] == []
    assert outsider.get(reverse("study:group-list") + f"?unit={world.unit_a.pk}").status_code == 404
    export = _sheet(outsider.get(reverse("study:group-list") + "?export=xlsx"))
    assert all("张三" not in str(row) for row in export)
    staff = client_for(world.staff)
    assert staff.post(reverse("study:group-delete", args=[group.pk])).status_code == 403
    with pytest.raises(ValidationError):
        services.create_group(actor=world.outsider, unit=world.unit_a, name="外单位小组")
    # the office manages any unit's group
    services.delete_group(actor=world.office, group=group)
    assert not StudyGroup.objects.filter(pk=group.pk).exists()


# --- Reading list and settings -------------------------------------------------------------------


def test_office_keeps_the_reading_list_and_settings(world, client_for, study):
    office = client_for(world.office)
    url = reverse("study:reading-list") + f"?campaign={world.campaign.pk}"
    response = office.post(url, {"title": "《习近平谈治国理政（第三卷）》", "author": "习近平"})
    assert response.status_code == 302
    reading = Reading.objects.get(campaign=world.campaign, title="习近平谈治国理政（第三卷）")
    assert [r.title for r in selectors.reading_list(world.campaign)][-1] == reading.title
    duplicate = office.post(url, {"title": "中国共产党简史"})
    assert "已有" in duplicate.content.decode()
    response = office.post(
        url, {"form": "settings", "reading_type": study.reading.pk, "essay_type": study.morning.pk}
    )
    assert response.status_code == 200  # only personal types are offered
    with pytest.raises(ValidationError, match="不是个人记录类型"):
        services.set_study_settings(
            actor=world.office, campaign=world.campaign, reading_type=study.morning, essay_type=None
        )
    assert StudySettings.objects.get(campaign=world.campaign).essay_type == study.essay
    # the liaison sees the list but may not change it
    liaison = client_for(world.liaison)
    assert "中国共产党简史" in liaison.get(url).content.decode()
    assert liaison.post(url, {"title": "别的书"}).status_code == 403
    assert liaison.post(reverse("study:reading-delete", args=[reading.pk])).status_code == 403
    assert office.post(reverse("study:reading-delete", args=[reading.pk])).status_code == 302
    assert not Reading.objects.filter(pk=reading.pk).exists()


# --- Reading records and essays -------------------------------------------------------------------


def test_staff_records_a_designated_book_and_a_free_title_on_the_phone_page(
    world, client_for, study
):
    staff = client_for(world.staff)
    first = Reading.objects.get(title="中国共产党简史")
    response = staff.post(
        reverse("study:book-new"),
        {"reading": first.pk, "finished_on": _today().isoformat(), "notes": "笔记"},
    )
    assert response.status_code == 302
    response = staff.post(
        reverse("study:book-new"),
        {"title": "平凡的世界", "author": "路遥", "finished_on": _today().isoformat()},
    )
    assert response.status_code == 302
    books = Activity.objects.filter(type=study.reading).order_by("id")
    assert [b.values for b in books] == [
        {"book": "中国共产党简史", "author": "本书编写组", "designated": "是"},
        {"book": "平凡的世界", "author": "路遥", "designated": "否"},
    ]
    assert {b.unit for b in books} == {world.unit_a}
    assert all(
        list(b.participations.values_list("person", flat=True)) == [world.staff.pk] for b in books
    )
    assert list(books[0].campaigns.all()) == [world.campaign]
    missing = staff.post(reverse("study:book-new"), {"finished_on": _today().isoformat()})
    assert "请从指定读本中选择，或填写书名" in missing.content.decode()
    home = staff.get(reverse("study:home"))
    assert home.context["own"]["books"] == 2 and home.context["own"]["designated"] == 1
    assert "《平凡的世界》" in home.content.decode()


def test_staff_writes_an_essay_with_text_or_a_file(world, client_for, study):
    staff = client_for(world.staff)
    response = staff.post(
        reverse("study:essay-new"),
        {"title": "学习新思想", "written_on": _today().isoformat(), "text": "体会正文"},
    )
    assert response.status_code == 302
    essay = Activity.objects.get(type=study.essay)
    assert (essay.title, essay.notes, essay.unit) == ("学习新思想", "体会正文", world.unit_a)
    manuscript = SimpleUploadedFile("心得.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")
    response = staff.post(
        reverse("study:essay-new"),
        {"title": "文稿一篇", "written_on": _today().isoformat(), "manuscript": manuscript},
    )
    assert response.status_code == 302, response.context["form"].errors
    with_file = Activity.objects.get(title="文稿一篇")
    assert Attachment.objects.filter(pk=with_file.values["manuscript"]).exists()
    empty = staff.post(
        reverse("study:essay-new"), {"title": "空", "written_on": _today().isoformat()}
    )
    assert "请填写正文，或上传文稿" in empty.content.decode()
    assert not Activity.objects.filter(title="空").exists()


def test_liaison_rates_essays_excellent_and_only_the_liaison(world, client_for, study):
    essay = _essay(world)
    url = reverse("study:essay-commend", args=[essay.pk])
    assert client_for(world.staff).post(url, {"action": "commend"}).status_code == 403
    assert client_for(world.outsider).post(url, {"action": "commend"}).status_code == 404
    liaison = client_for(world.liaison)
    page = liaison.get(reverse("study:essay-list"))
    assert [row[0].pk for row in page.context["rows"]] == [essay.pk]
    assert page.context["rows"][0][2] is True  # may commend
    assert liaison.post(url, {"action": "commend"}).status_code == 302
    essay.refresh_from_db()
    assert essay.commended_at is not None and essay.commended_by == world.liaison
    assert AuditEvent.objects.filter(verb="commend", object_id=str(essay.pk)).exists()
    excellent = liaison.get(reverse("study:essay-list") + "?excellent=1")
    assert [row[0].pk for row in excellent.context["rows"]] == [essay.pk]
    liaison.post(url, {"action": "uncommend"})
    essay.refresh_from_db()
    assert essay.commended_at is None and essay.commended_by is None
    assert AuditEvent.objects.filter(verb="uncommend", object_id=str(essay.pk)).exists()
    book = _book(world)
    with pytest.raises(ValidationError):
        services.commend_essay(actor=world.liaison, activity=book)
    with pytest.raises(PermissionDenied):
        services.commend_essay(actor=world.outsider, activity=essay)


def test_outsider_gets_404_on_unit_a_study_records(world, client_for, study):
    essay, book = _essay(world), _book(world)
    outsider = client_for(world.outsider)
    for name in ("study:essay-list", "study:book-list", "study:counts"):
        assert outsider.get(reverse(name) + f"?unit={world.unit_a.pk}").status_code == 404
        assert (
            outsider.get(reverse(name) + f"?unit={world.unit_a.pk}&export=xlsx").status_code == 404
        )
        assert outsider.get(reverse(name) + f"?person={world.staff.pk}").status_code == 404
    assert not outsider.get(reverse("study:essay-list")).context["rows"]
    assert not outsider.get(reverse("study:book-list")).context["rows"]
    assert not outsider.get(reverse("study:counts")).context["rows"]
    rows = _sheet(outsider.get(reverse("study:essay-list") + "?export=xlsx"))
    assert all(essay.title not in str(row) for row in rows)
    rows = _sheet(outsider.get(reverse("study:book-list") + "?export=xlsx"))
    assert all(book.title not in str(row) for row in rows)
    assert outsider.get(reverse("ledgers:activity-detail", args=[essay.pk])).status_code == 404


# --- Counts ---------------------------------------------------------------------------------------


def test_study_counts_per_person_and_unit_link_to_records_and_export(world, client_for, study):
    for _ in range(2):
        ledger.record_activity(
            actor=world.liaison,
            activity_type=study.morning,
            unit=world.unit_a,
            title="晨读",
            starts_at=timezone.now(),
            participants=[world.staff, world.staff2],
        )
    _book(world)
    _book(world, title="平凡的世界")
    _book(world, actor=world.staff2, title="论中国共产党历史")
    services.commend_essay(actor=world.liaison, activity=_essay(world))
    _essay(world, title="第二篇")
    liaison = client_for(world.liaison)
    query = f"?unit={world.unit_a.pk}&from={_today():%Y-%m-%d}&to={_today():%Y-%m-%d}"
    page = liaison.get(reverse("study:counts") + query)
    rows = {row["person"].username: row for row in page.context["rows"]}
    assert rows["staff"]["sessions"] == [2]
    assert (rows["staff"]["books"], rows["staff"]["designated"]) == (2, 1)
    assert (rows["staff"]["essays"], rows["staff"]["excellent"]) == (2, 1)
    assert (rows["staff2"]["books"], rows["staff2"]["designated"]) == (1, 1)
    # every number links to its records
    cells = rows["staff"]["cells"]
    assert cells[0][1].startswith(reverse("ledgers:activity-list"))
    listed = liaison.get(cells[0][1])
    assert len(listed.context["activities"]) == 2
    designated = liaison.get(cells[2][1])
    assert [a.values["book"] for a, _p in designated.context["rows"]] == ["中国共产党简史"]
    excellent = liaison.get(cells[4][1])
    assert len(excellent.context["rows"]) == 1
    by_unit = liaison.get(reverse("study:counts") + query + "&by=unit")
    # staff2's own records count for their primary post (办公室, a section of unit A)
    unit_row, section_row = by_unit.context["rows"]
    assert (unit_row["unit"], section_row["unit"]) == (world.unit_a, world.section_a)
    assert (unit_row["sessions"], unit_row["books"], unit_row["essays"]) == ([2], 2, 2)
    assert (unit_row["designated"], unit_row["excellent"]) == (1, 1)
    assert (section_row["books"], section_row["designated"]) == (1, 1)
    assert len(liaison.get(unit_row["cells"][1][1]).context["rows"]) == 2
    sheet = _sheet(liaison.get(reverse("study:counts") + query + "&export=xlsx"))
    assert sheet[2] == (
        "姓名",
        "晨读+分享",
        "读书（本）",
        "其中指定读本",
        "心得体会（篇）",
        "其中优秀",
    )
    assert ("张三", 2, 2, 1, 2, 1) in sheet
    assert AuditEvent.objects.filter(action="export", object_repr="个人学习统计").exists()
    # plain staff see their own row only
    own = client_for(world.staff).get(reverse("study:counts")).context["rows"]
    assert [row["person"] for row in own] == [world.staff]


# --- API ------------------------------------------------------------------------------------------


def _api(client, method, path, body=None):
    if method == "get":
        return client.get(f"/api/study{path}", body or {})
    return getattr(client, method)(
        f"/api/study{path}", json.dumps(body or {}), content_type="application/json"
    )


def test_api_books_essays_groups_readings_and_counts(world, client_for, study):
    services.create_group(
        actor=world.liaison, unit=world.unit_a, name="学习小组", leaders=[world.liaison]
    )
    staff = client_for(world.staff)
    reading = Reading.objects.get(title="中国共产党简史")
    response = _api(
        staff, "post", "/books", {"reading_id": reading.pk, "finished_on": _today().isoformat()}
    )
    assert response.status_code == 201, response.content
    assert response.json()["designated"] is True and response.json()["book"] == "中国共产党简史"
    response = _api(staff, "post", "/essays", {"title": "API 心得", "text": "正文"})
    assert response.status_code == 201
    essay_id = response.json()["id"]
    assert _api(staff, "post", "/essays", {"title": "", "text": ""}).status_code == 422
    assert _api(staff, "post", f"/essays/{essay_id}/commend").status_code == 403
    liaison = client_for(world.liaison)
    assert _api(liaison, "post", f"/essays/{essay_id}/commend").json()["excellent"] is True
    assert Activity.objects.get(pk=essay_id).commended_by == world.liaison
    assert [g["name"] for g in _api(liaison, "get", "/groups").json()] == ["学习小组"]
    assert len(_api(staff, "get", "/readings").json()) == 2
    assert [b["title"] for b in _api(liaison, "get", "/books").json()] == ["《中国共产党简史》"]
    counts = _api(liaison, "get", "/counts", {"unit": world.unit_a.pk}).json()
    assert counts[0]["person"]["name"] == "张三" and counts[0]["essays"] == 1
    long_ago = {"unit": world.unit_a.pk, "from": "2000-01-01", "to": "2000-12-31"}
    assert _api(liaison, "get", "/counts", long_ago).json() == []
    assert _api(liaison, "get", "/books", long_ago).json() == []
    by_unit = _api(liaison, "get", "/counts", {"by": "unit"}).json()
    assert by_unit[0]["unit"]["id"] == world.unit_a.pk and by_unit[0]["excellent"] == 1
    outsider = client_for(world.outsider)
    assert _api(outsider, "get", "/essays").json()["items"] == []
    assert _api(outsider, "get", "/groups").json() == []
    assert _api(outsider, "get", "/essays", {"unit": world.unit_a.pk}).status_code == 404
    assert _api(outsider, "get", "/counts", {"unit": world.unit_a.pk}).status_code == 404
    assert _api(outsider, "post", f"/essays/{essay_id}/commend").status_code == 404
    group_id = StudyGroup.objects.get().pk
    assert _api(outsider, "get", f"/groups/{group_id}").status_code == 404


# --- The pages and the API list the same records --------------------------------------------------


@pytest.mark.parametrize("persona", ["office", "liaison", "leader", "staff", "outsider"])
def test_book_and_essay_lists_page_and_api_agree(world, client_for, study, persona):
    _book(world)
    _book(world, actor=world.liaison, title="习近平新时代中国特色社会主义思想学习纲要")
    _essay(world)
    _essay(world, actor=world.liaison, title="心得：调查研究")
    client = client_for(getattr(world, persona))
    today = _today().isoformat()
    for query in [{}, {"q": "心得"}, {"q": "简史"}, {"from": today, "to": today}, {"only": "1"}]:
        for name, path, flag in [
            ("study:book-list", "/books", {}),
            ("study:essay-list", "/essays", {}),
        ]:
            page = client.get(reverse(name), {**query, **flag})
            api = _api(client, "get", path, {**query, **flag, "only": query.get("only") == "1"})
            assert page.status_code == api.status_code == 200, (name, query)
            body = api.json()
            # essays are paged like every other list ({count, page, page_size, items})
            items = body["items"] if path == "/essays" else body
            count = body["count"] if path == "/essays" else len(body)
            assert [a.pk for a, *_ in page.context["rows"]] == [
                item["id"] for item in items[: len(page.context["rows"])]
            ], (name, query)
            assert count == page.context["page"].paginator.count, (name, query)


@pytest.mark.parametrize("persona", ["office", "liaison", "staff", "outsider"])
def test_group_and_reading_lists_page_and_api_agree(world, client_for, study, persona):
    services.create_group(
        actor=world.liaison, unit=world.unit_a, name="第一学习小组", leaders=[world.liaison]
    )
    services.create_group(
        actor=world.liaison, unit=world.section_a, name="办公室学习小组", leaders=[world.liaison]
    )
    client = client_for(getattr(world, persona))
    for query in [{}, {"q": " 办公室 "}, {"unit": world.section_a.pk}]:
        page = client.get(reverse("study:group-list"), query)
        api = _api(client, "get", "/groups", query)
        assert page.status_code == api.status_code, query
        if page.status_code == 200:
            assert [g.pk for g, *_ in page.context["groups"]] == [
                item["id"] for item in api.json()
            ], query
    page = client.get(reverse("study:reading-list"))
    api = _api(client, "get", "/readings")
    assert page.status_code == api.status_code == 200
    assert [r.pk for r in page.context["readings"]] == [item["id"] for item in api.json()]
