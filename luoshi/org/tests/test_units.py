"""The unit tree, unit detail and unit management through HTTP."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from luoshi.audit.models import AuditEvent
from luoshi.campaigns import services as chain
from luoshi.campaigns.models import AccountabilityKind
from luoshi.org import selectors
from luoshi.org.models import Unit, UnitKind
from luoshi.testing import issued_task

pytestmark = pytest.mark.django_db


def test_tree_lists_units_in_scope_indented(world, client_for):
    response = client_for(world.office).get(reverse("org:unit-list"))
    assert response.status_code == 200
    names = [row.unit.name for row in response.context["rows"]]
    # the office's scope is 茫崖市 and its subtree, in tree order (children after parents)
    assert names[0] == "茫崖市"
    assert "海西州" not in names
    assert names.index("办公室") == names.index("市文体旅游广电局") + 1
    levels = {row.unit.name: row.level for row in response.context["rows"]}
    assert levels == {"茫崖市": 0, "市委宣传部": 1, "市文体旅游广电局": 1, "办公室": 2, "冷湖镇": 1}
    assert "data-tree-toggle" in response.content.decode()


def test_outsider_sees_only_own_unit(world, client_for):
    response = client_for(world.outsider).get(reverse("org:unit-list"))
    assert [row.unit.name for row in response.context["rows"]] == ["冷湖镇"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("wtl", "市文体旅游广电局"),
        ("swtl", "市文体旅游广电局"),
        ("lhz", "冷湖镇"),
        ("文体", "市文体旅游广电局"),
    ],
)
def test_search_by_name_and_pinyin_initials(world, client_for, query, expected):
    response = client_for(world.office).get(reverse("org:unit-list"), {"q": query})
    assert [row.unit.name for row in response.context["rows"]] == [expected]


def test_search_never_leaves_scope(world, client_for):
    response = client_for(world.outsider).get(reverse("org:unit-list"), {"q": "wtl"})
    assert response.context["rows"] == []


def test_filter_by_kind(world, client_for):
    response = client_for(world.office).get(reverse("org:unit-list"), {"kind": UnitKind.TOWN})
    assert [row.unit.name for row in response.context["rows"]] == ["冷湖镇"]


def test_export_tree_is_filtered_and_audited(world, client_for):
    response = client_for(world.office).get(
        reverse("org:unit-list"), {"q": "wtl", "export": "xlsx"}
    )
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [row[0] for row in sheet.iter_rows(values_only=True)]
    assert "市文体旅游广电局" in values and "冷湖镇" not in values
    event = AuditEvent.objects.get(action="export")
    assert event.actor == world.office and "wtl" in event.note


def test_detail_shows_members_children_and_accountability(world, client_for):
    task = issued_task(world)[0]
    task.warning = "red"
    task.save(update_fields=["warning"])
    kind, _ = AccountabilityKind.objects.get_or_create(name="约谈")
    chain.record_accountability(
        actor=world.office, task=task, kind=kind, reason="逾期未报送", unit=world.unit_a
    )
    response = client_for(world.liaison).get(reverse("org:unit-detail", args=[world.unit_a.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "张三" in body and "科员" in body
    assert "办公室" in body  # the child unit
    assert "约谈" in body and "逾期未报送" in body
    assert reverse("campaigns:task-detail", args=[task.pk]) in body


def test_detail_masks_phone_for_leader_but_not_for_liaison(world, client_for):
    url = reverse("org:unit-detail", args=[world.unit_a.pk])
    leader_body = client_for(world.leader).get(url).content.decode()
    assert "139****5678" in leader_body and "13900005678" not in leader_body
    liaison_body = client_for(world.liaison).get(url).content.decode()
    assert "13900005678" in liaison_body
    sysadmin_body = client_for(world.sysadmin).get(url).content.decode()
    assert "13900005678" in sysadmin_body


def test_outsider_gets_404_on_unit_a(world, client_for):
    client = client_for(world.outsider)
    assert client.get(reverse("org:unit-detail", args=[world.unit_a.pk])).status_code == 404
    assert client.get(reverse("org:unit-detail", args=[world.section_a.pk])).status_code == 404


def test_sysadmin_creates_edits_deletes_and_restores_a_unit(world, client_for):
    client = client_for(world.sysadmin)
    response = client.post(
        reverse("org:unit-create"),
        {
            "name": "市图书馆",
            "short_name": "",
            "kind": UnitKind.DEPARTMENT,
            "parent": world.unit_a.pk,
            "sort_order": 5,
        },
    )
    unit = Unit.objects.get(name="市图书馆")
    assert response.status_code == 302 and unit.parent == world.unit_a
    assert unit.path == f"{world.unit_a.path}{unit.pk}/"
    response = client.post(
        reverse("org:unit-edit", args=[unit.pk]),
        {
            "name": "茫崖市图书馆",
            "short_name": "图书馆",
            "kind": UnitKind.DEPARTMENT,
            "parent": world.city.pk,
            "sort_order": 5,
        },
    )
    unit.refresh_from_db()
    assert response.status_code == 302
    assert (unit.name, unit.parent, unit.depth) == (
        "茫崖市图书馆",
        world.city,
        world.city.depth + 1,
    )
    assert client.post(reverse("org:unit-delete", args=[unit.pk])).status_code == 302
    unit.refresh_from_db()
    assert unit.deleted_at is not None
    listed = client.get(reverse("org:unit-list"), {"deleted": "1"})
    assert [row.unit for row in listed.context["rows"]] == [unit]
    assert client.post(reverse("org:unit-restore", args=[unit.pk])).status_code == 302
    unit.refresh_from_db()
    assert unit.deleted_at is None
    actions = set(
        AuditEvent.objects.filter(object_type="org.unit", object_id=str(unit.pk)).values_list(
            "action", flat=True
        )
    )
    assert actions == {"create", "update", "delete", "restore"}


def test_duplicate_name_is_refused_at_the_field(world, client_for):
    response = client_for(world.sysadmin).post(
        reverse("org:unit-create"),
        {"name": "办公室", "kind": UnitKind.SECTION, "parent": world.unit_a.pk, "sort_order": 0},
    )
    assert response.status_code == 200
    assert "已有名为“办公室”的单位" in str(response.context["form"].errors["name"])
    assert Unit.objects.filter(name="办公室").count() == 1


def test_unit_with_members_cannot_be_deleted(world, client_for):
    client_for(world.sysadmin).post(reverse("org:unit-delete", args=[world.section_a.pk]))
    world.section_a.refresh_from_db()
    assert world.section_a.deleted_at is None


def test_parent_picker_offers_only_units_in_scope(world, client_for):
    from luoshi.org import services as org
    from luoshi.org.models import Role, RoleGrant, Scope

    # 三员分立: an admin account holds no other role, so the business roles go first.
    RoleGrant.objects.filter(person=world.staff).delete()
    org.grant_role(
        actor=None,
        person=world.staff,
        role=Role.SYSADMIN,
        unit=world.unit_b,
        scope=Scope.SUBTREE,
        audit=False,
    )
    client = client_for(world.staff)
    form = client.get(reverse("org:unit-create")).context["form"]
    assert set(form.fields["parent"].queryset) == {world.unit_b}
    response = client.post(
        reverse("org:unit-create"),
        {"name": "新单位", "kind": UnitKind.DEPARTMENT, "parent": world.unit_a.pk, "sort_order": 0},
    )
    assert response.status_code == 200 and "parent" in response.context["form"].errors
    assert not Unit.objects.filter(name="新单位").exists()


def test_tree_query_count_does_not_grow(world, client_for, django_assert_max_num_queries):
    from luoshi.org import services as org

    for index in range(20):
        org.create_unit(
            actor=None,
            name=f"社区{index}",
            kind=UnitKind.COMMUNITY,
            parent=world.unit_b,
            audit=False,
        )
    client = client_for(world.office)
    with django_assert_max_num_queries(15):
        client.get(reverse("org:unit-list"))
    assert len(selectors.unit_tree(world.office)) == 25


def test_only_an_all_scope_admin_may_add_a_top_level_unit(world, client_for):
    from luoshi.org import services as org
    from luoshi.org.models import Role, RoleGrant, Scope

    # 三员分立: an admin account holds no other role, so the business roles go first.
    RoleGrant.objects.filter(person=world.staff).delete()
    org.grant_role(
        actor=None,
        person=world.staff,
        role=Role.SYSADMIN,
        unit=world.unit_b,
        scope=Scope.SUBTREE,
        audit=False,
    )
    data = {"name": "新州", "kind": UnitKind.PREFECTURE, "parent": "", "sort_order": 0}
    response = client_for(world.staff).post(reverse("org:unit-create"), data)
    assert response.status_code == 200, response
    assert "只有数据范围为“全部”" in str(response.context["form"].errors["parent"])
    assert client_for(world.sysadmin).post(reverse("org:unit-create"), data).status_code == 302
    assert Unit.objects.get(name="新州").parent is None


def test_restore_refused_when_the_name_is_taken_again(world, client_for):
    from luoshi.org import services as org

    client = client_for(world.sysadmin)
    old = org.create_unit(
        actor=None, name="档案室", kind=UnitKind.SECTION, parent=world.unit_b, audit=False
    )
    client.post(reverse("org:unit-delete", args=[old.pk]))
    org.create_unit(
        actor=None, name="档案室", kind=UnitKind.SECTION, parent=world.unit_b, audit=False
    )
    response = client.post(reverse("org:unit-restore", args=[old.pk]), follow=True)
    assert "不能恢复" in response.content.decode()
    old.refresh_from_db()
    assert old.deleted_at is not None


def test_restore_is_404_outside_manage_scope(world, client_for):
    from luoshi.org import services as org

    old = org.create_unit(
        actor=None, name="档案室", kind=UnitKind.SECTION, parent=world.unit_a, audit=False
    )
    org.delete_unit(actor=world.sysadmin, unit=old)
    for persona in ("office", "outsider", "secadmin"):
        response = client_for(getattr(world, persona)).post(
            reverse("org:unit-restore", args=[old.pk])
        )
        assert response.status_code == 404


def test_edit_sets_the_unit_leader_among_its_members(world, client_for):
    client = client_for(world.sysadmin)
    data = {
        "name": "市文体旅游广电局",
        "kind": UnitKind.DEPARTMENT,
        "parent": world.city.pk,
        "sort_order": 0,
    }
    response = client.post(
        reverse("org:unit-edit", args=[world.unit_a.pk]), {**data, "leader": world.outsider.pk}
    )
    assert "leader" in response.context["form"].errors
    response = client.post(
        reverse("org:unit-edit", args=[world.unit_a.pk]), {**data, "leader": world.liaison.pk}
    )
    assert response.status_code == 302
    world.unit_a.refresh_from_db()
    assert world.unit_a.leader == world.liaison


def test_self_scope_sees_no_units_but_a_link_to_own_record(world, client_for):
    response = client_for(world.staff).get(reverse("org:unit-list"))
    assert response.context["rows"] == []
    assert reverse("org:person-detail", args=[world.staff.pk]) in response.content.decode()
