"""Duplicates the people and unit imports catch: a phone twice in a file or already someone's, a
unit name that differs from an existing one only by bracket width, spaces or punctuation; and
names compared after NFKC normalisation (import matching, search, pickers)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from luoshi.accounts.models import User
from luoshi.lib.text import name_key
from luoshi.org import imports, services
from luoshi.org.models import Unit, UnitKind
from luoshi.org.tests.test_imports import people_sheet, units_sheet

pytestmark = pytest.mark.django_db


def upload(data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("import.xlsx", data)


def test_name_key_ignores_width_spaces_and_punctuation():
    assert name_key("市委宣传部(新闻办)") == name_key("市委宣传部（新闻办）")
    assert name_key("市委宣传部 （新闻办）") == name_key("市委宣传部(新闻办)")
    assert name_key("市委宣传部【新闻办】") == name_key("市委宣传部[新闻办]")
    assert name_key("市委　宣传部") == name_key("市委宣传部")
    assert name_key("ＡＢＣ１２") == "abc12"
    assert name_key("市委宣传部") != name_key("市委统战部")


def test_a_phone_twice_in_the_file_or_already_used_is_a_row_error(world):
    data = people_sheet(
        ["王五", "wangwu", "市文体旅游广电局", "", "13700001111", ""],
        ["王六", "wangliu", "市文体旅游广电局", "", "137 0000 1111", ""],
        ["王七", "wangqi", "市文体旅游广电局", "", "13812345678", ""],  # 李晓梅's phone
        ["王八", "wangba", "市文体旅游广电局", "", "", ""],
        ["王九", "wangjiu", "市文体旅游广电局", "", "", ""],  # no phone twice is fine
    )
    result = imports.import_people(actor=world.sysadmin, data=data)
    assert {(error.row, error.column) for error in result.errors} == {
        (3, "手机号"),
        (4, "手机号"),
    }
    messages = {error.row: error.message for error in result.errors}
    assert "第 2 行" in messages[3] and "其他人员" in messages[4]
    assert not User.objects.filter(username__in=["wangwu", "wangba"]).exists()


def test_a_deleted_persons_phone_may_be_given_again(world):
    User.objects.filter(pk=world.staff.pk).update(deleted_at=timezone.now())
    data = people_sheet(["王五", "wangwu", "市文体旅游广电局", "", "13900005678", ""])
    assert imports.import_people(actor=world.sysadmin, data=data).ok


def test_a_person_unit_with_half_width_brackets_finds_the_unit(world):
    news = services.create_unit(
        actor=None, name="市委宣传部（新闻办）", kind=UnitKind.SECTION, parent=world.city
    )
    data = people_sheet(["王五", "wangwu", "市委宣传部(新闻办)", "", "", ""])
    result = imports.import_people(actor=world.sysadmin, data=data)
    assert result.ok, result.errors
    assert User.objects.get(username="wangwu").memberships.get().unit == news


def test_a_unit_that_differs_only_by_brackets_must_be_confirmed(world, client_for):
    services.create_unit(
        actor=None, name="市委宣传部（新闻办）", kind=UnitKind.SECTION, parent=world.city
    )
    data = units_sheet(
        ["市委宣传部(新闻办)", "茫崖市", "部门", "", ""], ["市图书馆", "茫崖市", "部门", "", ""]
    )
    result = imports.import_units(actor=world.sysadmin, data=data)
    assert not result.ok and not result.errors
    assert [(w.row, w.column) for w in result.warnings] == [(2, "单位名称")]
    assert "市委宣传部（新闻办）" in result.warnings[0].message
    assert not Unit.objects.filter(name="市图书馆").exists()

    client = client_for(world.sysadmin)
    page = client.post(reverse("org:unit-import"), {"file": upload(data)})
    body = page.content.decode()
    assert page.status_code == 200 and 'id="import-warnings"' in body and "确认并导入" in body
    assert not Unit.objects.filter(name="市图书馆").exists()
    confirmed = page.context["form"].initial["confirmed"]
    # A different file does not ride on the confirmation of this one.
    other = units_sheet(["市委宣传部(新闻办)", "茫崖市", "部门", "", ""])
    again = client.post(reverse("org:unit-import"), {"file": upload(other), "confirmed": confirmed})
    assert again.status_code == 200 and not Unit.objects.filter(name="市委宣传部(新闻办)").exists()
    done = client.post(reverse("org:unit-import"), {"file": upload(data), "confirmed": confirmed})
    assert done.status_code == 302
    assert Unit.objects.filter(name="市委宣传部(新闻办)", parent=world.city).exists()
    assert Unit.objects.filter(name="市图书馆").exists()


def test_units_in_one_file_differing_only_by_width_are_duplicates(world):
    data = units_sheet(
        ["市图书馆（分馆）", "茫崖市", "部门", "", ""], ["市图书馆(分馆)", "茫崖市", "部门", "", ""]
    )
    result = imports.import_units(actor=world.sysadmin, data=data)
    assert [(e.row, e.column) for e in result.errors] == [(3, "单位名称")]


def test_search_and_pickers_compare_normalised_names(world, client_for):
    services.create_unit(
        actor=None, name="市委宣传部（新闻办）", kind=UnitKind.SECTION, parent=world.city
    )
    client = client_for(world.sysadmin)
    listing = client.get(reverse("org:unit-list"), {"q": "宣传部(新闻办)"}).content.decode()
    assert "市委宣传部（新闻办）" in listing
    picker = client.get(
        reverse("org:unit-picker"), {"q": "宣传部 (新闻办)"}, HTTP_ACCEPT="application/json"
    )
    assert "市委宣传部（新闻办）" in [result["text"] for result in picker.json()["results"]]
    people = client.get(reverse("org:person-list"), {"q": "李　晓梅"}).content.decode()
    assert "李晓梅" in people


def _id_number(body: str) -> str:
    """`body` (17 digits) with its GB 11643 check digit."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(digit) * weight for digit, weight in zip(body, weights, strict=True))
    return body + "10X98765432"[total % 11]


