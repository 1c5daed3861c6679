"""The issue's case: 200 volunteers sign up at once for one 30-place activity — exactly 30 are
accepted, 170 wait-listed, nobody gets an error. Real threads on their own connections
(transactional), released together by a barrier; at most `CONNECTIONS` of them hold a database
connection at a time, as a web server's workers would (PostgreSQL takes 100 connections by
default, and CI runs two test processes on it). Run on PostgreSQL or with
LUOSHI_TEST_SQLITE_NAME=<file> (.ci/run does)."""

import threading

import pytest
from django.db import connection

from luoshi.accounts.models import User
from luoshi.volunteering import services
from luoshi.volunteering.models import SignUp, Volunteer, mask_name

from .conftest import publish

pytestmark = pytest.mark.django_db(transaction=True)

PEOPLE = 200
CAPACITY = 30
CONNECTIONS = 24


@pytest.fixture(autouse=True)
def _a_database_two_connections_write_to(transactional_db):
    in_memory = getattr(connection, "is_in_memory_db", lambda: False)()
    if connection.vendor == "sqlite" and in_memory:
        pytest.skip("concurrent writers need a database file or PostgreSQL")


def _volunteers(unit, count: int) -> list[User]:
    """`count` accounts, each registered as a volunteer of `unit` (bulk-inserted: registration
    has tests of its own; this one is about the sign-ups)."""
    from django.utils import timezone

    people = User.objects.bulk_create(
        User(username=f"racer{n}", name=f"志愿者{n}", password="!") for n in range(count)
    )
    Volunteer.objects.bulk_create(
        Volunteer(
            person=who,
            unit=unit,
            real_name=who.name,
            masked_name=mask_name(who.name),
            id_number=f"6328031990{n:08d}",
            consent_at=timezone.now(),
            number=f"RACE{n:06d}",
        )
        for n, who in enumerate(people)
    )
    return people


def test_concurrent_sign_ups_never_exceed_capacity(network, service_type):
    service = publish(network, service_type, capacity=CAPACITY)
    position = service.positions.get(name="环境清理")
    people = _volunteers(network.unit_a, PEOPLE)
    ready = threading.Barrier(PEOPLE)
    slots = threading.BoundedSemaphore(CONNECTIONS)
    results: list = [None] * PEOPLE

    def run(index: int) -> None:
        try:
            ready.wait(timeout=120)  # every thread started: they press 报名 together
            with slots:
                try:
                    results[index] = services.sign_up(
                        actor=people[index], service=service, position=position
                    )
                finally:
                    connection.close()  # this thread's own connection, before the slot frees
        except Exception as error:  # noqa: BLE001 — handed back to the test
            results[index] = error

    threads = [threading.Thread(target=run, args=(n,)) for n in range(PEOPLE)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not [r for r in results if isinstance(r, Exception)], results
    statuses = list(SignUp.objects.filter(position=position).values_list("status", flat=True))
    assert statuses.count(SignUp.Status.ACCEPTED) == CAPACITY
    assert statuses.count(SignUp.Status.WAITLISTED) == PEOPLE - CAPACITY
