"""Reads for the organisation pages, always limited to what the user's scope reaches."""

from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from luoshi.accounts.models import User

from .access import scope_for, visible_grants, visible_people
from .models import Membership, Unit, UnitKind

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class UnitCounts(TypedDict):
    member_count: int
    child_count: int


def search_units(units, text: str):
    """`UnitQuerySet.search`, plus initials anywhere in the name ("wtl" finds 市文体旅游广电局)."""
    text = text.strip().lower()
    if not text:
        return units
    matched = units.search(text)
    if text.isascii() and text.isalnum():
        matched = units.filter(Q(pk__in=matched.values("pk")) | Q(initials__contains=text))
    return matched


def units_in_scope(user, perm: str = "unit.view", *, deleted: bool = False):
    """Units in `user`'s scope for `perm`; with `deleted`, the soft-deleted ones instead."""
    scope = scope_for(user, perm)
    if not scope.covers_units():
        return Unit.objects.none()
    units = Unit.objects.filter(scope.units_q())
    return units.filter(deleted_at__isnull=not deleted)


@dataclass(frozen=True)
class UnitFilter:
    """What the unit list (page, export and API) is narrowed to."""

    q: str = ""
    kind: str = ""
    parent: Unit | None = None
    deleted: bool = False  # the soft-deleted units instead (needs `unit.manage`)

    def describe(self) -> list[str]:
        """The filter in words, for the export's note row."""
        parts = [f"{_('搜索')}：{self.q}"] if self.q else []
        parts += [f"{_('类型')}：{UnitKind(self.kind).label}"] if self.kind else []
        parts += [f"{_('上级单位')}：{self.parent}"] if self.parent else []
        return parts


def filter_units(user, flt: UnitFilter) -> QuerySet[Unit]:
    """The units in `user`'s scope that `flt` keeps: the one filter of the list page and the API."""
    units = units_in_scope(user, "unit.manage" if flt.deleted else "unit.view", deleted=flt.deleted)
    units = search_units(units, flt.q)
    if flt.kind:
        units = units.filter(kind=flt.kind)
    if flt.parent is not None:
        units = units.filter(parent=flt.parent)
    return units


@dataclass
class TreeRow:
    unit: "WithAnnotations[Unit, UnitCounts]"
    level: int
    has_children: bool
    trail: str  # the names of the ancestors, "海西州 / 茫崖市"


def unit_tree(user, flt: UnitFilter = UnitFilter()) -> list[TreeRow]:
    """The units `filter_units` keeps in tree order (siblings by sort order, then name), indented
    relative to the shallowest unit shown. Searching keeps the matches and shows where each one
    sits."""
    units = list(
        filter_units(user, flt)
        .select_related("parent")
        .annotate(
            member_count=Count("memberships", distinct=True),
            child_count=Count(
                "children", filter=Q(children__deleted_at__isnull=True), distinct=True
            ),
        )
    )
    ancestor_ids = {int(part) for unit in units for part in unit.path.strip("/").split("/")}
    known = {
        pk: (sort_order, name)
        for pk, sort_order, name in Unit.objects.filter(pk__in=ancestor_ids).values_list(
            "pk", "sort_order", "name"
        )
    }

    def key(unit: Unit) -> tuple:
        ids = [int(part) for part in unit.path.strip("/").split("/")]
        return tuple((*known.get(pk, (0, "")), pk) for pk in ids)

    units.sort(key=key)
    flat = bool(flt.q or flt.kind or flt.parent)
    shown = {unit.pk for unit in units}
    base = min((unit.depth for unit in units), default=0)
    rows = []
    for unit in units:
        ids = [int(part) for part in unit.path.strip("/").split("/")[:-1]]
        trail = [known.get(pk, (0, ""))[1] for pk in ids if flat or pk not in shown]
        rows.append(
            TreeRow(
                unit=unit,
                level=0 if flat else unit.depth - base,
                has_children=unit.child_count > 0 and not flat,
                trail=" / ".join(trail),
            )
        )
    return rows


def unit_members(unit: Unit):
    """The memberships of `unit` itself (not of its sub-units), with the people."""
    return (
        Membership.objects.filter(unit=unit, person__deleted_at__isnull=True)
        .select_related("person")
        .order_by("sort_order", "person__pinyin", "id")
    )


def unit_children(unit: Unit):
    return (
        unit.children.alive()
        .annotate(member_count=Count("memberships"))
        .order_by("sort_order", "name", "id")
    )


def unit_accountability(unit: Unit):
    """The unit's accountability record (问责): actions against it from every campaign."""
    return unit.accountability_actions.select_related(
        "kind", "task", "task__campaign", "person"
    ).order_by("-recorded_at", "-id")


