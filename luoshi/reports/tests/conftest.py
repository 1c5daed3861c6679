"""Reports fixtures: the demo's organisation with the article's 2022 records and the demo
briefing template, built once per module inside a transaction rolled back at the end."""

import datetime
from collections.abc import Iterator

import pytest
from django.db import transaction
from django.test import override_settings

from luoshi.demo.data import Built, DemoBuilder
from luoshi.heritage import demo as heritage_demo
from luoshi.ledgers import demo as ledger_demo
from luoshi.media import demo as media_demo
from luoshi.reports import demo as reports_demo


def pytest_configure(config):
    config.addinivalue_line("markers", "xdist_group(name): run these tests on one xdist worker")


@pytest.fixture(scope="module")
def article(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[Built]:
    """The demo without its task plans: organisation, campaign, activity types, the ledger's
    records (luoshi.ledgers.demo_records: 2022 and live), heritage and media, and the briefing
    templates."""
    media = tmp_path_factory.mktemp("reports-media")
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media, PASSWORD_HASHERS=fast):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            builder = DemoBuilder(today=datetime.date(2026, 6, 15))
            builder.build_organisation()
            builder.build_campaign()
            ledger_demo.load(builder)  # the types, then demo_records.load_records
            heritage_demo.load(builder)  # sites, routes, exhibitions, visits (2022 and live)
            media_demo.load(builder)  # targets and publications (2022 and live)
            reports_demo.load(builder)
            yield builder.built
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
