"""Sign-up: places per position, the wait list and its automatic promotion (notified) when an
accepted volunteer cancels, the cancellation cut-off, approval by the organiser; pages assert the
database."""

import pytest
from django.urls import reverse

from luoshi.accounts.models import Notification
from luoshi.volunteering import services
from luoshi.volunteering.models import ServiceActivity, SignUp

from .conftest import at, publish, register

pytestmark = pytest.mark.django_db


@pytest.fixture
def three(network):
    """Three volunteers with accounts: staff, staff2 (unit A) and the resident (unit B)."""
    return [
        register(network, network.staff),
        register(network, network.staff2),
        register(network, network.resident, unit=network.unit_b),
    ]


def _sign(client, service, position):
    return client.post(
        reverse("volunteering:signup-create", args=[service.pk]), {"position": position.pk}
    )


def test_full_position_wait_lists_and_a_cancel_promotes(network, service_type, three, client_for):
    service = publish(network, service_type, capacity=1)
    position = service.positions.get(name="环境清理")
    staff, resident = client_for(network.staff), client_for(network.resident)
    _sign(staff, service, position)
    response = _sign(resident, service, position)
    assert response.status_code == 302
    statuses = dict(SignUp.objects.values_list("volunteer__person__username", "status"))
    assert statuses == {"staff": "accepted", "jumin": "waitlisted"}
    mine = SignUp.objects.get(volunteer__person=network.staff)
    staff.post(reverse("volunteering:signup-cancel", args=[mine.pk]))
    statuses = dict(SignUp.objects.values_list("volunteer__person__username", "status"))
    assert statuses == {"staff": "cancelled", "jumin": "accepted"}
    note = Notification.objects.get(recipient=network.resident)
    assert "候补成功" in note.title
    # Signing up twice is refused; a second sign-up after cancelling is allowed.
    again = _sign(resident, service, position)
    assert (
        again.status_code == 302
        and SignUp.objects.filter(volunteer__person=network.resident).count() == 1
    )
    _sign(staff, service, position)
    assert SignUp.objects.filter(volunteer__person=network.staff, status="waitlisted").exists()


def test_cancellation_closes_before_the_start(network, service_type, three, client_for):
    service = publish(network, service_type, starts_in=10, recruit_in=5)  # cut-off is 24 hours
    position = service.positions.first()
    client = client_for(network.staff)
    _sign(client, service, position)
    signup = SignUp.objects.get()
    response = client.post(reverse("volunteering:signup-cancel", args=[signup.pk]), follow=True)
    assert "不能再取消报名" in response.content.decode()
    signup.refresh_from_db()
    assert signup.status == SignUp.Status.ACCEPTED
    # The organiser may still cancel it.
    client_for(network.liaison).post(reverse("volunteering:signup-cancel", args=[signup.pk]))
    signup.refresh_from_db()
    assert signup.status == SignUp.Status.CANCELLED


def test_sign_up_closes_at_the_deadline(network, service_type, three, client_for):
    service = publish(network, service_type, starts_in=2, recruit_in=1)
    # closed an hour ago: moved there after publishing, since none is published already closed
    ServiceActivity.objects.filter(pk=service.pk).update(recruit_until=at(-1))
    service.refresh_from_db()
    response = _sign(client_for(network.staff), service, service.positions.first())
    assert response.status_code == 302 and not SignUp.objects.exists()


def test_approval_keeps_within_capacity(network, service_type, three, client_for):
    service = publish(network, service_type, capacity=1, needs_approval=True)
    position = service.positions.get(name="环境清理")
    for who in (network.staff, network.staff2):
        _sign(client_for(who), service, position)
    assert set(SignUp.objects.values_list("status", flat=True)) == {"pending"}
    liaison = client_for(network.liaison)
    for signup in SignUp.objects.order_by("id"):
        liaison.post(reverse("volunteering:signup-decide", args=[signup.pk]), {"accept": "1"})
    assert list(SignUp.objects.order_by("id").values_list("status", flat=True)) == [
        "accepted",
        "waitlisted",
    ]
    # Someone else may not decide.
    outsider = client_for(network.outsider)
    signup = SignUp.objects.first()
    assert outsider.post(reverse("volunteering:signup-decide", args=[signup.pk])).status_code == 404


def test_a_person_who_is_not_a_volunteer_is_sent_to_register(network, service_type, client_for):
    service = publish(network, service_type)
    page = client_for(network.staff).get(reverse("volunteering:activity-detail", args=[service.pk]))
    assert reverse("volunteering:register") in page.content.decode()
    with pytest.raises(Exception) as caught:
        services.sign_up(actor=network.staff, service=service, position=service.positions.first())
    assert "注册志愿者" in str(caught.value)


def test_activity_list_filters_by_month_place_team_and_skill(
    network, service_type, three, client_for
):
    from luoshi.volunteering.models import Skill

    team = services.create_team(
        actor=network.liaison, unit=network.unit_a, name="文体局志愿服务队", leaders=[three[0]]
    )
    first = publish(network, service_type, team=team)
    second = publish(network, service_type, title="义诊", starts_in=24 * 40)
    skill = Skill.objects.get(name="医疗卫生")
    second.skills.set([skill])
    client = client_for(network.resident)
    month = first.activity.starts_at.astimezone().strftime("%Y-%m")

    def ids(query):
        page = client.get(reverse("volunteering:activity-list") + query)
        return {s.pk for s in page.context["services"]}

    assert ids("") == {first.pk, second.pk}
    assert first.pk in ids(f"?month={month}") and second.pk not in ids(f"?month={month}")
    assert ids(f"?team={team.pk}") == {first.pk}
    assert ids(f"?skill={skill.pk}") == {second.pk}
    assert ids("?place=阿拉尔") == {first.pk, second.pk}
    assert ids("?place=冷湖") == set()
