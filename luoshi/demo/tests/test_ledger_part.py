"""The ledger's demo part takes from the demo only what it is given: the builder (typed by the
ledger's own protocol) and the campaign whose tracks its activity types name."""

import pytest

from luoshi.demo.data import DemoBuilder
from luoshi.demo.plans import TRACKS
from luoshi.ledgers import demo as ledger_demo
from luoshi.ledgers.demo_records import DemoBuilder as LedgerDemoBuilder


def test_the_types_name_the_demo_campaigns_tracks() -> None:
    named = {spec["track"] for spec in ledger_demo.TYPES}
    assert named <= {name for name, _description in TRACKS}


@pytest.mark.django_db
def test_the_demo_builder_is_what_the_ledger_reads() -> None:
    builder: LedgerDemoBuilder = DemoBuilder()  # mypy checks the protocol; pytest the attributes
    assert builder.today and builder.built.units == {}
