"""The result notice (考核结果通报) of a published plan, as a Word document in 公文 form
(luoshi.lib.docx): the office's 版头, the title, the assessed units as addressees, how the
assessment was done, the units by grade, a table of each category's ranking, and the 落款 with
the date of publication. Every figure is the frozen run's."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from luoshi.lib.docx import OfficialDocument

from .models import Grade, Plan, ScoreRun


def chinese_date(day: datetime.date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else "—"


def result_filename(plan: Plan) -> str:
    return _("%(name)s结果通报") % {"name": plan.name} + ".docx"


def result_notice_docx(plan: Plan, run: ScoreRun) -> bytes:
    issuer = plan.campaign.office_unit.name
    scores = list(
        run.unit_scores.select_related("category").order_by(
            "category__sort_order", "category_id", "rank", "unit__path"
        )
    )
    published = timezone.localdate(plan.published_at) if plan.published_at else None
    document = OfficialDocument()
    document.masthead(issuer)
    title = _("关于%(name)s结果的通报") % {"name": plan.name}
    document.title(title)
    document.blank()
    document.recipients(_("各参评单位："))
    publicity = ""
    if plan.publicity_until:
        start = plan.publicity_until - datetime.timedelta(days=plan.publicity_days)
        publicity = _("，于%(start)s至%(end)s进行了公示") % {
            "start": chinese_date(start),
            "end": chinese_date(plan.publicity_until),
        }
    document.body(
        _(
            "根据%(campaign)s考核方案，%(office)s对%(count)d个参评单位%(start)s至%(end)s的工作"
            "进行了考核。考核得分由平台按数据截止日期%(cutoff)s的任务、台账等记录计算，"
            "经单位自评、考核组审核%(publicity)s，现将考核结果通报如下。"
        )
        % {
            "campaign": plan.campaign.name,
            "office": issuer,
            "count": len(scores),
            "start": chinese_date(plan.period_start),
            "end": chinese_date(plan.period_end),
            "cutoff": chinese_date(run.cutoff),
            "publicity": publicity,
        }
    )
    for number, (value, label) in enumerate(Grade.choices, start=1):
        names = [s.unit_name for s in scores if s.grade == value]
        if not names:
            continue
        document.heading(
            _("%(n)s、%(grade)s等次（%(count)d个）")
            % {"n": _NUMERALS[number - 1], "grade": label, "count": len(names)}
        )
        document.body("、".join(names))
    document.body(_("希望各单位对照考核结果查找差距，认真整改，推动专项行动各项任务落到实处。"))
    categories: dict[str, list] = {}
    for unit_score in scores:
        categories.setdefault(unit_score.category.name, []).append(unit_score)
    document.heading(_("附：考核得分情况"))
    for name, rows in categories.items():
        document.body(_("（%(name)s）") % {"name": name})
        document.table(
            [_("名次"), _("单位"), _("得分"), _("等次")],
            [[str(s.rank), s.unit_name, f"{s.total:.2f}", s.get_grade_display()] for s in rows],
            align=["center", "left", "center", "center"],
        )
    document.closing(issuer, chinese_date(published))
    return document.content(author=issuer, title=title)


_NUMERALS = "一二三四五六七八九十"


def notice_docx(notice) -> bytes:
    """A notice (通报) in 公文 form: 版头 with its 发文字号, title, addressees, body, 落款."""
    issuer = notice.series.office_unit.name
    document = OfficialDocument()
    document.masthead(issuer, notice.number)
    document.title(notice.title)
    document.blank()
    document.recipients("、".join(u.name for u in notice.units.order_by("path")) + "：")
    for line in notice.body.splitlines():
        if line.strip():
            document.body(line.strip())
    issued = timezone.localdate(notice.issued_at) if notice.issued_at else None
    document.closing(issuer, chinese_date(issued))
    return document.content(author=issuer, title=f"{notice.number} {notice.title}")
