"""The workflow: 自评 → 审核 → 公示 → 申诉/答复 → 定档 → 发布, and the result notice."""

import datetime
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from luoshi.accounts.models import User
from luoshi.audit.models import AuditEvent
from luoshi.audit.services import record, record_created
from luoshi.lib.errors import Conflict
from luoshi.org.access import has_perm, require_perm

from .. import selectors
from ..access import SELF
from ..models import (
    STAGE_ORDER,
    Adjustment,
    Appeal,
    Grade,
    ItemScore,
    Plan,
    ScoreRun,
    Stage,
    UnitScore,
)
from ._moves import WrongStage, _locked_plan, _office_move, _require_stage
from .runs import _store_evidence, adjust_item

# --- The workflow ---------------------------------------------------------------------------------


def _move(actor: User, plan: Plan, to: str, note: str = "") -> Plan:
    before = plan.stage
    plan.stage = to
    fields = ["stage"]
    if to == Stage.PUBLICITY:
        plan.publicity_until = timezone.localdate() + datetime.timedelta(days=plan.publicity_days)
        fields.append("publicity_until")
    if to == Stage.PUBLISHED:
        plan.published_at = timezone.now()
        fields.append("published_at")
    plan.save(update_fields=fields)
    record(
        actor=actor,
        action=AuditEvent.Action.TRANSITION,
        obj=plan,
        verb=f"plan_{to}",
        changes={"stage": [before, to]},
        note=note,
    )
    return plan


@transaction.atomic
def open_self_assessment(*, actor: User, plan: Plan) -> Plan:
    """Freeze the latest run and let the units self-assess (编制 → 自评)."""
    plan = _office_move(actor, plan, Stage.DRAFT)
    if selectors.current_run(plan) is None:
        raise Conflict(_("请先计算得分，再组织单位自评。"))
    if plan.runs.filter(status__in=[ScoreRun.Status.QUEUED, ScoreRun.Status.RUNNING]).exists():
        raise Conflict(_("该方案正在计分，请等待本次计算完成。"))
    return _move(actor, plan, Stage.SELF)


@transaction.atomic
def submit_self_assessment(
    *,
    actor: User,
    unit_score: UnitScore,
    note: str,
    evidence: Sequence[UploadedFile] = (),
) -> UnitScore:
    """The unit's 自评: its notes on the scores, with evidence for the manual items."""
    require_perm(actor, SELF, unit_score.unit)
    plan = _locked_plan(unit_score.run.plan)
    _require_stage(plan, Stage.SELF)
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("请填写自评说明。")})
    unit_score = UnitScore.objects.select_for_update().get(pk=unit_score.pk)
    unit_score.self_note = note
    unit_score.self_submitted_by = actor
    unit_score.self_submitted_at = timezone.now()
    unit_score.save(update_fields=["self_note", "self_submitted_by", "self_submitted_at"])
    names = _store_evidence(actor, unit_score, evidence)
    record(
        actor=actor,
        action=AuditEvent.Action.TRANSITION,
        obj=unit_score,
        verb="self_assess",
        note=_("自评说明：%(note)s；佐证：%(files)s")
        % {"note": note, "files": "、".join(names) or "—"},
    )
    return unit_score


@transaction.atomic
def start_review(*, actor: User, plan: Plan) -> Plan:
    plan = _office_move(actor, plan, Stage.SELF)
    return _move(actor, plan, Stage.REVIEW)


@transaction.atomic
def review_unit(*, actor: User, unit_score: UnitScore, note: str) -> UnitScore:
    """The office's 审核 of one unit (score changes go through `adjust_item`)."""
    plan = unit_score.run.plan
    plan = _office_move(actor, plan, Stage.REVIEW)
    unit_score = UnitScore.objects.select_for_update().get(pk=unit_score.pk)
    unit_score.review_note = (note or "").strip()
    unit_score.reviewed_by = actor
    unit_score.reviewed_at = timezone.now()
    unit_score.save(update_fields=["review_note", "reviewed_by", "reviewed_at"])
    record(
        actor=actor,
        action=AuditEvent.Action.TRANSITION,
        obj=unit_score,
        verb="review_unit",
        note=unit_score.review_note,
    )
    return unit_score


