"""Who sees and manages study groups, reading lists and essays: 404 outside scope.

A study group is seen by whoever holds `ledger.view` on its unit and by its members; it is
managed by the unit's liaison (`ledger.record` on the unit) and by the campaign office
(`ledger.configure`). Reading lists belong to campaigns the person takes part in.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from luoshi.campaigns.models import Campaign
from luoshi.ledgers.access import get_activity_for_user, recordable_campaigns
from luoshi.ledgers.models import Activity
from luoshi.org.access import scope_for
from luoshi.org.models import Unit

from .models import Reading, StudyGroup, StudySettings


def visible_groups(user) -> QuerySet[StudyGroup]:
    """Study groups of units in `user`'s `ledger.view` scope, and the groups they belong to."""
    if not getattr(user, "is_authenticated", False):
        return StudyGroup.objects.none()
    scope = scope_for(user, "ledger.view")
    if scope.everything:
        return StudyGroup.objects.all()
    condition = Q(members__person=user)
    if scope.covers_units():
        condition |= Q(unit__in=Unit.objects.filter(scope.units_q()).values("id"))
    return StudyGroup.objects.filter(
        pk__in=StudyGroup.objects.filter(condition).values("pk")
    ).order_by("unit__path", "name", "id")


def can_manage_groups(user, unit: Unit | None) -> bool:
    """The liaison of the unit (ledger.record) or the campaign office (ledger.configure)."""
    if unit is None:
        return False
    return scope_for(user, "ledger.record").contains(unit) or scope_for(
        user, "ledger.configure"
    ).contains(unit)


def group_units(user) -> QuerySet[Unit]:
    """Units `user` may create study groups in."""
    record, configure = scope_for(user, "ledger.record"), scope_for(user, "ledger.configure")
    condition = Q(pk__in=[])
    for scope in (record, configure):
        if scope.covers_units():
            condition |= scope.units_q()
    return Unit.objects.alive().filter(condition)


def get_group_for_user(user, pk: int, *, write: bool = False) -> StudyGroup:
    """The group, 404 outside scope; PermissionDenied when seen but not manageable."""
    group = visible_groups(user).select_related("unit").filter(pk=pk).first()
    if group is None:
        raise Http404
    if write and not can_manage_groups(user, group.unit):
        raise PermissionDenied(_("您不能管理此单位的学习小组。"))
    return group


def study_campaigns(user) -> QuerySet[Campaign]:
    """Campaigns whose reading list `user` sees: those they see and those they record for."""
    from luoshi.campaigns.access import visible_campaigns

    ids = set(visible_campaigns(user).values_list("pk", flat=True))
    ids |= set(recordable_campaigns(user).values_list("pk", flat=True))
    return Campaign.objects.filter(pk__in=ids, deleted_at__isnull=True).order_by(
        "-start_date", "-id"
    )


def get_study_campaign(user, pk: int | None) -> Campaign | None:
    """The chosen campaign (404 when out of sight), or the latest one `user` takes part in."""
    campaigns = study_campaigns(user)
    if pk is None:
        running = campaigns.filter(status=Campaign.Status.ACTIVE).first()
        return running or campaigns.first()
    campaign = campaigns.filter(pk=pk).first()
    if campaign is None:
        raise Http404
    return campaign


def can_configure_campaign(user, campaign: Campaign) -> bool:
    return scope_for(user, "ledger.configure").contains(campaign.office_unit)


def get_reading_for_user(user, pk: int, *, write: bool = False) -> Reading:
    reading = (
        Reading.objects.select_related("campaign", "campaign__office_unit")
        .filter(pk=pk, campaign__in=study_campaigns(user))
        .first()
    )
    if reading is None:
        raise Http404
    if write and not can_configure_campaign(user, reading.campaign):
        raise PermissionDenied(_("只有行动办可以维护指定读本。"))
    return reading


def essay_type_ids() -> set[int]:
    return set(
        StudySettings.objects.filter(essay_type__isnull=False).values_list(
            "essay_type_id", flat=True
        )
    )


def reading_type_ids() -> set[int]:
    return set(
        StudySettings.objects.filter(reading_type__isnull=False).values_list(
            "reading_type_id", flat=True
        )
    )


def get_essay_for_user(user, pk: int, *, write: bool = False) -> Activity:
    """An essay (an activity of a campaign's essay type), 404 when out of sight or not an essay;
    with `write` (rating it 优秀), PermissionDenied unless `user` may commend it."""
    activity = get_activity_for_user(user, pk)
    if activity.type_id not in essay_type_ids():
        raise Http404
    if write and not can_commend(user, activity):
        raise PermissionDenied(_("只有本单位联络员可以将心得体会评为优秀。"))
    return activity


def can_commend(user, activity: Activity) -> bool:
    """Rating an essay 优秀 takes `ledger.record` on its unit (the liaison, not the author)."""
    return scope_for(user, "ledger.record").contains(activity.unit)