def people_with_ids(*rows) -> bytes:
    from luoshi.org.tests.test_imports import sheet

    return sheet(imports.PERSON_HEADERS + imports.PERSON_OPTIONAL_HEADERS, *rows)


def test_an_id_number_twice_in_the_file_or_already_used_is_a_row_error(world):
    first, second = _id_number("63280119900101001"), _id_number("63280119920202002")
    assert services.normalise_id_number("11010519491231002x") == "11010519491231002X"
    data = people_with_ids(["王五", "wangwu", "市文体旅游广电局", "", "", "", first])
    assert imports.import_people(actor=world.sysadmin, data=data).ok
    wangwu = User.objects.get(username="wangwu")
    assert wangwu.id_number_hash and first not in wangwu.id_number_hash  # only the hash is kept
    data = people_with_ids(
        ["王六", "wangliu", "市文体旅游广电局", "", "", "", first.lower()],  # 王五's
        ["王七", "wangqi", "市文体旅游广电局", "", "", "", second],
        ["王八", "wangba", "市文体旅游广电局", "", "", "", second],  # twice in the file
        ["王九", "wangjiu", "市文体旅游广电局", "", "", "", "632801199001010012"[:-1] + "9"],
        ["王十", "wangshi", "市文体旅游广电局", "", "", "", "12345"],
    )
    result = imports.import_people(actor=world.sysadmin, data=data)
    errors = {error.row: error.message for error in result.errors}
    assert {(e.row, e.column) for e in result.errors} == {
        (2, "身份证号"),
        (4, "身份证号"),
        (5, "身份证号"),
        (6, "身份证号"),
    }
    assert "其他人员" in errors[2] and "第 3 行" in errors[4]
    assert "校验位" in errors[5] and "18 位" in errors[6]
    assert not User.objects.filter(username="wangqi").exists()
