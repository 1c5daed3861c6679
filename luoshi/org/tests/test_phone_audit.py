"""安全审计: every request that shows full phone numbers writes one view_personal event naming
the persons; a request that shows only masked phones (or only the viewer's own) writes none."""

import pytest
from django.urls import reverse

from luoshi.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

ZHANG_SAN = "显示完整手机号：张三（共 1 人）"
ALL_OF_UNIT_A = "显示完整手机号：李晓梅、张三、赵敏（共 3 人）"  # in pinyin order, as listed


def phone_views(actor) -> list[tuple[str, str, str]]:
    return list(
        AuditEvent.objects.filter(action="view_personal", actor=actor)
        .order_by("id")
        .values_list("object_type", "object_repr", "note")
    )


def test_person_list_page_records_the_full_phones_it_shows(world, client_for):
    client_for(world.office).get(reverse("org:person-list"), {"q": "zs"})
    assert phone_views(world.office) == [("accounts.user", "张三", ZHANG_SAN)]
    client_for(world.leader).get(reverse("org:person-list"), {"q": "zs"})
    assert phone_views(world.leader) == []


def test_person_list_page_names_every_person_in_one_event(world, client_for):
    client_for(world.office).get(reverse("org:person-list"), {"unit": world.unit_a.pk})
    assert phone_views(world.office) == [("accounts.user", "", ALL_OF_UNIT_A)]


def test_a_person_without_a_phone_is_not_named(world, client_for):
    world.staff2.phone = ""
    world.staff2.save(update_fields=["phone", "phone_hash"])
    client_for(world.office).get(reverse("org:person-list"), {"unit": world.unit_a.pk})
    note = "显示完整手机号：李晓梅、张三（共 2 人）"
    assert phone_views(world.office) == [("accounts.user", "", note)]


def test_export_records_the_full_phones_it_writes(world, client_for):
    client_for(world.office).get(reverse("org:person-list"), {"export": "xlsx", "q": "zs"})
    assert phone_views(world.office) == [("accounts.user", "张三", ZHANG_SAN)]
    client_for(world.leader).get(reverse("org:person-list"), {"export": "xlsx", "q": "zs"})
    assert phone_views(world.leader) == []


def test_person_detail_records_a_full_phone(world, client_for):
    client_for(world.office).get(reverse("org:person-detail", args=[world.staff.pk]))
    assert phone_views(world.office) == [("accounts.user", "张三", ZHANG_SAN)]
    event = AuditEvent.objects.get(action="view_personal")
    assert event.object_id == str(world.staff.pk) and event.get_action_display() == "查看个人信息"
    client_for(world.leader).get(reverse("org:person-detail", args=[world.staff.pk]))
    assert phone_views(world.leader) == []
    # one's own phone is not someone else's personal information
    client_for(world.staff).get(reverse("org:person-detail", args=[world.staff.pk]))
    assert phone_views(world.staff) == []


def test_unit_detail_records_its_members_full_phones(world, client_for):
    url = reverse("org:unit-detail", args=[world.unit_a.pk])
    client_for(world.sysadmin).get(url)
    assert phone_views(world.sysadmin) == [("accounts.user", "", ALL_OF_UNIT_A)]
    client_for(world.leader).get(url)
    assert phone_views(world.leader) == []


def test_people_api_records_the_full_phones_it_returns(world, api_for):
    api_for(world.office).get(f"/people/{world.staff.pk}")
    api_for(world.office).get("/people", {"q": "zs"})
    assert phone_views(world.office) == [("accounts.user", "张三", ZHANG_SAN)] * 2
    leader = api_for(world.leader)
    leader.get(f"/people/{world.staff.pk}")
    leader.get("/people", {"q": "zs"})
    assert phone_views(world.leader) == []
    api_for(world.liaison).get("/people/me")  # the caller's own phone
    assert phone_views(world.liaison) == []
