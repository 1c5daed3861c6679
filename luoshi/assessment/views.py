"""Assessment pages: the indicator library, plans and their editor, the score run's progress, the
score table (filters, Excel), a unit's breakdown with its records, 自评, 审核, 公示, 申诉 and 定档.
Views parse, fetch through the access helpers, call a service or selector, render."""

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from luoshi.accounts.http import AuthenticatedRequest
from luoshi.audit.services import serve_export
from luoshi.lib.docx import docx_response
from luoshi.lib.forms import add_service_errors
from luoshi.lib.http import wants_xlsx
from luoshi.org.access import has_perm, units_for_picker

from . import exports, rules, selectors, services
from . import forms as f
from .access import (
    MANAGE,
    can_manage,
    can_manage_plan,
    can_self_assess,
    can_submit_case,
    can_use,
    get_appeal_for_user,
    get_case_for_user,
    get_indicator_for_user,
    get_item_for_user,
    get_notice_for_user,
    get_person_score_for_user,
    get_plan_for_user,
    get_unit_score_for_user,
    visible_indicators,
    visible_notices,
    visible_plans,
)
from .documents import result_filename
from .models import Grade, Plan, Stage, TypicalCase, UnitCategory
from .sources import get_source


def _require_use(request: AuthenticatedRequest) -> None:
    if not can_use(request.user):
        raise PermissionDenied(_("您没有使用考核功能的权限。"))


