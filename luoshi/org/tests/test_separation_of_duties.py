"""三员分立 that holds: every admin role × every action on accounts × every kind of target.

An account holding 系统管理员, 安全管理员 or 审计管理员 holds no other role at all; no administrator
resets the password of, disables, unlocks, or sees or ends the tokens or sessions of another
administrator's account; the 系统管理员 resets passwords of business accounts only, and the reset
forces a change at the next login. Every cell calls the service (the layer that must hold, whatever
page or API calls it)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse

from luoshi.accounts import selectors as account_selectors
from luoshi.accounts import services as accounts
from luoshi.accounts.access import password_expired
from luoshi.accounts.models import AccessToken, User
from luoshi.org import services as org
from luoshi.org.models import ADMIN_ROLES, Role, RoleGrant, Scope

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Qinghai#2026go"

OK = "ok"
PERM = "perm"  # PermissionDenied: the actor's roles do not carry the permission at all
SEPARATION = "三员分立"  # refused by the separation of duties (ValidationError or PermissionDenied)
SELF = "self"  # one's own grants are never changed by oneself
HIDDEN = "404"  # the actor may not even look

ADMINS = ("sysadmin", "secadmin", "auditor")
TARGETS = ("business", "sysadmin", "secadmin", "auditor", "self")


def _row(business, sysadmin, secadmin, auditor, self):
    return dict(zip(TARGETS, (business, sysadmin, secadmin, auditor, self), strict=True))


# Granting a business role: only the 安全管理员 may, and never to an admin account.
_GRANT_BUSINESS = {
    "sysadmin": _row(PERM, PERM, PERM, PERM, PERM),
    "secadmin": _row(OK, SEPARATION, SEPARATION, SEPARATION, SELF),
    "auditor": _row(PERM, PERM, PERM, PERM, PERM),
}


def _grant_admin(role: str) -> dict[str, dict[str, str]]:
    """Granting an admin role: refused to an account that holds any other role (the business
    account holds 科员); the same admin role again (another unit or scope) is allowed."""
    secadmin = _row(
        SEPARATION,
        OK if role == Role.SYSADMIN else SEPARATION,
        OK if role == Role.SECADMIN else SEPARATION,
        OK if role == Role.AUDITOR else SEPARATION,
        SELF,
    )
    return {
        "sysadmin": _GRANT_BUSINESS["sysadmin"],
        "secadmin": secadmin,
        "auditor": _row(*[PERM] * 5),
    }


EXPECTED: dict[str, dict[str, dict[str, str]]] = {
    **{
        f"grant:{role}": _grant_admin(role) if role in ADMIN_ROLES else _GRANT_BUSINESS
        for role in Role.values
    },
    # Revoking a grant: the 安全管理员 (role.manage), never their own.
    "revoke": {
        "sysadmin": _row(PERM, PERM, PERM, PERM, PERM),
        "secadmin": _row(OK, OK, OK, OK, SELF),
        "auditor": _row(PERM, PERM, PERM, PERM, PERM),
    },
    # Resetting a password: the 系统管理员, business accounts only (own password is changed).
    "reset_password": {
        "sysadmin": _row(OK, SEPARATION, SEPARATION, SEPARATION, SEPARATION),
        "secadmin": _row(PERM, PERM, PERM, PERM, PERM),
        "auditor": _row(PERM, PERM, PERM, PERM, PERM),
    },
    # Disabling: the 系统管理员, business accounts only.
    "disable": {
        "sysadmin": _row(OK, SEPARATION, SEPARATION, SEPARATION, SEPARATION),
        "secadmin": _row(PERM, PERM, PERM, PERM, PERM),
        "auditor": _row(PERM, PERM, PERM, PERM, PERM),
    },
    # Lifting a lockout: the 安全管理员, not for another administrator.
    "unlock": {
        "sysadmin": _row(PERM, PERM, PERM, PERM, PERM),
        "secadmin": _row(OK, SEPARATION, SEPARATION, SEPARATION, OK),
        "auditor": _row(PERM, PERM, PERM, PERM, PERM),
    },
    # Seeing tokens: one's own, and the 安全管理员 a business account's.
    "see_tokens": {
        "sysadmin": _row(HIDDEN, HIDDEN, HIDDEN, HIDDEN, OK),
        "secadmin": _row(OK, SEPARATION, SEPARATION, SEPARATION, OK),
        "auditor": _row(HIDDEN, HIDDEN, HIDDEN, HIDDEN, OK),
    },
    "revoke_token": {
        "sysadmin": _row(PERM, PERM, PERM, PERM, OK),
        "secadmin": _row(OK, SEPARATION, SEPARATION, SEPARATION, OK),
        "auditor": _row(PERM, PERM, PERM, PERM, OK),
    },
    # Sessions: one's own, and the 安全管理员 a business account's.
    "see_sessions": {
        "sysadmin": _row(HIDDEN, HIDDEN, HIDDEN, HIDDEN, OK),
        "secadmin": _row(OK, SEPARATION, SEPARATION, SEPARATION, OK),
        "auditor": _row(HIDDEN, HIDDEN, HIDDEN, HIDDEN, OK),
    },
    "end_sessions": {
        "sysadmin": _row(PERM, PERM, PERM, PERM, OK),
        "secadmin": _row(OK, SEPARATION, SEPARATION, SEPARATION, OK),
        "auditor": _row(PERM, PERM, PERM, PERM, OK),
    },
}

CELLS = [
    (action, actor, target)
    for action, by_actor in EXPECTED.items()
    for actor in ADMINS
    for target in TARGETS
]


@pytest.fixture
def other_admins(world) -> dict[str, User]:
    """A second account for each admin role, so that "another administrator" is never oneself."""
    accounts_by_role = {}
    for name, role in (
        ("sysadmin", Role.SYSADMIN),
        ("secadmin", Role.SECADMIN),
        ("auditor", Role.AUDITOR),
    ):
        person = org.create_person(
            actor=None,
            username=f"{name}2",
            name=f"另一{Role(role).label}",
            unit=world.office_unit,
            password=NEW_PASSWORD,
            must_change_password=False,
            is_demo=True,
            audit=False,
        )
        org.grant_role(
            actor=None, person=person, role=role, unit=world.city, scope=Scope.ALL, audit=False
        )
        accounts_by_role[name] = person
    return accounts_by_role


def _target(world, other_admins, actor: User, target: str) -> User:
    if target == "self":
        return actor
    return world.staff if target == "business" else other_admins[target]


def _act(world, action: str, actor: User, person: User) -> None:
    if action.startswith("grant:"):
        role = action.removeprefix("grant:")
        org.grant_role(actor=actor, person=person, role=role, unit=world.city, scope=Scope.UNIT)
    elif action == "revoke":
        org.revoke_role(actor=actor, grant=RoleGrant.objects.filter(person=person).earliest("pk"))
    elif action == "reset_password":
        org.set_initial_password(actor=actor, person=person, password=NEW_PASSWORD)
    elif action == "disable":
        org.update_person(actor=actor, person=person, is_active=False)
    elif action == "unlock":
        accounts.unlock_account(actor=actor, username=person.username, ip="10.0.0.9")
    elif action == "see_tokens":
        list(account_selectors.tokens_of(actor, person))
    elif action == "revoke_token":
        accounts.revoke_token(actor=actor, token=person.access_tokens.get())
    elif action == "see_sessions":
        list(account_selectors.sessions_of(actor, person))
    elif action == "end_sessions":
        accounts.end_sessions(actor=actor, person=person)
    else:
        raise AssertionError(action)


@pytest.mark.parametrize(("action", "actor_name", "target_name"), CELLS)
def test_separation_of_duties_matrix(world, other_admins, action, actor_name, target_name):
    actor = getattr(world, actor_name)
    person = _target(world, other_admins, actor, target_name)
    accounts.create_token(actor=person, name="对接脚本")
    accounts.start_session(user=person, session_key="k" * 32, user_agent="iPhone", ip="10.0.0.9")
    before = (User.objects.get(pk=person.pk).password, RoleGrant.objects.count())
    expected = EXPECTED[action][actor_name][target_name]
    if expected == OK:
        _act(world, action, actor, person)
        return
    error: type[Exception] = {HIDDEN: Http404, SELF: ValidationError, PERM: PermissionDenied}.get(
        expected, Exception
    )
    with pytest.raises(error) as refused:
        _act(world, action, actor, person)
    message = " ".join(getattr(refused.value, "messages", [str(refused.value)]))
    if expected == SEPARATION:
        assert isinstance(refused.value, PermissionDenied | ValidationError)
        assert "三员分立" in message
    elif expected == PERM:
        assert "三员分立" not in message and "没有此项操作的权限" in message
    elif expected == SELF:
        assert "自己" in message
    # Nothing changed.
    assert (User.objects.get(pk=person.pk).password, RoleGrant.objects.count()) == before
    assert person.access_tokens.get().revoked_at is None
    assert User.objects.get(pk=person.pk).is_active
    assert person.login_sessions.count() == 1


def test_an_admin_account_holds_no_business_role_whoever_grants(world):
    """Also the system itself (actor None: demo, imports) cannot combine them."""
    for admin in (world.sysadmin, world.secadmin, world.auditor):
        with pytest.raises(ValidationError, match="三员分立"):
            org.grant_role(actor=None, person=admin, role=Role.STAFF, unit=world.unit_a)
    with pytest.raises(ValidationError, match="三员分立"):
        org.grant_role(actor=None, person=world.office, role=Role.AUDITOR, unit=world.city)


def test_an_admin_role_goes_to_an_account_without_roles(world):
    RoleGrant.objects.filter(person=world.staff2).delete()
    grant = org.grant_role(
        actor=world.secadmin, person=world.staff2, role=Role.SECADMIN, unit=world.city
    )
    assert grant.role == Role.SECADMIN


def test_a_reset_by_the_system_administrator_forces_a_change_at_next_login(world, client):
    User.objects.filter(pk=world.staff.pk).update(is_demo=False)
    world.staff.refresh_from_db()
    org.set_initial_password(actor=world.sysadmin, person=world.staff, password=NEW_PASSWORD)
    world.staff.refresh_from_db()
    assert password_expired(world.staff)
    response = client.post(
        reverse("accounts:login"), {"username": "staff", "password": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert client.get(reverse("accounts:profile")).url == (
        reverse("accounts:password-change") + "?expired=1"
    )


def test_pages_hide_what_may_not_be_used(world, client_for):
    sysadmin = client_for(world.sysadmin)
    business = sysadmin.get(reverse("org:person-detail", args=[world.staff.pk])).content.decode()
    admin = sysadmin.get(reverse("org:person-detail", args=[world.secadmin.pk])).content.decode()
    password_url = reverse("org:person-password", args=[world.staff.pk])
    assert password_url in business
    assert reverse("org:person-password", args=[world.secadmin.pk]) not in admin
    edit = sysadmin.get(reverse("org:person-edit", args=[world.secadmin.pk]))
    assert edit.context["form"].fields["is_active"].disabled
    # Posting anyway is refused with the reason on the form; the password is unchanged.
    before = User.objects.get(pk=world.secadmin.pk).password
    response = sysadmin.post(
        reverse("org:person-password", args=[world.secadmin.pk]),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert "三员分立" in response.content.decode()
    assert User.objects.get(pk=world.secadmin.pk).password == before


def test_lockout_page_offers_no_release_for_an_admin_account(world, client, client_for):
    for username in ("staff", "sysadmin"):
        for _ in range(5):
            client.post(
                reverse("accounts:login"),
                {"username": username, "password": "wrong"},
                REMOTE_ADDR="10.0.0.7",
            )
    rows = client_for(world.secadmin).get(reverse("accounts:lockout-list")).context["lockouts"]
    assert {row["username"]: row["may_release"] for row in rows} == {
        "staff": True,
        "sysadmin": False,
    }
    response = client_for(world.secadmin).post(
        reverse("accounts:lockout-release"), {"username": "sysadmin", "ip": "10.0.0.7"}
    )
    assert response.status_code == 302
    assert AccessToken.objects.count() == 0  # nothing else touched
