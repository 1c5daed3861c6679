"""A team's leader (队长) who is not a liaison publishes the team's activities and takes, hands
back and closes the orders dispatched to the team — through the pages, the buttons shown only
to them — and nothing beyond the team: not for the unit without the team, not for another team."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from luoshi.campaigns.models import TaskState
from luoshi.volunteering import services
from luoshi.volunteering.models import ServiceActivity, ServiceOrder
from luoshi.volunteering.services import orders as moves

from .conftest import at, register

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(network):
    leader = register(network, network.staff)
    register(network, network.staff2)
    return services.create_team(
        actor=network.liaison, unit=network.unit_a, name="文体局志愿服务队", leaders=[leader]
    )


def _dispatched(network, campaign, team) -> ServiceOrder:
    order = moves.place_order(
        actor=None,
        name="马秀英",
        phone="13897001234",
        community="阿拉尔社区",
        need="家中老人需要代购生活用品",
    )
    moves.review_order(actor=network.centre, order=order, accept=True, category="助老助残")
    return moves.dispatch_order(
        actor=network.centre,
        order=order,
        team=team,
        campaign=campaign,
        deadline=timezone.localdate() + datetime.timedelta(days=7),
    )


def _post_activity(client, service_type, team, **extra):
    return client.post(
        reverse("volunteering:activity-create"),
        {
            "type": service_type.pk,
            "unit": team.unit_id,
            "team": team.pk,
            "title": "社区环境清理",
            "place": "阿拉尔社区",
            "starts_at": at(48).strftime("%Y-%m-%dT%H:%M"),
            "ends_at": at(51).strftime("%Y-%m-%dT%H:%M"),
            "planned_hours": "3",
            "recruit_until": at(40).strftime("%Y-%m-%dT%H:%M"),
            "positions": "环境清理 5",
            **extra,
        },
    )


def test_a_team_leader_publishes_the_teams_activities(network, service_type, team, client_for):
    leader, member = client_for(network.staff), client_for(network.staff2)
    assert leader.get(reverse("volunteering:activity-list")).context["may_publish"]
    assert not member.get(reverse("volunteering:activity-list")).context["may_publish"]
    team_url = reverse("volunteering:team-detail", args=[team.pk])
    assert 'id="team-publish"' in leader.get(team_url).content.decode()
    assert 'id="team-publish"' not in member.get(team_url).content.decode()
    assert member.get(reverse("volunteering:activity-create")).status_code == 403
    form = leader.get(reverse("volunteering:activity-create") + f"?team={team.pk}").context["form"]
    assert list(form.fields["unit"].queryset) == [network.unit_a]
    assert list(form.fields["team"].queryset) == [team]
    assert form.initial["unit"] == network.unit_a.pk
    response = _post_activity(leader, service_type, team)
    assert response.status_code == 302, response.context["form"].errors
    service = ServiceActivity.objects.get()
    assert (service.team, service.activity.unit) == (team, network.unit_a)
    assert service.activity.recorded_by == network.staff
    # The leader organises it: sign-ups and hours are theirs to handle.
    page = leader.get(reverse("volunteering:activity-detail", args=[service.pk]))
    assert page.context["organiser"]


def test_a_team_leader_publishes_for_the_team_only(network, service_type, team):
    other = services.create_team(actor=network.liaison, unit=network.unit_a, name="文体局文艺队")
    base = {
        "actor": network.staff,
        "activity_type": service_type,
        "unit": network.unit_a,
        "title": "社区环境清理",
        "starts_at": at(48),
        "ends_at": at(51),
        "planned_hours": Decimal(3),
        "recruit_until": at(40),
        "positions": [services.PositionSpec("环境清理", 5)],
    }
    for team_given in (None, other):
        with pytest.raises(ValidationError) as caught:
            services.publish_activity(**base, team=team_given)
        assert "unit" in caught.value.message_dict
    assert not ServiceActivity.objects.exists()


def test_a_team_leader_takes_and_closes_an_order(
    network, service_type, team, centre_campaign, client_for
):
    order = _dispatched(network, centre_campaign, team)
    leader = client_for(network.staff)
    detail = reverse("volunteering:order-detail", args=[order.pk])
    assert leader.get(detail).context["hand_back_form"] is not None
    assert client_for(network.staff2).get(detail).status_code == 404
    leader.post(reverse("volunteering:order-move", args=[order.pk, "take"]))
    order.refresh_from_db()
    assert order.status == ServiceOrder.Status.TAKEN
    assert (order.task.state, order.task.signed_by, order.task.owner) == (
        TaskState.IN_PROGRESS,
        network.staff,
        network.staff,
    )
    assert leader.get(detail).context["close_form"] is not None
    response = _post_activity(leader, service_type, team, order=order.pk)
    assert response.status_code == 302, response.context["form"].errors
    service = ServiceActivity.objects.get(order=order)
    assert service.activity.evidence_task_id == order.task_id
    leader.post(
        reverse("volunteering:order-move", args=[order.pk, "close"]), {"service": service.pk}
    )
    order.refresh_from_db()
    assert order.status == ServiceOrder.Status.CLOSED
    assert order.task.state == TaskState.SUBMITTED


def test_a_resident_leader_hands_back_but_does_not_own_the_units_task(
    network, team, centre_campaign, client_for
):
    resident = register(network, network.resident, unit=network.unit_b)
    services.update_team(
        actor=network.liaison,
        team=team,
        name=team.name,
        description="",
        members=[resident],
        leaders=[resident],
    )
    order = _dispatched(network, centre_campaign, team)
    with pytest.raises(ValidationError) as caught:
        moves.take_order(actor=network.resident, order=order)
    assert "须是市文体旅游广电局的人员" in str(caught.value)
    client_for(network.resident).post(
        reverse("volunteering:order-move", args=[order.pk, "hand-back"]),
        {"reason": "本周队员均有任务，无法承接"},
    )
    order.refresh_from_db()
    assert order.status == ServiceOrder.Status.ACCEPTED
    assert order.handback_reason == "本周队员均有任务，无法承接"


def test_the_team_page_counts_every_order_not_only_those_listed(network, team, client_for):
    now = timezone.now()
    ServiceOrder.objects.bulk_create(
        ServiceOrder(
            code=f"TEAM{n:04d}",
            name="马秀英",
            phone="13897001234",
            community="阿拉尔社区",
            need="家中老人需要代购生活用品",
            status=ServiceOrder.Status.CLOSED,
            team=team,
            dispatched_at=now - datetime.timedelta(hours=3),
            taken_at=now - datetime.timedelta(hours=1 if n else 2),
            rating=5 if n else 1,
        )
        for n in range(51)
    )
    page = client_for(network.staff).get(reverse("volunteering:team-detail", args=[team.pk]))
    figures = page.context["figures"]
    assert len(page.context["orders"]) == 50
    assert figures.closed == 51
    assert figures.average_rating == round((50 * 5 + 1) / 51, 1)
    assert figures.response_hours == round((50 * 2 + 1) / 51, 1)
    assert (
        client_for(network.staff2)
        .get(reverse("volunteering:team-detail", args=[team.pk]))
        .context["figures"]
        is None
    )
