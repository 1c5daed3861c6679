"""What keeps the public order page from being flooded: a sum to solve (signed, so no session
is needed) and counts per address and per phone in the cache."""

import random

from django.core import signing
from django.core.cache import cache

CHALLENGE_SALT = "luoshi.volunteering.order-challenge"
PER_ADDRESS = 5  # orders per address and hour
PER_PHONE = 3  # orders per phone and day
LOOKUPS_PER_ADDRESS = 30  # code look-ups per address and hour


def challenge() -> tuple[str, str]:
    """A sum to show and its answer signed for the form's hidden field (valid 30 minutes)."""
    a, b = random.randint(2, 19), random.randint(2, 9)  # noqa: S311 — a sum, not a secret
    return f"{a} + {b} = ?", signing.dumps(a + b, salt=CHALLENGE_SALT)


def limited(key: str, limit: int, seconds: int) -> bool:
    """Count one use of `key`; True when it is past `limit` within `seconds`."""
    cache.add(key, 0, seconds)
    try:
        used = cache.incr(key)
    except ValueError:
        cache.set(key, 1, seconds)
        used = 1
    return used > limit
