"""Moved: the people API is `luoshi.org.api`. This name stays only for `api/campaigns.py`, which
imports it until that module moves into the campaigns app (then delete this file)."""

from luoshi.org.access import visible_people as people_in_scope

__all__ = ["people_in_scope"]
