import axes.utils
import pytest


@pytest.fixture(autouse=True)
def _reset_lockouts(db):
    """Every test starts with no failed attempts on record (axes keeps them in the database)."""
    axes.utils.reset()
    yield
    axes.utils.reset()
