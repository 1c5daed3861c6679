"""JSON API of the ledger: activity types, activities, attendance and check-in."""

from ninja import Router

router = Router(tags=["台账"])
