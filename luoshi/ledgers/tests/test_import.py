"""Import of activities from Excel: template, row errors, all or nothing, idempotent."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from luoshi.audit.models import AuditEvent
from luoshi.ledgers.models import Activity, Participation

pytestmark = pytest.mark.django_db


def _xlsx(rows: list[list]) -> SimpleUploadedFile:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("宣讲台账.xlsx", buffer.getvalue())


def _headers(client, activity_type) -> list[str]:
    response = client.get(reverse("ledgers:type-template", args=[activity_type.pk]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    return [cell.value for cell in next(sheet.iter_rows(max_row=1))]


def _row(headers, **values) -> list:
    base = {
        "活动名称": "挎包宣讲进社区",
        "组织单位": "市文体旅游广电局",
        "开始时间": "2026-03-02 09:00",
        "地点": "花土沟社区",
        "场所类别": "社区",
        "受众人数": 40,
        "参加人员": "张三、赵敏",
        "宣讲主题": "二十大精神",
    }
    base.update(values)
    return [base.get(header, "") for header in headers]


def _post(client, activity_type, upload):
    return client.post(
        reverse("ledgers:activity-import"), {"type": activity_type.pk, "file": upload}
    )


def test_template_has_the_types_columns(world, client_for, lecture):
    headers = _headers(client_for(world.liaison), lecture)
    assert headers[:5] == ["活动名称", "组织单位", "开始时间", "结束时间", "地点"]
    assert {"场所类别", "受众人数", "参加人员", "宣讲主题", "发放资料（份）", "主讲人"} <= set(
        headers
    )
    assert (
        client_for(world.leader)
        .get(reverse("ledgers:type-template", args=[lecture.pk]))
        .status_code
        == 403
    )


def test_import_valid_file_twice_creates_once(world, client_for, lecture):
    client = client_for(world.liaison)
    headers = _headers(client, lecture)
    rows = [headers] + [_row(headers, 活动名称=f"宣讲第{n}场") for n in range(1, 6)]
    response = _post(client, lecture, _xlsx(rows))
    assert response.status_code == 302
    assert Activity.objects.count() == 5
    activity = Activity.objects.get(title="宣讲第3场")
    assert activity.venue_category == "community" and activity.audience == 40
    assert activity.values["topic"] == "二十大精神" and activity.import_key
    assert set(
        Participation.objects.filter(activity=activity).values_list("source", flat=True)
    ) == {"import"}
    assert activity.participations.count() == 2
    again = _post(client, lecture, _xlsx(rows))
    assert again.status_code == 302
    assert Activity.objects.count() == 5
    assert AuditEvent.objects.filter(action="import").count() == 2


def test_import_runs_the_same_queries_for_few_and_many_rows(world, client_for, lecture):
    """No query per row: people, units and fingerprints are looked up in batches and the rows,
    participants, counts and audit events written in bulk."""
    client = client_for(world.liaison)
    headers = _headers(client, lecture)
    assert _post(client, lecture, _xlsx([headers, _row(headers)])).status_code == 302  # warm
    counts = []
    for prefix, n in (("少", 3), ("多", 60)):
        upload = _xlsx([headers] + [_row(headers, 活动名称=f"{prefix}第{i}场") for i in range(n)])
        with CaptureQueriesContext(connection) as queries:
            assert _post(client, lecture, upload).status_code == 302
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert Activity.objects.count() == 1 + 3 + 60
    assert Participation.objects.count() == 2 * (1 + 3 + 60)


def test_imported_rows_are_audited_one_by_one_on_an_unbroken_chain(world, client_for, lecture):
    client = client_for(world.liaison)
    headers = _headers(client, lecture)
    rows = [headers] + [_row(headers, 活动名称=f"宣讲第{n}场") for n in range(1, 8)]
    assert _post(client, lecture, _xlsx(rows)).status_code == 302
    created = AuditEvent.objects.filter(action="create", object_type="ledgers.activity")
    assert sorted(created.values_list("object_repr", flat=True)) == sorted(
        f"宣讲第{n}场" for n in range(1, 8)
    )
    assert {e.note for e in created} == {"参加人员 2 人；计入专项行动：无"}
    activity = Activity.objects.get(title="宣讲第4场")
    assert created.get(object_id=str(activity.pk)).changes["title"] == [None, "宣讲第4场"]
    out = io.StringIO()
    call_command("verify_audit", stdout=out)  # raises on a broken link
    assert "OK" in out.getvalue() or "完整" in out.getvalue()


def test_imported_rows_count_toward_the_types_campaign_and_name_the_speaker(
    world, client_for, lecture
):
    lecture.campaign = world.campaign
    lecture.save(update_fields=["campaign"])
    client = client_for(world.liaison)
    headers = _headers(client, lecture)
    rows = [headers] + [_row(headers, 活动名称=f"宣讲第{n}场", 主讲人="赵敏") for n in range(3)]
    assert _post(client, lecture, _xlsx(rows)).status_code == 302
    for activity in Activity.objects.all():
        assert list(activity.campaigns.all()) == [world.campaign]
        assert activity.values["speaker"] == world.staff2.pk
        assert activity.participations.filter(source="import").count() == 2


def test_bad_rows_first_middle_last_save_nothing(world, client_for, lecture):
    client = client_for(world.liaison)
    headers = _headers(client, lecture)
    count = 2000
    rows = [headers] + [_row(headers, 活动名称=f"宣讲第{n}场") for n in range(count)]
    rows[1] = _row(headers, 组织单位="冷湖镇")  # Excel row 2: another unit
    rows[1001] = _row(headers, 开始时间="三月二日")  # Excel row 1002
    rows[count] = _row(headers, 宣讲主题="", 参加人员="马海燕")  # last row: two problems
    response = _post(client, lecture, _xlsx(rows))
    assert response.status_code == 200
    errors = [(e.row, e.column, e.message) for e in response.context["result"].errors]
    assert (2, "组织单位", "找不到单位“冷湖镇”，或您不能为该单位登记台账。") in errors
    assert (1002, "开始时间", "请填写开始时间，格式如 2026-03-02 09:00。") in errors
    assert (count + 1, "参加人员", "找不到“马海燕”或不在您的数据范围内") in errors
    assert {e[0] for e in errors} == {2, 1002, count + 1}
    assert "发现" in response.content.decode()
    assert not Activity.objects.exists() and not Participation.objects.exists()
    assert not AuditEvent.objects.filter(object_type="ledgers.activity").exists()


def test_extra_field_errors_name_the_column(world, client_for, lecture):
    client = client_for(world.liaison)
    headers = _headers(client, lecture)
    rows = [headers, _row(headers, 宣讲主题=""), _row(headers, 宣讲形式="上门宣讲")]
    response = _post(client, lecture, _xlsx(rows))
    errors = [(e.row, e.column, e.message) for e in response.context["result"].errors]
    assert errors == [
        (2, "宣讲主题", "请填写“宣讲主题”。"),
        (3, "宣讲形式", "“宣讲形式”须从选项中选择：集中宣讲、入户宣讲。"),
    ]
    assert not Activity.objects.exists()


def test_not_an_excel_file(world, client_for, lecture):
    response = _post(
        client_for(world.liaison), lecture, SimpleUploadedFile("x.xlsx", b"not a workbook")
    )
    assert "无法读取文件" in response.content.decode()


@pytest.mark.parametrize("persona", ["leader", "sysadmin"])
def test_import_needs_the_record_right(world, client_for, lecture, persona):
    client = client_for(getattr(world, persona))
    assert client.get(reverse("ledgers:activity-import")).status_code == 403
    assert not Activity.objects.exists()


# --- The file is inspected first; rows are checked outside any transaction ------------------------


def test_a_file_inflating_past_the_limit_is_refused_before_parsing(
    world, client_for, lecture, settings, monkeypatch
):
    from luoshi.ledgers import imports

    client = client_for(world.liaison)
    headers = _headers(client, lecture)
    settings.UPLOAD_MAX_UNZIPPED_BYTES = 1024  # every workbook inflates past a kilobyte
    monkeypatch.setattr(imports, "read_rows", lambda data: pytest.fail("parsed a refused file"))
    response = _post(client, lecture, _xlsx([headers, _row(headers)]))
    assert response.status_code == 200
    [error] = response.context["result"].errors
    assert (error.row, error.column) == (0, "")
    assert "解压后约" in error.message and "已拒绝" in error.message
    assert not Activity.objects.exists()


def test_a_sheet_reaching_past_the_row_limit_is_refused(world, client_for, lecture, settings):
    client = client_for(world.liaison)
    headers = _headers(client, lecture)
    settings.IMPORT_MAX_ROWS = 3
    rows = [headers] + [_row(headers, 活动名称=f"宣讲第{n}场") for n in range(5)]
    response = _post(client, lecture, _xlsx(rows))
    [error] = response.context["result"].errors
    assert error.row == 0 and "超过上限 3 行" in error.message
    assert not Activity.objects.exists()


def test_rows_are_checked_outside_any_transaction_then_written_at_once(
    world, client_for, lecture, monkeypatch
):
    from django.db import connection

    from luoshi.ledgers import services

    client = client_for(world.liaison)
    headers = _headers(client, lecture)
    depth = len(connection.atomic_blocks)  # the test's own transaction
    checked_at, written_at = [], []
    prepare, save = services.prepare_activity, services.save_activities

    def watched_prepare(**kwargs):
        checked_at.append(len(connection.atomic_blocks))
        return prepare(**kwargs)

    def watched_save(prepared, **kwargs):
        written_at.append((len(connection.atomic_blocks), len(prepared)))
        return save(prepared, **kwargs)

    monkeypatch.setattr(services, "prepare_activity", watched_prepare)
    monkeypatch.setattr(services, "save_activities", watched_save)
    rows = [headers] + [_row(headers, 活动名称=f"宣讲第{n}场") for n in range(3)]
    rows.append(_row(headers, 活动名称="宣讲第0场"))  # the same row twice: once
    assert _post(client, lecture, _xlsx(rows)).status_code == 302
    assert checked_at == [depth] * 3  # no transaction of the import's own while checking
    assert written_at == [(depth + 1, 3)]  # one transaction, the rows written in bulk
    assert Activity.objects.count() == 3


def test_cells_are_checked_as_form_fields_are(world, client_for, lecture):
    """A bidi override in a cell is a row error at its column and nothing is saved; full-width
    spaces around a title are trimmed."""
    client = client_for(world.liaison)
    headers = _headers(client, lecture)
    rows = [
        headers,
        _row(headers, 活动名称="宣讲\u202e第1场"),
        _row(headers, 活动名称="\u3000宣讲第2场"),
    ]
    response = _post(client, lecture, _xlsx(rows))
    assert response.status_code == 200
    errors = [(e.row, e.column) for e in response.context["result"].errors]
    assert errors == [(2, "活动名称")]
    assert Activity.objects.count() == 0
    _post(client, lecture, _xlsx([headers, rows[2]]))
    assert list(Activity.objects.values_list("title", flat=True)) == ["宣讲第2场"]
