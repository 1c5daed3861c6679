"""Hostile uploads to the learning import are refused before any reader walks them: a row
numbered 50,000,000, a shared-strings bomb, too many zip members, a Word file named .xlsx, a CSV
or .xls past the row limit. Refused on the page (under the file field) and as a 422 on the API,
with nothing saved; the sheet reader is never started."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.urls import reverse

from luoshi.accounts.models import User
from luoshi.files.models import Attachment
from luoshi.learning import services
from luoshi.learning.models import ImportRow, Platform, PointImport
from luoshi.learning.services import parsing
from luoshi.lib.tests.hostile_files import (
    many_members_xlsx,
    renamed_docx,
    row_gap_xlsx,
    shared_strings_bomb,
)

from .import_files import csv_export, strong_nation_rows, xls_export, xlsx_export

GAP = "工作表声明了 50,000,000 行，超过上限 500,000 行，已拒绝。"
BOMB = "文件压缩比异常（1,024 倍，上限 100 倍），疑似压缩炸弹，已拒绝。"
MEMBERS = "文件包含 59 个部件，超过上限 50 个，疑似压缩炸弹，已拒绝。"
DOCX = "文件“积分.xlsx”的内容是 Word 文档，不是 Excel 工作簿，未导入。"


@pytest.fixture
def no_sheet_reader(monkeypatch):
    """Fail the test if the sheet XML is ever read: refusal must come before it."""

    def refuse(data):
        raise AssertionError("the sheet reader ran on a refused file")

    monkeypatch.setattr(parsing, "_xlsx_rows", refuse)


def _hostile(name: str, settings) -> bytes:
    if name == "gap":
        return row_gap_xlsx(50_000_000)
    if name == "bomb":
        return shared_strings_bomb(20)
    if name == "members":
        settings.UPLOAD_MAX_MEMBERS = 50
        return many_members_xlsx(50)
    return renamed_docx()


HOSTILE = [("gap", GAP), ("bomb", BOMB), ("members", MEMBERS), ("docx", DOCX)]


def _nothing_saved():
    assert not PointImport.objects.exists()
    assert not ImportRow.objects.exists()
    assert not Attachment.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "message"), HOSTILE, ids=[name for name, _m in HOSTILE])
def test_hostile_files_are_refused_on_the_api_with_422(
    world, client_for, settings, no_sheet_reader, name, message
):
    data = _hostile(name, settings)
    response = client_for(world.liaison).post(
        "/api/learning/imports",
        {
            "platform": Platform.STRONG_NATION,
            "unit": world.unit_a.pk,
            "file": SimpleUploadedFile("积分.xlsx", data),
        },
    )
    assert response.status_code == 422
    assert response.json() == {"detail": message, "errors": {"file": [message]}}
    _nothing_saved()


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "message"), HOSTILE, ids=[name for name, _m in HOSTILE])
def test_hostile_files_are_refused_on_the_page(
    world, client_for, settings, no_sheet_reader, name, message
):
    data = _hostile(name, settings)
    response = client_for(world.liaison).post(
        reverse("learning:import-upload"),
        {
            "platform": Platform.STRONG_NATION,
            "unit": world.unit_a.pk,
            "file": SimpleUploadedFile("积分.xlsx", data),
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"file": [message]}
    assert message in response.content.decode()
    _nothing_saved()


@pytest.mark.django_db
def test_the_zip_bomb_is_refused_by_its_inflated_size(world, settings, no_sheet_reader):
    settings.UPLOAD_MAX_UNZIPPED_BYTES = 10 * 1024 * 1024
    settings.UPLOAD_MAX_RATIO = 10_000
    with pytest.raises(ValidationError) as caught:
        services.start_import(
            actor=world.liaison,
            platform=Platform.STRONG_NATION,
            unit=world.unit_a,
            upload=SimpleUploadedFile("积分.xlsx", shared_strings_bomb(20)),
        )
    assert caught.value.message_dict == {
        "file": ["文件解压后约 20 MB，超过上限 10 MB，疑似压缩炸弹，已拒绝。"]
    }
    _nothing_saved()


@pytest.mark.django_db
def test_a_file_over_the_upload_limit_is_refused_before_it_is_read(world, settings, monkeypatch):
    settings.UPLOAD_MAX_BYTES = 1024 * 1024
    monkeypatch.setattr("luoshi.learning.services.imports.parse_export", None)  # never reached
    with pytest.raises(ValidationError) as caught:
        services.start_import(
            actor=world.liaison,
            platform=Platform.STRONG_NATION,
            unit=world.unit_a,
            upload=SimpleUploadedFile("积分.csv", b"x" * (1024 * 1024 + 1)),
        )
    assert caught.value.message_dict == {"file": ["文件“积分.csv”超过 1 MB 的大小限制，未导入。"]}
    _nothing_saved()


def _limit_message(limit: int) -> str:
    return f"文件超过 {limit:,} 行的导入上限，已拒绝，请分批导入。"


@pytest.mark.django_db
def test_a_csv_past_the_row_limit_stops_while_streaming(world, settings, monkeypatch):
    settings.IMPORT_MAX_ROWS = 100
    rows = strong_nation_rows([(f"人员{n}", "一支部", "", 10) for n in range(150)])
    read: list[tuple] = []
    original = parsing._csv_rows

    def counted(data):
        for row in original(data):
            read.append(row)
            yield row

    monkeypatch.setattr(parsing, "_csv_rows", counted)
    with pytest.raises(ValidationError) as caught:
        services.start_import(
            actor=world.liaison,
            platform=Platform.STRONG_NATION,
            unit=world.unit_a,
            upload=SimpleUploadedFile("积分.csv", csv_export(rows, encoding="utf-8")),
        )
    assert caught.value.message_dict == {"file": [_limit_message(100)]}
    assert len(read) == 101  # the reader stopped at the first row past the limit
    _nothing_saved()


@pytest.mark.django_db
def test_an_xls_declaring_too_many_rows_is_refused_before_its_rows_are_read(world, settings):
    settings.IMPORT_MAX_ROWS = 50
    rows = strong_nation_rows([(f"人员{n}", "一支部", "", 10) for n in range(60)])
    with pytest.raises(ValidationError) as caught:
        services.start_import(
            actor=world.liaison,
            platform=Platform.STRONG_NATION,
            unit=world.unit_a,
            upload=SimpleUploadedFile("积分.xls", xls_export(rows)),
        )
    assert caught.value.message_dict == {"file": ["工作表声明了 62 行，超过上限 50 行，已拒绝。"]}
    _nothing_saved()


def test_a_row_gap_within_the_limit_is_read(settings):
    settings.IMPORT_MAX_ROWS = 1_000
    rows = list(parsing.read_cells(row_gap_xlsx(900), "积分.xlsx"))
    assert rows[0] == ("姓名", "所在支部", "本月积分")
    assert len(rows) == 900 and rows[-1][0] == "x"


# --- Parsing holds no write lock -----------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_write_completes_while_a_large_file_is_parsed(world, monkeypatch):
    """The import thread stops inside the parser until the other thread's write has committed:
    with the parse inside the import's transaction (SQLite: BEGIN IMMEDIATE), the write could
    not get the lock and fails; now it commits at once and the import then completes."""
    parsing_started, write_done = threading.Event(), threading.Event()
    original = parsing._read_rows

    def paused(*args, **kwargs):
        parsing_started.set()
        if not write_done.wait(timeout=60):  # a safety net against a hang, not a timing assert
            raise AssertionError("the other write never completed")
        return original(*args, **kwargs)

    monkeypatch.setattr(parsing, "_read_rows", paused)
    rows = strong_nation_rows([(f"学员{n:05d}", "一支部", "", 10) for n in range(20_000)])
    data = xlsx_export(rows)
    outcome: dict[str, object] = {}

    def run_import():
        try:
            outcome["import"] = services.start_import(
                actor=world.liaison,
                platform=Platform.STRONG_NATION,
                unit=world.unit_a,
                upload=SimpleUploadedFile("学习强国积分.xlsx", data),
            )
        except BaseException as exc:  # handed to the test thread
            outcome["error"] = exc
        finally:
            connection.close()

    worker = threading.Thread(target=run_import)
    worker.start()
    try:
        assert parsing_started.wait(timeout=60)
        with transaction.atomic():
            User.objects.filter(pk=world.staff.pk).update(name="写入未被导入阻塞")
    finally:
        write_done.set()
        worker.join()
    assert "error" not in outcome, outcome.get("error")
    assert User.objects.get(pk=world.staff.pk).name == "写入未被导入阻塞"
    point_import = PointImport.objects.get()
    assert point_import.row_count == ImportRow.objects.count() == 20_000


@pytest.mark.django_db
def test_a_failed_write_leaves_no_stored_file(world, monkeypatch, settings, tmp_path):
    """The file is stored before the short write; when the write fails it is removed again."""
    settings.MEDIA_ROOT = tmp_path
    from luoshi.learning.services import imports

    def fail(point_import, staged):
        raise RuntimeError("write failed")

    monkeypatch.setattr(imports, "_stage", fail)
    rows = strong_nation_rows([("张三", "一支部", "", 10)])
    with pytest.raises(RuntimeError):
        services.start_import(
            actor=world.liaison,
            platform=Platform.STRONG_NATION,
            unit=world.unit_a,
            upload=SimpleUploadedFile("学习强国积分.xlsx", xlsx_export(rows)),
        )
    _nothing_saved()
    assert [path for path in tmp_path.rglob("*") if path.is_file()] == []
