"""Many volunteers signing up for the last places at once: exactly the capacity is accepted, the
rest wait-listed, nobody gets an error. Real threads on their own connections (transactional)."""

import threading

import pytest
from django.db import connection

from luoshi.volunteering import services
from luoshi.volunteering.models import SignUp

from .conftest import publish, register

pytestmark = pytest.mark.django_db(transaction=True)

PEOPLE = 12
CAPACITY = 3


@pytest.fixture(autouse=True)
def _a_database_two_connections_write_to(transactional_db):
    in_memory = getattr(connection, "is_in_memory_db", lambda: False)()
    if connection.vendor == "sqlite" and in_memory:
        pytest.skip("concurrent writers need a database file or PostgreSQL")


def test_concurrent_sign_ups_never_exceed_capacity(network, service_type):
    from luoshi.testing import person

    service = publish(network, service_type, capacity=CAPACITY)
    position = service.positions.get(name="环境清理")
    people = [person(f"v{n}", f"志愿者{n}", network.unit_a) for n in range(PEOPLE)]
    for who in people:
        register(network, who, actor=network.liaison)
    barrier = threading.Barrier(PEOPLE)
    results: list = [None] * PEOPLE

    def run(index: int) -> None:
        try:
            barrier.wait()
            results[index] = services.sign_up(
                actor=people[index], service=service, position=position
            )
        except Exception as error:  # noqa: BLE001 — handed back to the test
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(PEOPLE)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not [r for r in results if isinstance(r, Exception)], results
    statuses = list(SignUp.objects.filter(position=position).values_list("status", flat=True))
    assert statuses.count("accepted") == CAPACITY
    assert statuses.count("waitlisted") == PEOPLE - CAPACITY
