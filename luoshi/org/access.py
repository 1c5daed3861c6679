"""Data scope (数据权限): which units a person reaches for one feature, and 404s outside it.

Every role maps to a set of permissions ("task.sign", "person.phone", …). For one permission, a
person's reach is the union of the scopes of *those grants whose role has that permission*, so a
liaison of unit A who is plain staff in unit B signs tasks for A only; a custom scope on one grant
never widens what another grant allows (the RuoYi failure this avoids).
"""

from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet
from django.http import Http404

from .models import ADMIN_ROLES, Membership, Role, RoleGrant, Scope, Unit

PERMISSIONS: dict[str, frozenset[str]] = {
    Role.OFFICE: frozenset(
        {
            "unit.view",
            "person.view",
            "person.phone",
            "campaign.view",
            "campaign.manage",
            "task.view",
            "task.issue",
            "task.supervise",
            "task.remind",
            "task.verify",
            "task.hold_accountable",
            "task.comment",
            "calendar.manage",
            "ledger.view",
            "ledger.configure",
            "learning.view",
            "learning.import",
            "learning.configure",
            "volunteer.view",
            "assessment.view",
            "assessment.manage",
        }
    ),
    Role.LIAISON: frozenset(
        {
            "unit.view",
            "person.view",
            "person.phone",
            "campaign.view",
            "task.view",
            "task.sign",
            "task.assign",
            "task.report",
            "task.reply",
            "task.remind",
            "ledger.view",
            "ledger.record",
            "learning.view",
            "learning.import",
            "volunteer.join",
            "volunteer.view",
            "volunteer.manage",
            "assessment.self",
        }
    ),
    Role.LEADER: frozenset(
        {
            "unit.view",
            "person.view",
            "campaign.view",
            "task.view",
            "task.comment",
            "ledger.view",
            "learning.view",
            "volunteer.view",
            "assessment.view",
        }
    ),
    Role.STAFF: frozenset(
        {
            "unit.view",
            "person.view",
            "campaign.view",
            "task.view",
            "ledger.view",
            "ledger.record",
            "learning.view",
            "volunteer.join",
        }
    ),
    # 新时代文明实践中心 (the office of volunteer service): sets the monthly themes and issues
    # their prescribed actions on its own campaign, reviews and dispatches residents' orders,
    # rules on objections and sees the volunteers and hours of every unit in its scope.
    Role.CENTRE: frozenset(
        {
            "unit.view",
            "person.view",
            "campaign.view",
            "campaign.manage",
            "task.view",
            "task.issue",
            "task.supervise",
            "task.remind",
            "task.verify",
            "task.comment",
            "ledger.view",
            "ledger.record",
            "volunteer.join",
            "volunteer.view",
            "volunteer.manage",
            "volunteer.centre",
        }
    ),
    # A resident who is not a cadre: signs up, checks in, sees their own hours and certificates.
    Role.VOLUNTEER: frozenset({"volunteer.join"}),
    Role.SYSADMIN: frozenset(
        {"unit.view", "unit.manage", "person.view", "person.manage", "person.phone"}
    ),
    Role.SECADMIN: frozenset({"unit.view", "person.view", "role.manage", "security.manage"}),
    Role.AUDITOR: frozenset({"audit.view"}),
}

OWN_UNIT_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.OFFICE: frozenset({"ledger.record"}),
}
"""Permissions a role carries only in the units the person belongs to (their memberships), not
over the grant's scope: the campaign office keeps its own department's ledger — the lectures of
the teams it runs from there, its 周例会 and their minutes, its publications — as that unit's
liaison would, without recording for the units it supervises."""


@dataclass(frozen=True)
class UnitScope:
    """The units one person reaches for one permission.

    `subtree_paths` are path prefixes (a unit and everything below it), `unit_ids` single units,
    `own` whether the person's own records count (the "self only" scope).
    """

    everything: bool = False
    subtree_paths: frozenset[str] = field(default_factory=frozenset)
    unit_ids: frozenset[int] = field(default_factory=frozenset)
    own: bool = False

    @property
    def is_empty(self) -> bool:
        return not (self.everything or self.subtree_paths or self.unit_ids or self.own)

    def units_q(self, prefix: str = "") -> Q:
        """A filter for a unit (or, with a prefix like "unit__", a model's unit) in this scope."""
        if self.everything:
            return Q()
        parts = [Q(**{f"{prefix}path__startswith": path}) for path in sorted(self.subtree_paths)]
        if self.unit_ids:
            parts.append(Q(**{f"{prefix}id__in": sorted(self.unit_ids)}))
        return reduce(or_, parts) if parts else Q(pk__in=[])

    def covers_units(self) -> bool:
        return self.everything or bool(self.subtree_paths or self.unit_ids)

    def contains(self, unit: Unit | None) -> bool:
        if unit is None:
            return self.everything
        if self.everything or unit.id in self.unit_ids:
            return True
        return any(unit.path.startswith(path) for path in self.subtree_paths)


