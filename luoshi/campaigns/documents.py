"""The supervision notice (督办单) as a printable Word document in 公文 form (luoshi.lib.docx).

版头: the campaign office's unit as the issuing organ in red and the notice's number over the red
line; the title; the responsible unit as addressee; what is to be done and by when; a table of
the task's particulars; the office and the date of issue (落款 per GB/T 9704). Every date is the
notice's own: the reply deadline is the one its notification gives, the date of issue the day it
was issued, so the printed notice and the message in the inbox never disagree.
"""

import datetime

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from luoshi.lib.docx import OfficialDocument

from .models import SupervisionNotice


def chinese_date(day: datetime.date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else "—"


def notice_filename(notice: SupervisionNotice) -> str:
    return _("督办单%(number)s") % {"number": notice.number} + ".docx"


def supervision_notice_docx(notice: SupervisionNotice) -> bytes:
    """The 督办单 of `notice`, in Chinese whatever the reader's interface language: it is an
    official document of the office, the same for every reader."""
    with translation.override("zh-hans"):
        return _supervision_notice_docx(notice)


def _supervision_notice_docx(notice: SupervisionNotice) -> bytes:
    task = notice.task
    campaign = task.campaign
    issuer = campaign.office_unit.name
    unit = task.unit.name if task.unit is not None else ""
    issued = timezone.localdate(notice.issued_at)
    document = OfficialDocument()
    document.masthead(issuer, notice.number)
    document.title(_("督办单"))
    document.blank()
    if unit:
        document.recipients(unit + "：")
    document.body(_("你单位承担的“%(task)s”任务，现予督办。督办事项如下：") % {"task": task.title})
    for line in notice.content.splitlines():
        if line.strip():
            document.body(line.strip())
    document.body(
        _("请于%(date)s前将办理情况通过平台回复%(office)s。")
        % {"date": chinese_date(notice.reply_deadline), "office": issuer}
    )
    document.heading(_("附：督办任务情况"))
    rows = [
        [_("专项行动"), campaign.name],
        [_("任务名称"), task.title],
        [_("责任单位"), unit or "—"],
        [_("责任人"), task.owner.name if task.owner is not None else "—"],
        [_("完成时限"), chinese_date(task.deadline)],
        [_("回复时限"), chinese_date(notice.reply_deadline)],
    ]
    if notice.state == SupervisionNotice.State.REPLIED and notice.reply:
        replied = timezone.localdate(notice.replied_at) if notice.replied_at else None
        rows.append(
            [
                _("回复情况"),
                f"{notice.reply}（{chinese_date(replied)}）" if replied else notice.reply,
            ]
        )
    else:
        rows.append([_("回复情况"), _("待回复")])
    document.table([_("项目"), _("内容")], rows, align=["center", "left"])
    document.closing(issuer, chinese_date(issued))
    return document.content(author=issuer, title=_("督办单") + notice.number)