def _error_message(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


# --- Plans ----------------------------------------------------------------------------------------


@login_required
def plan_list(request: AuthenticatedRequest) -> HttpResponse:
    _require_use(request)
    plans = visible_plans(request.user).order_by("-period_start", "-id")
    return render(
        request,
        "assessment/plan_list.html",
        {"plans": plans, "may_manage": can_manage(request.user)},
    )


@login_required
def plan_create(request: AuthenticatedRequest) -> HttpResponse:
    if not can_manage(request.user):
        raise PermissionDenied(_("只有行动办可以制定考核方案。"))
    form = f.PlanForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.create_plan(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("考核方案已创建，请添加参评单位类别和指标。"))
            return redirect("assessment:plan-detail", plan.pk)
    return render(request, "assessment/plan_form.html", {"form": form})


@login_required
def plan_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The plan: its categories, indicators and weights (the editor while drafting), the run and
    its progress, and the moves of the workflow."""
    plan = get_plan_for_user(request.user, pk)
    may_manage = can_manage_plan(request.user, plan)
    categories = list(
        plan.categories.prefetch_related("units", "items__indicator").order_by("sort_order", "id")
    )
    for category in categories:
        category.formulas = [  # type: ignore[attr-defined]
            (item, _formula(item.indicator, item.weight), get_source(item.indicator.source))
            for item in category.items.all()
        ]
    basis = selectors.learning_basis(plan.campaign.office_unit)
    return render(
        request,
        "assessment/plan_detail.html",
        {
            "plan": plan,
            "categories": categories,
            "may_manage": may_manage,
            "problems": services.plan_problems(plan) if may_manage else [],
            "run": selectors.latest_run(plan),
            "current": selectors.current_run(plan),
            "basis": basis,
            "Stage": Stage,
            "today": timezone.localdate(),
            "people_tab": selectors.people_tab(request.user, plan),
        },
    )


@login_required
def run_progress(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The run's progress bar (polled while it computes)."""
    plan = get_plan_for_user(request.user, pk)
    return render(
        request,
        "assessment/_run.html",
        {
            "plan": plan,
            "run": selectors.latest_run(plan),
            "may_manage": can_manage_plan(request.user, plan),
        },
    )


@login_required
@require_POST
def run_start(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    plan = get_plan_for_user(request.user, pk, write=True)
    try:
        services.start_run(actor=request.user, plan=plan)
    except ValidationError as error:
        _error_message(request, error)
    else:
        messages.success(request, _("已开始计分，计算在后台进行，完成后本页自动显示结果。"))
    return redirect("assessment:plan-detail", plan.pk)


MOVES = {
    "open-self": services.open_self_assessment,
    "review": services.start_review,
    "publicity": services.start_publicity,
    "grade": services.grade_plan,
    "publish": services.publish_plan,
}


@login_required
@require_POST
def plan_move(request: AuthenticatedRequest, pk: int, move: str) -> HttpResponse:
    plan = get_plan_for_user(request.user, pk, write=True)
    service = MOVES.get(move)
    if service is None:
        raise Http404
    try:
        plan = service(actor=request.user, plan=plan)
    except ValidationError as error:
        _error_message(request, error)
    else:
        messages.success(
            request, _("考核方案已进入“%(stage)s”阶段。") % {"stage": plan.get_stage_display()}
        )
    return redirect("assessment:plan-detail", plan.pk)


@login_required
@require_POST
def plan_copy(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    plan = get_plan_for_user(request.user, pk, write=True)
    try:
        copy = services.copy_plan(actor=request.user, source=plan)
    except ValidationError as error:
        _error_message(request, error)
        return redirect("assessment:plan-detail", plan.pk)
    messages.success(request, _("已复制为下一期方案，请核对期间和数据截止日期。"))
    return redirect("assessment:plan-detail", copy.pk)


def _category_form(request, plan: Plan, category: UnitCategory | None):
    indicators = list(visible_indicators(request.user).filter(is_active=True))
    initial = {}
    if category is not None:
        initial = {
            "name": category.name,
            "sort_order": category.sort_order,
            "units": list(category.units.all()),
        }
        for item in category.items.all():
            initial[f"w_{item.indicator_id}"] = item.weight if item.weight else True
    return f.CategoryForm(
        request.POST or None, user=request.user, indicators=indicators, initial=initial
    )


@login_required
def category_edit(
    request: AuthenticatedRequest, pk: int, category_pk: int | None = None
) -> HttpResponse:
    """Add or change a category: its units and each indicator's weight (summing to 100)."""
    plan = get_plan_for_user(request.user, pk, write=True)
    category = None
    if category_pk is not None:
        category = plan.categories.filter(pk=category_pk).first()
        if category is None:
            raise Http404
    form = _category_form(request, plan, category)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                saved = services.save_category(
                    actor=request.user,
                    plan=plan,
                    name=form.cleaned_data["name"],
                    units=list(form.cleaned_data["units"]),
                    category=category,
                    sort_order=form.cleaned_data["sort_order"] or 0,
                )
                services.set_items(actor=request.user, category=saved, items=form.items())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("“%(name)s”类已保存。") % {"name": saved.name})
            return redirect("assessment:plan-detail", plan.pk)
    return render(
        request,
        "assessment/category_form.html",
        {"plan": plan, "category": category, "form": form},
    )


# --- Indicators -----------------------------------------------------------------------------------


@login_required
def indicator_list(request: AuthenticatedRequest) -> HttpResponse:
    _require_use(request)
    indicators = list(visible_indicators(request.user))
    rows = [
        (indicator, get_source(indicator.source), _formula(indicator)) for indicator in indicators
    ]
    if wants_xlsx(request):
        return serve_export(
            actor=request.user,
            object_type="assessment.indicator",
            title=_("考核指标库"),
            headers=exports.indicator_headers(),
            rows=exports.indicator_rows(rows),
        )
    return render(
        request,
        "assessment/indicator_list.html",
        {"rows": rows, "may_manage": can_manage(request.user)},
    )


EXAMPLE_WEIGHT = Decimal(10)  # the library shows each rule at 10 points; plans set their own


def _formula(indicator, weight=EXAMPLE_WEIGHT) -> str:
    source = get_source(indicator.source)
    return rules.formula(indicator, weight, str(source.unit_label) if source else "")


@login_required
def indicator_edit(request: AuthenticatedRequest, pk: int | None = None) -> HttpResponse:
    if pk is None:
        if not can_manage(request.user):
            raise PermissionDenied(_("只有行动办可以维护考核指标。"))
        indicator = None
        form = f.IndicatorForm(request.POST or None)
    else:
        indicator = get_indicator_for_user(request.user, pk, write=True)
        form = f.IndicatorForm(request.POST or None, initial=f.IndicatorForm.initial_for(indicator))
    if request.method == "POST" and form.is_valid():
        try:
            if indicator is None:
                indicator = services.create_indicator(actor=request.user, **form.to_fields())
            else:
                services.update_indicator(
                    actor=request.user, indicator=indicator, **form.to_fields()
                )
        except ValidationError as error:
            add_service_errors(form, error, default_field=None)
        else:
            messages.success(request, _("指标“%(name)s”已保存。") % {"name": indicator.name})
            return redirect("assessment:indicator-list")
    return render(request, "assessment/indicator_form.html", {"form": form, "indicator": indicator})


# --- Scores ---------------------------------------------------------------------------------------


@login_required
def score_table(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    plan = get_plan_for_user(request.user, pk)
    flt = selectors.ScoreFilter.from_params(request.GET)
    for error in flt.errors:
        messages.warning(request, error)
    scores = list(selectors.score_table(request.user, plan, flt))
    if wants_xlsx(request):
        headers, rows = exports.score_table(scores)
        return serve_export(
            actor=request.user,
            object_type="assessment.unitscore",
            title=_("%(plan)s得分") % {"plan": plan.name},
            headers=headers,
            rows=rows,
            filters=flt.describe(plan),
        )
    by_category: dict[int, list] = {}
    for unit_score in scores:
        by_category.setdefault(unit_score.category_id, []).append(unit_score)
    groups = [
        (category, by_category[category.pk])
        for category in plan.categories.order_by("sort_order", "id")
        if category.pk in by_category
    ]
    return render(
        request,
        "assessment/score_table.html",
        {
            "plan": plan,
            "groups": groups,
            "flt": flt,
            "categories": plan.categories.order_by("sort_order", "id"),
            "grades": Grade.choices,
            "run": selectors.current_run(plan),
            "query": request.GET.urlencode(),
            "people_tab": selectors.people_tab(request.user, plan),
        },
    )


@login_required
def unit_score_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """A unit's breakdown: each indicator's figure (a link to its records), formula, score and
    adjustments; and the unit's step of the workflow (自评, 审核, 申诉, 等次)."""
    unit_score = get_unit_score_for_user(request.user, pk)
    plan = unit_score.run.plan
    may_manage = can_manage_plan(request.user, plan)
    is_unit = can_self_assess(request.user, unit_score)
    detail = selectors.unit_detail(unit_score)
    forms_: dict[str, forms.Form] = {}
    if plan.stage == Stage.SELF and is_unit:
        forms_["self_form"] = f.SelfAssessmentForm(initial={"note": unit_score.self_note})
    if plan.stage == Stage.REVIEW and may_manage:
        forms_["review_form"] = f.ReviewForm(initial={"note": unit_score.review_note})
    if plan.stage == Stage.PUBLICITY and is_unit:
        forms_["appeal_form"] = f.AppealForm()
    if plan.stage == Stage.GRADING and may_manage:
        forms_["grade_form"] = f.GradeForm(initial={"grade": unit_score.grade})
    return render(
        request,
        "assessment/unit_score.html",
        {
            "unit_score": unit_score,
            "plan": plan,
            "may_manage": may_manage,
            "may_adjust": may_manage and plan.stage in (Stage.DRAFT, Stage.SELF, Stage.REVIEW),
            "evidence": selectors.evidence_of(unit_score),
            "people": selectors.people_of(request.user, unit_score),
            **detail,
            **forms_,
        },
    )


@login_required
@require_POST
def unit_score_step(request: AuthenticatedRequest, pk: int, step: str) -> HttpResponse:
    """The unit's 自评 or 申诉, the office's 审核 or 等次."""
    unit_score = get_unit_score_for_user(request.user, pk, write=True)
    forms_by_step: dict[str, type[forms.Form]] = {
        "self": f.SelfAssessmentForm,
        "review": f.ReviewForm,
        "appeal": f.AppealForm,
        "grade": f.GradeForm,
    }
    if step not in forms_by_step:
        raise Http404
    form = forms_by_step[step](request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("assessment:unit-score", unit_score.pk)
    data = form.cleaned_data
    try:
        if step == "self":
            services.submit_self_assessment(
                actor=request.user,
                unit_score=unit_score,
                note=data["note"],
                evidence=data["evidence"],
            )
            done = _("自评已提交。")
        elif step == "review":
            services.review_unit(actor=request.user, unit_score=unit_score, note=data["note"])
            done = _("审核意见已保存。")
        elif step == "appeal":
            services.file_appeal(actor=request.user, unit_score=unit_score, reason=data["reason"])
            done = _("申诉已提交，请等待行动办答复。")
        else:
            services.set_grade(
                actor=request.user,
                unit_score=unit_score,
                grade=data["grade"],
                reason=data["reason"],
            )
            done = _("等次已调整。")
    except ValidationError as error:
        _error_message(request, error)
    else:
        messages.success(request, done)
    return redirect("assessment:unit-score", unit_score.pk)


@login_required
def item_records(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The records behind one figure, as they stood at the cut-off (each a link to its page)."""
    item = get_item_for_user(request.user, pk)
    unit_score = item.unit_score
    return render(
        request,
        "assessment/item_records.html",
        {"item": item, "unit_score": unit_score, "plan": unit_score.run.plan},
    )


@login_required
def item_adjust(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Score a manual item or change a computed score: reason and evidence required."""
    item = get_item_for_user(request.user, pk, write=True)
    form = f.AdjustForm(request.POST or None, request.FILES or None, initial={"score": item.score})
    if request.method == "POST" and form.is_valid():
        try:
            services.adjust_item(
                actor=request.user,
                item=item,
                score=form.cleaned_data["score"],
                reason=form.cleaned_data["reason"],
                evidence=form.cleaned_data["evidence"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("得分已保存。"))
            return redirect("assessment:unit-score", item.unit_score_id)
    return render(
        request,
        "assessment/item_adjust.html",
        {"item": item, "form": form, "unit_score": item.unit_score},
    )


@login_required
def result_document(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The result notice (考核结果通报, Word) of a published plan."""
    plan = get_plan_for_user(request.user, pk)
    if plan.stage != Stage.PUBLISHED:
        raise Http404
    content = services.export_result_notice(actor=request.user, plan=plan)
    return docx_response(content, result_filename(plan))


# --- The leaders' dashboard ------------------------------------------------------------------------


@login_required
def dashboard(request: AuthenticatedRequest) -> HttpResponse:
    """考核驾驶舱: a campaign's assessment results in the reader's scope — standings, grades,
    appeals, the trend over its plans, the latest notices; refreshes itself; Excel."""
    _require_use(request)
    flt = selectors.DashboardFilter.from_params(request.GET)
    for error in flt.errors:
        messages.warning(request, error)
    board = selectors.dashboard(request.user, flt)
    if wants_xlsx(request):
        headers, rows = exports.dashboard(board)
        return serve_export(
            actor=request.user,
            object_type="assessment.dashboard",
            title=_("考核驾驶舱"),
            headers=headers,
            rows=rows,
            filters=flt.describe(board.plan),
        )
    return render(
        request,
        "assessment/dashboard.html",
        {
            "board": board,
            "flt": flt,
            "charts": selectors.dashboard_charts(board),
            "query": request.GET.urlencode(),
        },
    )


# --- Person-level scores --------------------------------------------------------------------------


@login_required
def person_table(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The people's scores on the person-level indicators, for those who manage their units."""
    plan = get_plan_for_user(request.user, pk)
    if not selectors.people_tab(request.user, plan):
        raise Http404
    flt = selectors.PersonFilter.from_params(request.GET)
    for error in flt.errors:
        messages.warning(request, error)
    scores = list(selectors.person_table(request.user, plan, flt))
    if wants_xlsx(request):
        headers, rows = exports.person_table(scores)
        return serve_export(
            actor=request.user,
            object_type="assessment.personscore",
            title=_("%(plan)s个人得分") % {"plan": plan.name},
            headers=headers,
            rows=rows,
            filters=flt.describe(plan),
        )
    groups: dict[int, tuple] = {}
    for person_score in scores:
        category = person_score.unit_score.category
        groups.setdefault(category.pk, (category, []))[1].append(person_score)
    return render(
        request,
        "assessment/person_table.html",
        {
            "plan": plan,
            "groups": list(groups.values()),
            "flt": flt,
            "categories": plan.categories.order_by("sort_order", "id"),
            "run": selectors.current_run(plan),
            "query": request.GET.urlencode(),
            "people_tab": True,
        },
    )


@login_required
def person_score_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """A person's scores: each indicator's figure, formula and score, and the records behind it."""
    person_score = get_person_score_for_user(request.user, pk)
    return render(
        request,
        "assessment/person_score.html",
        {
            "person_score": person_score,
            "plan": person_score.run.plan,
            "items": person_score.items.order_by("sort_order", "id"),
            "may_read_unit": selectors.readable_ids(request.user, person_score.run.plan),
        },
    )


@login_required
def my_scores(request: AuthenticatedRequest) -> HttpResponse:
    """One's own person-level scores of the published plans."""
    return render(
        request,
        "assessment/my_scores.html",
        {"scores": selectors.my_person_scores(request.user)},
    )


# --- 公示 and 申诉 ---------------------------------------------------------------------------------


@login_required
def publicity(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The publicity list (公示名单): every assessed unit's total and rank, from 公示 on."""
    plan = get_plan_for_user(request.user, pk)
    if services.stage_index(plan.stage) < services.stage_index(Stage.PUBLICITY):
        raise Http404
    run = selectors.current_run(plan)
    rows = selectors.publicity_rows(run) if run else []
    return render(
        request,
        "assessment/publicity.html",
        {
            "plan": plan,
            "rows": rows,
            "readable": selectors.readable_ids(request.user, plan),
            "people_tab": selectors.people_tab(request.user, plan),
        },
    )


@login_required
def appeal_list(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    plan = get_plan_for_user(request.user, pk)
    appeals = list(selectors.appeals_of(request.user, plan))
    if wants_xlsx(request):
        return serve_export(
            actor=request.user,
            object_type="assessment.appeal",
            title=_("%(plan)s申诉") % {"plan": plan.name},
            headers=exports.appeal_headers(),
            rows=exports.appeal_rows(appeals),
            filters=[_("方案：%(name)s") % {"name": plan.name}],
        )
    return render(
        request,
        "assessment/appeal_list.html",
        {
            "plan": plan,
            "appeals": appeals,
            "may_manage": can_manage_plan(request.user, plan),
            "people_tab": selectors.people_tab(request.user, plan),
        },
    )


@login_required
def appeal_answer(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    appeal = get_appeal_for_user(request.user, pk, write=True)
    unit_score = appeal.unit_score
    items = list(unit_score.items.order_by("sort_order", "id"))
    form = f.AnswerForm(request.POST or None, request.FILES or None, items=items)
    if request.method == "POST" and form.is_valid():
        item = form.chosen_item()
        try:
            services.answer_appeal(
                actor=request.user,
                appeal=appeal,
                answer=form.cleaned_data["answer"],
                item=item,
                score=form.cleaned_data["score"],
                evidence=form.cleaned_data["evidence"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("申诉已答复。"))
            return redirect("assessment:appeal-list", unit_score.run.plan_id)
    return render(
        request,
        "assessment/appeal_answer.html",
        {"appeal": appeal, "unit_score": unit_score, "form": form, "plan": unit_score.run.plan},
    )


# --- 通报 ------------------------------------------------------------------------------------------


@login_required
def notice_list(request: AuthenticatedRequest) -> HttpResponse:
    notices = list(
        visible_notices(request.user).select_related("series").order_by("-issued_at", "-created_at")
    )
    may_manage = can_manage(request.user)
    form = f.SeriesForm(request.POST or None)
    if request.method == "POST":
        if not may_manage:
            raise PermissionDenied(_("只有行动办可以设置发文字号。"))
        if form.is_valid():
            office_unit = units_for_picker(request.user, MANAGE).order_by("depth", "path").first()
            try:
                if office_unit is None:
                    raise PermissionDenied
                series = services.create_series(
                    actor=request.user,
                    office_unit=office_unit,
                    name=form.cleaned_data["name"],
                    prefix=form.cleaned_data["number_prefix"],
                )
            except ValidationError as error:
                add_service_errors(form, error, aliases={"prefix": "number_prefix"})
            else:
                messages.success(request, _("发文字号规则“%(p)s”已添加。") % {"p": series.prefix})
                return redirect("assessment:notice-list")
    return render(
        request,
        "assessment/notice_list.html",
        {"notices": notices, "may_manage": may_manage, "series_form": form},
    )


@login_required
def notice_create(request: AuthenticatedRequest) -> HttpResponse:
    if not can_manage(request.user):
        raise PermissionDenied(_("只有行动办可以起草通报。"))
    form = f.NoticeForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            notice = services.create_notice(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("通报草稿已保存，核对后即可印发。"))
            return redirect("assessment:notice-detail", notice.pk)
    return render(request, "assessment/notice_form.html", {"form": form})


@login_required
def notice_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The notice; opening it is a reader's receipt (the office sees who in each unit read it)."""
    notice = get_notice_for_user(request.user, pk)
    services.record_read(person=request.user, notice=notice)
    may_manage = can_manage(request.user) and has_perm(
        request.user, MANAGE, notice.series.office_unit
    )
    receipts = []
    if may_manage:
        readers: dict[int, list] = {}
        for receipt in notice.receipts.select_related("person").order_by("read_at"):
            readers.setdefault(receipt.unit_id, []).append(receipt)
        receipts = [(unit, readers.get(unit.pk, [])) for unit in notice.units.order_by("path")]
    return render(
        request,
        "assessment/notice_detail.html",
        {"notice": notice, "may_manage": may_manage, "receipts": receipts},
    )


@login_required
@require_POST
def notice_issue(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    notice = get_notice_for_user(request.user, pk, write=True)
    try:
        notice = services.issue_notice(actor=request.user, notice=notice)
    except ValidationError as error:
        _error_message(request, error)
    else:
        messages.success(request, _("通报已印发，文号 %(n)s。") % {"n": notice.number})
    return redirect("assessment:notice-detail", notice.pk)


@login_required
def notice_document(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    notice = get_notice_for_user(request.user, pk)
    if notice.state != notice.State.ISSUED:
        raise Http404
    from .documents import notice_docx

    return docx_response(notice_docx(notice), f"{notice.number}{notice.title}.docx")


# --- 典型案例 --------------------------------------------------------------------------------------


@login_required
def case_list(request: AuthenticatedRequest) -> HttpResponse:
    """The case library: published cases for everyone, one's own unit's under review; filters by
    state, track, practice and text; Excel."""
    flt = selectors.CaseFilter.from_params(request.GET)
    for error in flt.errors:
        messages.warning(request, error)
    cases = list(selectors.case_list(request.user, flt))
    if wants_xlsx(request):
        return serve_export(
            actor=request.user,
            object_type="assessment.typicalcase",
            title=_("典型案例"),
            headers=exports.case_headers(),
            rows=exports.case_rows(cases),
            filters=flt.describe(),
        )
    tracks, practices = selectors.case_choices(request.user)
    return render(
        request,
        "assessment/case_list.html",
        {
            "cases": cases,
            "flt": flt,
            "tracks": tracks,
            "practices": practices,
            "states": TypicalCase.State.choices,
            "may_submit": can_submit_case(request.user),
            "query": request.GET.urlencode(),
        },
    )


@login_required
def case_create(request: AuthenticatedRequest) -> HttpResponse:
    if not can_submit_case(request.user):
        raise PermissionDenied(_("只有单位联络员或行动办可以报送典型案例。"))
    form = f.CaseForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.submit_case(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("典型案例已报送，请等待行动办审核。"))
            return redirect("assessment:case-detail", case.pk)
    return render(request, "assessment/case_form.html", {"form": form})


@login_required
def case_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """A case with its records (each a link), its review, and where it was used."""
    case = get_case_for_user(request.user, pk)
    may_manage = has_perm(request.user, MANAGE, case.campaign.office_unit)
    return render(
        request,
        "assessment/case_detail.html",
        {
            "case": case,
            "activities": case.activities.select_related("unit", "type").order_by("starts_at"),
            "uses": selectors.case_uses(case),
            "may_manage": may_manage,
            "review_form": f.CaseReviewForm()
            if may_manage and case.state == TypicalCase.State.SUBMITTED
            else None,
        },
    )


@login_required
@require_POST
def case_review(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    case = get_case_for_user(request.user, pk, write=True)
    form = f.CaseReviewForm(request.POST)
    form.is_valid()
    publish = request.POST.get("decision") == "publish"
    try:
        services.review_case(
            actor=request.user, case=case, publish=publish, note=form.cleaned_data.get("note", "")
        )
    except ValidationError as error:
        _error_message(request, error)
    else:
        messages.success(request, _("案例已发布。") if publish else _("案例已退回。"))
    return redirect("assessment:case-detail", case.pk)


@login_required
@require_POST
def case_pin(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    case = get_case_for_user(request.user, pk, write=True)
    services.pin_case(actor=request.user, case=case, pinned=request.POST.get("pinned") == "1")
    return redirect("assessment:case-detail", case.pk)
