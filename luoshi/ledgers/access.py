"""Who sees which ledger records: 404 outside scope.

An activity is seen by whoever holds `ledger.view` on its organising unit, by the person who
recorded it and by its participants (the "self" scope of plain staff).
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from luoshi.org.access import scope_for
from luoshi.org.models import Membership, Unit

from . import hooks
from .models import Activity, ActivityType, Participation


def _units_in(scope) -> QuerySet:
    return Unit.objects.filter(scope.units_q()).values("id")


def visible_activities(user, *, deleted: bool = False) -> QuerySet[Activity]:
    """Activities `user` may see (live ones; with `deleted`, the soft-deleted ones)."""
    if not getattr(user, "is_authenticated", False):
        return Activity.objects.none()
    activities = Activity.objects.filter(deleted_at__isnull=not deleted)
    scope = scope_for(user, "ledger.view")
    if scope.everything:
        return activities
    visible = Q(pk__in=[])
    if scope.covers_units():
        visible |= Q(unit__in=_units_in(scope))
    if scope.own:
        visible |= Q(recorded_by=user) | Q(
            Exists(Participation.objects.filter(activity=OuterRef("pk"), person=user))
        )
    return activities.filter(visible)


def get_activity_for_user(user, pk: int, *, write: bool = False, deleted: bool = False) -> Activity:
    """The activity, or 404 when `user` may not see it; with `write`, PermissionDenied when
    seen but not editable (see can_edit_activity). `deleted`: among the soft-deleted ones."""
    activity = (
        visible_activities(user, deleted=deleted)
        .select_related("type", "unit", "recorded_by", "evidence_task", *hooks.related_names())
        .filter(pk=pk)
        .first()
    )
    if activity is None:
        raise Http404
    if write and not can_edit_activity(user, activity):
        raise PermissionDenied(_("您不能修改其他单位的台账记录。"))
    return activity


def can_view_activity(user, activity: Activity) -> bool:
    return visible_activities(user).filter(pk=activity.pk).exists()


def can_edit_activity(user, activity: Activity) -> bool:
    """Whoever may record for the organising unit; a "self" recorder their own personal record."""
    scope = scope_for(user, "ledger.record")
    if scope.contains(activity.unit):
        return True
    return scope.own and activity.recorded_by_id == user.pk and activity.type.is_personal


def visible_types(user) -> QuerySet[ActivityType]:
    """Activity types are the ledger's shared reference: every one, for whoever holds any
    `ledger.*` permission; none for anyone else."""
    perms = ("ledger.view", "ledger.record", "ledger.configure")
    if all(scope_for(user, perm).is_empty for perm in perms):
        return ActivityType.objects.none()
    return ActivityType.objects.all()


def get_type_for_user(user, pk: int, *, write: bool = False) -> ActivityType:
    """An activity type: any logged-in person with ledger access sees them; changing one
    (`write`) needs `ledger.configure` (404 otherwise, like every other record out of reach)."""
    perm = "ledger.configure" if write else "ledger.view"
    if scope_for(user, perm).is_empty:
        raise Http404
    activity_type = visible_types(user).filter(pk=pk).first()
    if activity_type is None:
        raise Http404
    return activity_type


def recordable_types(user) -> QuerySet[ActivityType]:
    """The active types `user` may record: every one with a unit reach in `ledger.record`, only
    the personal ones for a "self" reach."""
    types = ActivityType.objects.filter(is_active=True).order_by("sort_order", "id")
    if not scope_for(user, "ledger.record").covers_units():
        types = types.filter(is_personal=True)
    return types


def recording_units(user) -> QuerySet[Unit]:
    """Units `user` may record activities for: those in the `ledger.record` scope, and for the
    "self" scope the units they belong to (personal records only)."""
    scope = scope_for(user, "ledger.record")
    units = Unit.objects.alive()
    condition = Q(pk__in=[])
    if scope.covers_units():
        condition |= scope.units_q()
    if scope.own:
        condition |= Q(pk__in=Membership.objects.filter(person=user).values("unit_id"))
    return units.filter(condition)


def recordable_campaigns(user) -> QuerySet:
    """Running campaigns `user`'s records may count toward: those they see, and those run by an
    office whose parent unit (the city, the county…) contains a unit they record for."""
    from luoshi.campaigns.access import visible_campaigns
    from luoshi.campaigns.models import Campaign

    running = Campaign.objects.filter(deleted_at__isnull=True, status=Campaign.Status.ACTIVE)
    paths = list(recording_units(user).values_list("path", flat=True)[:500])
    ids = set(
        visible_campaigns(user).filter(status=Campaign.Status.ACTIVE).values_list("pk", flat=True)
    )
    for campaign in running.select_related("office_unit__parent"):
        office = campaign.office_unit
        root = office.parent.path if office.parent is not None else office.path
        if any(path.startswith(root) for path in paths):
            ids.add(campaign.pk)
    return running.filter(pk__in=ids).order_by("-start_date")
