"""Every study page renders for every persona (or refuses as it should)."""

import pytest
from django.urls import reverse

from luoshi.study import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(world, study):
    group = services.create_group(
        actor=world.liaison, unit=world.unit_a, name="学习小组", leaders=[world.liaison]
    )
    reading = services.add_reading(actor=world.office, campaign=world.campaign, title="红岩")
    return group, reading


@pytest.mark.parametrize("persona", ["office", "liaison", "staff", "leader", "outsider"])
def test_pages_render(world, client_for, data, persona):
    group, reading = data
    client = client_for(getattr(world, persona))
    for name in (
        "study:home",
        "study:counts",
        "study:group-list",
        "study:reading-list",
        "study:essay-list",
        "study:book-list",
    ):
        response = client.get(reverse(name))
        assert response.status_code == 200, (name, response.status_code)
    assert client.get(reverse("study:counts") + "?by=unit").status_code == 200
    # recording study takes ledger.record; the office records in the units it belongs to
    expected = {"office": 200, "liaison": 200, "staff": 200, "leader": 403, "outsider": 200}
    assert client.get(reverse("study:book-new")).status_code == expected[persona]
    assert client.get(reverse("study:essay-new")).status_code == expected[persona]
    edit = client.get(reverse("study:group-edit", args=[group.pk])).status_code
    assert edit == {"office": 200, "liaison": 200, "leader": 403}.get(persona, 404)
    reading_edit = client.get(reverse("study:reading-edit", args=[reading.pk])).status_code
    assert reading_edit == (200 if persona == "office" else 403)
