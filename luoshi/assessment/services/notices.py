"""通报: numbering rules (发文字号), drafting and issuing notices (the number given under the
counter's lock, never reused), reading receipts, and the Word document."""

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from luoshi.accounts.models import User
from luoshi.audit.models import AuditEvent
from luoshi.audit.services import record, record_created
from luoshi.lib.errors import Conflict
from luoshi.org.access import require_perm
from luoshi.org.models import Membership, Unit

from ..access import MANAGE
from ..models import Notice, NoticeCounter, NoticeReceipt, NoticeSeries, TypicalCase


@transaction.atomic
def create_series(*, actor: User, name: str, prefix: str, office_unit: Unit) -> NoticeSeries:
    require_perm(actor, MANAGE, office_unit)
    name, prefix = (name or "").strip(), (prefix or "").strip()
    errors = {}
    if not name:
        errors["name"] = _("请填写名称。")
    if not prefix:
        errors["prefix"] = _("请填写发文字号前缀，如“茫宣通”。")
    elif NoticeSeries.objects.filter(prefix=prefix).exists():
        errors["prefix"] = _("已有前缀为“%(prefix)s”的发文字号规则。") % {"prefix": prefix}
    if errors:
        raise ValidationError(errors)
    series = NoticeSeries.objects.create(
        name=name, prefix=prefix, office_unit=office_unit, created_by=actor
    )
    record_created(actor=actor, obj=series, verb="create_series")
    return series


@transaction.atomic
def create_notice(
    *,
    actor: User,
    series: NoticeSeries,
    kind: str,
    title: str,
    body: str,
    units: Sequence[Unit],
    cases: Sequence = (),
) -> Notice:
    """A draft notice (promoting published typical cases if given); numbered when issued."""
    require_perm(actor, MANAGE, series.office_unit)
    errors = {}
    if kind not in Notice.Kind.values:
        errors["kind"] = _("请选择通报类别。")
    if not (title or "").strip():
        errors["title"] = _("请填写标题。")
    if not (body or "").strip():
        errors["body"] = _("请填写正文。")
    if not units:
        errors["units"] = _("请选择主送单位。")
    unpublished = list(
        TypicalCase.objects.filter(pk__in=[c.pk for c in cases])
        .exclude(state=TypicalCase.State.PUBLISHED)
        .values_list("title", flat=True)
    )
    if unpublished:
        errors["cases"] = _("只能推广已发布的典型案例：%(titles)s。") % {
            "titles": "、".join(unpublished)
        }
    if errors:
        raise ValidationError(errors)
    notice = Notice.objects.create(
        series=series, kind=kind, title=title.strip(), body=body.strip(), created_by=actor
    )
    notice.units.set(units)
    notice.cases.set(cases)
    record_created(actor=actor, obj=notice, verb="create_notice")
    return notice


@transaction.atomic
def issue_notice(*, actor: User, notice: Notice) -> Notice:
    """印发: the next number of the series and year, taken under the counter row's lock, so two
    notices issued at once never share a number and no number is given twice."""
    require_perm(actor, MANAGE, notice.series.office_unit)
    notice = Notice.objects.select_for_update().select_related("series").get(pk=notice.pk)
    if notice.state != Notice.State.DRAFT:
        raise Conflict(
            _("该通报已于 %(at)s 印发，文号 %(number)s。")
            % {
                "at": timezone.localtime(notice.issued_at).strftime("%Y-%m-%d %H:%M")
                if notice.issued_at
                else "—",
                "number": notice.number,
            }
        )
    now = timezone.now()
    year = timezone.localtime(now).year
    NoticeCounter.objects.get_or_create(series=notice.series, year=year)
    counter = NoticeCounter.objects.select_for_update().get(series=notice.series, year=year)
    counter.last_serial += 1
    counter.save(update_fields=["last_serial"])
    notice.year, notice.serial = year, counter.last_serial
    notice.number = f"{notice.series.prefix}〔{year}〕{counter.last_serial}号"
    notice.state = Notice.State.ISSUED
    notice.issued_by, notice.issued_at = actor, now
    notice.save(update_fields=["year", "serial", "number", "state", "issued_by", "issued_at"])
    record(
        actor=actor,
        action=AuditEvent.Action.TRANSITION,
        obj=notice,
        verb="issue_notice",
        changes={"number": [None, notice.number]},
    )
    return notice


def record_read(*, person: User, notice: Notice) -> NoticeReceipt | None:
    """The first opening of an issued notice by a person of a circulated unit (or a unit below
    one); later openings change nothing."""
    if notice.state != Notice.State.ISSUED:
        return None
    existing = NoticeReceipt.objects.filter(notice=notice, person=person).first()
    if existing is not None:
        return existing
    units = list(notice.units.all())
    membership = (
        Membership.objects.filter(person=person)
        .select_related("unit")
        .order_by("-is_primary", "sort_order", "id")
    )
    for member in membership:
        circulated = next((u for u in units if member.unit.path.startswith(u.path)), None)
        if circulated is not None:
            receipt, _created = NoticeReceipt.objects.get_or_create(
                notice=notice, person=person, defaults={"unit": circulated}
            )
            return receipt
    return None
