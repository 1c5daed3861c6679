"""Personas for every test: the campaign office, a liaison and staff of unit A, a leader, and an
outsider (liaison of unit B) who must get 404 on everything of unit A."""

import pytest
from django.test import Client
from pytest_django.plugin import blocking_manager_key

from luoshi.testing import World, build_world


def _transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    names = getattr(item, "fixturenames", ())
    return bool(
        (marker is not None and marker.kwargs.get("transaction"))
        or "live_server" in names
        or "transactional_db" in names
    )


_MIGRATED_ROWS: list[str] = []  # the test database as the migrations left it, serialised


@pytest.fixture(scope="session", autouse=True)
def _migrated_rows(django_db_setup, django_db_blocker):
    """Keep the rows the data migrations wrote (accountability kinds, media channels…)."""
    from django.db import connections

    with django_db_blocker.unblock():
        connection = connections["default"]
        # pytest-django sets up no database when no collected test uses one (a run of only
        # lib tests): then there is nothing to keep.
        if "django_migrations" in connection.introspection.table_names():
            _MIGRATED_ROWS.append(connection.creation.serialize_db_to_string())


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A test with committed data (live server, transaction=True) ends with the database
    flushed: put the migrations' rows back for the tests that follow on this worker, whatever
    order xdist gives them."""
    result = yield
    # The last test of a worker has none to restore for, and by now its teardown has dropped the
    # test database with the session's fixtures.
    if _transactional(item) and _MIGRATED_ROWS and nextitem is not None:
        with item.config.stash[blocking_manager_key].unblock():
            _restore_migrated_rows(_MIGRATED_ROWS[0])
    return result


def _restore_migrated_rows(contents: str) -> None:
    """The rows the data migrations wrote; content types and permissions, which the flush's
    post_migrate already recreated, are left as they are."""
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType
    from django.core import serializers
    from django.db import transaction

    with transaction.atomic():
        for restored in serializers.deserialize("json", contents):
            if isinstance(restored.object, ContentType | Permission):
                continue
            restored.save()


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
