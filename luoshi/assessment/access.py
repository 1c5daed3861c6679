"""Who sees and moves assessments: 404 outside scope, PermissionDenied where seen but not allowed.

- `assessment.manage` (the campaign office, on the campaign's office unit): indicators, plans,
  runs, manual scores, review, publicity, answers to appeals, grades, publication.
- `assessment.view` (the office, leaders): the scores of the units in scope, once a plan has left
  the draft stage.
- `assessment.self` (a unit's liaison): its own unit's scores, the self-assessment and appeals.

Person-level scores (off by default) are the person's own, once the plan is published, and those
who manage the assessment of the person's unit (the office, the unit's liaison); leaders with
`assessment.view` alone do not see them.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from luoshi.org.access import has_perm, require_perm, scope_for

from .models import Appeal, Indicator, ItemScore, PersonScore, Plan, Stage, UnitScore

VIEW, MANAGE, SELF = "assessment.view", "assessment.manage", "assessment.self"


def can_use(user) -> bool:
    """Whether the assessment pages are for `user` at all (the menu shows them only then)."""
    return any(has_perm(user, perm) for perm in (VIEW, MANAGE, SELF))


def can_manage(user) -> bool:
    return has_perm(user, MANAGE)


def can_manage_plan(user, plan: Plan) -> bool:
    return has_perm(user, MANAGE, plan.campaign.office_unit)


def visible_plans(user) -> QuerySet[Plan]:
    """Plans of campaigns the person assesses or is assessed in; drafts only for the office."""
    if not can_use(user):
        return Plan.objects.none()
    plans = Plan.objects.select_related("campaign")
    manage = scope_for(user, MANAGE)
    if manage.everything:
        return plans
    condition = ~Q(stage=Stage.DRAFT)
    if manage.covers_units():
        condition |= manage.units_q("campaign__office_unit__")
    return plans.filter(condition)


def get_plan_for_user(user, pk: int, *, write: bool = False) -> Plan:
    plan = visible_plans(user).select_related("campaign__office_unit").filter(pk=pk).first()
    if plan is None:
        raise Http404
    if write:
        require_perm(user, MANAGE, plan.campaign.office_unit)
    return plan


def visible_indicators(user) -> QuerySet[Indicator]:
    if not can_use(user):
        return Indicator.objects.none()
    return Indicator.objects.all()


def get_indicator_for_user(user, pk: int, *, write: bool = False) -> Indicator:
    indicator = visible_indicators(user).filter(pk=pk).first()
    if indicator is None:
        raise Http404
    if write and not can_manage(user):
        raise PermissionDenied
    return indicator


def _unit_condition(user) -> Q:
    """The units whose scores `user` reads: `assessment.view` or `.self` scope, or `.manage`."""
    condition = Q(pk__in=[])
    for perm in (VIEW, SELF, MANAGE):
        scope = scope_for(user, perm)
        if scope.everything:
            return Q()
        if scope.covers_units():
            condition |= scope.units_q("unit__")
    return condition


def visible_unit_scores(user, plan: Plan | None = None) -> QuerySet[UnitScore]:
    """Unit scores in scope; of a draft plan only to the office managing it."""
    if not can_use(user):
        return UnitScore.objects.none()
    scores = UnitScore.objects.filter(_unit_condition(user))
    if plan is not None:
        scores = scores.filter(run__plan=plan)
    return scores.filter(_office_or_past_draft(user, "run__plan__"))


def can_view_unit_score(user, unit_score: UnitScore) -> bool:
    return visible_unit_scores(user).filter(pk=unit_score.pk).exists()


def get_unit_score_for_user(user, pk: int, *, write: bool = False) -> UnitScore:
    """A unit's score, 404 outside scope; with `write`, PermissionDenied unless the person is
    the unit's liaison (`assessment.self`) or manages the plan."""
    unit_score = (
        visible_unit_scores(user)
        .select_related("run__plan__campaign__office_unit", "unit", "category")
        .filter(pk=pk)
        .first()
    )
    if unit_score is None:
        raise Http404
    if write and not (
        has_perm(user, SELF, unit_score.unit) or can_manage_plan(user, unit_score.run.plan)
    ):
        raise PermissionDenied
    return unit_score


def _office_or_past_draft(user, prefix: str) -> Q:
    """A draft plan's scores only to the office managing it."""
    manage = scope_for(user, MANAGE)
    if manage.everything:
        return Q()
    office = Q(pk__in=[])
    if manage.covers_units():
        office = manage.units_q(f"{prefix}campaign__office_unit__")
    return office | ~Q(**{f"{prefix}stage": Stage.DRAFT})


