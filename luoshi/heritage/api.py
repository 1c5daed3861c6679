"""JSON API of heritage: the same services, selectors and scope as the pages."""

from ninja import Router

router = Router(tags=["红色资源"])