@dataclass(frozen=True)
class PersonFilter:
    """What the people list (page, export and API) is narrowed to."""

    q: str = ""
    unit: Unit | None = None  # members of this unit or of a unit below it

    def describe(self) -> list[str]:
        """The filter in words, for the export's note row."""
        parts = [f"{_('搜索')}：{self.q}"] if self.q else []
        parts += [f"{_('单位')}：{self.unit}"] if self.unit else []
        return parts


def people(user, flt: PersonFilter = PersonFilter()):
    """People in `user`'s `person.view` scope that `flt` keeps, with their posts: the one filter of
    the list page and the API."""
    found = visible_people(user).search(flt.q)
    if flt.unit is not None:
        found = found.filter(
            Exists(
                Membership.objects.filter(
                    person=OuterRef("pk"), unit__path__startswith=flt.unit.path
                )
            )
        )
    return found.prefetch_related(
        Prefetch(
            "memberships",
            queryset=Membership.objects.select_related("unit").order_by(
                "-is_primary", "sort_order", "id"
            ),
        )
    ).order_by("pinyin", "id")


def person_memberships(person: User):
    return person.memberships.select_related("unit").order_by("-is_primary", "sort_order", "id")


def person_grants(person: User):
    return (
        person.role_grants.select_related("unit", "granted_by")
        .prefetch_related("custom_units")
        .order_by("role", "unit__path")
    )


def grants(
    user, *, role: str = "", unit_q: str = "", person_q: str = "", unit_id=None, person_id=None
):
    """Role grants the security administrator may see, filtered."""
    found = visible_grants(user)
    if role:
        found = found.filter(role=role)
    if unit_q:
        found = found.filter(unit__in=search_units(Unit.objects.alive(), unit_q))
    if person_q:
        found = found.filter(person__in=User.objects.search(person_q))
    if unit_id:
        found = found.filter(unit_id=unit_id)
    if person_id:
        found = found.filter(person_id=person_id)
    return (
        found.select_related("person", "unit", "granted_by")
        .prefetch_related("custom_units")
        .order_by("person__pinyin", "role", "unit__path")
    )


def picker_units(user, perm: str, q: str = "", limit: int = 20) -> list[Unit]:
    """Units in `user`'s scope for `perm` matching `q`, for pickers."""
    scope, seen = scope_for(user, perm), scope_for(user, "unit.view")
    if not (scope.covers_units() and seen.covers_units()):
        return []
    # a picker never reveals a unit the user could not open, whatever `perm` they ask about
    units = Unit.objects.alive().filter(scope.units_q()).filter(seen.units_q())
    return list(search_units(units, q).order_by("depth", "sort_order", "name")[:limit])


def picker_people(
    user, perm: str, q: str = "", unit: Unit | None = None, limit: int = 20
) -> list[User]:
    """People in `user`'s scope for `perm` matching `q` (optionally members of `unit`)."""
    found = visible_people(user, perm).filter(is_active=True).search(q)
    if perm != "person.view":  # never reveal a person the user could not open
        found = found.filter(pk__in=visible_people(user).values("pk"))
    if unit is not None:
        found = found.filter(memberships__unit=unit)
    return list(
        found.prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.select_related("unit").order_by("-is_primary", "id"),
            )
        ).order_by("pinyin", "id")[:limit]
    )


def unit_labels(units) -> dict[int, str]:
    """ "茫崖市 / 市文体旅游广电局 / 办公室": each unit with up to two ancestors, in one query."""
    ids = {int(pk) for unit in units for pk in unit.path.strip("/").split("/")[-3:]}
    names = dict(Unit.objects.filter(pk__in=ids).values_list("pk", "name"))
    return {
        unit.pk: " / ".join(names.get(int(pk), "") for pk in unit.path.strip("/").split("/")[-3:])
        for unit in units
    }


def with_phones(viewer, persons) -> list:
    """Set `shown_phone` on each person: full to those who manage them, masked to the rest, and
    `phone_full` saying which (for `services.note_phones_shown`). Expects `memberships` (with
    units) prefetched."""
    from .access import can_see_phone

    persons = list(persons)
    for person in persons:
        units = [membership.unit for membership in person.memberships.all()]
        visible = can_see_phone(viewer, person, units)
        person.shown_phone = person.phone if visible else person.masked_phone
        person.phone_full = visible
    return persons


def unit_ancestors(unit: Unit) -> list[Unit]:
    ids = [int(pk) for pk in unit.path.strip("/").split("/")[:-1]]
    return list(Unit.objects.filter(pk__in=ids).order_by("depth"))
