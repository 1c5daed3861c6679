"""Page-number pagination with an explicit schema: {count, page, page_size, items}."""

from django.db.models import QuerySet
from ninja import Field, Schema

from luoshi.lib.params import MAX_PAGE

MAX_PAGE_SIZE = 200


class PageParams(Schema):
    page: int = Field(1, ge=1, le=MAX_PAGE)
    page_size: int = Field(50, description=f"每页条数，超过 {MAX_PAGE_SIZE} 按 {MAX_PAGE_SIZE} 计")


def paginate(queryset: QuerySet, params: PageParams) -> dict:
    """One COUNT and one SELECT of the requested slice, whatever the size of the list."""
    page = max(params.page, 1)
    size = min(max(params.page_size, 1), MAX_PAGE_SIZE)
    offset = (page - 1) * size
    return {
        "count": queryset.count(),
        "page": page,
        "page_size": size,
        "items": list(queryset[offset : offset + size]),
    }
