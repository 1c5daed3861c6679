"""Personas for every test: the campaign office, a liaison and staff of unit A, a leader, and an
outsider (liaison of unit B) who must get 404 on everything of unit A."""

import pytest
from django.test import Client

from luoshi.testing import World, build_world


@pytest.fixture(autouse=True)
def _fast_settings(settings, tmp_path):
    """Files in a temporary folder, plain static storage, and a fast password hasher (tests that
    check Argon2 itself set PASSWORD_HASHERS back)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def world(db) -> World:
    return build_world()


def _client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def client_for():
    return _client_for
