"""Excel imports of units and people: the functions directly, then through HTTP."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from luoshi.accounts.models import User
from luoshi.audit.models import AuditEvent
from luoshi.org import imports
from luoshi.org.models import Unit, UnitKind

pytestmark = pytest.mark.django_db


def sheet(headers, *rows) -> bytes:
    workbook = Workbook()
    worksheet = workbook.active
    worksheet.append(list(headers))
    for row in rows:
        worksheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def units_sheet(*rows) -> bytes:
    return sheet(imports.UNIT_HEADERS, *rows)


def people_sheet(*rows) -> bytes:
    return sheet(imports.PERSON_HEADERS, *rows)


def errors_of(result) -> set[tuple[int, str]]:
    return {(error.row, error.column) for error in result.errors}


# --- Units -----------------------------------------------------------------------------------


def test_units_happy_path_with_parents_in_the_same_file(world):
    before = Unit.objects.count()
    data = units_sheet(
        # the child comes before its parent: rows are saved parents first
        ["综合科", "茫崖市/市图书馆", "科室", "", 2],
        ["市图书馆", "茫崖市", "部门", "图书馆", 9],
        ["阅览室", "市文体旅游广电局/办公室", "科室", "", ""],
        ["花土沟镇", "茫崖市", "乡镇", "", 1],
        ["一号社区", "花土沟镇", "社区/村", "", 1],
    )
    result = imports.import_units(actor=world.sysadmin, data=data, filename="units.xlsx")
    assert result.ok, result.errors
    assert Unit.objects.count() == before + 5
    library = Unit.objects.get(name="市图书馆")
    assert (library.parent, library.short_name, library.sort_order) == (world.city, "图书馆", 9)
    section = Unit.objects.get(name="综合科")
    assert section.parent == library and section.path.startswith(library.path)
    assert Unit.objects.get(name="阅览室").parent == world.section_a
    community = Unit.objects.get(name="一号社区")
    assert community.kind == UnitKind.COMMUNITY and community.parent.name == "花土沟镇"
    assert AuditEvent.objects.filter(action="create", object_type="org.unit").count() == 5
    event = AuditEvent.objects.get(action="import")
    assert event.actor == world.sysadmin and "5" in event.note


@pytest.mark.parametrize(
    ("row", "column", "reason"),
    [
        (["新单位", "不存在的单位", "部门", "", ""], "上级单位", "找不到单位"),
        (["办公室", "市文体旅游广电局", "科室", "", ""], "单位名称", "已有名为“办公室”"),
        (["", "茫崖市", "部门", "", ""], "单位名称", "请填写单位名称"),
        (["新单位", "茫崖市", "大部门", "", ""], "单位类型", "单位类型“大部门”无效"),
        (["新单位", "茫崖市", "", "", ""], "单位类型", "请填写单位类型"),
        (["新单位", "茫崖市", "部门", "", "第一"], "排序", "整数"),
    ],
)
def test_unit_row_errors_save_nothing(world, row, column, reason):
    before = Unit.objects.count()
    data = units_sheet(["好单位", "茫崖市", "部门", "", 1], row)
    result = imports.import_units(actor=world.sysadmin, data=data)
    assert not result.ok
    assert [(e.row, e.column) for e in result.errors] == [(3, column)]
    assert reason in result.errors[0].message
    assert Unit.objects.count() == before
    assert not AuditEvent.objects.filter(action="import").exists()
    assert not AuditEvent.objects.filter(action="create", object_type="org.unit").exists()


def test_duplicate_names_within_the_file(world):
    data = units_sheet(
        ["新科室", "办公室", "科室", "", ""], ["新科室", "市文体旅游广电局/办公室", "科室", "", ""]
    )
    result = imports.import_units(actor=world.sysadmin, data=data)
    assert errors_of(result) == {(3, "单位名称")}
    assert "与第 2 行重复" in result.errors[0].message


def test_ambiguous_parent_name_asks_for_a_path(world):
    from luoshi.org import services as org

    org.create_unit(
        actor=None, name="办公室", kind=UnitKind.SECTION, parent=world.unit_b, audit=False
    )
    data = units_sheet(
        ["档案室", "办公室", "科室", "", ""], ["资料室", "冷湖镇/办公室", "科室", "", ""]
    )
    result = imports.import_units(actor=world.sysadmin, data=data)
    assert errors_of(result) == {(2, "上级单位")}
    assert "不唯一" in result.errors[0].message


def test_parent_outside_scope_is_not_found(world):
    from luoshi.org import services as org
    from luoshi.org.models import Role, RoleGrant, Scope

    # 三员分立: an admin account holds no other role, so the business roles go first.
    RoleGrant.objects.filter(person=world.outsider).delete()
    org.grant_role(
        actor=None,
        person=world.outsider,
        role=Role.SYSADMIN,
        unit=world.unit_b,
        scope=Scope.SUBTREE,
        audit=False,
    )
    data = units_sheet(
        ["新科室", "市文体旅游广电局", "科室", "", ""], ["一号社区", "冷湖镇", "社区", "", ""]
    )
    result = imports.import_units(actor=world.outsider, data=data)
    assert errors_of(result) == {(2, "上级单位")}
    assert not Unit.objects.filter(name__in=["新科室", "一号社区"]).exists()


def test_cycle_between_rows_is_reported(world):
    data = units_sheet(["甲", "乙", "部门", "", ""], ["乙", "甲", "部门", "", ""])
    result = imports.import_units(actor=world.sysadmin, data=data)
    assert errors_of(result) == {(2, "上级单位"), (3, "上级单位")}
    assert "循环" in result.errors[0].message


def test_missing_column_and_not_excel(world):
    result = imports.import_units(
        actor=world.sysadmin, data=sheet(["单位名称", "上级单位"], ["甲", "茫崖市"])
    )
    assert {e.column for e in result.errors} == {"单位类型", "简称", "排序"}
    garbage = imports.import_units(actor=world.sysadmin, data=b"not a workbook")
    assert "xlsx" in garbage.errors[0].message


# --- People ----------------------------------------------------------------------------------


def test_people_happy_path(world):
    data = people_sheet(
        ["王五", "wangwu", "市文体旅游广电局", "科员", 13800001111, "ww@example.cn"],
        ["赵六", "zhaoliu", "茫崖市/市文体旅游广电局/办公室", "副主任", "139-0000-2222", ""],
    )
    result = imports.import_people(actor=world.sysadmin, data=data, filename="people.xlsx")
    assert result.ok, result.errors
    wangwu = User.objects.get(username="wangwu")
    assert wangwu.phone == "13800001111" and wangwu.initials == "ww"
    assert not wangwu.has_usable_password() and wangwu.must_change_password
    assert wangwu.memberships.get().unit == world.unit_a
    assert User.objects.get(username="zhaoliu").memberships.get().position == "副主任"
    assert AuditEvent.objects.filter(action="import", object_type="accounts.user").count() == 1


@pytest.mark.parametrize(
    ("row", "column", "reason"),
    [
        (["王五", "wangwu", "不存在的单位", "", "", ""], "所在单位", "找不到单位"),
        (["王五", "wangwu", "市文体旅游广电局", "", "1234", ""], "手机号", "11 位"),
        (["", "wangwu", "市文体旅游广电局", "", "", ""], "姓名", "请填写姓名"),
        (["王五", "Staff", "市文体旅游广电局", "", "", ""], "登录账号", "已被使用"),
        (["王五", "wang wu", "市文体旅游广电局", "", "", ""], "登录账号", "只能包含"),
        (["王五", "wangwu", "市文体旅游广电局", "", "", "not-an-email"], "电子邮箱", "格式不正确"),
        (["王五", "zhaoliu", "", "", "", ""], "所在单位", "请填写所在单位"),
    ],
)
def test_person_row_errors_save_nothing(world, row, column, reason):
    before = User.objects.count()
    data = people_sheet(["赵六", "zhaoliu2", "市文体旅游广电局", "", "", ""], row)
    result = imports.import_people(actor=world.sysadmin, data=data)
    assert [(e.row, e.column) for e in result.errors] == [(3, column)]
    assert reason in result.errors[0].message
    assert User.objects.count() == before


def test_duplicate_username_within_the_file(world):
    data = people_sheet(
        ["王五", "wangwu", "市文体旅游广电局", "", "", ""],
        ["王六", "WangWu", "市文体旅游广电局", "", "", ""],
    )
    result = imports.import_people(actor=world.sysadmin, data=data)
    assert errors_of(result) == {(3, "登录账号")} and "第 2 行" in result.errors[0].message


def test_every_row_is_checked(world):
    data = people_sheet(
        ["", "a1", "市文体旅游广电局", "", "", ""],
        ["乙", "a2", "市文体旅游广电局", "", "", ""],
        ["丙", "a3", "火星", "", "12", ""],
    )
    result = imports.import_people(actor=world.sysadmin, data=data)
    assert errors_of(result) == {(2, "姓名"), (4, "所在单位"), (4, "手机号")}
    assert not User.objects.filter(username__in=["a1", "a2", "a3"]).exists()


# --- Through HTTP ----------------------------------------------------------------------------


def upload(data: bytes, name: str = "导入.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def test_templates_download_with_chinese_headers(world, client_for):
    client = client_for(world.sysadmin)
    for name, headers in (
        ("org:unit-import-template", imports.UNIT_HEADERS),
        ("org:person-import-template", imports.PERSON_HEADERS + imports.PERSON_OPTIONAL_HEADERS),
    ):
        response = client.get(reverse(name))
        assert response.status_code == 200
        workbook = load_workbook(io.BytesIO(response.content))
        assert tuple(c.value for c in workbook.active[1] if c.value) == headers
        assert "填写说明" in workbook.sheetnames


def test_http_import_errors_page_and_report(world, client_for):
    client = client_for(world.sysadmin)
    data = people_sheet(
        ["王五", "wangwu", "市文体旅游广电局", "", "", ""],
        ["王六", "wangliu", "火星", "", "123", ""],
    )
    response = client.post(reverse("org:person-import"), {"file": upload(data)})
    assert response.status_code == 200
    body = response.content.decode()
    assert "第 3 行" in body and "所在单位" in body and "未导入任何数据" in body
    assert "data-progress" in body
    assert not User.objects.filter(username="wangwu").exists()
    report = client.get(reverse("org:import-report"))
    rows = list(load_workbook(io.BytesIO(report.content)).active.iter_rows(values_only=True))
    assert ("行号", "列", "错误原因") in rows
    assert {(row[0], row[1]) for row in rows if isinstance(row[0], int)} == {
        (3, "所在单位"),
        (3, "手机号"),
    }


def test_http_import_happy_path(world, client_for):
    client = client_for(world.sysadmin)
    data = units_sheet(["市图书馆", "茫崖市", "部门", "", 1])
    response = client.post(reverse("org:unit-import"), {"file": upload(data)})
    assert response.status_code == 302
    assert Unit.objects.filter(name="市图书馆", parent=world.city).exists()
    assert AuditEvent.objects.filter(action="import", actor=world.sysadmin).exists()


def test_http_import_refuses_non_xlsx(world, client_for):
    response = client_for(world.sysadmin).post(
        reverse("org:unit-import"), {"file": upload(b"x", "units.csv")}
    )
    assert response.status_code == 200 and response.context["form"].errors["file"]


@pytest.mark.parametrize("persona", ["office", "liaison", "secadmin", "outsider"])
def test_import_needs_manage_permission(world, client_for, persona):
    client = client_for(getattr(world, persona))
    assert client.get(reverse("org:unit-import")).status_code == 403
    assert client.get(reverse("org:person-import")).status_code == 403
    assert client.get(reverse("org:person-import-template")).status_code == 403


def test_apply_rolls_back_everything_when_a_row_fails_on_saving(world):
    """A unit created by someone else between validation and saving: nothing of the file stays."""
    from luoshi.org import services as org

    rows, errors, _examples = imports.parse_units(
        units_sheet(["甲科", "办公室", "科室", "", ""], ["乙科", "办公室", "科室", "", ""])
    )
    errors, resolver = imports.validate_units(world.sysadmin, rows)
    assert errors == []
    org.create_unit(
        actor=None, name="乙科", kind=UnitKind.SECTION, parent=world.section_a, audit=False
    )
    with pytest.raises(imports.RowFailed) as failed:
        imports.apply_units(actor=world.sysadmin, rows=rows, resolver=resolver)
    assert failed.value.error.row == 3
    assert not Unit.objects.filter(name="甲科").exists()
    assert not AuditEvent.objects.filter(action="import").exists()


def test_large_file_is_validated_quickly(world, django_assert_max_num_queries):
    rows = [[f"社区{i}", "冷湖镇", "社区", "", i] for i in range(2000)]
    parsed, _errors, _examples = imports.parse_units(units_sheet(*rows))
    with django_assert_max_num_queries(5):
        errors, _resolver = imports.validate_units(world.sysadmin, parsed)
    assert errors == []


# --- Hostile files -----------------------------------------------------------------------------


def _hostile(name: str, settings) -> bytes:
    from luoshi.lib.tests import hostile_files

    if name == "gap":
        return hostile_files.row_gap_xlsx(50_000_000, headings=list(imports.PERSON_HEADERS))
    if name == "bomb":
        return hostile_files.shared_strings_bomb(20)
    if name == "members":
        settings.UPLOAD_MAX_MEMBERS = 50
        return hostile_files.many_members_xlsx(50)
    return hostile_files.renamed_docx()


HOSTILE = {
    "gap": "工作表声明了 50,000,000 行，超过上限 10,000 行，已拒绝。",
    "bomb": "文件压缩比异常（1,024 倍，上限 100 倍），疑似压缩炸弹，已拒绝。",
    "members": "文件包含 59 个部件，超过上限 50 个，疑似压缩炸弹，已拒绝。",
    "docx": "文件的内容不是 Excel 工作簿，未导入。请上传 .xlsx 格式的文件（可先下载模板）。",
}


@pytest.fixture
def no_reader(monkeypatch):
    def refuse(data):
        raise AssertionError("openpyxl ran on a refused file")

    monkeypatch.setattr(imports, "read_rows", refuse)


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_files_are_refused_before_openpyxl_reads_them(
    world, client_for, settings, no_reader, name
):
    people, units = User.objects.count(), Unit.objects.count()
    data = _hostile(name, settings)
    result = imports.import_people(actor=world.sysadmin, data=data, filename="people.xlsx")
    assert result.errors == [imports.RowError(0, "", HOSTILE[name])]
    result = imports.import_units(actor=world.sysadmin, data=data, filename="units.xlsx")
    assert result.errors == [imports.RowError(0, "", HOSTILE[name])]
    response = client_for(world.sysadmin).post(
        reverse("org:person-import"), {"file": upload(data, "people.xlsx")}
    )
    assert response.status_code == 200
    assert response.context["errors"] == [imports.RowError(0, "", HOSTILE[name])]
    assert HOSTILE[name] in response.content.decode()
    assert (User.objects.count(), Unit.objects.count()) == (people, units)


def test_people_cells_are_checked_as_form_fields_are(world):
    """A cell with a bidi override (shown reversed, stored as sent) is a row error at its column;
    full-width spaces around a name are trimmed."""
    data = people_sheet(
        ["王\u202e五", "wangwu", "市文体旅游广电局", "", "", ""],
        ["\u3000赵六\u3000", "zhaoliu", "市文体旅游广电局", "", "", ""],
    )
    result = imports.import_people(actor=world.sysadmin, data=data, filename="people.xlsx")
    assert errors_of(result) == {(2, "姓名")}
    assert "文字方向控制字符" in result.errors[0].message
    assert not User.objects.filter(username__in=["wangwu", "zhaoliu"]).exists()
    fixed = people_sheet(["\u3000赵六\u3000", "zhaoliu", "市文体旅游广电局", "", "", ""])
    assert imports.import_people(actor=world.sysadmin, data=fixed, filename="people.xlsx").ok
    assert User.objects.get(username="zhaoliu").name == "赵六"
