"""Who must use a second factor: the three administrators and the campaign office always, the
units the 安全管理员 chooses, and whoever was reset. Until they enrol, pages go to the enrolment
page, the API and their tokens answer 403 `mfa_enrolment_required`, and no token can be made."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from luoshi.accounts import services as accounts
from luoshi.accounts.models import AccessToken, User
from luoshi.audit.models import AuditEvent
from luoshi.mfa.models import EnrolmentDemand, UnitRequirement
from luoshi.testing import PASSWORD

from .conftest import ENROL, code_for, enrol, verified_client

POLICY = reverse("mfa:policy")
REQUIRE = reverse("mfa:unit-require")


def bearer(secret: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {secret}"})


def assert_must_enrol(client: Client) -> None:
    page = client.get("/workbench/")
    assert page.status_code == 302 and page["Location"] == ENROL
    api = client.get("/api/tasks")
    assert api.status_code == 403 and api.json()["code"] == "mfa_enrolment_required"


@pytest.mark.parametrize("persona", ["office", "sysadmin", "secadmin", "auditor"])
def test_the_admins_and_the_office_must_enrol(world, client_for, persona):
    assert_must_enrol(client_for(getattr(world, persona)))


@pytest.mark.parametrize("persona", ["liaison", "staff", "leader", "outsider"])
def test_others_need_not(world, client_for, persona):
    client = client_for(getattr(world, persona))
    assert client.get("/workbench/").status_code == 200
    assert client.get("/api/tasks").status_code == 200


def test_demo_accounts_are_exempt_under_the_demo_setting(world, client_for, settings):
    settings.MFA_EXEMPT_DEMO_ACCOUNTS = True
    assert client_for(world.office).get("/workbench/").status_code == 200
    User.objects.filter(pk=world.office.pk).update(is_demo=False)
    world.office.refresh_from_db()
    assert_must_enrol(client_for(world.office))


def test_tokens_wait_and_none_can_be_made_until_enrolment(world, client_for, settings):
    settings.MFA_EXEMPT_DEMO_ACCOUNTS = True
    _token, secret = accounts.create_token(actor=world.office, name="脚本")
    assert bearer(secret).get("/api/tasks").status_code == 200

    settings.MFA_EXEMPT_DEMO_ACCOUNTS = False
    response = bearer(secret).get("/api/tasks")
    assert response.status_code == 403 and response.json()["code"] == "mfa_enrolment_required"
    client = client_for(world.office)
    response = client.post(reverse("accounts:token-create"), {"name": "绕过"})
    assert response.status_code == 302 and response.url == ENROL
    with pytest.raises(PermissionDenied):
        accounts.create_token(actor=world.office, name="绕过")
    assert AccessToken.objects.filter(user=world.office).count() == 1

    client.get(ENROL)
    device = TOTPDevice.objects.get(user=world.office)
    assert client.post(ENROL, {"code": code_for(device)}).status_code == 200
    assert bearer(secret).get("/api/tasks").status_code == 200
    assert client.get("/workbench/").status_code == 200


def test_a_due_password_change_comes_first(world, client_for):
    User.objects.filter(pk=world.office.pk).update(must_change_password=True, is_demo=False)
    world.office.refresh_from_db()
    client = client_for(world.office)
    page = client.get("/workbench/")
    assert page.url == reverse("accounts:password-change") + "?expired=1"
    assert client.get(reverse("accounts:password-change")).status_code == 200
    new = "Qinghai#2026go"
    response = client.post(
        reverse("accounts:password-change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    assert_must_enrol(client)


# --- the 安全管理员's unit policy ---------------------------------------------------------------


@pytest.fixture
def secadmin_client(world):
    device, _codes = enrol(world.secadmin)
    return verified_client(world.secadmin, device)


def test_a_unit_requirement_reaches_its_subunits_and_is_audited(world, client_for, secadmin_client):
    response = secadmin_client.post(REQUIRE, {"unit": world.unit_a.pk})
    assert response.status_code == 302
    requirement = UnitRequirement.objects.get(unit=world.unit_a)
    assert requirement.required_by == world.secadmin
    event = AuditEvent.objects.get(verb="mfa_unit_require")
    assert event.actor == world.secadmin and event.object_id == str(world.unit_a.pk)

    assert_must_enrol(client_for(world.staff))  # member of unit A
    assert_must_enrol(client_for(world.staff2))  # member of a section below it
    assert client_for(world.outsider).get("/workbench/").status_code == 200  # unit B
    page = secadmin_client.get(POLICY)
    assert page.status_code == 200 and world.unit_a.name in page.content.decode()

    release = reverse("mfa:unit-release", args=[requirement.pk])
    assert secadmin_client.post(release).status_code == 302
    assert not UnitRequirement.objects.exists()
    assert AuditEvent.objects.filter(verb="mfa_unit_release", actor=world.secadmin).count() == 1
    assert client_for(world.staff).get("/workbench/").status_code == 200


@pytest.mark.parametrize("persona", ["sysadmin", "auditor", "office"])
def test_only_the_security_admin_sets_the_policy(world, persona):
    person = getattr(world, persona)
    device, _codes = enrol(person)
    client = verified_client(person, device)
    assert client.get(POLICY).status_code == 403
    assert client.post(REQUIRE, {"unit": world.unit_a.pk}).status_code == 403
    assert not UnitRequirement.objects.exists()


# --- resets --------------------------------------------------------------------------------------


def test_the_security_admin_resets_a_business_user(world, secadmin_client):
    device, _codes = enrol(world.staff)
    staff_session = verified_client(world.staff, device)
    _token, secret = accounts.create_token(actor=world.staff, name="脚本")

    page = secadmin_client.get(POLICY)
    assert world.staff.name in page.content.decode()
    response = secadmin_client.post(reverse("mfa:person-reset", args=[world.staff.pk]))
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=world.staff).exists()
    assert not StaticDevice.objects.filter(user=world.staff).exists()
    assert EnrolmentDemand.objects.get(user=world.staff).demanded_by == world.secadmin
    event = AuditEvent.objects.get(verb="mfa_reset")
    assert event.actor == world.secadmin and event.object_id == str(world.staff.pk)

    # Their session and their token wait until they enrol again, though staff need not by policy.
    assert_must_enrol(staff_session)
    assert bearer(secret).get("/api/tasks").json()["code"] == "mfa_enrolment_required"
    staff_session.get(ENROL)
    new = TOTPDevice.objects.get(user=world.staff)
    assert staff_session.post(ENROL, {"code": code_for(new)}).status_code == 200
    assert not EnrolmentDemand.objects.exists()
    assert staff_session.get("/workbench/").status_code == 200


@pytest.mark.parametrize("persona", ["sysadmin", "auditor", "secadmin"])
def test_an_admin_account_cannot_be_reset(world, secadmin_client, persona):
    target = getattr(world, persona)
    if target != world.secadmin:
        enrol(target)
    response = secadmin_client.post(reverse("mfa:person-reset", args=[target.pk]))
    assert response.status_code == 403
    assert TOTPDevice.objects.filter(user=target, confirmed=True).exists()
    assert not EnrolmentDemand.objects.exists()
    assert not AuditEvent.objects.filter(verb="mfa_reset").exists()


def test_nobody_else_can_reset(world):
    enrol(world.staff)
    device, _codes = enrol(world.sysadmin)
    client = verified_client(world.sysadmin, device)
    response = client.post(reverse("mfa:person-reset", args=[world.staff.pk]))
    assert response.status_code == 404
    assert TOTPDevice.objects.filter(user=world.staff, confirmed=True).exists()


def test_the_operator_resets_an_admin_at_the_console(world):
    from django.core.management import CommandError, call_command

    enrol(world.sysadmin)
    with pytest.raises(CommandError):
        call_command("mfa_reset", "sysadmin", reason="  ")
    assert TOTPDevice.objects.filter(user=world.sysadmin).exists()
    call_command("mfa_reset", "sysadmin", reason="手机遗失，已电话核实本人")
    assert not TOTPDevice.objects.filter(user=world.sysadmin).exists()
    assert EnrolmentDemand.objects.filter(user=world.sysadmin).exists()
    event = AuditEvent.objects.get(verb="mfa_reset")
    assert event.actor is None and "手机遗失" in event.note
