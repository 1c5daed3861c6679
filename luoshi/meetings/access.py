"""Who sees which meetings: a meeting is a ledger activity, seen by whoever sees it in the ledger
(404 otherwise); its minutes are edited by whoever may edit the activity; decisions are recorded
by the campaign's office (task.issue), since each becomes a task of the campaign."""

from django.db.models import QuerySet
from django.http import Http404

from luoshi.ledgers.access import can_edit_activity, visible_activities
from luoshi.ledgers.models import Activity, Category

from .models import Decision


def visible_meetings(user) -> QuerySet[Activity]:
    """Meeting activities (of a meeting-category type) `user` sees in the ledger."""
    return visible_activities(user).filter(type__category=Category.MEETING)


def get_meeting_for_user(user, pk: int) -> Activity:
    """The meeting activity (with its Meeting, if minutes were kept), or 404."""
    activity = (
        visible_meetings(user)
        .select_related("type", "unit", "recorded_by", "meeting", "meeting__campaign")
        .filter(pk=pk)
        .first()
    )
    if activity is None:
        raise Http404
    return activity


def can_edit_minutes(user, activity: Activity) -> bool:
    return can_edit_activity(user, activity)


def visible_decisions(user) -> QuerySet[Decision]:
    return Decision.objects.filter(meeting__activity__in=visible_meetings(user).values("id"))
