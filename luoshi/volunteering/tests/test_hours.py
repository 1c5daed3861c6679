"""Check-in and check-out by the activity's code (the ledger's check-in), hours capped at the
planned hours and none under 60 % of them; 补录 only with a reason and proof, marked 补录 and
audited; publicity, and an objection to the organiser and then the centre."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from luoshi.audit.models import AuditEvent
from luoshi.files.models import Attachment
from luoshi.ledgers.models import Participation
from luoshi.volunteering import selectors, services
from luoshi.volunteering.models import Objection, ServiceHours, SignUp, VolunteerSettings

from .conftest import publish, register

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed(network, service_type, clock):
    """An activity starting in 15 minutes (check-in open), planned 2 hours, with staff
    accepted."""
    service = publish(network, service_type, starts_in=0.25, hours=2, recruit_in=0.2)
    volunteer = register(network, network.staff)
    services.sign_up(actor=network.staff, service=service, position=service.positions.first())
    return service, volunteer


def _move(client, code, move):
    return client.post(reverse("volunteering:checkin"), {"code": code, "move": move}, follow=True)


def test_timed_hours_are_capped_at_the_planned_hours(network, signed, clock, client_for):
    service, volunteer = signed
    client = client_for(network.staff)
    code = service.activity.checkin_code
    _move(client, code, "in")
    assert Participation.objects.filter(activity=service.activity, person=network.staff).exists()
    clock.advance(hours=2, minutes=40)
    client = client_for(network.staff)  # the idle session has ended meanwhile
    page = _move(client, code, "out")
    assert "2.0" in page.content.decode()
    row = ServiceHours.objects.get()
    assert (row.hours, row.method, row.unit) == (Decimal("2.0"), "timed", network.unit_a)
    signup = SignUp.objects.get()
    assert signup.checked_in_at and signup.checked_out_at


def test_under_sixty_percent_records_no_hours(network, signed, clock, client_for):
    service, _volunteer = signed
    client = client_for(network.staff)
    code = service.activity.checkin_code
    _move(client, code, "in")
    clock.advance(minutes=71)  # 59 % of 120 minutes
    page = _move(client_for(network.staff), code, "out")
    assert "不记录服务时长" in page.content.decode()
    assert not ServiceHours.objects.exists()


def test_the_share_is_configurable(network, signed, clock):
    rules = VolunteerSettings.load()
    rules.min_attendance_percent = 50
    rules.save()
    service, _volunteer = signed
    services.check_in_volunteer(actor=network.staff, code=service.activity.checkin_code)
    clock.advance(minutes=71)
    _signup, row = services.check_out_volunteer(
        actor=network.staff, code=service.activity.checkin_code
    )
    assert row.hours == Decimal("1.1")


def test_timed_hours_rule():
    import datetime

    start = datetime.datetime(2026, 3, 5, 9, tzinfo=datetime.UTC)

    def hours(minutes):
        return services.timed_hours(
            start, start + datetime.timedelta(minutes=minutes), Decimal(3), 60
        )

    assert [hours(m) for m in (107, 108, 150, 400)] == [
        Decimal(0),
        Decimal("1.8"),
        Decimal("2.5"),
        Decimal(3),
    ]


def test_check_in_needs_an_accepted_sign_up(network, signed, client_for):
    service, _volunteer = signed
    register(network, network.staff2)
    page = _move(client_for(network.staff2), service.activity.checkin_code, "in")
    assert "不能签到" in page.content.decode()
    assert not Participation.objects.filter(person=network.staff2).exists()


def _png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), "white").save(buffer, "PNG")
    return SimpleUploadedFile("签到表.png", buffer.getvalue(), content_type="image/png")


def test_added_hours_need_a_reason_and_proof(network, signed, client_for):
    service, volunteer = signed
    client = client_for(network.liaison)
    url = reverse("volunteering:hours-add", args=[service.pk])
    response = client.post(url, {"volunteer": volunteer.pk, "hours": "1.5", "reason": "漏签到"})
    assert "proof" in response.context["form"].errors and not ServiceHours.objects.exists()
    response = client.post(
        url,
        {"volunteer": volunteer.pk, "hours": "1.5", "reason": "手机没电未能签到", "proof": _png()},
    )
    assert response.status_code == 302
    row = ServiceHours.objects.get()
    assert (row.hours, row.method, row.reason) == (Decimal("1.5"), "added", "手机没电未能签到")
    assert Attachment.objects.get(owner_id=row.pk).original_name == "签到表.png"
    event = AuditEvent.objects.get(object_type="volunteering.servicehours", verb="added")
    assert event.changes["method"] == [None, "added"]
    # Marked 补录 on the volunteer's own page.
    home = client_for(network.staff).get(reverse("volunteering:home")).content.decode()
    assert "补录" in home
    # Only the organiser may add hours.
    assert client_for(network.outsider).get(url).status_code == 403


def test_publicity_objection_organiser_then_centre(network, signed, clock, client_for):
    service, volunteer = signed
    services.check_in_volunteer(actor=network.staff, code=service.activity.checkin_code)
    clock.advance(hours=1, minutes=30)
    _signup, row = services.check_out_volunteer(
        actor=network.staff, code=service.activity.checkin_code
    )
    assert selectors.hours_summary(volunteer).final == 0  # in publicity
    staff = client_for(network.staff)
    staff.post(
        reverse("volunteering:objection-create", args=[row.pk]),
        {"text": "签退时系统卡顿，实际服务 2 小时", "claimed_hours": "2"},
    )
    objection = Objection.objects.get()
    assert objection.status == Objection.Status.OPEN
    clock.advance(days=8)  # the period has passed, but the objection is still open
    assert selectors.hours_summary(volunteer).final == 0
    staff = client_for(network.staff)
    client_for(network.liaison).post(
        reverse("volunteering:objection-answer", args=[objection.pk]),
        {"uphold": "0", "reply": "签退记录完整，以系统时间为准"},
    )
    objection.refresh_from_db()
    assert objection.status == Objection.Status.REJECTED
    staff.post(reverse("volunteering:objection-escalate", args=[objection.pk]))
    objection.refresh_from_db()
    assert objection.status == Objection.Status.ESCALATED
    # The organiser cannot rule now; the centre does.
    client_for(network.liaison).post(
        reverse("volunteering:objection-answer", args=[objection.pk]), {"uphold": "1", "reply": "x"}
    )
    objection.refresh_from_db()
    assert objection.status == Objection.Status.ESCALATED
    client_for(network.centre).post(
        reverse("volunteering:objection-answer", args=[objection.pk]),
        {"uphold": "1", "reply": "经核实签到表，按 2 小时记录"},
    )
    objection.refresh_from_db()
    row.refresh_from_db()
    assert objection.status == Objection.Status.UPHELD and row.hours == Decimal("2.0")
    assert selectors.hours_summary(volunteer).final == Decimal("2.0")


def test_an_objection_after_publicity_is_refused(network, signed, clock, client_for):
    service, _volunteer = signed
    services.check_in_volunteer(actor=network.staff, code=service.activity.checkin_code)
    clock.advance(hours=2)
    _signup, row = services.check_out_volunteer(
        actor=network.staff, code=service.activity.checkin_code
    )
    clock.advance(days=7, minutes=1)
    response = client_for(network.staff).post(
        reverse("volunteering:objection-create", args=[row.pk]), {"text": "时长不对"}
    )
    assert "公示期已于" in str(response.context["form"].errors) and not Objection.objects.exists()


def test_outsider_gets_404_on_unit_a_hours(network, signed, clock, client_for):
    service, volunteer = signed
    services.check_in_volunteer(actor=network.staff, code=service.activity.checkin_code)
    clock.advance(hours=2)
    _signup, row = services.check_out_volunteer(
        actor=network.staff, code=service.activity.checkin_code
    )
    outsider = client_for(network.outsider)
    assert outsider.get(reverse("volunteering:objection-create", args=[row.pk])).status_code == 404
    assert (
        outsider.get(reverse("volunteering:volunteer-detail", args=[volunteer.pk])).status_code
        == 404
    )


def test_the_organiser_sees_a_qr_code_that_opens_check_in_with_the_code(
    network, signed, client_for
):
    service, _volunteer = signed
    page = client_for(network.liaison).get(
        reverse("volunteering:activity-detail", args=[service.pk])
    )
    assert "<svg" in page.context["qr_svg"]
    code = service.activity.checkin_code
    assert (
        "<svg"
        not in client_for(network.staff)
        .get(reverse("volunteering:activity-detail", args=[service.pk]))
        .content.decode()
        .split('id="positions"')[0]
    )
    form = client_for(network.staff).get(reverse("volunteering:checkin") + f"?code={code}")
    assert form.context["form"].initial["code"] == code