def _grants(user) -> list[RoleGrant]:
    cached = getattr(user, "_luoshi_grants", None)
    if cached is None:
        cached = list(
            RoleGrant.objects.filter(person=user)
            .select_related("unit")
            .prefetch_related("custom_units")
        )
        user._luoshi_grants = cached
    return cached


def _member_units(user) -> list[int]:
    """The ids of the live units `user` belongs to (cached with the grants)."""
    cached = getattr(user, "_luoshi_member_units", None)
    if cached is None:
        cached = list(
            Membership.objects.filter(person=user, unit__deleted_at__isnull=True).values_list(
                "unit_id", flat=True
            )
        )
        user._luoshi_member_units = cached
    return cached


def forget_grants(user) -> None:
    """Drop the per-request cache after grants change."""
    for attr in ("_luoshi_grants", "_luoshi_scopes", "_luoshi_member_units"):
        if hasattr(user, attr):
            delattr(user, attr)


def roles_of(user) -> set[str]:
    if not getattr(user, "is_authenticated", False):
        return set()
    return {grant.role for grant in _grants(user)}


def scope_for(user, perm: str) -> UnitScope:
    """The reach of `perm` for `user`, from the grants whose role carries `perm`."""
    if not getattr(user, "is_authenticated", False):
        return UnitScope()
    scopes = getattr(user, "_luoshi_scopes", None)
    if scopes is None:
        scopes = user._luoshi_scopes = {}
    if perm in scopes:
        return scopes[perm]
    everything, own = False, False
    paths: set[str] = set()
    ids: set[int] = set()
    grants = _grants(user)
    if any(perm in OWN_UNIT_PERMISSIONS.get(grant.role, ()) for grant in grants):
        ids.update(_member_units(user))
    for grant in grants:
        if perm not in PERMISSIONS.get(grant.role, ()):
            continue
        match grant.scope:
            case Scope.ALL:
                everything = True
            case Scope.SUBTREE:
                paths.add(grant.unit.path)
            case Scope.UNIT:
                ids.add(grant.unit_id)
            case Scope.CUSTOM:
                ids.update(unit.id for unit in grant.custom_units.all())
            case Scope.SELF:
                own = True
    scope = UnitScope(everything, frozenset(paths), frozenset(ids), own)
    scopes[perm] = scope
    return scope


def has_perm(user, perm: str, unit: Unit | None = None) -> bool:
    """Whether `user` holds `perm` at all (unit=None) or for `unit`."""
    scope = scope_for(user, perm)
    if unit is None:
        return not scope.is_empty
    return scope.contains(unit)


def require_perm(user, perm: str, unit: Unit | None = None) -> None:
    """Raise PermissionDenied unless `user` holds `perm` (for `unit`)."""
    from django.core.exceptions import PermissionDenied

    if not has_perm(user, perm, unit):
        raise PermissionDenied(_denied_message(perm))


def _denied_message(perm: str) -> str:
    from django.utils.translation import gettext as _

    return _("您没有此项操作的权限（%(perm)s）。") % {"perm": perm}


def units_for_picker(user, perm: str):
    """The units `user` may choose in a form acting under `perm`: only units in scope."""
    scope = scope_for(user, perm)
    if not scope.covers_units():
        return Unit.objects.none()
    return Unit.objects.alive().filter(scope.units_q())


def units_with_any_perm(user, *perms: str) -> QuerySet[Unit]:
    """The live units where `user` holds at least one of `perms` (a liaison's own units and the
    office's, for pages that either may use)."""
    condition = Q(pk__in=[])
    for perm in perms:
        scope = scope_for(user, perm)
        if scope.covers_units():
            condition |= scope.units_q()
    return Unit.objects.alive().filter(condition)


