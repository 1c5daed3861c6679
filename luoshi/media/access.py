"""Who sees which publications, journalists' targets and channels: 404 outside scope.

A publication is seen by whoever sees its ledger activity (luoshi.ledgers.access). A target is
seen by whoever holds `ledger.view` on its unit, and by the journalist it is set for; it is
changed by whoever records (`ledger.record`) or configures (`ledger.configure`) for its unit.
Channels are configuration: seen with any ledger access, changed by the office.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from luoshi.ledgers.access import can_edit_activity, visible_activities
from luoshi.ledgers.models import ActivityType
from luoshi.org.access import has_perm, scope_for
from luoshi.org.models import Unit

from .models import Channel, JournalistTarget, Publication

# Either permission lets a unit's liaison (record) or the office (configure) set targets; the
# units where they may are `org.access.units_with_any_perm(user, *TARGET_PERMS)`.
TARGET_PERMS = ("ledger.record", "ledger.configure")


def visible_publications(user) -> QuerySet[Publication]:
    """Publications of live activities `user` may see."""
    return Publication.objects.filter(activity__in=visible_activities(user).values("pk"))


def can_record_publications(user) -> bool:
    """Publications are unit records: "self"-scope staff record only personal ones."""
    return scope_for(user, "ledger.record").covers_units()


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


def visible_journalist_targets(user) -> QuerySet[JournalistTarget]:
    if not getattr(user, "is_authenticated", False):
        return JournalistTarget.objects.none()
    scope = scope_for(user, "ledger.view")
    if scope.everything:
        return JournalistTarget.objects.all()
    condition = Q(pk__in=[])
    if scope.covers_units():
        condition |= Q(unit__in=Unit.objects.filter(scope.units_q()).values("id"))
    if scope.own:
        condition |= Q(person=user)
    return JournalistTarget.objects.filter(condition)


def can_set_targets(user, unit: Unit | None) -> bool:
    """Whether `user` may set journalists' targets for `unit` (its liaison or the office)."""
    return any(scope_for(user, perm).contains(unit) for perm in TARGET_PERMS)


def get_journalist_target_for_user(user, pk: int, *, write: bool = False) -> JournalistTarget:
    target = visible_journalist_targets(user).select_related("person", "unit").filter(pk=pk).first()
    if target is None:
        raise Http404
    if write and not can_set_targets(user, target.unit):
        raise PermissionDenied
    return target


def get_channel_for_user(user, pk: int, *, write: bool = False) -> Channel:
    """A channel: 404 without ledger access or when there is none, PermissionDenied when
    `write` and `user` is not the office (`ledger.configure`)."""
    if scope_for(user, "ledger.view").is_empty:
        raise Http404
    channel = Channel.objects.filter(pk=pk).first()
    if channel is None:
        raise Http404
    if write and not has_perm(user, "ledger.configure"):
        raise PermissionDenied
    return channel


def get_media_type_for_user(user, pk: int) -> ActivityType:
    """An activity type a publication may be recorded as (any type: the service says which
    category it must be), or 404 without ledger access."""
    if scope_for(user, "ledger.view").is_empty:
        raise Http404
    activity_type = ActivityType.objects.filter(pk=pk).first()
    if activity_type is None:
        raise Http404
    return activity_type
