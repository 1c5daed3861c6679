"""While a password change is pending, the session and the account's tokens can do nothing
else: pages go to the change page, the API answers 403 with a code, no token can be created."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from luoshi.accounts import services
from luoshi.accounts.models import AccessToken, User
from luoshi.testing import PASSWORD

NEW_PASSWORD = "Qinghai#2026go"


@pytest.fixture
def pending(world):
    """staff with a valid token, then told to change the password (as after a reset)."""
    _token, secret = services.create_token(actor=world.staff, name="脚本")
    User.objects.filter(pk=world.staff.pk).update(must_change_password=True, is_demo=False)
    world.staff.refresh_from_db()
    return secret


def test_the_session_api_is_refused_with_a_code(world, client_for, pending):
    response = client_for(world.staff).get("/api/tasks")
    assert response.status_code == 403
    assert response.json()["code"] == "password_change_required"


def test_existing_tokens_wait_for_the_change(world, pending):
    response = Client().get("/api/tasks", headers={"Authorization": f"Bearer {pending}"})
    assert response.status_code == 403
    assert response.json()["code"] == "password_change_required"


def test_no_token_can_be_created_meanwhile(world, client_for, pending):
    before = AccessToken.objects.count()
    response = client_for(world.staff).post(reverse("accounts:token-create"), {"name": "绕过"})
    assert response.status_code == 302
    assert response.url == reverse("accounts:password-change") + "?expired=1"
    with pytest.raises(PermissionDenied):
        services.create_token(actor=world.staff, name="绕过")
    assert AccessToken.objects.count() == before


def test_profile_and_tokens_pages_go_to_the_change_page(world, client_for, pending):
    client = client_for(world.staff)
    for url in (reverse("accounts:profile"), reverse("accounts:notifications")):
        response = client.get(url)
        assert response.status_code == 302 and "expired=1" in response.url


def test_after_the_change_everything_works_again(world, client_for, pending):
    client = client_for(world.staff)
    response = client.post(
        reverse("accounts:password-change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert client.get("/api/tasks").status_code == 200
    token = Client().get("/api/tasks", headers={"Authorization": f"Bearer {pending}"})
    assert token.status_code == 200
