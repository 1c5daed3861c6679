"""Row builders and headers of the assessment's Excel exports."""

from django.utils.translation import gettext as _

from .models import Appeal, PersonScore, UnitScore


def score_table(scores: list[UnitScore]) -> tuple[list[str], list[list]]:
    """The score table: one row per unit, one column per indicator of any category (blank where
    the unit's category has no such indicator)."""
    names: list[str] = []
    for unit_score in scores:
        for item in unit_score.items.all():
            if item.indicator_name not in names:
                names.append(item.indicator_name)
    headers = [_("类别"), _("名次"), _("单位"), *names, _("总分"), _("等次")]
    rows = []
    for unit_score in scores:
        by_name = {item.indicator_name: item for item in unit_score.items.all()}
        cells = []
        for name in names:
            found = by_name.get(name)
            cells.append(
                None if found is None or found.score is None else float(found.signed_score)
            )
        rows.append(
            [
                unit_score.category.name,
                unit_score.rank,
                unit_score.unit_name,
                *cells,
                float(unit_score.total),
                unit_score.get_grade_display(),
            ]
        )
    return headers, rows


def person_table(scores: list[PersonScore]) -> tuple[list[str], list[list]]:
    """The person table: one row per person, one column per person-level indicator."""
    names: list[str] = []
    for person_score in scores:
        for item in person_score.items.all():
            if item.indicator_name not in names:
                names.append(item.indicator_name)
    headers = [_("类别"), _("名次"), _("姓名"), _("单位"), *names, _("个人得分")]
    rows = []
    for person_score in scores:
        by_name = {item.indicator_name: item for item in person_score.items.all()}
        rows.append(
            [
                person_score.unit_score.category.name,
                person_score.rank,
                person_score.person_name,
                person_score.unit_score.unit_name,
                *[float(by_name[n].score) if n in by_name else None for n in names],
                float(person_score.total),
            ]
        )
    return headers, rows


def dashboard(board) -> tuple[list[str], list[list]]:
    """The dashboard's standings: each unit's total, rank and grade in the chosen plan, the
    change of rank since the previous plan, and its totals in the trend's plans."""
    headers = [
        _("类别"),
        _("名次"),
        _("单位"),
        _("总分"),
        _("等次"),
        _("名次变化"),
        *[_("%(plan)s总分") % {"plan": plan.name} for plan in board.trend_plans],
    ]
    rows = []
    for standing in board.standings:
        us = standing.unit_score
        rows.append(
            [
                us.category.name,
                us.rank,
                us.unit_name,
                float(us.total),
                us.get_grade_display(),
                standing.rank_change,
                *[float(then.total) if then else None for then in standing.trend],
            ]
        )
    return headers, rows


def indicator_headers() -> list[str]:
    return [
        _("指标名称"),
        _("类别"),
        _("考核对象"),
        _("数据来源"),
        _("计分规则"),
        _("计分办法（按 10 分示例）"),
        _("启用"),
    ]


def indicator_rows(rows):
    for indicator, source, formula in rows:
        yield [
            indicator.name,
            indicator.get_kind_display(),
            indicator.get_level_display(),
            str(source.label) if source else indicator.source,
            indicator.get_rule_display(),
            formula,
            _("是") if indicator.is_active else _("否"),
        ]


def appeal_headers() -> list[str]:
    return [_("单位"), _("申诉理由"), _("提出人"), _("提出时间"), _("答复意见"), _("答复时间")]


def appeal_rows(appeals: list[Appeal]):
    for appeal in appeals:
        yield [
            appeal.unit_score.unit_name,
            appeal.reason,
            appeal.filed_by.name or appeal.filed_by.username,
            appeal.filed_at,
            appeal.answer,
            appeal.answered_at,
        ]


def case_headers() -> list[str]:
    return [
        _("标题"),
        _("所属单位"),
        _("方向"),
        _("实践类别"),
        _("状态"),
        _("依据的记录"),
        _("通报推广次数"),
        _("驾驶舱置顶"),
        _("报送时间"),
    ]


def case_rows(cases):
    for case in cases:
        yield [
            case.title,
            case.unit.name,
            case.track.name if case.track else "",
            case.practice,
            case.get_state_display(),
            case.records,
            case.cited,
            _("是") if case.pinned else _("否"),
            case.submitted_at,
        ]
