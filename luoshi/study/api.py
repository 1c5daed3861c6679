"""JSON API of study: the same services, selectors and scope as the pages."""

from ninja import Router

router = Router(tags=["学习"])
