"""Sources from the domain apps: study (readings, essays, 优秀), 挎包宣讲 coverage, heritage visits,
the media matrix, rectification, and the learning platforms (a 考评依据 only where the office set
it so, with a recorded reason)."""

import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from luoshi.campaigns.models import DONE_STATES
from luoshi.learning.models import PointImport, PointRecord
from luoshi.media.models import JournalistTarget, Level, Publication
from luoshi.org.models import Membership, Unit
from luoshi.outreach.models import Lecture
from luoshi.rectification.models import Problem
from luoshi.study.models import Reading, StudySettings

from . import (
    PARAM_LEVELS,
    PARAM_PER_HEAD,
    PARAM_PLATFORM,
    PARAM_VENUES,
    Context,
    Figure,
    Source,
    _day_start,
    count_figure,
    ratio,
    records,
    register_source,
)
from .chain import _activity_url, _local_date, _task_url, unit_activities

STUDY = gettext_lazy("学习")
OUTREACH = gettext_lazy("宣讲")
MEDIA = gettext_lazy("宣传报道")
RECTIFICATION = gettext_lazy("整改")
LEARNING = gettext_lazy("学习平台")
YES = "是"  # the demo's 指定读本 choice, as the study app stores it


def _study_type(ctx: Context, name: str) -> int | None:
    settings = StudySettings.objects.filter(campaign_id=ctx.campaign_id).first()
    return getattr(settings, name, None) if settings else None


def _personal(ctx: Context, unit: Unit, type_id: int | None, params: dict[str, Any]):
    if type_id is None:
        return None
    return unit_activities(ctx, unit, {}).filter(type_id=type_id)


def readings(ctx: Context, unit: Unit, params: dict[str, Any]) -> Figure:
    rows = _personal(ctx, unit, _study_type(ctx, "reading_type_id"), params)
    if rows is None:
        return Figure(None, _("未设置读书记录的活动类型"))
    titles = list(
        Reading.objects.filter(campaign_id=ctx.campaign_id).values_list("title", flat=True)
    )
    designated = Q(values__designated=YES)
    if titles:
        designated |= Q(values__book__in=titles)
    found = list(rows.filter(designated).only("id", "title", "starts_at", "values"))
    shown = records(
        found, lambda a: f"{a.starts_at:%Y-%m-%d} {a.values.get('book') or a.title}", _activity_url
    )
    return count_figure(len(found), unit, params, _("本"), shown)


def essays(ctx: Context, unit: Unit, params: dict[str, Any], *, excellent: bool = False) -> Figure:
    rows = _personal(ctx, unit, _study_type(ctx, "essay_type_id"), params)
    if rows is None:
        return Figure(None, _("未设置心得体会的活动类型"))
    if excellent:
        rows = rows.filter(commended_at__lt=ctx.cutoff_at)
    found = list(rows.only("id", "title", "starts_at"))
    shown = records(found, lambda a: f"{a.starts_at:%Y-%m-%d} {a.title}", _activity_url)
    return count_figure(len(found), unit, params, _("篇"), shown)


def excellent_essays(ctx: Context, unit: Unit, params: dict[str, Any]) -> Figure:
    return essays(ctx, unit, params, excellent=True)


def lecture_coverage(ctx: Context, unit: Unit, params: dict[str, Any]) -> Figure:
    """覆盖点: the distinct lecture targets (of the chosen categories) the unit's lectures reached."""
    lectures = Lecture.objects.filter(
        activity__in=unit_activities(ctx, unit, {}).values("id"), target__isnull=False
    ).select_related("target", "activity")
    if params.get(PARAM_VENUES):
        lectures = lectures.filter(target__venue_category__in=params[PARAM_VENUES])
    reached: dict[int, Lecture] = {}
    for lecture in lectures.order_by("activity__starts_at", "activity_id"):
        if lecture.target_id is not None:
            reached.setdefault(lecture.target_id, lecture)
    shown = records(
        list(reached.values()),
        lambda lec: (
            f"{lec.target.name}（{lec.target.get_venue_category_display()}，"
            f"{lec.activity.starts_at:%Y-%m-%d}）"
        ),
        lambda lec: _activity_url(lec.activity),
    )
    count = len(reached)
    return Figure(Decimal(count), _("覆盖宣讲点 %(count)d 个") % {"count": count}, shown, count)


def heritage_visits(ctx: Context, unit: Unit, params: dict[str, Any]) -> Figure:
    found = list(
        unit_activities(ctx, unit, {})
        .filter(site_visit__isnull=False)
        .select_related("site_visit__site")
        .only("id", "title", "starts_at", "site_visit__site__name")
    )
    shown = records(
        found,
        lambda a: f"{a.starts_at:%Y-%m-%d} {a.site_visit.site.name}：{a.title}",
        _activity_url,
    )
    return count_figure(len(found), unit, params, _("次"), shown)


def placements(ctx: Context, unit: Unit, params: dict[str, Any]) -> Figure:
    found = Publication.objects.filter(
        activity__in=unit_activities(ctx, unit, {}).values("id")
    ).select_related("activity", "channel")
    if params.get(PARAM_LEVELS):
        found = found.filter(level__in=params[PARAM_LEVELS])
    rows = list(found.order_by("activity__starts_at", "activity_id"))
    shown = records(
        rows,
        lambda p: (
            f"{p.activity.starts_at:%Y-%m-%d} {p.get_level_display()}·{p.channel}："
            f"{p.activity.title}"
        ),
        lambda p: _activity_url(p.activity),
    )
    return count_figure(len(rows), unit, params, _("篇"), shown)


