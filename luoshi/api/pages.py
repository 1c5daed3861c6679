"""Page-number pagination with an explicit schema: {count, page, page_size, items}."""

from django.db.models import QuerySet
from ninja import Field, Schema

from luoshi.lib.params import MAX_PAGE

MAX_PAGE_SIZE = 200


class PageParams(Schema):
    page: int = Field(1, ge=1, le=MAX_PAGE)
    page_size: int = Field(50, description=f"每页条数，超过 {MAX_PAGE_SIZE} 按 {MAX_PAGE_SIZE} 计")


def paginate(queryset: QuerySet, params: PageParams) -> dict:
    """One SELECT of the requested slice, and a COUNT only when the slice does not tell it: a
    page that is not full and not past the end is the last one, so the count is its offset plus
    its rows (a list of one page, the last page of a long one). Whatever the size of the list."""
    page = max(params.page, 1)
    size = min(max(params.page_size, 1), MAX_PAGE_SIZE)
    offset = (page - 1) * size
    items = list(queryset[offset : offset + size])
    if len(items) < size and (items or offset == 0):
        count = offset + len(items)
    else:
        count = queryset.count()
    return {"count": count, "page": page, "page_size": size, "items": items}
