"""The monthly counts the hour services keep (MonthlyHours, MonthlyVolunteer) are exactly what
the records give: after check-outs, 补录 of new hours and corrections, objections upheld by the
organiser and by the centre, one rejected, and a unit moved in the tree, the stored counts equal
a recount, the return read from them equals the records counted by hand, and the rebuild
command writes the same counts again."""

import io
from collections import defaultdict
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from PIL import Image

from luoshi.org import services as org
from luoshi.org.models import Unit
from luoshi.volunteering import rollups, selectors, services
from luoshi.volunteering.models import MonthlyHours, MonthlyVolunteer, ServiceHours

from .conftest import publish, register

pytestmark = pytest.mark.django_db


def _png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), "white").save(buffer, "PNG")
    return SimpleUploadedFile("签到表.png", buffer.getvalue(), content_type="image/png")


def _stored():
    return (
        {
            (r.unit_id, r.month): (r.records, r.hours, r.added_hours, r.volunteers)
            for r in MonthlyHours.objects.all()
        },
        {(r.unit_id, r.month, r.volunteer_id): r.records for r in MonthlyVolunteer.objects.all()},
    )


def _recounted():
    hours, people = {}, {}
    for month, cells, counter in rollups.recount():
        for pk, (n, h, a, v) in cells.items():
            hours[(pk, month)] = (n, h, a, v)
        for (pk, volunteer_id), n in counter.items():
            people[(pk, month, volunteer_id)] = n
    return hours, people


def _by_hand(report) -> dict[int, tuple[int, int, Decimal, Decimal]]:
    """The return's hour figures counted from the records in Python: each record in the row of
    the base's child whose subtree holds its unit, else in the base's row."""
    first, last = selectors.in_month(report.month)
    base = report.base
    children = list(Unit.objects.alive().filter(parent=base))
    rows: dict[int, list] = defaultdict(lambda: [0, set(), Decimal(0), Decimal(0)])
    for record in ServiceHours.objects.filter(
        served_on__gte=first, served_on__lte=last, unit__path__startswith=base.path
    ).select_related("unit"):
        owner = next((c.pk for c in children if record.unit.path.startswith(c.path)), base.pk)
        row = rows[owner]
        row[0] += 1
        row[1].add(record.volunteer_id)
        row[2] += record.hours
        row[3] += record.hours if record.method == "added" else 0
    return {pk: (n, len(v), h, a) for pk, (n, v, h, a) in rows.items()}


def _shown(report) -> dict[int, tuple[int, int, Decimal, Decimal]]:
    return {
        r.unit.pk: (r.attendances, r.volunteers, r.hours, r.added_hours)
        for r in report.rows
        if r.attendances
    }


def _check(network, months) -> None:
    assert _stored() == _recounted()
    for month in months:
        for who in (network.centre, network.liaison):
            report = selectors.monthly_return(who, month)
            assert report.base is not None
            assert _shown(report) == _by_hand(report), who
            records = ServiceHours.objects.filter(
                served_on__gte=month,
                served_on__lte=selectors.in_month(month)[1],
                unit__path__startswith=report.base.path,
            )
            assert report.distinct_volunteers == records.values("volunteer").distinct().count()


def test_the_stored_counts_equal_a_recount_through_every_move(network, service_type, clock):
    section_a = network.section_a
    at_a = publish(network, service_type, capacity=5, starts_in=0.25, hours=2, recruit_in=0.2)
    at_section = publish(
        network, service_type, unit=section_a, capacity=5, starts_in=0.25, hours=2, recruit_in=0.2
    )
    at_b = publish(
        network,
        service_type,
        actor=network.outsider,
        unit=network.unit_b,
        starts_in=0.25,
        hours=2,
        recruit_in=0.2,
    )
    staff = register(network, network.staff)
    staff2 = register(network, network.staff2)
    resident = register(network, network.resident, unit=network.unit_b)
    taking_part = {
        at_a: [network.staff, network.staff2, network.resident],
        at_section: [network.staff],
        at_b: [network.staff, network.resident],
    }
    for service, people in taking_part.items():
        for who in people:
            services.sign_up(actor=who, service=service, position=service.positions.first())
            services.check_in_volunteer(actor=who, code=service.activity.checkin_code)
    clock.advance(hours=1, minutes=30)
    for service, people in taking_part.items():
        for who in people:
            if who != network.staff2:  # staff2 forgets to check out: 补录 below
                services.check_out_volunteer(actor=who, code=service.activity.checkin_code)
    months = sorted(
        {rollups.month_of(d) for d in ServiceHours.objects.values_list("served_on", flat=True)}
    )
    _check(network, months)

    # 补录 of hours nobody recorded, and a correction of timed hours.
    services.add_hours(
        actor=network.liaison,
        service=at_a,
        volunteer=staff2,
        hours=Decimal("2.0"),
        reason="忘记签退，按签到表补录",
        proof=_png(),
    )
    services.add_hours(
        actor=network.liaison,
        service=at_section,
        volunteer=staff,
        hours=Decimal("1.0"),
        reason="中途离开，按实际服务时间更正",
        proof=_png(),
    )
    _check(network, months)

    # Objections: upheld by the organiser; rejected, taken to the centre and upheld; rejected.
    def objection(volunteer, service, claimed):
        row = ServiceHours.objects.get(volunteer=volunteer, service=service)
        return services.object_to_hours(
            actor=volunteer.person, hours=row, text="实际服务时间更长", claimed_hours=claimed
        )

    services.answer_objection(
        actor=network.liaison,
        objection=objection(resident, at_a, Decimal("2.0")),
        uphold=True,
        reply="核实无误",
    )
    escalated = services.answer_objection(
        actor=network.outsider,
        objection=objection(staff, at_b, Decimal("2.0")),
        uphold=False,
        reply="以签退时间为准",
    )
    services.escalate_objection(actor=network.staff, objection=escalated)
    services.rule_objection(
        actor=network.centre, objection=escalated, uphold=True, reply="经核实按 2 小时记录"
    )
    services.answer_objection(
        actor=network.outsider,
        objection=objection(resident, at_b, Decimal("1.8")),
        uphold=False,
        reply="签退记录完整",
    )
    assert ServiceHours.objects.get(volunteer=staff, service=at_b).hours == Decimal("2.0")
    _check(network, months)

    # A unit moved in the tree takes its counts along; later hours count in its new place.
    org.update_unit(actor=network.sysadmin, unit=section_a, parent=network.unit_b)
    _check(network, months)
    services.add_hours(
        actor=network.centre,
        service=at_section,
        volunteer=staff,
        hours=Decimal("1.5"),
        reason="复核后更正",
        proof=_png(),
    )
    _check(network, months)

    # The rebuild command writes the same counts from the records.
    counted = _stored()
    MonthlyHours.objects.all().delete()
    MonthlyVolunteer.objects.all().delete()
    call_command("volunteer_counts", stdout=io.StringIO())
    assert _stored() == counted