def visible_person_scores(user, plan: Plan | None = None) -> QuerySet[PersonScore]:
    """Person scores: one's own of a published plan; those of the units whose assessment one
    manages (`assessment.manage` or `.self` over the unit), a draft's to the office only."""
    if not getattr(user, "is_authenticated", False):
        return PersonScore.objects.none()
    managed = Q(pk__in=[])
    for perm in (SELF, MANAGE):
        scope = scope_for(user, perm)
        if scope.everything:
            managed = Q()
            break
        if scope.covers_units():
            managed |= scope.units_q("unit_score__unit__")
    managed &= _office_or_past_draft(user, "run__plan__")
    own = Q(person=user, run__plan__stage=Stage.PUBLISHED)
    scores = PersonScore.objects.filter(own | managed)
    if plan is not None:
        scores = scores.filter(run__plan=plan)
    return scores


def get_person_score_for_user(user, pk: int) -> PersonScore:
    person_score = (
        visible_person_scores(user)
        .select_related("run__plan__campaign", "unit_score__category", "unit_score__unit", "person")
        .filter(pk=pk)
        .first()
    )
    if person_score is None:
        raise Http404
    return person_score


def can_view_item(user, item: ItemScore) -> bool:
    return can_view_unit_score(user, item.unit_score)


def get_item_for_user(user, pk: int, *, write: bool = False) -> ItemScore:
    item = (
        ItemScore.objects.filter(unit_score__in=visible_unit_scores(user))
        .select_related("unit_score__run__plan__campaign__office_unit", "plan_item__indicator")
        .filter(pk=pk)
        .first()
    )
    if item is None:
        raise Http404
    if write:
        require_perm(user, MANAGE, item.unit_score.run.plan.campaign.office_unit)
    return item


def get_appeal_for_user(user, pk: int, *, write: bool = False) -> Appeal:
    appeal = (
        Appeal.objects.filter(unit_score__in=visible_unit_scores(user))
        .select_related("unit_score__run__plan__campaign__office_unit")
        .filter(pk=pk)
        .first()
    )
    if appeal is None:
        raise Http404
    if write:
        require_perm(user, MANAGE, appeal.unit_score.run.plan.campaign.office_unit)
    return appeal


def can_self_assess(user, unit_score: UnitScore) -> bool:
    return has_perm(user, SELF, unit_score.unit)


# --- 通报 ------------------------------------------------------------------------------------------


def visible_notices(user):
    """Notices the office manages (drafts included), and issued notices circulated to a unit the
    person belongs to (or a unit above theirs) or reaches under `assessment.view`/`.self`."""
    from django.db.models import Exists, OuterRef

    from luoshi.org.models import Membership

    from .models import Notice

    if not getattr(user, "is_authenticated", False):
        return Notice.objects.none()
    condition = Q(pk__in=[])
    manage = scope_for(user, MANAGE)
    if manage.everything:
        return Notice.objects.all()
    if manage.covers_units():
        condition |= manage.units_q("series__office_unit__")
    paths = list(Membership.objects.filter(person=user).values_list("unit__path", flat=True))
    issued = Q(pk__in=[])
    for path in paths:
        # circulated to the person's unit or one above it
        issued |= Exists(
            Notice.units.through.objects.filter(notice=OuterRef("pk")).filter(
                unit__path__in=[path[: i + 1] for i, ch in enumerate(path) if ch == "/"]
            )
        )
    for perm in (VIEW, SELF):
        scope = scope_for(user, perm)
        if scope.covers_units():
            issued |= Exists(
                Notice.units.through.objects.filter(notice=OuterRef("pk")).filter(
                    scope.units_q("unit__")
                )
            )
    condition |= Q(state=Notice.State.ISSUED) & issued
    return Notice.objects.filter(condition)


def get_notice_for_user(user, pk: int, *, write: bool = False):
    notice = visible_notices(user).select_related("series__office_unit").filter(pk=pk).first()
    if notice is None:
        raise Http404
    if write:
        require_perm(user, MANAGE, notice.series.office_unit)
    return notice


# --- 典型案例 --------------------------------------------------------------------------------------


def visible_cases(user):
    """Published cases to everyone signed in (they are there to be promoted); a case under review
    or returned to the office managing the campaign and to the liaisons of the case's unit."""
    from .models import TypicalCase

    if not getattr(user, "is_authenticated", False):
        return TypicalCase.objects.none()
    condition = Q(state=TypicalCase.State.PUBLISHED)
    manage = scope_for(user, MANAGE)
    if manage.everything:
        return TypicalCase.objects.all()
    if manage.covers_units():
        condition |= manage.units_q("campaign__office_unit__")
    own = scope_for(user, SELF)
    if own.everything:
        condition = Q()
    elif own.covers_units():
        condition |= own.units_q("unit__")
    return TypicalCase.objects.filter(condition)


def get_case_for_user(user, pk: int, *, write: bool = False):
    """A case, 404 outside what `user` may read; with `write`, PermissionDenied unless the person
    manages the campaign's assessment (review, pin)."""
    case = (
        visible_cases(user)
        .select_related("campaign__office_unit", "unit", "track", "submitted_by", "reviewed_by")
        .filter(pk=pk)
        .first()
    )
    if case is None:
        raise Http404
    if write:
        require_perm(user, MANAGE, case.campaign.office_unit)
    return case


def can_submit_case(user) -> bool:
    return has_perm(user, SELF) or has_perm(user, MANAGE)
