"""The Django admin pages of the accounts app open for a superuser; tokens cannot be added there."""

import pytest
from django.urls import reverse

from luoshi.accounts import services
from luoshi.accounts.models import User


@pytest.fixture
def root_client(client, world):
    root = User.objects.create_superuser(
        "root", password="Root#2026pass", name="超级管理员", must_change_password=False
    )
    client.force_login(root)
    return client


def test_admin_pages_open(root_client, world):
    token, _secret = services.create_token(actor=world.staff, name="脚本")
    for url in (
        reverse("admin:accounts_user_changelist") + "?q=zs",
        reverse("admin:accounts_user_add"),
        reverse("admin:accounts_user_change", args=[world.staff.pk]),
        reverse("admin:accounts_accesstoken_changelist"),
        reverse("admin:accounts_accesstoken_change", args=[token.pk]),
        reverse("admin:accounts_notification_changelist"),
    ):
        assert root_client.get(url).status_code == 200, url


def test_tokens_are_not_added_in_the_admin(root_client):
    assert root_client.get(reverse("admin:accounts_accesstoken_add")).status_code == 403


def test_token_page_is_not_cached(client_for, world):
    response = client_for(world.staff).post(reverse("accounts:token-create"), {"name": "脚本"})
    assert "no-store" in response.headers["Cache-Control"]
