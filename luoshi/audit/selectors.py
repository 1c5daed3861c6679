"""Reading the audit log: only the audit administrator (审计管理员) may, and only through here."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from luoshi.accounts.models import User
from luoshi.org.access import has_perm

from . import chain
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


# Object types written by exports and pages that are not a model of their own.
PSEUDO_TYPES = {
    "reports.briefing": gettext_lazy("工作简报"),
    "volunteering.return": gettext_lazy("志愿服务月报"),
    "volunteering.national": gettext_lazy("志愿服务时长（全国志愿服务信息系统导入）"),
}


def type_name(label: str) -> str:
    """An object type as the reader names it: the model's verbose name, or for a type that is
    not a model (an export, a page) its own name or at least its app's."""
    if label in PSEUDO_TYPES:
        return str(PSEUDO_TYPES[label])
    try:
        return str(apps.get_model(label)._meta.verbose_name)
    except (LookupError, ValueError):
        pass
    try:
        return str(apps.get_app_config(label.split(".")[0]).verbose_name)
    except LookupError:
        return label


def model_for(label: str) -> Any:
    try:
        return apps.get_model(label) if label else None
    except (LookupError, ValueError):
        return None


def change_rows(event: AuditEvent) -> list[dict[str, Any]]:
    """The event's changes as rows (field's verbose name, before, after) for the detail page,
    values as the pages show them (a choice's name, a time in local time)."""
    model = model_for(event.object_type)
    rows = []
    for key, pair in (event.changes or {}).items():
        before, after = (pair + [None, None])[:2] if isinstance(pair, list) else (None, pair)
        rows.append(
            {
                "field": key,
                "label": field_label(model, key),
                "before": shown_value(model, key, before),
                "after": shown_value(model, key, after),
            }
        )
    return rows


def shown_value(model: Any, key: str, value: Any) -> Any:
    """A stored change value as the reader reads it: a choice by its name, a yes/no in words, an
    ISO date-time (stored in UTC) in local time."""
    if value is None or value == "":
        return value
    if isinstance(value, bool):
        return _("是") if value else _("否")
    field = None
    if model is not None:
        try:
            field = model._meta.get_field(key[:-3] if key.endswith("_id") else key)
        except FieldDoesNotExist:
            field = None
    if field is not None and getattr(field, "choices", None) and not isinstance(value, list):
        names = {str(code): str(name) for code, name in field.flatchoices}
        if str(value) in names:
            return names[str(value)]
    if isinstance(value, str) and "T" in value and value[:4].isdigit():
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment, timezone.get_default_timezone())
        return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")
    return value


def field_label(model, key: str) -> str:
    if model is None:
        return key
    name = key[:-3] if key.endswith("_id") else key
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return key
    if hasattr(field, "verbose_name"):
        return str(field.verbose_name)
    # A reverse relation (a unit's tasks, a team's members) has no verbose_name of its own: it is
    # named by the records it holds.
    related = getattr(field, "related_model", None)
    return str(related._meta.verbose_name_plural) if related is not None else key


def chain_state() -> chain.ChainState:
    """Walk the hash chain from its anchor: the first row, or after a purge the first row it
    kept, whose link the (itself chained) purge row records. Rows older than the anchor must not
    exist, and the anchor may not lie beyond its own purge row: either would hide rows from the
    walk, so either counts as a broken link."""
    start_id, start_hash = 0, ""
    purge = AuditEvent.objects.filter(action=AuditEvent.Action.PURGE).order_by("-id").first()
    if purge is not None:
        anchor = purge.changes if isinstance(purge.changes, dict) else {}
        start_id = anchor.get(chain.ANCHOR_FIRST_KEPT) or purge.id
        start_hash = anchor.get(chain.ANCHOR_HASH, "")
        if not isinstance(start_id, int) or start_id > purge.id:
            return chain.ChainState(0, None, purge.id, purge.at, "anchor")
        hidden = AuditEvent.objects.filter(id__lt=start_id).order_by("id").first()
        if hidden is not None:
            return chain.ChainState(0, None, hidden.id, hidden.at, "anchor")
    rows = AuditEvent.objects.filter(id__gte=start_id).order_by("id").iterator(chunk_size=2000)
    return chain.verify(rows, start_hash=start_hash)


def describe_chain(state: chain.ChainState) -> str:
    """The chain's state in one sentence, for the auditor's page and verify_audit."""
    if state.ok:
        if state.last_id is None:
            return _("审计日志杂凑链完整：暂无记录。")
        return _("审计日志杂凑链完整：已校验 %(count)d 条，至第 %(id)d 条。") % {
            "count": state.checked,
            "id": state.last_id,
        }
    reasons = {
        "content": _("该条记录的内容与其杂凑值不符（被改动）"),
        "link": _("该条与前一条的链接不符（前面的记录被删除、插入或改动）"),
        "anchor": _("清理记录所载的起点与现存记录不符"),
    }
    at = (
        timezone.localtime(state.broken_at).strftime("%Y-%m-%d %H:%M:%S") if state.broken_at else ""
    )
    return _(
        "审计日志杂凑链在第 %(id)d 条（%(at)s）处断开：%(reason)s。此前已校验 %(count)d 条完好。"
    ) % {
        "id": state.broken_id,
        "at": at,
        "reason": reasons.get(state.reason, state.reason),
        "count": state.checked,
    }
