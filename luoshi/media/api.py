"""JSON API of media: the same services, selectors and scope as the pages."""

from ninja import Router

router = Router(tags=["融媒矩阵"])
