"""JSON API of outreach: the same services, selectors and scope as the pages."""

from ninja import Router

router = Router(tags=["挎包宣讲"])
