"""The media and heritage parts of the demo, run on the test world with a stand-in builder (the
full demo is loaded by luoshi/demo's tests): targets, publications, sites, routes and visits."""

import datetime
from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest
from django.utils import timezone

from luoshi.heritage import demo as heritage_demo
from luoshi.heritage.models import Exhibition, Route, Site
from luoshi.ledgers import demo as ledger_demo
from luoshi.ledgers import services as ledger
from luoshi.ledgers.models import Activity
from luoshi.media import demo as media_demo
from luoshi.media.models import JournalistTarget, Publication
from luoshi.media.selectors import Period, matrix
from luoshi.testing import person

pytestmark = pytest.mark.django_db


def _ledger_types(world) -> None:
    """The demo's activity types (ledgers.demo.load also loads records needing the full demo)."""
    tracks = {track.name: track for track in world.campaign.tracks.all()}
    for spec in ledger_demo.TYPES:
        values = dict(spec)
        track = tracks.get(values.pop("track"))
        ledger.create_activity_type(
            actor=world.office, campaign=world.campaign, track=track, **values
        )


@dataclass
class Built:
    people: dict = field(default_factory=dict)
    units: dict = field(default_factory=dict)
    members: dict = field(default_factory=dict)
    campaign: object = None


def test_demo_parts_build_a_matrix_with_laggards_and_visits_at_sites(world):
    editor = person("editor", "周编辑", world.unit_a)
    built = Built(
        people={
            "office": world.office,
            "wtl": world.liaison,
            "xcb_liaison": world.liaison,
            "rmt_liaison": world.liaison,
            "rmt_rep1": world.staff,
            "rmt_rep2": world.staff2,
            "rmt_rep3": world.liaison,
            "rmt_editor": editor,
        },
        units={"wtl": world.unit_a, "xcb": world.unit_a, "rmt": world.unit_a},
        members={"wtl": [world.staff, world.staff2], "xcb": [world.staff], "rmt": [editor]},
        campaign=world.campaign,
    )
    now = timezone.now()
    builder = SimpleNamespace(
        built=built,
        today=timezone.localdate(),
        clock=SimpleNamespace(moment=lambda days, slot=0: now - datetime.timedelta(days=days)),
    )
    # The order load_demo runs them in: the ledger's types, then heritage, then media.
    _ledger_types(world)
    heritage_demo.load(builder)
    assert Site.objects.count() == 4 and Route.objects.count() == 2
    assert Exhibition.objects.count() == 2  # today's, and the bureau's of spring 2022
    visits = Activity.objects.filter(site_visit__isnull=False, type__name="红色教育")
    assert visits.count() == 6 + len(heritage_demo.VISITS_2022)
    media_demo.load(builder)
    assert JournalistTarget.objects.count() == 14
    assert Publication.objects.count() > 30
    for period in (Period.parse(None), Period.parse(None).previous()):
        table = matrix(world.office, period=period)
        assert len(table.rows) == 4
        assert 0 < table.under_count < 4 or period == Period.parse(None)
    assert matrix(world.office, period=Period.parse(None)).under_count >= 1
