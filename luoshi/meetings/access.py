"""Who sees which meetings: a meeting is a ledger activity, seen by whoever sees it in the ledger
(404 otherwise); its minutes are edited by whoever may edit the activity; decisions are recorded
by the campaign's office (task.issue) for any unit, or by a unit's liaison (task.assign) for
their own unit, since each becomes a task of the campaign."""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from luoshi.campaigns.access import get_campaign_for_user
from luoshi.campaigns.models import Campaign
from luoshi.ledgers.access import can_edit_activity, recordable_campaigns, visible_activities
from luoshi.ledgers.models import Activity, Category
from luoshi.org.access import has_perm, scope_for

from .models import Decision, Meeting


def visible_meetings(user) -> QuerySet[Activity]:
    """Meeting activities (of a meeting-category type) `user` sees in the ledger."""
    return visible_activities(user).filter(type__category=Category.MEETING)


def get_meeting_for_user(user, pk: int, *, write: bool = False) -> Activity:
    """The meeting activity (with its Meeting, if minutes were kept), or 404; PermissionDenied
    when `write` and `user` may not edit its minutes."""
    activity = (
        visible_meetings(user)
        .select_related("type", "unit", "recorded_by", "meeting", "meeting__campaign")
        .filter(pk=pk)
        .first()
    )
    if activity is None:
        raise Http404
    if write and not can_edit_minutes(user, activity):
        raise PermissionDenied
    return activity


def can_record_meetings(user) -> bool:
    """A meeting is the unit's record: "self"-scope staff record only personal ones."""
    return scope_for(user, "ledger.record").covers_units()


def can_edit_minutes(user, activity: Activity) -> bool:
    return can_edit_activity(user, activity)


DECISION_PERMS = ("task.issue", "task.assign")
"""A decision becomes a task: the campaign's office issues it to any unit it may (task.issue on
the office); a unit's liaison (task.assign) opens it directly for their own unit."""


def decision_perm(user, meeting: Meeting | None) -> str:
    """The permission under which `user` turns the meeting's decisions into tasks ("" if none):
    task.issue for the campaign's office, else task.assign for a liaison."""
    if not (meeting and meeting.campaign):
        return ""
    if has_perm(user, "task.issue", meeting.campaign.office_unit):
        return "task.issue"
    if scope_for(user, "task.assign").covers_units():
        return "task.assign"
    return ""


def can_record_decisions(user, meeting: Meeting | None) -> bool:
    """Whether `user` may turn the meeting's decisions into tasks (decision_perm)."""
    return bool(decision_perm(user, meeting))


def get_agenda_campaign_for_user(user, pk: int) -> Campaign:
    """The campaign a meeting's agenda is drawn from: one the user's records may count toward,
    or else any campaign they see (404 outside scope)."""
    campaign = recordable_campaigns(user).filter(pk=pk).first()
    return campaign or get_campaign_for_user(user, pk)


def visible_decisions(user) -> QuerySet[Decision]:
    return Decision.objects.filter(meeting__activity__in=visible_meetings(user).values("id"))
