"""Role grants through HTTP (三员分立 included) and the per-feature data scope."""

import io

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from openpyxl import load_workbook

from luoshi.audit.models import AuditEvent
from luoshi.campaigns import services as chain
from luoshi.campaigns.models import TaskState
from luoshi.org import services as org
from luoshi.org.access import scope_for
from luoshi.org.models import Role, RoleGrant, Scope
from luoshi.testing import issued_task

pytestmark = pytest.mark.django_db


def grant(client, **data):
    return client.post(reverse("org:grant-create"), data)


def test_secadmin_grants_and_revokes_a_role(world, client_for):
    client = client_for(world.secadmin)
    response = grant(
        client, person=world.staff.pk, role=Role.LIAISON, unit=world.unit_a.pk, scope=Scope.UNIT
    )
    assert response.status_code == 302
    created = RoleGrant.objects.get(person=world.staff, role=Role.LIAISON)
    assert (created.unit, created.scope, created.granted_by) == (
        world.unit_a,
        Scope.UNIT,
        world.secadmin,
    )
    assert AuditEvent.objects.filter(action="grant", actor=world.secadmin).exists()
    listed = client.get(reverse("org:grant-list"), {"role": Role.LIAISON})
    assert created in listed.context["page"].object_list
    assert client.post(reverse("org:grant-revoke", args=[created.pk])).status_code == 302
    assert not RoleGrant.objects.filter(pk=created.pk).exists()
    assert AuditEvent.objects.filter(action="revoke").exists()


def test_custom_scope_with_units(world, client_for):
    client = client_for(world.secadmin)
    response = client.post(
        reverse("org:grant-create"),
        {
            "person": world.leader.pk,
            "role": Role.LEADER,
            "unit": world.unit_b.pk,
            "scope": Scope.CUSTOM,
            "custom_units": [world.unit_a.pk, world.unit_b.pk],
        },
    )
    assert response.status_code == 302
    created = RoleGrant.objects.get(person=world.leader, unit=world.unit_b)
    assert set(created.custom_units.all()) == {world.unit_a, world.unit_b}
    missing = grant(
        client, person=world.staff.pk, role=Role.LEADER, unit=world.unit_b.pk, scope=Scope.CUSTOM
    )
    assert "custom_units" in missing.context["form"].errors


@pytest.mark.parametrize("second_role", [Role.SECADMIN, Role.AUDITOR])
def test_three_admin_roles_cannot_be_combined(world, client_for, second_role):
    response = grant(
        client_for(world.secadmin),
        person=world.sysadmin.pk,
        role=second_role,
        unit=world.city.pk,
        scope=Scope.ALL,
    )
    assert response.status_code == 200
    message = str(response.context["form"].errors["role"])
    assert "不得由同一账号兼任" in message
    assert "不得由同一账号兼任" in response.content.decode()
    assert not RoleGrant.objects.filter(person=world.sysadmin, role=second_role).exists()


def test_secadmin_cannot_grant_to_self(world, client_for):
    response = grant(
        client_for(world.secadmin),
        person=world.secadmin.pk,
        role=Role.OFFICE,
        unit=world.city.pk,
        scope=Scope.ALL,
    )
    assert "person" in response.context["form"].errors


@pytest.mark.parametrize("persona", ["sysadmin", "office", "liaison", "auditor", "outsider"])
def test_only_secadmin_manages_grants(world, client_for, persona):
    client = client_for(getattr(world, persona))
    assert client.get(reverse("org:grant-list")).status_code == 403
    assert (
        grant(
            client, person=world.staff.pk, role=Role.OFFICE, unit=world.city.pk, scope=Scope.ALL
        ).status_code
        == 403
    )
    existing = RoleGrant.objects.filter(person=world.staff).first()
    response = client.post(reverse("org:grant-revoke", args=[existing.pk]))
    assert response.status_code == 404
    assert RoleGrant.objects.filter(pk=existing.pk).exists()


def test_grant_list_filters_and_export(world, client_for):
    client = client_for(world.secadmin)
    by_person = client.get(reverse("org:grant-list"), {"person": "zs"}).context["page"].object_list
    assert {g.person for g in by_person} == {world.staff}
    by_unit = client.get(reverse("org:grant-list"), {"unit": "lhz"}).context["page"].object_list
    assert {g.person for g in by_unit} == {world.outsider}
    response = client.get(reverse("org:grant-list"), {"role": Role.LIAISON, "export": "xlsx"})
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    names = {row[0] for row in rows[3:]}
    assert names == {"李晓梅", "马海燕"}
    assert AuditEvent.objects.filter(action="export", object_type="org.rolegrant").exists()


# --- Per-feature scope -----------------------------------------------------------------------


def test_liaison_of_a_and_staff_of_b_signs_only_for_a(world):
    """Scope is per feature: being staff in B gives no liaison powers there."""
    org.grant_role(
        actor=None,
        person=world.liaison,
        role=Role.STAFF,
        unit=world.unit_b,
        scope=Scope.UNIT,
        audit=False,
    )
    task_a, task_b = issued_task(world, units=[world.unit_a, world.unit_b])
    chain.sign_task(actor=world.liaison, task=task_a)
    assert task_a.state == TaskState.SIGNED
    with pytest.raises(PermissionDenied):
        chain.sign_task(actor=world.liaison, task=task_b)
    task_b.refresh_from_db()
    assert task_b.state == TaskState.ISSUED
    sign_scope = scope_for(world.liaison, "task.sign")
    assert sign_scope.contains(world.unit_a) and not sign_scope.contains(world.unit_b)
    assert scope_for(world.liaison, "task.view").contains(world.unit_b)


def test_per_feature_scope_in_pickers(world, client_for):
    org.grant_role(
        actor=None,
        person=world.liaison,
        role=Role.STAFF,
        unit=world.unit_b,
        scope=Scope.UNIT,
        audit=False,
    )
    client = client_for(world.liaison)
    signable = client.get(reverse("org:unit-picker"), {"perm": "task.sign"}).json()["results"]
    assert {item["text"] for item in signable} == {"市文体旅游广电局", "办公室"}
    viewable = client.get(reverse("org:unit-picker"), {"perm": "task.view"}).json()["results"]
    assert "冷湖镇" in {item["text"] for item in viewable}


def test_grant_list_query_count_does_not_grow(world, client_for, django_assert_max_num_queries):
    for person in (world.staff, world.staff2, world.leader):
        org.grant_role(
            actor=None,
            person=person,
            role=Role.LEADER,
            unit=world.unit_b,
            scope=Scope.CUSTOM,
            custom_units=[world.unit_a, world.unit_b],
            audit=False,
        )
    client = client_for(world.secadmin)
    with django_assert_max_num_queries(15):
        response = client.get(reverse("org:grant-list"))
    assert len(response.context["page"].object_list) == 13


def test_secadmin_cannot_revoke_own_grant(world, client_for):
    own = RoleGrant.objects.get(person=world.secadmin, role=Role.SECADMIN)
    response = client_for(world.secadmin).post(
        reverse("org:grant-revoke", args=[own.pk]), follow=True
    )
    assert "不能撤销自己的授权" in response.content.decode()
    assert RoleGrant.objects.filter(pk=own.pk).exists()
