"""load_demo writes everything or nothing."""

import pytest

from luoshi.accounts.models import User
from luoshi.demo import data
from luoshi.org.models import Unit

pytestmark = pytest.mark.django_db


def test_a_failure_half_way_leaves_nothing_behind(monkeypatch):
    def broken(self):
        raise RuntimeError("campaign set-up failed")

    monkeypatch.setattr(data.DemoBuilder, "build_campaign", broken)
    with pytest.raises(RuntimeError):
        data.load_demo()
    assert not User.objects.exists()
    assert not Unit.objects.exists()
    assert not data.demo_exists()