@transaction.atomic
def start_publicity(*, actor: User, plan: Plan) -> Plan:
    """公示: every manual item must be scored; the list is public for `publicity_days`."""
    plan = _office_move(actor, plan, Stage.REVIEW)
    run = selectors.current_run(plan)
    assert run is not None
    unscored = list(
        ItemScore.objects.filter(unit_score__run=run, score__isnull=True)
        .select_related("unit_score")
        .order_by("unit_score__unit_name")[:10]
    )
    if unscored:
        raise Conflict(
            _("以下考核组评分项尚未评分：%(items)s。")
            % {"items": "、".join(f"{i.unit_score.unit_name}·{i.indicator_name}" for i in unscored)}
        )
    return _move(actor, plan, Stage.PUBLICITY)


@transaction.atomic
def file_appeal(*, actor: User, unit_score: UnitScore, reason: str) -> Appeal:
    """申诉: during 公示, the unit's liaison objects with a reason."""
    require_perm(actor, SELF, unit_score.unit)
    plan = _locked_plan(unit_score.run.plan)
    _require_stage(plan, Stage.PUBLICITY)
    if plan.publicity_until and timezone.localdate() > plan.publicity_until:
        raise Conflict(
            _("公示期已于 %(day)s 结束，不能再提出申诉。") % {"day": plan.publicity_until}
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写申诉理由。")})
    appeal = Appeal.objects.create(unit_score=unit_score, reason=reason, filed_by=actor)
    record_created(actor=actor, obj=appeal, verb="file_appeal")
    return appeal


@transaction.atomic
def answer_appeal(
    *,
    actor: User,
    appeal: Appeal,
    answer: str,
    item: ItemScore | None = None,
    score: Any = None,
    evidence: Sequence[UploadedFile] = (),
) -> Appeal:
    """答复: the office answers; with `item` and `score`, the score changes (reason: the answer)."""
    plan = appeal.unit_score.run.plan
    _office_move(actor, plan, Stage.PUBLICITY)
    appeal = Appeal.objects.select_for_update().get(pk=appeal.pk)
    if appeal.answered_at is not None:
        raise Conflict(_("该申诉已答复。"))
    answer = (answer or "").strip()
    if not answer:
        raise ValidationError({"answer": _("请填写答复意见。")})
    if item is not None:
        if item.unit_score_id != appeal.unit_score_id:
            raise ValidationError({"item": _("只能调整申诉单位的得分。")})
        adjust_item(
            actor=actor,
            item=item,
            score=score,
            reason=answer,
            evidence=evidence,
            step=Adjustment.Step.APPEAL,
        )
    appeal.answer = answer
    appeal.answered_by = actor
    appeal.answered_at = timezone.now()
    appeal.save(update_fields=["answer", "answered_by", "answered_at"])
    record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=appeal,
        verb="answer_appeal",
        note=answer,
    )
    return appeal


def default_grade(plan: Plan, unit_score: UnitScore, excellent_slots: int) -> str:
    if unit_score.rank <= excellent_slots and unit_score.total >= plan.good_line:
        return Grade.EXCELLENT
    if unit_score.total >= plan.good_line:
        return Grade.GOOD
    if unit_score.total >= plan.fair_line:
        return Grade.FAIR
    return Grade.POOR


def excellent_slots(plan: Plan, size: int) -> int:
    """优秀 places of a category of `size` units under the plan's quota (rounded down)."""
    return size * plan.excellent_quota // 100


