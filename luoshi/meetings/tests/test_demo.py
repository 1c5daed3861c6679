"""The meetings part of the demo, loaded on the demo's organisation, campaign and types."""

import pytest
from django.urls import reverse

from luoshi.campaigns.models import Task, TaskState
from luoshi.demo.data import DemoBuilder
from luoshi.ledgers import demo as ledger_demo
from luoshi.meetings import demo
from luoshi.meetings.models import Decision, Meeting

pytestmark = pytest.mark.django_db


def test_demo_holds_weekly_and_monthly_meetings_whose_decisions_are_tasks(client_for):
    builder = DemoBuilder()
    builder.build_organisation()
    builder.build_campaign()
    ledger_demo.load(builder)
    demo.load(builder)
    meetings = Meeting.objects.select_related("activity__type", "activity__unit")
    kinds = [m.activity.type.name for m in meetings]
    assert kinds.count("周例会") == 6 and kinds.count("月调度会") == 3
    assert {m.activity.unit.name for m in meetings} == {"市委宣传部"}
    assert all(m.minutes and m.agenda for m in meetings)
    decisions = Decision.objects.select_related("task")
    assert decisions.count() == 12
    assert all(
        d.task.kind == Task.Kind.DECISION and d.task.owner_id == d.owner_id for d in decisions
    )
    states = {d.task.state for d in decisions}
    assert {TaskState.CLOSED, TaskState.IN_PROGRESS} <= states
    assert decisions.filter(task__warning="red").exists()
    office = client_for(builder.built.people["office"])
    page = office.get(reverse("meetings:meeting-list"))
    # the live meetings with minutes come first (newest first), then the spring-2022 meetings
    # the ledger's demo records for the briefing
    listed = [activity.pk for activity in page.context["meetings"]]
    live = set(meetings.values_list("activity_id", flat=True))
    assert len(live) == 9 and set(listed[:9]) == live
    latest = (
        meetings.filter(activity__type__name="月调度会").order_by("-activity__starts_at").first()
    )
    assert latest is not None
    detail = office.get(reverse("meetings:meeting-detail", args=[latest.activity_id]))
    assert detail.status_code == 200 and len(detail.context["decisions"]) == 2
