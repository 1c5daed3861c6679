"""Matching the rows of a platform export to people and units, and the aliases that remember
how a liaison matched them by hand.

Matching is done in memory against the people of the import's unit subtree, loaded once
(`Matcher`):

1. a hand-made match remembered for the name (`PersonAlias`, under the same platform
   organisation or under any);
2. otherwise the name among the people of the unit the platform organisation maps to
   (`OrgAlias`, set once; or a unit of exactly that name), phone as tie-breaker, so that two
   张伟 in two units are told apart;
3. without an organisation, the name within the whole import, phone again as tie-breaker.

Rows whose unit lies outside the import's unit or the importer's `learning.import` scope are
"outside" and never saved. The services in `imports` call these; nothing here is audited, the
service that calls it records the change.
"""

import difflib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from luoshi.accounts.models import User
from luoshi.lib.text import name_key
from luoshi.org.access import scope_for
from luoshi.org.models import Membership, Unit, UnitKind

from ..models import ImportRow, OrgAlias, PersonAlias
from .parsing import normalise

MAX_CANDIDATES = 5
SUGGEST_LIMIT = 3000


class Place(NamedTuple):
    """One membership of a person under the import's unit (a tuple: 200,000 are made at once)."""

    person_id: int
    unit_id: int
    path: str
    primary: bool


@dataclass(slots=True)
class Match:
    """The outcome for one row: an `ImportRow.Match` status, the person and unit when matched,
    the candidates to choose from otherwise, and the note shown beside the row."""

    status: str
    person_id: int | None = None
    unit_id: int | None = None
    candidates: tuple[int, ...] = ()
    note: str = ""


def _same_phone(known: str, given: str) -> bool:
    """Equal phones, or a masked one from the platform (138****5678) agreeing at both ends."""
    given = given.replace("-", "")
    if not known or not given:
        return False
    if "*" in given:
        head, _sep, tail = given.partition("*")
        tail = tail.lstrip("*")
        return len(known) == len(given) and known.startswith(head) and known.endswith(tail)
    return known == given


