"""JSON API of meetings: the same services, selectors and scope as the pages."""

from ninja import Router

router = Router(tags=["会议"])
