"""一月一主题: the centre sets a theme, adds a prescribed action and issues it to every
participating unit through the chain; each unit's task progress is counted from its volunteer
activities under the action (the page counts again), never typed."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from luoshi.campaigns import services as chain
from luoshi.campaigns.models import Task, TaskEvent, TaskState
from luoshi.ledgers import services as ledger
from luoshi.volunteering import services
from luoshi.volunteering.models import PrescribedAction, ServiceActivity, Theme

from .conftest import publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def action(network, centre_campaign, client_for):
    client = client_for(network.centre)
    today = timezone.localdate()
    response = client.post(
        reverse("volunteering:theme-create"),
        {
            "campaign": centre_campaign.pk,
            "year": today.year,
            "month": today.month,
            "title": "学雷锋志愿服务月",
        },
    )
    assert response.status_code == 302
    theme = Theme.objects.get()
    response = client.post(
        reverse("volunteering:action-create", args=[theme.pk]),
        {
            "title": "“学雷锋”便民服务",
            "expected_activities": 2,
            "deadline": (today + datetime.timedelta(days=20)).isoformat(),
        },
    )
    assert response.status_code == 302
    return PrescribedAction.objects.get()


def test_a_prescribed_action_is_issued_to_every_participating_unit(network, action, client_for):
    client = client_for(network.centre)
    plan = action.plan_task
    assert plan.kind == Task.Kind.PRESCRIBED and plan.unit is None
    response = client.post(reverse("volunteering:action-issue", args=[action.theme_id, action.pk]))
    assert response.status_code == 302
    units = set(plan.children.values_list("unit_id", flat=True))
    assert units == {network.unit_a.pk, network.unit_b.pk}  # the 站 and the 所, not the 中心
    assert all(t.state == TaskState.ISSUED for t in plan.children.all())
    # Issuing again finds no unit left.
    client.post(reverse("volunteering:action-issue", args=[action.theme_id, action.pk]))
    assert plan.children.count() == 2


def test_only_the_centre_sets_themes(network, centre_campaign, client_for):
    assert client_for(network.liaison).get(reverse("volunteering:theme-create")).status_code == 403
    assert client_for(network.office).get(reverse("volunteering:theme-create")).status_code == 403


def test_progress_is_counted_from_the_units_activities(network, action, service_type, client_for):
    services.issue_action(actor=network.centre, action=action)
    task = action.plan_task.children.get(unit=network.unit_a)
    chain.sign_task(actor=network.liaison, task=task)
    chain.assign_task(actor=network.liaison, task=task, owner=network.staff)
    first = publish(network, service_type, action=action)
    task.refresh_from_db()
    assert first.activity.evidence_task_id == task.pk
    assert first.kind == ServiceActivity.Kind.PRESCRIBED and first.theme_id == action.theme_id
    assert task.progress == 50
    assert TaskEvent.objects.filter(task=task, action="report", actor=None).exists()
    publish(network, service_type, action=action, title="第二场")
    task.refresh_from_db()
    assert task.progress == 100
    # Unit B has done nothing: 0 %.
    other = action.plan_task.children.get(unit=network.unit_b)
    assert other.progress == 0
    # A record deleted in the ledger drops out when the theme page counts again.
    ledger.delete_activity(actor=network.liaison, activity=first.activity, reason="重复登记")
    page = client_for(network.centre).get(
        reverse("volunteering:theme-detail", args=[action.theme_id])
    )
    assert page.status_code == 200
    task.refresh_from_db()
    assert task.progress == 50
    rows = page.context["actions"][0].units
    assert {(r.task.unit_id, r.done) for r in rows} == {
        (network.unit_a.pk, 1),
        (network.unit_b.pk, 0),
    }


def test_the_daily_job_counts_again(network, action, service_type):
    services.issue_action(actor=network.centre, action=action)
    published = publish(network, service_type, action=action)
    task = action.plan_task.children.get(unit=network.unit_a)
    ledger.delete_activity(actor=network.liaison, activity=published.activity, reason="误录")
    from luoshi.volunteering.tasks import daily_action_progress

    daily_action_progress.call_local()
    task.refresh_from_db()
    assert task.progress == 0


def test_an_activity_under_an_action_the_unit_did_not_get_is_refused(network, action, service_type):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        publish(network, service_type, action=action)
    assert "action" in caught.value.message_dict


def test_a_self_chosen_activity_any_time(network, service_type, client_for):
    client = client_for(network.liaison)
    start = timezone.localtime() + datetime.timedelta(days=3)
    response = client.post(
        reverse("volunteering:activity-create"),
        {
            "type": service_type.pk,
            "unit": network.unit_a.pk,
            "title": "关爱空巢老人",
            "place": "石棉矿社区",
            "starts_at": start.strftime("%Y-%m-%dT09:00"),
            "ends_at": start.strftime("%Y-%m-%dT12:00"),
            "planned_hours": "3",
            "recruit_until": (start - datetime.timedelta(days=1)).strftime("%Y-%m-%dT18:00"),
            "positions": "陪伴聊天 6 上门陪伴\n家务帮扶 4",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    service = ServiceActivity.objects.get()
    assert service.kind == ServiceActivity.Kind.CHOSEN and service.action is None
    assert service.activity.type.category == "volunteer" and service.activity.checkin_code
    assert [(p.name, p.capacity) for p in service.positions.all()] == [
        ("陪伴聊天", 6),
        ("家务帮扶", 4),
    ]
    bad = client.post(
        reverse("volunteering:activity-create"),
        {"type": service_type.pk, "positions": "陪伴聊天 六"},
    )
    assert "第 1 行" in str(bad.context["form"].errors["positions"])


def test_the_monthly_return_counts_the_actions_done_of_expected(network, action, service_type):
    from luoshi.volunteering import selectors

    services.issue_action(actor=network.centre, action=action)
    first = publish(network, service_type, action=action)
    publish(network, service_type, action=action, title="第二场")
    month = datetime.date(action.theme.year, action.theme.month, 1)

    def actions(who):
        return {
            r.unit.pk: (r.actions_done, r.actions_expected)
            for r in selectors.monthly_return(who, month).rows
            if r.actions_expected
        }

    assert actions(network.centre) == {network.unit_a.pk: (1, 1), network.unit_b.pk: (0, 1)}
    assert actions(network.liaison) == {network.unit_a.pk: (1, 1)}
    ledger.delete_activity(actor=network.liaison, activity=first.activity, reason="重复登记")
    assert actions(network.centre) == {network.unit_a.pk: (0, 1), network.unit_b.pk: (0, 1)}