class Matcher:
    """People, units and remembered aliases of one import, loaded once; matches rows in memory."""

    def __init__(self, *, actor: User, platform: str, unit: Unit, staged: dict | None = None):
        self.unit = unit
        # A unit's own import (not a whole city's): rows of organisations it cannot place and
        # names it does not know belong to other units, and are counted, not listed.
        self.partial = unit.kind not in (UnitKind.PREFECTURE, UnitKind.CITY)
        self.scope = scope_for(actor, "learning.import")
        self.by_name: dict[str, list[Place]] = defaultdict(list)
        self.by_unit_name: dict[tuple[int, str], list[Place]] = defaultdict(list)
        self._by_person: dict[int, list[Place]] | None = None
        self._phones: dict[int, str] = {}
        paths = dict(
            Unit.objects.alive().filter(path__startswith=unit.path).values_list("id", "path")
        )
        # Units with others below them: there a name must be looked for in the whole subtree.
        self.parents: set[str] = set()
        for path in paths.values():
            parts = path.strip("/").split("/")
            self.parents.update("/" + "/".join(parts[:n]) + "/" for n in range(1, len(parts)))
        memberships = Membership.objects.filter(
            unit__path__startswith=unit.path,
            unit__deleted_at__isnull=True,
            person__deleted_at__isnull=True,
            person__is_active=True,
        ).values_list("person_id", "person__name", "unit_id", "is_primary")
        # The ORM's per-row converters cost seconds over a province's 200,000 memberships; the
        # same query through a plain cursor gives the same values.
        sql, params = memberships.query.sql_with_params()
        by_name, by_unit_name = self.by_name, self.by_unit_name
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            while batch := cursor.fetchmany(20000):
                for person_id, name, unit_id, primary in batch:
                    place = Place(person_id, unit_id, paths[unit_id], bool(primary))
                    key = normalise(name)
                    by_name[key].append(place)
                    by_unit_name[(unit_id, key)].append(place)
        staged = staged or {}
        self.units: dict[str, tuple[int, str] | None] = {}
        for name, (unit_id, path) in applicable_org_aliases(platform, unit).items():
            self.units[name] = (unit_id, path)
        staged_orgs = staged.get("orgs") or {}
        if staged_orgs:
            staged_paths = dict(
                Unit.objects.filter(pk__in=set(staged_orgs.values())).values_list("id", "path")
            )
            for name, unit_id in staged_orgs.items():
                if unit_id in staged_paths:
                    self.units[name] = (unit_id, staged_paths[unit_id])
        self.aliases = {
            (org_name, name): person_id
            for org_name, name, person_id in PersonAlias.objects.filter(
                platform=platform
            ).values_list("org_name", "name", "person_id")
        }
        for org_name, name, person_id in staged.get("people") or []:
            self.aliases[(org_name, name)] = person_id
        self._unit_names: dict[str, list[tuple[int, str]]] | None = None
        self._in_scope: dict[int, bool] = {}

    def org_unit(self, org_name: str) -> tuple[int, str] | None:
        """The unit a platform organisation maps to: its alias, else the unit of the same name
        when exactly one unit is called so (outside the import, its rows are "outside")."""
        if not org_name:
            return None
        if org_name in self.units:
            return self.units[org_name]
        if self._unit_names is None:
            self._unit_names = defaultdict(list)
            for unit_id, name, short_name, path in Unit.objects.alive().values_list(
                "id", "name", "short_name", "path"
            ):
                self._unit_names[name_key(name)].append((unit_id, path))
                if short_name:
                    self._unit_names[name_key(short_name)].append((unit_id, path))
        found = self._unit_names.get(name_key(org_name), [])
        self.units[org_name] = found[0] if len(found) == 1 else None
        return self.units[org_name]

    def reachable(self, unit_id: int, path: str) -> bool:
        """Inside the import's unit and the importer's scope."""
        if unit_id not in self._in_scope:
            self._in_scope[unit_id] = path.startswith(self.unit.path) and (
                self.scope.everything
                or unit_id in self.scope.unit_ids
                or any(path.startswith(p) for p in self.scope.subtree_paths)
            )
        return self._in_scope[unit_id]

    @property
    def by_person(self) -> dict[int, list[Place]]:
        """Places by person, built when first needed (hand matches and remembered aliases)."""
        if self._by_person is None:
            self._by_person = defaultdict(list)
            for places in self.by_name.values():
                for place in places:
                    self._by_person[place.person_id].append(place)
        return self._by_person

    def phones(self, people: set[int]) -> dict[int, str]:
        """Phones of `people`, fetched when a phone has to tell namesakes apart."""
        missing = people - self._phones.keys()
        if missing:
            self._phones.update(User.objects.filter(pk__in=missing).values_list("pk", "phone"))
        return self._phones

    def _place_of(self, person_id: int, under: str) -> Place | None:
        places = self.by_person.get(person_id, [])
        if len(places) == 1:
            return places[0]
        inside = [p for p in places if p.path.startswith(under)] or places
        inside.sort(key=lambda p: not p.primary)
        return inside[0] if inside else None

    def _matched(self, place: Place) -> Match:
        if not self.reachable(place.unit_id, place.path):
            return Match(
                ImportRow.Match.OUTSIDE, note=_("该人员所在单位不在您的导入范围内，不导入。")
            )
        return Match(ImportRow.Match.MATCHED, place.person_id, place.unit_id)

    def match(self, name: str, org_name: str, phone: str) -> Match:
        org = self.org_unit(org_name)
        if org is not None and not self.reachable(*org):
            return Match(
                ImportRow.Match.OUTSIDE,
                note=_("平台组织“%(org)s”对应的单位不在本次导入范围内，不导入。")
                % {"org": org_name},
            )
        under = org[1] if org is not None else self.unit.path
        alias = self.aliases.get((org_name, name)) or self.aliases.get(("", name))
        if alias is None and org is not None:
            # The usual case: one person of that name directly in the organisation's unit.
            direct = self.by_unit_name.get((org[0], name))
            if (
                direct is not None
                and len(direct) == 1
                and (org[1] not in self.parents or len(self.by_name[name]) == 1)
            ):
                return self._matched(direct[0])
        if alias is not None:
            place = self._place_of(alias, under)
            if place is None:
                return Match(ImportRow.Match.OUTSIDE, note=_("记住的对应人员不在本次导入范围内。"))
            return self._matched(place)
        places = self.by_name.get(name, [])
        pool = [p for p in places if p.path.startswith(under)]
        people = {p.person_id for p in pool}
        if len(people) > 1 and phone:
            known = self.phones(people)
            by_phone = {pk for pk in people if _same_phone(known.get(pk) or "", phone)}
            if len(by_phone) == 1:
                people = by_phone
        if len(people) == 1:
            person_id = next(iter(people))
            mine = [p for p in pool if p.person_id == person_id]
            mine.sort(key=lambda p: not p.primary)
            return self._matched(mine[0])
        if people:
            return Match(
                ImportRow.Match.AMBIGUOUS,
                candidates=tuple(sorted(people))[:MAX_CANDIDATES],
                note=_("有 %(n)d 位同名人员，请选择。") % {"n": len(people)},
            )
        elsewhere = tuple(sorted({p.person_id for p in places}))[:MAX_CANDIDATES]
        if self.partial and org is None and not elsewhere:
            # Nobody of that name in the unit, under an organisation it has not mapped: another
            # unit's row in a city-wide export.
            return Match(ImportRow.Match.OUTSIDE, note=_("属于其他单位，已忽略。"))
        if org_name and org is None:
            note = _("平台组织“%(org)s”尚未对应到单位。") % {"org": org_name}
        elif elsewhere:
            note = _("对应单位中没有此人，其他单位有同名人员。")
        else:
            note = _("找不到此人。")
        return Match(ImportRow.Match.UNMATCHED, candidates=elsewhere, note=note)


