"""Two writers at once: the same person checking in twice to the same activity (a double tap,
two tabs) gives one record and a clear answer; two records of the same cell counted at once are
both counted. Real threads on their own database connections (transactional tests)."""

import threading

import pytest
from django.db import connection
from django.utils import timezone

from luoshi.ledgers import services
from luoshi.ledgers.models import LedgerCount, Participation

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _a_database_two_connections_write_to(transactional_db):
    """An in-memory SQLite test database is one shared cache with table locks, not a database
    two connections write to: run these with LUOSHI_TEST_SQLITE_NAME=<file> or on PostgreSQL."""
    in_memory = getattr(connection, "is_in_memory_db", lambda: False)()
    if connection.vendor == "sqlite" and in_memory:
        pytest.skip("concurrent writers need a database file or PostgreSQL")


def _at_once(count: int, work):
    """Run work(index) in `count` threads released together; their results (or exceptions)."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(index: int) -> None:
        try:
            barrier.wait()
            results[index] = work(index)
        except Exception as error:  # noqa: BLE001 — handed back to the test
            results[index] = error
        finally:
            connection.close()  # each thread's own connection

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_two_check_ins_at_once_give_one_record(world, meeting):
    activity = services.record_activity(
        actor=world.liaison,
        activity_type=meeting,
        unit=world.unit_a,
        title="周例会",
        starts_at=timezone.now(),
    )
    results = _at_once(
        2, lambda _index: services.check_in(actor=world.staff, code=activity.checkin_code)
    )
    assert sorted(created for _activity, created in results) == [False, True], results
    assert Participation.objects.filter(activity=activity, person=world.staff).count() == 1
    # The one who came second is told so on the page, in plain words.
    _activity, created = services.check_in(actor=world.staff, code=activity.checkin_code)
    assert created is False


def test_a_check_in_of_someone_listed_by_hand_is_not_a_second_record(world, meeting):
    activity = services.record_activity(
        actor=world.liaison,
        activity_type=meeting,
        unit=world.unit_a,
        title="周例会",
        starts_at=timezone.now(),
        participants=[world.staff],
    )
    _activity, created = services.check_in(actor=world.staff, code=activity.checkin_code)
    assert created is False
    assert Participation.objects.get(activity=activity, person=world.staff).source == "hand"


def test_records_counted_at_once_are_all_counted(world, meeting):
    now = timezone.now()
    results = _at_once(
        3,
        lambda index: services.record_activity(
            actor=world.liaison,
            activity_type=meeting,
            unit=world.unit_a,
            title=f"周例会 {index}",
            starts_at=now,
        ),
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    own = LedgerCount.objects.get(unit=world.unit_a, type=meeting)
    assert (own.own, own.subtree) == (3, 3)