@transaction.atomic
def grade_plan(*, actor: User, plan: Plan) -> Plan:
    """定档: after 公示 (every appeal answered), grade each unit: 优秀 for the best within the
    quota and at least the 良好 line, then 良好 / 一般 / 较差 by the plan's lines."""
    plan = _office_move(actor, plan, Stage.PUBLICITY)
    if plan.publicity_until and timezone.localdate() <= plan.publicity_until:
        raise Conflict(_("公示期至 %(day)s，期满后方可定档。") % {"day": plan.publicity_until})
    run = selectors.current_run(plan)
    assert run is not None
    open_appeals = Appeal.objects.filter(unit_score__run=run, answered_at__isnull=True).count()
    if open_appeals:
        raise Conflict(_("还有 %(n)d 件申诉未答复。") % {"n": open_appeals})
    scores = list(run.unit_scores.all())
    sizes: dict[int, int] = defaultdict(int)
    for unit_score in scores:
        sizes[unit_score.category_id] += 1
    for unit_score in scores:
        unit_score.grade = default_grade(
            plan, unit_score, excellent_slots(plan, sizes[unit_score.category_id])
        )
    UnitScore.objects.bulk_update(scores, ["grade"])
    return _move(actor, plan, Stage.GRADING)


@transaction.atomic
def set_grade(*, actor: User, unit_score: UnitScore, grade: str, reason: str) -> UnitScore:
    """Change one unit's grade (with a reason), within the 优秀 quota of its category."""
    plan = unit_score.run.plan
    plan = _office_move(actor, plan, Stage.GRADING)
    if grade not in Grade.values:
        raise ValidationError({"grade": _("请选择等次。")})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写调整等次的理由。")})
    peers = UnitScore.objects.filter(run=unit_score.run, category=unit_score.category)
    if grade == Grade.EXCELLENT:
        slots = excellent_slots(plan, peers.count())
        taken = peers.filter(grade=Grade.EXCELLENT).exclude(pk=unit_score.pk).count()
        if taken + 1 > slots:
            raise ValidationError(
                {
                    "grade": _(
                        "“%(category)s”类优秀名额为 %(slots)d 个（不超过 %(quota)d%%），已评 %(taken)d 个。"
                    )
                    % {
                        "category": unit_score.category.name,
                        "slots": slots,
                        "quota": plan.excellent_quota,
                        "taken": taken,
                    }
                }
            )
    before = unit_score.grade
    unit_score.grade = grade
    unit_score.save(update_fields=["grade"])
    record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=unit_score,
        verb="set_grade",
        changes={"grade": [before, grade]},
        note=reason,
    )
    return unit_score


@transaction.atomic
def publish_plan(*, actor: User, plan: Plan) -> Plan:
    """发布: the grades become the result; nothing of the run changes any more."""
    plan = _office_move(actor, plan, Stage.GRADING)
    plan = _move(actor, plan, Stage.PUBLISHED)
    run = selectors.current_run(plan)
    if run is not None:
        _tell_people(run)
    return plan


def _tell_people(run) -> None:
    """Each person scored on person-level indicators hears that their own score is out (it is
    theirs to see from publication on): one message to all of them."""
    from django.urls import reverse

    from luoshi.accounts.services import notify

    people = [ps.person for ps in run.person_scores.select_related("person")]
    if people:
        notify(
            recipients=people,
            title=_("考核结果已发布：%(plan)s") % {"plan": run.plan.name},
            body=_("本次考核设置了个人指标，请查看您的个人得分。"),
            url=reverse("assessment:my-scores"),
        )


def stage_index(stage: str) -> int:
    return STAGE_ORDER.index(stage)


def may_self_assess(user, unit_score: UnitScore) -> bool:
    return has_perm(user, SELF, unit_score.unit) and unit_score.run.plan.stage == Stage.SELF


def export_result_notice(*, actor: User, plan: Plan) -> bytes:
    """The result notice (Word) of a published plan the actor sees; the download is audited."""
    from ..documents import result_notice_docx

    if plan.stage != Stage.PUBLISHED:
        raise WrongStage(_("考核结果发布后方可下载结果通报。"))
    run = selectors.current_run(plan)
    assert run is not None
    content = result_notice_docx(plan, run)
    record(actor=actor, action=AuditEvent.Action.DOWNLOAD, obj=plan, verb="download_result")
    return content
