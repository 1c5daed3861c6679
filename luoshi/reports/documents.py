"""The briefing as a Word document in 公文 form (luoshi.lib.docx): the 报头 (the briefing's name
in red, the editing unit and the date over the red line), the title, the period, the paragraphs
(一级 headings in 黑体, run-in 二级 headings in 楷体), then the unit and the date."""

from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from luoshi.lib.docx import OfficialDocument

from .models import IssuedBriefing
from .selectors import Briefing


def issue_number(issued: IssuedBriefing) -> str:
    """期号 of an issued briefing: 第N期, N its place among the briefings of the same unit and
    template issued in the same calendar year (fixed once issued: later ones come after it)."""
    local = timezone.localtime(issued.issued_at)
    start = local.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
    earlier = IssuedBriefing.objects.filter(
        unit_id=issued.unit_id,
        template_id=issued.template_id,
        issued_at__gte=start,
        issued_at__lt=start.replace(year=start.year + 1),
    ).filter(Q(issued_at__lt=issued.issued_at) | Q(issued_at=issued.issued_at, pk__lt=issued.pk))
    with translation.override("zh-hans"):
        return _("第%(n)s期") % {"n": earlier.count() + 1}


def masthead_name(briefing: Briefing) -> str:
    """The name in the 报头: the template's title without the unit ("“四大”专项行动工作简报"),
    or 工作简报 when the title names no 简报."""
    name = briefing.template.title.replace("{unit}", "").strip()
    return name if name.endswith("简报") else _("工作简报")


def briefing_docx(briefing: Briefing, *, issue: str = "") -> bytes:
    """The .docx of a written briefing; `issue` is its 期号 ("第3期") when it has one."""
    document = OfficialDocument()
    with translation.override("zh-hans"):  # the 报头 is Chinese in every interface language
        editor = _("%(unit)s编") % {"unit": briefing.signature}
        name = masthead_name(briefing)
    document.briefing_head(name, issue=issue, editor=editor, date=briefing.date_text)
    document.title(briefing.title, keep=[briefing.unit.name])
    document.subtitle(briefing.period)
    document.blank()
    for paragraph in briefing.paragraphs:
        if paragraph.kind == "heading":
            document.heading(paragraph.text)
        else:
            document.body("".join(part.text for part in paragraph.parts), lead=paragraph.lead)
    document.closing(briefing.signature, briefing.date_text)
    return document.content(author=briefing.signature, title=briefing.title)
