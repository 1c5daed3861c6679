"""Reading the audit log: only the audit administrator (审计管理员) may, and only through here."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from luoshi.accounts.models import User
from luoshi.org.access import has_perm

from .models import AuditEvent


def require_auditor(user) -> None:
    """404 for anyone without `audit.view`: the log's existence is not shown to others."""
    if not has_perm(user, "audit.view"):
        raise Http404


@dataclass(frozen=True)
class EventFilter:
    """The search of the audit log page (every field optional)."""

    date_from: date | None = None
    date_to: date | None = None
    actor: str = ""
    action: str = ""
    object_type: str = ""
    object_id: str = ""
    ip: str = ""
    text: str = ""


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def events_for(user, flt: EventFilter) -> QuerySet[AuditEvent]:
    """The events matching `flt`, newest first; 404 unless `user` is an audit administrator."""
    require_auditor(user)
    events = AuditEvent.objects.all()
    if flt.date_from:
        events = events.filter(at__gte=_start_of(flt.date_from))
    if flt.date_to:
        events = events.filter(at__lt=_start_of(flt.date_to + timedelta(days=1)))
    if flt.actor:
        people = User.objects.search(flt.actor).values("pk")
        events = events.filter(Q(actor__in=people) | Q(actor_name__icontains=flt.actor.strip()))
    if flt.action:
        events = events.filter(action=flt.action)
    if flt.object_type:
        events = events.filter(object_type=flt.object_type)
    if flt.object_id:
        events = events.filter(object_id=flt.object_id.strip())
    if flt.ip:
        events = events.filter(ip=flt.ip)
    if flt.text:
        text = flt.text.strip()
        events = events.filter(
            Q(object_repr__icontains=text) | Q(note__icontains=text) | Q(verb__icontains=text)
        )
    return events.order_by("-at", "-id")


def get_event_for_user(user, pk: int) -> AuditEvent:
    require_auditor(user)
    event = AuditEvent.objects.filter(pk=pk).first()
    if event is None:
        raise Http404
    return event


def object_types() -> list[tuple[str, str]]:
    """(label, verbose name) of the object types that occur in the log, for the filter."""
    labels = AuditEvent.objects.exclude(object_type="").values_list("object_type", flat=True)
    return sorted(
        ((label, type_name(label)) for label in set(labels.distinct())), key=lambda pair: pair[1]
    )


def type_name(label: str) -> str:
    try:
        return str(apps.get_model(label)._meta.verbose_name)
    except (LookupError, ValueError):
        return label


def change_rows(event: AuditEvent) -> list[dict[str, Any]]:
    """The event's changes as rows (field's verbose name, before, after) for the detail page."""
    model = None
    if event.object_type:
        try:
            model = apps.get_model(event.object_type)
        except (LookupError, ValueError):
            model = None
    rows = []
    for key, pair in (event.changes or {}).items():
        before, after = (pair + [None, None])[:2] if isinstance(pair, list) else (None, pair)
        rows.append(
            {"field": key, "label": _field_label(model, key), "before": before, "after": after}
        )
    return rows


def _field_label(model, key: str) -> str:
    if model is None:
        return key
    name = key[:-3] if key.endswith("_id") else key
    try:
        return str(model._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return key
