"""Certificates of volunteer service (志愿服务证明, 民政部令第67号): issued only by the
organisation that recorded the hours (谁记录谁证明), for one volunteer and a period, stating
the services and their total; once issued, what it states never changes."""

import datetime
import secrets
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from luoshi.accounts.models import User
from luoshi.audit.models import AuditEvent
from luoshi.audit.services import record
from luoshi.org.models import Unit

from ..access import can_manage_unit
from ..models import Certificate, Objection, ServiceHours, Volunteer


def certifiable_hours(volunteer: Volunteer, issuer: Unit, date_from, date_to):
    """The final hours `issuer` recorded for `volunteer` in the period (past publicity, no
    objection open)."""
    open_objection = Q(objections__status__in=[Objection.Status.OPEN, Objection.Status.ESCALATED])
    return (
        ServiceHours.objects.filter(
            volunteer=volunteer,
            unit=issuer,
            served_on__gte=date_from,
            served_on__lte=date_to,
            public_until__lte=timezone.now(),
        )
        .exclude(open_objection)
        .select_related("service__activity")
        .order_by("served_on", "id")
    )


@transaction.atomic
def issue_certificate(
    *,
    actor: User,
    volunteer: Volunteer,
    issuer: Unit,
    date_from: datetime.date | None,
    date_to: datetime.date | None,
) -> Certificate:
    """A manager of the recording unit certifies its final hours for the volunteer."""
    if not can_manage_unit(actor, issuer):
        raise PermissionDenied(_("只有记录服务时长的单位可以出具志愿服务证明。"))
    errors: dict[str, str] = {}
    if date_from is None or date_to is None or date_to < date_from:
        errors["date_to"] = _("请填写正确的服务起止日期。")
    if errors:
        raise ValidationError(errors)
    assert date_from is not None and date_to is not None
    rows = list(certifiable_hours(volunteer, issuer, date_from, date_to))
    if not rows:
        raise ValidationError(
            {
                "issuer": _("%(unit)s在该期间没有记录%(name)s已确认的服务时长，不能出具证明。")
                % {"unit": issuer.name, "name": volunteer.masked_name}
            }
        )
    total = sum((row.hours for row in rows), start=Decimal(0))
    year = timezone.localdate().year
    serial = Certificate.objects.filter(issuer=issuer, issued_at__year=year).count() + 1
    certificate = Certificate.objects.create(
        number=f"ZYZM-{year}-{issuer.pk:04d}-{serial:05d}",
        token=secrets.token_urlsafe(18),
        volunteer=volunteer,
        issuer=issuer,
        date_from=date_from,
        date_to=date_to,
        services=len(rows),
        hours=total,
        masked_name=volunteer.masked_name,
        masked_id=f"{volunteer.get_id_type_display()} {volunteer.masked_id}",
        lines=[
            {
                "date": row.served_on.isoformat(),
                "activity": row.service.activity.title,
                "place": row.service.activity.place,
                "hours": str(row.hours),
                "method": row.method,
            }
            for row in rows
        ],
        issued_by=actor,
    )
    record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=certificate,
        changes={
            "number": [None, certificate.number],
            "hours": [None, certificate.hours],
            "services": [None, certificate.services],
        },
        note=_("出具志愿服务证明：%(name)s") % {"name": volunteer.masked_name},
    )
    return certificate
