"""Who sees which publications and targets: 404 outside scope.

A publication is seen by whoever sees its ledger activity (luoshi.ledgers.access). A target is
seen by whoever holds `ledger.view` on its unit, and by the journalist it is set for; it is
changed by whoever records (`ledger.record`) or configures (`ledger.configure`) for its unit.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from luoshi.ledgers.access import can_edit_activity, visible_activities
from luoshi.org.access import scope_for
from luoshi.org.models import Unit

from .models import Publication, Target


def visible_publications(user) -> QuerySet[Publication]:
    """Publications of live activities `user` may see."""
    return Publication.objects.filter(activity__in=visible_activities(user).values("pk"))


def get_publication_for_user(user, pk: int, *, write: bool = False) -> Publication:
    """The publication, 404 when `user` may not see it, PermissionDenied when `write` and they
    may not change its activity."""
    publication = (
        visible_publications(user)
        .select_related("activity__type", "activity__unit", "activity__recorded_by", "channel")
        .filter(pk=pk)
        .first()
    )
    if publication is None:
        raise Http404
    if write and not can_edit_activity(user, publication.activity):
        raise PermissionDenied
    return publication


def visible_targets(user) -> QuerySet[Target]:
    if not getattr(user, "is_authenticated", False):
        return Target.objects.none()
    scope = scope_for(user, "ledger.view")
    if scope.everything:
        return Target.objects.all()
    condition = Q(pk__in=[])
    if scope.covers_units():
        condition |= Q(unit__in=Unit.objects.filter(scope.units_q()).values("id"))
    if scope.own:
        condition |= Q(person=user)
    return Target.objects.filter(condition)


def can_set_targets(user, unit: Unit | None) -> bool:
    """Whether `user` may set journalists' targets for `unit` (its liaison or the office)."""
    return scope_for(user, "ledger.record").contains(unit) or scope_for(
        user, "ledger.configure"
    ).contains(unit)


def target_units(user) -> QuerySet[Unit]:
    """Units `user` may set targets for."""
    record, configure = scope_for(user, "ledger.record"), scope_for(user, "ledger.configure")
    condition = Q(pk__in=[])
    for scope in (record, configure):
        if scope.covers_units():
            condition |= scope.units_q()
    return Unit.objects.alive().filter(condition)


def get_target_for_user(user, pk: int, *, write: bool = False) -> Target:
    target = visible_targets(user).select_related("person", "unit").filter(pk=pk).first()
    if target is None:
        raise Http404
    if write and not can_set_targets(user, target.unit):
        raise PermissionDenied
    return target
