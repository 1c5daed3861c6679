"""Reading GET parameters: a bad value means "no filter", never a 500."""

import datetime


def parse_int(value: str | None) -> int | None:
    """A non-negative whole number, or None."""
    return int(value) if value and value.isdigit() else None


def parse_date(value: str | None) -> datetime.date | None:
    """An ISO date (2026-11-26), or None."""
    try:
        return datetime.date.fromisoformat(value) if value else None
    except ValueError:
        return None
