"""A write that cannot get SQLite's lock within the busy timeout is a 503 "系统繁忙" — a page
with Retry-After, or on the API a JSON error with code `busy` — never a 500. The lock is held
from a second connection; the request's own connection waits only a tiny busy timeout."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError, connection, connections
from django.test import RequestFactory
from django.urls import reverse

from luoshi.lib.busy import BusyDatabaseMiddleware, is_busy

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's single writer lock")


def test_only_lock_errors_count_as_busy():
    assert is_busy(OperationalError("database is locked"))
    assert is_busy(OperationalError("database table is locked"))
    assert not is_busy(OperationalError("no such table: x"))
    assert not is_busy(ValueError("database is locked"))
    middleware = BusyDatabaseMiddleware(lambda request: None)  # type: ignore[arg-type,return-value]
    request = RequestFactory().get("/")
    assert middleware.process_exception(request, OperationalError("no such table: x")) is None


@pytest.fixture
def write_lock_held(monkeypatch):
    """SQLite's write lock taken by another connection; this one waits at most 0.05 s."""
    monkeypatch.setitem(connection.settings_dict["OPTIONS"], "timeout", 0.05)
    connection.close()  # reconnects with the tiny timeout (a shared in-memory database never waits)
    other = connections.create_connection("default")
    other.ensure_connection()
    other.connection.execute("BEGIN IMMEDIATE")
    yield
    other.connection.execute("ROLLBACK")
    other.close()


def _upload(client, path):
    from luoshi.learning.models import Platform
    from luoshi.learning.tests.import_files import strong_nation_rows, xlsx_export

    rows = strong_nation_rows([("张三", "一支部", "", 10)])
    return client.post(
        path,
        {
            "platform": Platform.STRONG_NATION,
            "unit": client.unit_pk,
            "file": SimpleUploadedFile("学习强国积分.xlsx", xlsx_export(rows)),
        },
    )


@pytest.fixture
def liaison(world, client_for):
    client = client_for(world.liaison)
    client.unit_pk = world.unit_a.pk
    return client


@pytest.mark.django_db(transaction=True)
def test_a_page_whose_write_finds_the_lock_taken_gets_503(liaison, write_lock_held):
    response = _upload(liaison, reverse("learning:import-upload"))
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert "系统繁忙，请稍后重试。" in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_an_api_write_that_finds_the_lock_taken_gets_503_busy(liaison, write_lock_held):
    response = _upload(liaison, "/api/learning/imports")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json() == {"detail": "系统繁忙，请稍后重试。", "code": "busy"}


@pytest.mark.django_db(transaction=True)
def test_the_same_write_succeeds_once_the_lock_is_free(liaison):
    from luoshi.learning.models import PointImport

    assert _upload(liaison, "/api/learning/imports").status_code == 201
    assert PointImport.objects.count() == 1
