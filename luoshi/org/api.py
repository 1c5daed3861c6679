"""The organisation's API: units within the caller's `unit.view` scope (/api/units) and people in
their `person.view` scope (/api/people), phones in full only to those who may see them.

The lists call the same selectors and filters as the list pages (`selectors.filter_units`,
`selectors.people`), so a page and the API never disagree about who sees what.
"""

from django.db.models import Prefetch, prefetch_related_objects
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from luoshi.accounts.models import User
from luoshi.api.auth import current_user
from luoshi.api.pages import PageParams, paginate
from luoshi.api.schemas import ERRORS, Ref, annotate, ref

from . import selectors, services
from .access import PERMISSIONS, can_see_phone, get_person_for_user, get_unit_for_user
from .models import Membership, RoleGrant, Unit

units_router = Router(tags=["单位"])
people_router = Router(tags=["人员"])


# --- Units -------------------------------------------------------------------------------------


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
    """The query of the unit list: the page's search and kind, and the parent unit."""

    q: str = ""
    kind: str = ""
    parent: int | None = None


@units_router.get(
    "", response={200: UnitPage, **ERRORS}, summary="单位列表（可按名称或拼音首字母检索）"
)
def list_units(request: HttpRequest, filters: Query[UnitFilters], page: Query[PageParams]):
    user = current_user(request)
    parent = get_unit_for_user(user, filters.parent) if filters.parent is not None else None
    flt = selectors.UnitFilter(q=filters.q, kind=filters.kind, parent=parent)
    units = selectors.filter_units(user, flt).select_related("parent")
    return paginate(units.order_by("path"), page)


@units_router.get("/{int:unit_id}", response={200: UnitDetailOut, **ERRORS}, summary="单位详情")
def get_unit(request: HttpRequest, unit_id: int):
    user = current_user(request)
    unit = get_unit_for_user(user, unit_id)
    children = selectors.filter_units(user, selectors.UnitFilter(parent=unit))
    return annotate(
        unit,
        scoped_children=list(children.select_related("parent").order_by("sort_order", "path")),
        member_count=unit.memberships.filter(person__deleted_at__isnull=True).count(),
    )


# --- People ------------------------------------------------------------------------------------


class MembershipOut(Schema):
    unit: Ref
    position: str
    is_primary: bool


class PersonDetailOut(Schema):
    """A person as the org API shows them: their posts, and their phone masked unless the caller
    may see it."""

    id: int
    name: str
    username: str
    phone: str
    phone_masked: bool
    memberships: list[MembershipOut]


class GrantOut(Schema):
    role: str
    role_display: str
    unit: Ref
    scope: str
    scope_display: str


class MeOut(PersonDetailOut):
    roles: list[GrantOut]
    permissions: list[str]


class PersonPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[PersonDetailOut]


class PeopleFilters(Schema):
    """The query of the people list: the page's search and unit (its members and those of the
    units below it)."""

    q: str = ""
    unit: int | None = None


def _person_out(person: User, viewer: User) -> dict:
    """Expects the person's posts (with their units) prefetched."""
    posts = list(person.memberships.all())
    full = can_see_phone(viewer, person, [post.unit for post in posts])
    return {
        "id": person.pk,
        "name": person.name,
        "username": person.username,
        "phone": person.phone if full else person.masked_phone,
        "phone_masked": not full and bool(person.phone),
        "memberships": [
            {
                "unit": {"id": post.unit_id, "name": post.unit.name},
                "position": post.position,
                "is_primary": post.is_primary,
            }
            for post in posts
        ],
    }


def _note_phones_shown(viewer: User, people: list[User], shown: list[dict]) -> None:
    """Audit the full phones among `shown` (the `_person_out` of each of `people`)."""
    services.note_phones_shown(
        viewer,
        [person for person, out in zip(people, shown, strict=True) if not out["phone_masked"]],
    )


def _with_posts(people: list[User]) -> list[User]:
    posts = Membership.objects.select_related("unit").order_by("-is_primary", "sort_order", "id")
    prefetch_related_objects(people, Prefetch("memberships", queryset=posts))
    return people


@people_router.get(
    "", response={200: PersonPage, **ERRORS}, summary="人员列表（可按姓名或拼音首字母检索）"
)
def list_people(request: HttpRequest, filters: Query[PeopleFilters], page: Query[PageParams]):
    user = current_user(request)
    unit = get_unit_for_user(user, filters.unit) if filters.unit is not None else None
    found = selectors.people(user, selectors.PersonFilter(q=filters.q, unit=unit))
    result = paginate(found, page)
    people = result["items"]
    result["items"] = [_person_out(person, user) for person in people]
    _note_phones_shown(user, people, result["items"])
    return result


@people_router.get("/me", response={200: MeOut, **ERRORS}, summary="当前用户：任职、角色与权限")
def me(request: HttpRequest):
    user = current_user(request)
    _with_posts([user])
    grants = RoleGrant.objects.filter(person=user).select_related("unit").order_by("id")
    return {
        **_person_out(user, user),
        "roles": [
            {
                "role": grant.role,
                "role_display": grant.get_role_display(),
                "unit": {"id": grant.unit_id, "name": grant.unit.name},
                "scope": grant.scope,
                "scope_display": grant.get_scope_display(),
            }
            for grant in grants
        ],
        "permissions": sorted(
            {perm for grant in grants for perm in PERMISSIONS.get(grant.role, ())}
        ),
    }


@people_router.get(
    "/{int:person_id}", response={200: PersonDetailOut, **ERRORS}, summary="人员详情"
)
def get_person(request: HttpRequest, person_id: int):
    user = current_user(request)
    person = _with_posts([get_person_for_user(user, person_id)])[0]
    out = _person_out(person, user)
    _note_phones_shown(user, [person], [out])
    return out
