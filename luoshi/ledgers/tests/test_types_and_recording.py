"""Activity types (office) and recording activities, through HTTP, asserting the database."""

import datetime
import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from luoshi.audit.models import AuditEvent
from luoshi.campaigns import services as chain
from luoshi.files.models import Attachment
from luoshi.ledgers.models import Activity, ActivityType, Participation

from .conftest import png_upload

pytestmark = pytest.mark.django_db


def _when(days: int = 0) -> str:
    moment = timezone.localtime() - datetime.timedelta(days=days)
    return moment.strftime("%Y-%m-%dT%H:%M")


# --- Activity types -------------------------------------------------------------------------------


def test_office_configures_a_type_with_extra_fields(world, client_for):
    response = client_for(world.office).post(
        reverse("ledgers:type-create"),
        {
            "name": "文化市场检查",
            "category": "inspection",
            "campaign": world.campaign.pk,
            "track": world.campaign.tracks.get(name="业务大比拼").pk,
            "takes_attendance": "on",
            "has_venue_category": "on",
            "field_lines": "venue | 场所名称 | 文本 | 必填\n"
            "kind | 场所类型 | 选项 | 必填 | 网吧、歌舞娱乐场所、影院\n"
            "findings | 发现问题（条） | 数字",
            "sort_order": 3,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    activity_type = ActivityType.objects.get(name="文化市场检查")
    assert activity_type.category == "inspection"
    assert activity_type.track.name == "业务大比拼"
    assert activity_type.has_venue_category and not activity_type.is_personal
    assert activity_type.fields == [
        {"key": "venue", "label": "场所名称", "kind": "text", "required": True, "choices": []},
        {
            "key": "kind",
            "label": "场所类型",
            "kind": "choice",
            "required": True,
            "choices": ["网吧", "歌舞娱乐场所", "影院"],
        },
        {
            "key": "findings",
            "label": "发现问题（条）",
            "kind": "number",
            "required": False,
            "choices": [],
        },
    ]
    assert AuditEvent.objects.filter(
        action="create", object_type="ledgers.activitytype", object_id=str(activity_type.pk)
    ).exists()
    listing = client_for(world.office).get(reverse("ledgers:type-list"))
    assert "文化市场检查" in listing.content.decode()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ("Venue | 场所 | 文本", "标识“Venue”无效"),
        ("venue | 场所 | 颜色", "类型“颜色”无效"),
        ("kind | 场所类型 | 选项", "至少需要一个选项"),
        ("a | 甲 | 文本\na | 乙 | 数字", "字段标识“a”重复"),
        ("a |  | 文本", "缺少名称"),
    ],
)
def test_bad_field_definitions_are_refused_in_chinese(world, client_for, fields, message):
    response = client_for(world.office).post(
        reverse("ledgers:type-create"),
        {"name": "坏类型", "category": "other", "field_lines": fields, "sort_order": 0},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert message in " ".join(response.context["form"].errors["field_lines"])
    assert not ActivityType.objects.filter(name="坏类型").exists()


def test_type_name_unique_and_track_must_match_campaign(world, client_for, lecture):
    other = chain.create_campaign(
        actor=world.office,
        name="干部能力提升年",
        office_unit=world.office_unit,
        start_date=timezone.localdate(),
        end_date=timezone.localdate() + datetime.timedelta(days=30),
        tracks=["学习"],
    )
    response = client_for(world.office).post(
        reverse("ledgers:type-edit", args=[lecture.pk]),
        {
            "name": "挎包宣讲",
            "category": "lecture",
            "campaign": world.campaign.pk,
            "track": other.tracks.get().pk,
            "sort_order": 0,
        },
    )
    assert "所选方向不属于所选专项行动" in response.content.decode()
    response = client_for(world.office).post(
        reverse("ledgers:type-create"), {"name": "挎包宣讲", "category": "lecture", "sort_order": 0}
    )
    assert "已有名为“挎包宣讲”的活动类型" in response.content.decode()
    assert ActivityType.objects.filter(name="挎包宣讲").count() == 1


def test_type_edit_is_audited(world, client_for, lecture):
    response = client_for(world.office).post(
        reverse("ledgers:type-edit", args=[lecture.pk]),
        {"name": "挎包宣讲（进牧区）", "category": "lecture", "sort_order": 1},
    )
    assert response.status_code == 302
    lecture.refresh_from_db()
    assert lecture.name == "挎包宣讲（进牧区）" and lecture.fields == [] and not lecture.is_active
    event = AuditEvent.objects.filter(action="update", object_id=str(lecture.pk)).get()
    assert event.changes["name"] == ["挎包宣讲", "挎包宣讲（进牧区）"]


@pytest.mark.parametrize("persona", ["liaison", "staff", "leader", "outsider", "sysadmin"])
def test_only_the_office_configures_types(world, client_for, lecture, persona):
    client = client_for(getattr(world, persona))
    assert client.get(reverse("ledgers:type-list")).status_code == 403
    assert client.post(reverse("ledgers:type-create"), {"name": "x"}).status_code == 403
    assert client.get(reverse("ledgers:type-edit", args=[lecture.pk])).status_code == 404
    assert ActivityType.objects.count() == 1


def test_type_list_export_is_audited(world, client_for, lecture):
    response = client_for(world.office).get(reverse("ledgers:type-list") + "?export=xlsx")
    assert response.status_code == 200
    assert AuditEvent.objects.filter(action="export", object_type="ledgers.activitytype").exists()


# --- Recording ------------------------------------------------------------------------------------


def _lecture_post(world, lecture, **extra):
    data = {
        "type": lecture.pk,
        "title": "挎包宣讲进牧区",
        "unit": world.unit_a.pk,
        "starts_at": _when(1),
        "place": "花土沟镇牧业村",
        "venue_category": "pastoral",
        "audience": "45",
        "x_topic": "党的二十大精神",
        "participants": [world.staff.pk, world.staff2.pk],
    }
    data.update(extra)
    return data


def test_liaison_records_with_participants_and_a_photo(world, client_for, lecture):
    client = client_for(world.liaison)
    assert "挎包宣讲" in client.get(reverse("ledgers:activity-record")).content.decode()
    page = client.get(reverse("ledgers:activity-record") + f"?type={lecture.pk}").content.decode()
    assert "宣讲主题" in page and "张三" in page and "场所类别" in page
    response = client.post(
        reverse("ledgers:activity-record"),
        _lecture_post(world, lecture, files=[png_upload("宣讲.png")], x_copies="120"),
    )
    assert response.status_code == 302
    activity = Activity.objects.get()
    assert response["Location"] == reverse("ledgers:activity-detail", args=[activity.pk])
    assert activity.unit == world.unit_a and activity.recorded_by == world.liaison
    assert activity.venue_category == "pastoral" and activity.audience == 45
    assert activity.values == {"topic": "党的二十大精神", "copies": 120}
    assert set(activity.participations.values_list("person__username", flat=True)) == {
        "staff",
        "staff2",
    }
    assert set(activity.participations.values_list("source", flat=True)) == {"hand"}
    attachment = Attachment.objects.get()
    assert attachment.owner == activity and attachment.original_name == "宣讲.png"
    assert AuditEvent.objects.filter(
        action="create", object_type="ledgers.activity", object_id=str(activity.pk)
    ).exists()
    detail = client.get(reverse("ledgers:activity-detail", args=[activity.pk])).content.decode()
    assert "宣讲.png" in detail and "赵敏" in detail and "党的二十大精神" in detail
    assert f'<img src="{reverse("files:download", args=[attachment.pk])}"' in detail
    download = reverse("files:download", args=[attachment.pk])
    assert client.get(download).status_code == 200
    assert client_for(world.staff).get(download).status_code == 200  # a participant
    assert client_for(world.outsider).get(download).status_code == 404


@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        ({"x_topic": ""}, "x_topic", "请填写“宣讲主题”。"),
        ({"x_copies": "一百"}, "x_copies", "“发放资料（份）”须填写数字。"),
        ({"x_held_on": "2026-13-45"}, "x_held_on", "“备案日期”须填写日期"),
        ({"x_form": "上门宣讲"}, "x_form", "“宣讲形式”须从选项中选择：集中宣讲、入户宣讲。"),
        ({"venue_category": ""}, "venue_category", "请选择场所类别"),
        ({"title": ""}, "title", "请填写活动名称。"),
    ],
)
def test_extra_field_validation_in_chinese(world, client_for, lecture, extra, field, message):
    response = client_for(world.liaison).post(
        reverse("ledgers:activity-record"), _lecture_post(world, lecture, **extra)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert message in " ".join(response.context["form"].errors[field])
    assert not Activity.objects.exists() and not Participation.objects.exists()


def test_person_field_and_participants_must_be_in_scope(world, client_for, lecture):
    response = client_for(world.liaison).post(
        reverse("ledgers:activity-record"),
        _lecture_post(world, lecture, x_speaker=str(world.outsider.pk)),
    )
    assert "“主讲人”所选人员不在您的数据范围内。" in response.content.decode()
    response = client_for(world.liaison).post(
        reverse("ledgers:activity-record"),
        _lecture_post(world, lecture, participants=[world.outsider.pk]),
    )
    assert response.status_code == 200
    assert not Activity.objects.exists()
    response = client_for(world.liaison).post(
        reverse("ledgers:activity-record"), _lecture_post(world, lecture, unit=world.unit_b.pk)
    )
    assert response.status_code == 200 and not Activity.objects.exists()
    ok = client_for(world.liaison).post(
        reverse("ledgers:activity-record"),
        _lecture_post(world, lecture, x_speaker=str(world.staff.pk)),
    )
    assert ok.status_code == 302
    assert Activity.objects.get().values["speaker"] == world.staff.pk


def test_a_bad_file_saves_nothing(world, client_for, lecture):
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile("x.exe", b"MZ\x90\x00" + b"\x00" * 100)
    response = client_for(world.liaison).post(
        reverse("ledgers:activity-record"), _lecture_post(world, lecture, files=[bad])
    )
    assert response.status_code == 200
    assert not Activity.objects.exists() and not Attachment.objects.exists()


def test_one_activity_counts_toward_several_campaigns(world, client_for, lecture):
    second = chain.create_campaign(
        actor=world.office,
        name="干部能力提升年",
        short_name="能力提升年",
        office_unit=world.office_unit,
        start_date=timezone.localdate() - datetime.timedelta(days=10),
        end_date=timezone.localdate() + datetime.timedelta(days=100),
    )
    response = client_for(world.liaison).post(
        reverse("ledgers:activity-record"),
        _lecture_post(world, lecture, campaigns=[world.campaign.pk, second.pk]),
    )
    assert response.status_code == 302
    activity = Activity.objects.get()
    assert set(activity.campaigns.all()) == {world.campaign, second}
    for campaign in (world.campaign, second):
        listing = client_for(world.office).get(
            reverse("ledgers:activity-list") + f"?campaign={campaign.pk}"
        )
        assert [a.pk for a in listing.context["activities"]] == [activity.pk]


def test_staff_records_only_their_own_personal_record(world, client_for, reading, lecture):
    client = client_for(world.staff)
    picker = client.get(reverse("ledgers:activity-record")).content.decode()
    assert f'href="?type={reading.pk}"' in picker  # the only type staff may record
    assert f'href="?type={lecture.pk}"' not in picker
    response = client.post(
        reverse("ledgers:activity-record"),
        {
            "type": reading.pk,
            "unit": world.unit_a.pk,
            "starts_at": _when(2),
            "x_book": "习近平新时代中国特色社会主义思想学习纲要",
            "participants": [world.staff.pk],
        },
    )
    assert response.status_code == 302
    activity = Activity.objects.get()
    assert activity.title == "每月读一本好书" and activity.type.is_personal
    assert list(activity.participations.values_list("person", flat=True)) == [world.staff.pk]
    # Someone else's record, or a unit activity: refused, nothing saved.
    response = client.post(
        reverse("ledgers:activity-record"),
        {
            "type": reading.pk,
            "unit": world.unit_a.pk,
            "starts_at": _when(2),
            "x_book": "书",
            "participants": [world.staff2.pk],
        },
    )
    assert response.status_code == 200
    response = client.post(
        reverse("ledgers:activity-record"), _lecture_post(world, lecture, participants=[])
    )
    assert response.status_code == 200  # the type is not offered to staff
    assert Activity.objects.count() == 1
    # The liaison sees the staff member's record in the unit's ledger.
    listing = client_for(world.liaison).get(reverse("ledgers:activity-list"))
    assert [a.pk for a in listing.context["activities"]] == [activity.pk]


def test_edit_is_audited(world, client_for, lecture):
    client = client_for(world.liaison)
    client.post(reverse("ledgers:activity-record"), _lecture_post(world, lecture))
    activity = Activity.objects.get()
    response = client.post(
        reverse("ledgers:activity-edit", args=[activity.pk]),
        _lecture_post(world, lecture, audience="60", x_topic="乡村振兴"),
    )
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.audience == 60 and activity.values["topic"] == "乡村振兴"
    event = AuditEvent.objects.get(action="update", object_id=str(activity.pk))
    assert event.changes["audience"] == [45, 60]
    assert event.changes["values"][1]["topic"] == "乡村振兴"
    # Participants are untouched by an edit.
    assert activity.participations.count() == 2


def test_activity_as_evidence_for_a_task(world, client_for, lecture):
    from luoshi.testing import issued_task

    task = issued_task(world)[0]
    page = client_for(world.liaison).get(reverse("ledgers:activity-record") + f"?type={lecture.pk}")
    assert task.title in page.content.decode()
    response = client_for(world.liaison).post(
        reverse("ledgers:activity-record"), _lecture_post(world, lecture, evidence_task=task.pk)
    )
    assert response.status_code == 302
    assert Activity.objects.get().evidence_task == task
    # Another unit's task is not offered and does not validate.
    other = issued_task(world, title="冷湖镇的任务", units=[world.unit_b])[0]
    response = client_for(world.liaison).post(
        reverse("ledgers:activity-record"), _lecture_post(world, lecture, evidence_task=other.pk)
    )
    assert response.status_code == 200 and Activity.objects.count() == 1


def test_many_people_are_picked_by_search(world, client_for, lecture, monkeypatch):
    from luoshi.ledgers import forms

    monkeypatch.setattr(forms, "CHECKBOX_LIMIT", 1)
    client = client_for(world.liaison)
    page = client.get(reverse("ledgers:activity-record") + f"?type={lecture.pk}").content.decode()
    assert "data-picker-url" in page and "perm=ledger.record" in page and "org/org.js" in page
    found = client.get(reverse("org:person-picker") + "?perm=ledger.record&q=zhang")
    assert [item["text"] for item in found.json()["results"]] == ["张三"]
    response = client.post(reverse("ledgers:activity-record"), _lecture_post(world, lecture))
    assert response.status_code == 302
    assert Activity.objects.get().participations.count() == 2


def test_type_list_counts_live_records(world, client_for, lecture):
    from luoshi.ledgers import services

    for n in range(2):
        activity = services.record_activity(
            actor=world.liaison,
            activity_type=lecture,
            unit=world.unit_a,
            title=f"宣讲{n}",
            starts_at=timezone.now(),
            venue_category="campus",
            values={"topic": "宣讲"},
        )
    services.delete_activity(actor=world.liaison, activity=activity)
    listing = client_for(world.office).get(reverse("ledgers:type-list"))
    assert [t.used for t in listing.context["types"]] == [1]


def test_type_form_speaks_one_language(world, client_for):
    """The empty choice of a select and the field-kind error are in the UI language (issue 11)."""
    liaison = client_for(world.liaison)
    page = liaison.get(reverse("volunteering:team-create")).content.decode()  # its unit select
    assert "— 请选择 —" in page and "Select an option" not in page
    office = client_for(world.office)
    response = office.post(
        reverse("ledgers:type-create"),
        {"name": "坏类型", "category": "other", "field_lines": "a | 甲 | 颜色", "sort_order": 0},
    )
    error = " ".join(response.context["form"].errors["field_lines"])
    assert "可选：文本、数字、日期、选项、人员、单位、文件" in error
    assert not re.search(r"[A-Za-z]{3,}", error)
    liaison.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = liaison.get(reverse("volunteering:team-create")).content.decode()
    assert "— Select —" in page and "请选择" not in page
    translation.activate(settings.LANGUAGE_CODE)  # the English request left English active


def test_a_field_kind_may_be_given_by_its_name(world, client_for):
    client_for(world.office).post(
        reverse("ledgers:type-create"),
        {
            "name": "名称类型",
            "category": "other",
            "field_lines": "n | 份数 | 数字",
            "sort_order": 0,
        },
    )
    assert ActivityType.objects.get(name="名称类型").fields[0]["kind"] == "number"
