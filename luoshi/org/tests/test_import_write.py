"""The people import saves in one short write: rows are prepared outside any transaction, then
accounts and posts go in by bulk insert with one audit event."""

import threading

import pytest
from django.db import connection, transaction

from luoshi.accounts.models import User
from luoshi.audit.models import AuditEvent
from luoshi.org import imports, services
from luoshi.org.models import Membership

from .test_imports import people_sheet


def rows(count: int) -> list[list]:
    return [
        [f"人员{n:05d}", f"person{n:05d}", "市文体旅游广电局", "科员", f"139{n:08d}", ""]
        for n in range(count)
    ]


@pytest.mark.django_db
def test_bulk_created_people_have_their_phone_hash_posts_and_one_audit_event(world):
    events = AuditEvent.objects.count()
    result = imports.import_people(
        actor=world.sysadmin, data=people_sheet(*rows(3)), filename="people.xlsx"
    )
    assert result.ok, result.errors
    person = User.objects.get(username="person00001")
    assert person.phone == "13900000001"
    assert User.objects.get(phone_hash=User.phone_hash.field.hash_of("13900000001")) == person
    assert person.pinyin and not person.has_usable_password() and person.must_change_password
    assert Membership.objects.get(person=person).unit == world.unit_a
    assert [person.pk for person in result.created] == list(
        User.objects.filter(username__startswith="person")
        .order_by("username")
        .values_list("pk", flat=True)
    )
    event = AuditEvent.objects.get(action="import")
    assert (event.object_type, event.object_repr, event.note) == (
        "accounts.user",
        "people.xlsx",
        "导入人员 3 人",
    )
    assert AuditEvent.objects.count() == events + 1


@pytest.mark.django_db
def test_a_username_registered_after_validation_fails_its_row_and_saves_nothing(world, monkeypatch):
    original = imports.prepare_people

    def register_meanwhile(rows, units):
        services.create_person(
            actor=None, username="PERSON00001", name="抢先", unit=world.unit_a, audit=False
        )
        return original(rows, units)

    monkeypatch.setattr(imports, "prepare_people", register_meanwhile)
    before = User.objects.count()
    result = imports.import_people(actor=world.sysadmin, data=people_sheet(*rows(3)))
    assert result.errors == [imports.RowError(3, "登录账号", "登录账号“PERSON00001”已被使用。")]
    assert User.objects.count() == before + 1  # only the one registered meanwhile
    assert not AuditEvent.objects.filter(action="import").exists()


@pytest.mark.django_db(transaction=True)
def test_a_write_completes_while_a_large_people_import_is_prepared(world, monkeypatch):
    """The import thread stops inside the per-row preparation until the other thread's write has
    committed: were the preparation inside the import's transaction (SQLite: BEGIN IMMEDIATE),
    the write could not get the lock; now it commits at once and the import then completes."""
    preparing, write_done = threading.Event(), threading.Event()
    original = services.new_person

    def paused(**kwargs):
        if not preparing.is_set():
            preparing.set()
            if not write_done.wait(timeout=60):  # a safety net against a hang, not a timing assert
                raise AssertionError("the other write never completed")
        return original(**kwargs)

    monkeypatch.setattr(services, "new_person", paused)
    data = people_sheet(*rows(2000))
    outcome: dict[str, object] = {}

    def run_import():
        try:
            outcome["result"] = imports.import_people(actor=world.sysadmin, data=data)
        except BaseException as exc:  # handed to the test thread
            outcome["error"] = exc
        finally:
            connection.close()

    worker = threading.Thread(target=run_import)
    worker.start()
    try:
        assert preparing.wait(timeout=60)
        with transaction.atomic():
            User.objects.filter(pk=world.staff.pk).update(name="写入未被导入阻塞")
    finally:
        write_done.set()
        worker.join()
    assert "error" not in outcome, outcome.get("error")
    assert outcome["result"].ok, outcome["result"].errors
    assert User.objects.get(pk=world.staff.pk).name == "写入未被导入阻塞"
    assert User.objects.filter(username__startswith="person").count() == 2000
    assert Membership.objects.filter(person__username__startswith="person").count() == 2000
