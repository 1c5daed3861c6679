"""JSON API of learning: the same services, selectors and scope as the pages."""

from ninja import Router

router = Router(tags=["学习平台"])
