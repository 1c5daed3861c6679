"""三员分立: the system, security and audit administrators each hold one power, and no account
may hold two of the three roles."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from luoshi.org import services as org
from luoshi.org.access import has_perm
from luoshi.org.models import Role, RoleGrant, Scope

# What each admin may (True) and may not (False) do, by permission.
MATRIX = {
    "sysadmin": {
        "unit.manage": True,
        "person.manage": True,
        "role.manage": False,
        "security.manage": False,
        "audit.view": False,
        "task.view": False,
        "campaign.manage": False,
    },
    "secadmin": {
        "unit.manage": False,
        "person.manage": False,
        "role.manage": True,
        "security.manage": True,
        "audit.view": False,
        "task.view": False,
        "campaign.manage": False,
    },
    "auditor": {
        "unit.manage": False,
        "person.manage": False,
        "unit.view": False,
        "role.manage": False,
        "security.manage": False,
        "audit.view": True,
        "task.view": False,
        "campaign.manage": False,
    },
}
CASES = [(who, perm, allowed) for who, perms in MATRIX.items() for perm, allowed in perms.items()]


@pytest.mark.parametrize(("who", "perm", "allowed"), CASES)
def test_admin_permission_matrix(world, who, perm, allowed):
    assert has_perm(getattr(world, who), perm) is allowed


@pytest.mark.parametrize(
    ("who", "status"), [("auditor", 200), ("sysadmin", 404), ("secadmin", 404)]
)
@pytest.mark.parametrize("url_name", ["audit:event-list", "audit:event-export"])
def test_only_the_auditor_opens_the_audit_pages(client_for, world, who, status, url_name):
    assert client_for(getattr(world, who)).get(reverse(url_name)).status_code == status


def test_auditor_menu_shows_the_audit_log_and_nothing_to_manage(client_for, world):
    page = client_for(world.auditor).get(reverse("audit:event-list")).content.decode()
    assert reverse("audit:event-list") in page
    assert "组织机构" not in page and "角色授权" not in page and ">任务<" not in page


@pytest.mark.parametrize("who", ["sysadmin", "secadmin"])
def test_other_admins_have_no_audit_menu(client_for, world, who):
    page = client_for(getattr(world, who)).get(reverse("accounts:profile")).content.decode()
    assert reverse("audit:event-list") not in page


ADMINS = ["sysadmin", "secadmin", "auditor"]


@pytest.mark.parametrize(
    ("held", "extra"), [(held, extra) for held in ADMINS for extra in ADMINS if held != extra]
)
def test_no_account_holds_two_admin_roles(world, held, extra):
    person = getattr(world, held)
    actor = world.secadmin if held != "secadmin" else None
    with pytest.raises(ValidationError, match="不得由同一账号兼任"):
        org.grant_role(
            actor=actor, person=person, role=extra, unit=world.city, scope=Scope.ALL, audit=False
        )
    assert not RoleGrant.objects.filter(person=person, role=extra).exists()


def test_secadmin_grants_an_admin_role_to_a_plain_account(world):
    # A plain account holds no role at all (三员分立: an admin account holds nothing else).
    RoleGrant.objects.filter(person=world.staff2).delete()
    grant = org.grant_role(
        actor=world.secadmin, person=world.staff2, role=Role.AUDITOR, unit=world.city
    )
    assert grant.role == Role.AUDITOR
    assert has_perm(world.staff2, "audit.view")


def test_only_the_secadmin_grants_roles(world):
    for actor in (world.sysadmin, world.auditor, world.office):
        with pytest.raises(PermissionDenied):
            org.grant_role(actor=actor, person=world.staff2, role=Role.LEADER, unit=world.city)
