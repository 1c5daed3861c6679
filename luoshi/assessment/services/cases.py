"""典型推广: units (or the office) submit typical cases linked to their ledger records; the office
reviews, publishes or returns them, and pins the best on the dashboard. Every move audited."""

from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from luoshi.accounts.models import User
from luoshi.audit.models import AuditEvent
from luoshi.audit.services import record, record_created
from luoshi.campaigns.models import Campaign, Track
from luoshi.ledgers.access import visible_activities
from luoshi.ledgers.models import Activity
from luoshi.lib.errors import Conflict
from luoshi.org.access import has_perm, require_perm
from luoshi.org.models import Unit

from ..access import MANAGE, SELF
from ..models import TypicalCase


@transaction.atomic
def submit_case(
    *,
    actor: User,
    campaign: Campaign,
    unit: Unit,
    title: str,
    summary: str,
    activities: Sequence[Activity],
    track: Track | None = None,
    practice: str = "",
) -> TypicalCase:
    """报送: a case of `unit` (the unit's liaison, or the office picking one), told from at least
    one ledger record of the unit that the person may see."""
    if not (has_perm(actor, SELF, unit) or has_perm(actor, MANAGE, campaign.office_unit)):
        raise PermissionDenied(_("只有本单位联络员或行动办可以报送典型案例。"))
    errors: dict[str, str] = {}
    title, summary = (title or "").strip(), (summary or "").strip()
    if not title:
        errors["title"] = _("请填写案例标题。")
    if not summary:
        errors["summary"] = _("请填写案例简介。")
    if track is not None and track.campaign_id != campaign.pk:
        errors["track"] = _("“%(track)s”不是本专项行动的方向。") % {"track": track.name}
    if not activities:
        errors["activities"] = _("请至少关联一条台账记录（心得体会、宣讲、活动或志愿服务）。")
    else:
        seen = set(
            visible_activities(actor)
            .filter(pk__in=[a.pk for a in activities], unit__path__startswith=unit.path)
            .values_list("pk", flat=True)
        )
        wrong = [a for a in activities if a.pk not in seen]
        if wrong:
            errors["activities"] = _("以下记录不是%(unit)s的或您无权查看：%(titles)s。") % {
                "unit": unit.name,
                "titles": "、".join(a.title for a in wrong),
            }
    if errors:
        raise ValidationError(errors)
    case = TypicalCase.objects.create(
        campaign=campaign,
        unit=unit,
        title=title,
        summary=summary,
        track=track,
        practice=(practice or "").strip()[:50],
        submitted_by=actor,
    )
    case.activities.set(activities)
    record_created(actor=actor, obj=case, verb="submit_case")
    return case


def _locked(case: TypicalCase) -> TypicalCase:
    return (
        TypicalCase.objects.select_for_update()
        .select_related("campaign__office_unit")
        .get(pk=case.pk)
    )


@transaction.atomic
def review_case(*, actor: User, case: TypicalCase, publish: bool, note: str = "") -> TypicalCase:
    """审核: the office publishes a submitted case, or returns it with its reasons."""
    require_perm(actor, MANAGE, case.campaign.office_unit)
    case = _locked(case)
    if case.state != TypicalCase.State.SUBMITTED:
        raise Conflict(_("该案例已审核（%(state)s）。") % {"state": case.get_state_display()})
    note = (note or "").strip()
    if not publish and not note:
        raise ValidationError({"note": _("退回须写明理由。")})
    before = case.state
    case.state = TypicalCase.State.PUBLISHED if publish else TypicalCase.State.RETURNED
    case.review_note, case.reviewed_by, case.reviewed_at = note, actor, timezone.now()
    case.save(update_fields=["state", "review_note", "reviewed_by", "reviewed_at"])
    record(
        actor=actor,
        action=AuditEvent.Action.TRANSITION,
        obj=case,
        verb="publish_case" if publish else "return_case",
        changes={"state": [before, case.state]},
        note=note,
    )
    return case


@transaction.atomic
def pin_case(*, actor: User, case: TypicalCase, pinned: bool) -> TypicalCase:
    """置顶: a published case shown on the campaign's dashboard (or taken off it)."""
    require_perm(actor, MANAGE, case.campaign.office_unit)
    case = _locked(case)
    if case.state != TypicalCase.State.PUBLISHED:
        raise Conflict(_("只有已发布的案例可以置顶。"))
    before = case.pinned
    case.pinned = pinned
    case.save(update_fields=["pinned"])
    record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=case,
        verb="pin_case",
        changes={"pinned": [before, pinned]},
    )
    return case