def match_rows(matcher: Matcher, rows: Iterable[tuple[int, str, str, str]]) -> dict[int, Match]:
    """{key: Match} for (key, name, org_name, phone) rows; a person matched twice is left for
    the liaison to decide on every row after the first."""
    result: dict[int, Match] = {}
    first_row: dict[int, int] = {}
    for key, name, org_name, phone in rows:
        found = matcher.match(name, org_name, phone)
        person_id = found.person_id
        if found.status == ImportRow.Match.MATCHED and person_id is not None:
            if person_id in first_row:
                found = Match(
                    ImportRow.Match.AMBIGUOUS,
                    candidates=(person_id,),
                    note=_("与第 %(row)d 行匹配到同一人，请确认或跳过。")
                    % {"row": first_row[person_id]},
                )
            else:
                first_row[person_id] = key
        result[key] = found
    return result


def import_units_for_suggestion(user: User, unit: Unit) -> list[Unit]:
    """Units under `unit` that `user` may import for, as candidates for an organisation name
    (capped: a province's 5,000 units are matched by their aliases, not suggested)."""
    scope = scope_for(user, "learning.import")
    return list(
        Unit.objects.alive()
        .filter(scope.units_q(), path__startswith=unit.path)
        .only("id", "name", "short_name", "path")[:SUGGEST_LIMIT]
    )


def suggest_unit(org_name: str, units: list[Unit]) -> Unit | None:
    """The unit a platform organisation name most likely means: the longest unit name inside it
    (中共茫崖市委宣传部支部 → 市委宣传部), else the closest name by similarity."""
    text = normalise(org_name)
    inside = [
        unit for unit in units if len(normalise(unit.name)) >= 2 and normalise(unit.name) in text
    ]
    if inside:
        return max(inside, key=lambda unit: len(unit.name))
    best, score = None, 0.5
    for unit in units:
        ratio = difflib.SequenceMatcher(None, text, normalise(unit.name)).ratio()
        if ratio > score:
            best, score = unit, ratio
    return best


def place_for(actor: User, unit: Unit, person: User) -> Place | None:
    """Where `person` counts in an import for `unit`: their membership under it and in the
    importer's scope (the primary one first), without loading a province for one row."""
    scope = scope_for(actor, "learning.import")
    places = [
        Place(person.pk, unit_id, path, primary)
        for unit_id, path, primary in Membership.objects.filter(
            person=person,
            unit__path__startswith=unit.path,
            unit__deleted_at__isnull=True,
        )
        .order_by("-is_primary", "unit__path")
        .values_list("unit_id", "unit__path", "is_primary")
    ]
    for place in places:
        if scope.everything or place.unit_id in scope.unit_ids:
            return place
        if any(place.path.startswith(p) for p in scope.subtree_paths):
            return place
    return None


# --- Aliases: matches remembered for the next import --------------------------------------------


def applicable_org_aliases(platform: str, unit: Unit) -> dict[str, tuple[int, str]]:
    """{platform organisation: (unit id, unit path)} of the mappings that apply to an import
    for `unit`: those whose scope contains it (or that have none), the narrowest winning."""
    best: dict[str, tuple[int, tuple[int, str]]] = {}
    for name, unit_id, path, scope_path in OrgAlias.objects.filter(platform=platform).values_list(
        "name", "unit_id", "unit__path", "scope_unit__path"
    ):
        if scope_path and not unit.path.startswith(scope_path):
            continue
        depth = len(scope_path or "")
        if name not in best or depth > best[name][0]:
            best[name] = (depth, (unit_id, path))
    return {name: found for name, (_depth, found) in best.items()}


def alias_scope(actor: User, unit: Unit) -> Unit:
    """The scope a mapping `actor` makes on an import for `unit` applies in: the highest unit on
    `unit`'s path that `actor` may import for (the city for the office, a liaison's own unit)."""
    scope = scope_for(actor, "learning.import")
    ids = [int(pk) for pk in unit.path.strip("/").split("/")]
    units = {u.pk: u for u in Unit.objects.filter(pk__in=ids)}
    for pk in ids:
        if pk in units and scope.contains(units[pk]):
            return units[pk]
    return unit


def remember_person(
    *, actor: User, platform: str, org_name: str, name: str, person: User
) -> PersonAlias:
    """Remember that `name` under the platform organisation `org_name` is `person`."""
    alias, _created = PersonAlias.objects.update_or_create(
        platform=platform,
        org_name=org_name,
        name=name,
        defaults={"person": person, "created_by": actor, "created_at": timezone.now()},
    )
    return alias


def remember_organisation(
    *, actor: User, platform: str, name: str, unit: Unit, scope_unit: Unit
) -> tuple[OrgAlias, int | None]:
    """Remember that the platform organisation `name` is `unit` within `scope_unit`; returns the
    alias and the unit it meant before in that scope (None when it is new)."""
    alias = OrgAlias.objects.filter(platform=platform, name=name, scope_unit=scope_unit).first()
    before = alias.unit_id if alias else None
    if alias is None:
        alias = OrgAlias.objects.create(
            platform=platform, name=name, unit=unit, scope_unit=scope_unit, created_by=actor
        )
    else:
        alias.unit = unit
        alias.created_by = actor
        alias.created_at = timezone.now()
        alias.save(update_fields=["unit", "created_by", "created_at"])
    return alias, before