def get_unit_for_user(user, pk: int, *, write: bool = False) -> Unit:
    """The live unit, or 404 outside `user`'s `unit.view` scope; with `write`, PermissionDenied
    unless `user` also holds `unit.manage` on it."""
    unit = get_unit_in_scope(user, pk, perm="unit.view")
    if write:
        require_perm(user, "unit.manage", unit)
    return unit


def get_unit_in_scope(user, pk: int, *, perm: str) -> Unit:
    """The live unit, or 404 when it is outside `user`'s scope for another app's `perm` (a
    ledger's unit filter under `ledger.view`, the unit a task is issued to under `task.issue`)."""
    unit = Unit.objects.alive().filter(pk=pk).first()
    if unit is None or not scope_for(user, perm).contains(unit):
        raise Http404
    return unit


def is_admin_role(role: str) -> bool:
    return role in ADMIN_ROLES


# --- People, memberships and grants (added for the organisation pages) --------------------------


def visible_people(user, perm: str = "person.view"):
    """People `user` reaches for `perm`: members of units in scope, and themselves for "self"."""
    from django.db.models import Exists, OuterRef

    from luoshi.accounts.models import User

    from .models import Membership

    people = User.objects.filter(deleted_at__isnull=True)
    scope = scope_for(user, perm)
    if scope.everything:
        return people
    condition = Q(pk__in=[])
    if scope.covers_units():
        # The stub's Q.__or__ takes only a Q; Q | Exists is a Q at runtime.
        condition |= Exists(  # type: ignore[assignment]
            Membership.objects.filter(person=OuterRef("pk")).filter(scope.units_q("unit__"))
        )
    if scope.own and getattr(user, "is_authenticated", False):
        condition |= Q(pk=user.pk)
    return people.filter(condition)


def get_person_for_user(user, pk: int, *, write: bool = False):
    """The person, or 404 outside `user`'s `person.view` scope; with `write`, PermissionDenied
    unless `user` holds `person.manage` on the person's primary unit."""
    person = get_person_in_scope(user, pk, perm="person.view")
    if write:
        require_perm(user, "person.manage", primary_unit(person))
    return person


def get_person_in_scope(user, pk: int, *, perm: str):
    """The person, or 404 when they are outside `user`'s scope for another app's `perm` (the
    people a ledger lists under `ledger.view`)."""
    person = visible_people(user, perm).filter(pk=pk).first()
    if person is None:
        raise Http404
    return person


def primary_unit(person) -> Unit | None:
    """The unit of the person's primary post (else their first), which `person.manage` is
    checked on."""
    membership = (
        person.memberships.select_related("unit")
        .order_by("-is_primary", "sort_order", "id")
        .first()
    )
    return membership.unit if membership else None


def can_see_phone(viewer, person, units) -> bool:
    """Whether `viewer` sees `person`'s full phone: their own, or `person.phone` on one of `units`
    (the person's units, passed in so that lists can prefetch them)."""
    if viewer.pk == person.pk:
        return True
    scope = scope_for(viewer, "person.phone")
    return any(scope.contains(unit) for unit in units)


def get_deleted_unit_for_user(user, pk: int) -> Unit:
    """A soft-deleted unit that `user` may restore (`unit.manage` on it), else 404."""
    unit = Unit.objects.filter(pk=pk, deleted_at__isnull=False).select_related("parent").first()
    if unit is None or not scope_for(user, "unit.manage").contains(unit):
        raise Http404
    return unit


def get_membership_for_user(user, pk: int, *, write: bool = False):
    """A membership whose unit is in `user`'s `person.view` scope, else 404; with `write`,
    PermissionDenied unless `user` holds `person.manage` on its unit."""
    from .models import Membership

    membership = Membership.objects.select_related("person", "unit").filter(pk=pk).first()
    if membership is None or not scope_for(user, "person.view").contains(membership.unit):
        raise Http404
    if write:
        require_perm(user, "person.manage", membership.unit)
    return membership


def visible_grants(user):
    """Role grants on units in `user`'s `role.manage` scope."""
    scope = scope_for(user, "role.manage")
    if not scope.covers_units():
        return RoleGrant.objects.none()
    return RoleGrant.objects.filter(scope.units_q("unit__"))


def get_grant_for_user(user, pk: int) -> RoleGrant:
    grant = visible_grants(user).select_related("person", "unit").filter(pk=pk).first()
    if grant is None:
        raise Http404
    return grant
