"""The profile page and personal access tokens."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from luoshi.accounts import services
from luoshi.accounts.backends import AccessTokenBackend
from luoshi.accounts.models import AccessToken
from luoshi.audit.models import AuditEvent

PROFILE = reverse("accounts:profile")


def test_profile_shows_own_data_units_and_roles(client_for, world):
    page = client_for(world.liaison).get(PROFILE).content.decode()
    assert "李晓梅" in page and "wtl" in page
    assert "138****5678" in page
    assert "市文体旅游广电局" in page and "办公室主任" in page
    assert "联络员" in page and "干部职工" in page and "本单位及下级" in page


def test_token_secret_is_shown_once_and_only_its_hash_stored(client_for, world):
    client = client_for(world.staff)
    response = client.post(
        reverse("accounts:token-create"), {"name": "数据对接脚本", "valid_days": "30"}
    )
    page = response.content.decode()
    token = AccessToken.objects.get(user=world.staff)
    secret = next(word for word in page.replace('"', " ").split() if word.startswith("ls_"))
    assert token.token_hash == AccessToken.hash(secret) and token.name == "数据对接脚本"
    assert token.expires_at is not None
    assert secret not in client.get(PROFILE).content.decode()
    assert AccessTokenBackend().authenticate(None, token=secret) == world.staff
    event = AuditEvent.objects.get(verb="token_create")
    assert event.actor == world.staff and event.action == AuditEvent.Action.SECURITY
    assert secret not in str(event.changes)


def test_token_without_name_is_refused(client_for, world):
    response = client_for(world.staff).post(reverse("accounts:token-create"), {"name": " "})
    assert response.status_code == 200
    assert "这个字段是必填项" in response.content.decode()
    assert not AccessToken.objects.exists()


def test_revoked_token_no_longer_authenticates(client_for, world):
    token, secret = services.create_token(actor=world.staff, name="脚本")
    response = client_for(world.staff).post(reverse("accounts:token-revoke", args=[token.pk]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AccessTokenBackend().authenticate(None, token=secret) is None
    assert AuditEvent.objects.filter(verb="token_revoke", actor=world.staff).exists()


def test_nobody_revokes_another_persons_token_through_the_page(client_for, world):
    token, _secret = services.create_token(actor=world.staff, name="脚本")
    for person in (world.staff2, world.outsider, world.secadmin):
        response = client_for(person).post(reverse("accounts:token-revoke", args=[token.pk]))
        assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_revoke_service_allows_owner_and_security_admin_only(world):
    token, _secret = services.create_token(actor=world.staff, name="脚本")
    with pytest.raises(PermissionDenied):
        services.revoke_token(actor=world.liaison, token=token)
    services.revoke_token(actor=world.secadmin, token=token)
    token.refresh_from_db()
    assert token.revoked_at is not None
