"""People in the caller's `person.view` scope; phones in full only to those who manage them."""

from django.db.models import Prefetch, Q, prefetch_related_objects
from django.http import Http404, HttpRequest
from ninja import Query, Router, Schema

from luoshi.accounts.models import User
from luoshi.org.access import PERMISSIONS, UnitScope, scope_for
from luoshi.org.models import Membership, RoleGrant

from .auth import current_user
from .pages import PageParams, paginate
from .schemas import ERRORS, Ref

router = Router(tags=["人员"])


class MembershipOut(Schema):
    unit: Ref
    position: str
    is_primary: bool


class PersonOut(Schema):
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


class MeOut(PersonOut):
    roles: list[GrantOut]
    permissions: list[str]


class PersonPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[PersonOut]


class PeopleFilters(Schema):
    q: str = ""
    unit: int | None = None


def people_in_scope(user):
    """Alive people with a post in a unit of `user`'s `person.view` scope (and `user` itself
    under a "self only" scope), with their posts prefetched."""
    scope = scope_for(user, "person.view")
    reach = Q(pk__in=[])
    if scope.covers_units():
        reach |= Q(pk__in=Membership.objects.filter(scope.units_q("unit__")).values("person_id"))
    if scope.own:
        reach |= Q(pk=user.pk)
    posts = Membership.objects.filter(unit__deleted_at__isnull=True).select_related("unit")
    return (
        User.objects.filter(deleted_at__isnull=True)
        .filter(reach)
        .prefetch_related(Prefetch("memberships", queryset=posts.order_by("-is_primary", "id")))
    )


def _out(person: User, viewer: User, phone_scope: UnitScope) -> dict:
    posts = list(person.memberships.all())
    full = person.pk == viewer.pk or any(phone_scope.contains(post.unit) for post in posts)
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


@router.get(
    "", response={200: PersonPage, **ERRORS}, summary="人员列表（可按姓名或拼音首字母检索）"
)
def list_people(request: HttpRequest, filters: Query[PeopleFilters], page: Query[PageParams]):
    user = current_user(request)
    people = people_in_scope(user).search(filters.q)
    if filters.unit is not None:
        people = people.filter(memberships__unit_id=filters.unit)
    result = paginate(people.order_by("pinyin", "id"), page)
    phone_scope = scope_for(user, "person.phone")
    result["items"] = [_out(person, user, phone_scope) for person in result["items"]]
    return result


@router.get("/me", response={200: MeOut, **ERRORS}, summary="当前用户：任职、角色与权限")
def me(request: HttpRequest):
    user = current_user(request)
    posts = Membership.objects.filter(unit__deleted_at__isnull=True).select_related("unit")
    prefetch_related_objects([user], Prefetch("memberships", queryset=posts))
    grants = RoleGrant.objects.filter(person=user).select_related("unit").order_by("id")
    return {
        **_out(user, user, scope_for(user, "person.phone")),
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


@router.get("/{int:person_id}", response={200: PersonOut, **ERRORS}, summary="人员详情")
def get_person(request: HttpRequest, person_id: int):
    user = current_user(request)
    person = people_in_scope(user).filter(pk=person_id).first()
    if person is None:
        raise Http404
    return _out(person, user, scope_for(user, "person.phone"))