def journalist_targets(ctx: Context, unit: Unit, params: dict[str, Any]) -> Figure:
    """Targets (任务量) of the period met: each journalist's placements in the target's own
    month or quarter, at its level when it names one."""
    targets = list(
        JournalistTarget.objects.filter(
            unit__path__startswith=unit.path,
            period_start__gte=ctx.start,
            period_start__lte=ctx.last_day,
        )
        .select_related("person")
        .order_by("period_start", "person__pinyin", "id")
    )
    met, shown = 0, []
    for target in targets:
        pieces = Publication.objects.filter(
            activity__deleted_at__isnull=True,
            activity__participations__person_id=target.person_id,
            activity__starts_at__gte=_day_start(target.period_start),
            activity__starts_at__lt=_day_start(target.period_end + datetime.timedelta(days=1)),
            activity__created_at__lt=ctx.cutoff_at,
        )
        if target.level:
            pieces = pieces.filter(level=target.level)
        done = pieces.distinct().count()
        met += done >= target.count
        shown.append(
            {
                "label": _("%(person)s %(period)s：%(done)d / %(count)d 篇")
                % {
                    "person": target.person.name or target.person.username,
                    "period": target.period_start.strftime("%Y-%m"),
                    "done": done,
                    "count": target.count,
                },
                "url": reverse("media:target-list"),
            }
        )
    return Figure(
        ratio(met, len(targets)),
        _("完成任务量 %(met)d 人次 / %(total)d 人次") % {"met": met, "total": len(targets)},
        shown,
        len(targets),
    )


def rectified_on_time(ctx: Context, unit: Unit, params: dict[str, Any]) -> Figure:
    problems = list(
        Problem.objects.filter(
            campaign_id=ctx.campaign_id,
            unit__path__startswith=unit.path,
            deadline__gte=ctx.start,
            deadline__lte=ctx.last_day,
            created_at__lt=ctx.cutoff_at,
        )
        .select_related("task")
        .order_by("deadline", "id")
    )
    on_time = 0
    for problem in problems:
        task = problem.task
        if (
            task is not None
            and task.state in DONE_STATES
            and task.verified_at is not None
            and task.verified_at < ctx.cutoff_at
            and task.submitted_at is not None
            and _local_date(task.submitted_at) <= problem.deadline
        ):
            on_time += 1
    shown = records(
        problems,
        lambda p: f"{p.title}（时限 {p.deadline:%Y-%m-%d}）",
        lambda p: _task_url(p.task) if p.task_id else reverse("rectification:problem-list"),
    )
    return Figure(
        ratio(on_time, len(problems)),
        _("按时整改 %(done)d 项 / 问题 %(total)d 项") % {"done": on_time, "total": len(problems)},
        shown,
        len(problems),
    )


def learning_coverage(ctx: Context, unit: Unit, params: dict[str, Any]) -> Figure:
    """The unit's people with platform figures in the period, of all its people."""
    platform = params.get(PARAM_PLATFORM) or "xuexi"
    heads = (
        Membership.objects.filter(unit__path__startswith=unit.path, person__deleted_at__isnull=True)
        .values("person_id")
        .distinct()
        .count()
    )
    learners = (
        PointRecord.objects.filter(
            platform=platform,
            unit__path__startswith=unit.path,
            period_start__gte=ctx.start,
            period_start__lte=ctx.last_day,
            point_import__status=PointImport.Status.CONFIRMED,
            point_import__confirmed_at__lt=ctx.cutoff_at,
        )
        .values("person_id")
        .annotate(n=Count("id"))
        .count()
    )
    return Figure(
        ratio(learners, heads),
        _("有学习记录 %(learners)d 人 / %(heads)d 人") % {"learners": learners, "heads": heads},
        [{"label": _("平台学习月度汇总"), "url": reverse("learning:summary")}],
        learners,
    )


register_source(
    Source(
        "study.readings",
        gettext_lazy("读完指定读本"),
        STUDY,
        gettext_lazy("本"),
        readings,
        params=(PARAM_PER_HEAD,),
    )
)
register_source(
    Source(
        "study.essays",
        gettext_lazy("撰写心得体会"),
        STUDY,
        gettext_lazy("篇"),
        essays,
        params=(PARAM_PER_HEAD,),
    )
)
register_source(
    Source(
        "study.excellent_essays",
        gettext_lazy("心得体会评为优秀"),
        STUDY,
        gettext_lazy("篇"),
        excellent_essays,
        params=(PARAM_PER_HEAD,),
    )
)
register_source(
    Source(
        "outreach.coverage",
        gettext_lazy("挎包宣讲覆盖点"),
        OUTREACH,
        gettext_lazy("个"),
        lecture_coverage,
        params=(PARAM_VENUES,),
    )
)
register_source(
    Source(
        "heritage.visits",
        gettext_lazy("红色资源参观学习"),
        OUTREACH,
        gettext_lazy("次"),
        heritage_visits,
        params=(PARAM_PER_HEAD,),
    )
)
register_source(
    Source(
        "media.placements",
        gettext_lazy("宣传报道刊发"),
        MEDIA,
        gettext_lazy("篇"),
        placements,
        params=(PARAM_LEVELS, PARAM_PER_HEAD),
    )
)
register_source(
    Source("media.targets", gettext_lazy("记者任务量完成率"), MEDIA, "%", journalist_targets)
)
register_source(
    Source(
        "rectification.on_time",
        gettext_lazy("问题按时整改率"),
        RECTIFICATION,
        "%",
        rectified_on_time,
    )
)
register_source(
    Source(
        "learning.coverage",
        gettext_lazy("平台学习覆盖率"),
        LEARNING,
        "%",
        learning_coverage,
        params=(PARAM_PLATFORM,),
        learning=True,
    )
)

LEVEL_CHOICES = Level.choices
