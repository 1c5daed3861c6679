"""Units of the organisation tree, within the caller's `unit.view` scope."""

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from luoshi.org.access import get_unit_for_user, scope_for
from luoshi.org.models import Unit

from .auth import current_user
from .pages import PageParams, paginate
from .schemas import ERRORS, Ref, annotate, ref

router = Router(tags=["单位"])


class UnitOut(Schema):
    id: int
    name: str
    short_name: str
    kind: str
    kind_display: str
    parent: Ref | None
    depth: int

    @staticmethod
    def resolve_kind_display(obj: Unit) -> str:
        return obj.get_kind_display()

    @staticmethod
    def resolve_parent(obj: Unit) -> dict | None:
        return ref(obj.parent)


class UnitDetailOut(UnitOut):
    leader: Ref | None
    children: list[UnitOut] = Field(..., alias="scoped_children")
    member_count: int

    @staticmethod
    def resolve_leader(obj: Unit) -> dict | None:
        return ref(obj.leader)


class UnitPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[UnitOut]


class UnitFilters(Schema):
    q: str = ""
    parent: int | None = None


def units_in_scope(user):
    """Alive units `user` reaches for `unit.view`."""
    scope = scope_for(user, "unit.view")
    if not scope.covers_units():
        return Unit.objects.none()
    return Unit.objects.alive().filter(scope.units_q()).select_related("parent")


@router.get("", response={200: UnitPage, **ERRORS}, summary="单位列表（可按名称或拼音首字母检索）")
def list_units(request: HttpRequest, filters: Query[UnitFilters], page: Query[PageParams]):
    units = units_in_scope(current_user(request)).search(filters.q)
    if filters.parent is not None:
        units = units.filter(parent_id=filters.parent)
    return paginate(units.order_by("path"), page)


@router.get("/{int:unit_id}", response={200: UnitDetailOut, **ERRORS}, summary="单位详情")
def get_unit(request: HttpRequest, unit_id: int):
    user = current_user(request)
    unit = get_unit_for_user(user, unit_id)
    return annotate(
        unit,
        scoped_children=list(
            units_in_scope(user).filter(parent=unit).order_by("sort_order", "path")
        ),
        member_count=unit.memberships.filter(person__deleted_at__isnull=True).count(),
    )
