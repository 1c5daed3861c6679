"""People: search by pinyin, masked phones, memberships (兼职), person management, passwords."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from luoshi.accounts.models import User
from luoshi.audit.models import AuditEvent
from luoshi.org.models import Membership

pytestmark = pytest.mark.django_db


def _names(response) -> list[str]:
    return [person.name for person in response.context["people"]]


@pytest.mark.parametrize("query", ["zs", "张三", "zhangsan", "张"])
def test_search_finds_zhang_san(world, client_for, query):
    response = client_for(world.office).get(reverse("org:person-list"), {"q": query})
    assert response.status_code == 200
    assert _names(response) == ["张三"]


def test_filter_by_unit_subtree(world, client_for):
    client = client_for(world.office)
    in_a = _names(client.get(reverse("org:person-list"), {"unit": world.unit_a.pk}))
    assert sorted(in_a) == sorted(["李晓梅", "张三", "赵敏"])
    in_section = _names(client.get(reverse("org:person-list"), {"unit": world.section_a.pk}))
    assert in_section == ["赵敏"]


def test_outsider_lists_only_own_unit_and_gets_404_on_unit_a_people(world, client_for):
    client = client_for(world.outsider)
    assert _names(client.get(reverse("org:person-list"))) == ["马海燕"]
    assert _names(client.get(reverse("org:person-list"), {"q": "zs"})) == []
    for person in (world.staff, world.liaison, world.staff2):
        assert client.get(reverse("org:person-detail", args=[person.pk])).status_code == 404
    # a unit of another scope as a filter is refused, not silently widened
    response = client.get(reverse("org:person-list"), {"unit": world.unit_a.pk})
    assert _names(response) == ["马海燕"] or response.context["form"].errors


@pytest.mark.parametrize(
    ("persona", "shown"),
    [
        ("leader", "139****5678"),
        ("office", "13900005678"),
        ("liaison", "13900005678"),
        ("sysadmin", "13900005678"),
        ("secadmin", "139****5678"),
    ],
)
def test_phone_masked_unless_viewer_manages_the_unit(world, client_for, persona, shown):
    client = client_for(getattr(world, persona))
    detail = client.get(reverse("org:person-detail", args=[world.staff.pk]))
    assert detail.context["phone"] == shown
    listed = client.get(reverse("org:person-list"), {"q": "zs"})
    assert [p.shown_phone for p in listed.context["people"]] == [shown]


def test_staff_sees_own_phone_in_full(world, client_for):
    response = client_for(world.staff).get(reverse("org:person-detail", args=[world.staff.pk]))
    assert response.context["phone"] == "13900005678"


def test_export_masks_phones_and_is_audited(world, client_for):
    response = client_for(world.leader).get(
        reverse("org:person-list"), {"export": "xlsx", "q": "zs"}
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[-1][:2] == ("张三", "staff")
    assert rows[-1][3] == "139****5678"
    assert AuditEvent.objects.filter(action="export", actor=world.leader).exists()


def test_detail_shows_memberships_and_grants(world, client_for):
    response = client_for(world.office).get(reverse("org:person-detail", args=[world.staff2.pk]))
    body = response.content.decode()
    assert "办公室" in body and "市文体旅游广电局" in body and "兼职" in body
    assert "干部职工" in body


def test_sysadmin_creates_person_without_password(world, client_for):
    response = client_for(world.sysadmin).post(
        reverse("org:person-create"),
        {
            "name": "王小二",
            "username": "wangxiaoer",
            "unit": world.unit_a.pk,
            "position": "科员",
            "phone": "138 0000 9999",
            "email": "",
        },
    )
    person = User.objects.get(username="wangxiaoer")
    assert response.status_code == 302
    assert not person.has_usable_password() and person.must_change_password
    assert person.phone == "13800009999" and person.initials == "wxe"
    assert person.memberships.get().unit == world.unit_a
    assert AuditEvent.objects.filter(action="create", object_type="accounts.user").exists()


def test_create_person_refuses_bad_phone_and_taken_username(world, client_for):
    response = client_for(world.sysadmin).post(
        reverse("org:person-create"),
        {"name": "王小二", "username": "STAFF", "unit": world.unit_a.pk, "phone": "12345"},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "username" in errors or "phone" in errors
    assert not User.objects.filter(name="王小二").exists()


def test_edit_person(world, client_for):
    response = client_for(world.sysadmin).post(
        reverse("org:person-edit", args=[world.staff.pk]),
        {"name": "张三丰", "phone": "13900005678", "email": "zs@example.cn", "is_active": "on"},
    )
    assert response.status_code == 302
    world.staff.refresh_from_db()
    assert (world.staff.name, world.staff.initials, world.staff.email) == (
        "张三丰",
        "zsf",
        "zs@example.cn",
    )


def test_add_and_remove_membership(world, client_for):
    client = client_for(world.sysadmin)
    client.post(
        reverse("org:membership-add", args=[world.staff.pk]),
        {"unit": world.unit_b.pk, "position": "驻村干部"},
    )
    membership = Membership.objects.get(person=world.staff, unit=world.unit_b)
    assert membership.position == "驻村干部" and not membership.is_primary
    client.post(reverse("org:membership-remove", args=[membership.pk]))
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_last_membership_cannot_be_removed(world, client_for):
    membership = world.staff.memberships.get()
    client_for(world.sysadmin).post(reverse("org:membership-remove", args=[membership.pk]))
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_liaison_cannot_manage_people(world, client_for):
    client = client_for(world.liaison)
    assert client.get(reverse("org:person-edit", args=[world.staff.pk])).status_code == 403
    response = client.post(
        reverse("org:membership-add", args=[world.staff.pk]), {"unit": world.unit_a.pk}
    )
    assert response.status_code == 302
    assert world.staff.memberships.count() == 1


def test_set_initial_password(world, client_for):
    person = User.objects.get(username="staff")
    client = client_for(world.sysadmin)
    url = reverse("org:person-password", args=[person.pk])
    weak = client.post(url, {"password1": "12345678", "password2": "12345678"})
    assert weak.status_code == 200 and weak.context["form"].errors["password1"]
    mismatch = client.post(url, {"password1": "Mangya@2026x", "password2": "Mangya@2026y"})
    assert "password2" in mismatch.context["form"].errors
    assert (
        client.post(url, {"password1": "Mangya@2026x", "password2": "Mangya@2026x"}).status_code
        == 302
    )
    person.refresh_from_db()
    assert person.check_password("Mangya@2026x") and person.must_change_password
    event = AuditEvent.objects.get(action="security", object_id=str(person.pk))
    assert "Mangya" not in str(event.changes) + event.note


def test_initial_password_needs_person_manage(world, client_for):
    url = reverse("org:person-password", args=[world.staff.pk])
    assert client_for(world.secadmin).get(url).status_code == 403
    assert client_for(world.outsider).get(url).status_code == 404


def test_person_list_query_count_does_not_grow(world, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from luoshi.org import services as org

    def add_people(first: int, count: int) -> None:
        for index in range(first, first + count):
            person = org.create_person(
                actor=None,
                username=f"p{index}",
                name=f"人员{index}",
                unit=world.unit_a,
                phone="13800000000",
                audit=False,
            )
            org.add_membership(actor=None, person=person, unit=world.unit_b, audit=False)

    def queries(**params) -> int:
        with CaptureQueriesContext(connection) as context:
            response = client.get(reverse("org:person-list"), params)
        assert response.status_code == 200
        return len(context)

    client = client_for(world.office)
    add_people(0, 2)
    few = queries(), queries(export="xlsx")
    add_people(2, 28)
    many = queries(), queries(export="xlsx")
    # The same count (on SQLite 15 to read plus the one audit event of the full phones shown;
    # the audit chain's lock is one more on PostgreSQL) whether 11 or 39 people are listed.
    assert many == few
    assert few[0] <= 21
