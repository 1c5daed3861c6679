"""The half-year notice (半年一通报) as a Word document in official layout (党政机关公文格式).

The office downloads the template, edits it in Word or WPS (letterhead, wording, fonts) and
uploads it again. The template is an ordinary .docx in which placeholders stand for the
notice's parts: `{{标题}}` anywhere in a paragraph is replaced by the title, and a paragraph that
holds only a table marker such as `{{单位数据表}}` is replaced by that table. A placeholder the
office removes simply does not appear; text around placeholders is kept as written.
"""

import copy
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

# Placeholder → what it becomes (documented on the notice page).
PLACEHOLDERS = {
    "标题": _("通报标题"),
    "文号": _("发文字号，如 茫宣〔2026〕12号"),
    "主送": _("主送机关，以全角冒号结尾"),
    "正文": _("开头段落：通报的时间范围、平台和总体情况（可多段）"),
    "表扬单位": _("受表扬的单位名单（顿号分隔）"),
    "表扬个人": _("受表扬的个人名单（姓名（单位），顿号分隔；设置不表扬个人时为空）"),
    "提醒单位": _("提醒单位的段落（设置不通报提醒时为空）"),
    "结束语": _("结束段落"),
    "落款": _("发文机关署名"),
    "日期": _("成文日期，如 2026年7月5日"),
}
TABLES = {
    "单位数据表": _(
        "各单位半年数据表（名次、单位、应注册人数、已注册、注册率、平均活跃率、合计、人均）"
    ),
    "表扬个人表": _("受表扬个人表（序号、姓名、单位、合计）"),
}
PATTERN = re.compile(r"\{\{\s*([^{}\s]+)\s*\}\}")

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"


@dataclass
class Table:
    headers: Sequence[str]
    rows: Sequence[Sequence[object]]


@dataclass
class NoticeContent:
    values: dict[str, str] = field(default_factory=dict)
    tables: dict[str, Table] = field(default_factory=dict)


def _font(run, name: str, size: float, bold: bool = False) -> None:
    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


def _paragraph(document, text: str, *, font: str = BODY_FONT, size: float = 16, align=None,
               indent: bool = True, bold: bool = False, space_after: float = 0):  # fmt: skip
    paragraph = document.add_paragraph()
    if align is not None:
        paragraph.alignment = align
    fmt = paragraph.paragraph_format
    fmt.line_spacing = Pt(28)  # 固定值 28 磅: the usual line pitch of 公文 on A4
    fmt.space_after = Pt(space_after)
    if indent:
        fmt.first_line_indent = Pt(size * 2)
    _font(paragraph.add_run(text), font, size, bold)
    return paragraph


def default_template() -> bytes:
    """The built-in template: A4 with 公文 margins, title in 小标宋 二号, body in 仿宋 三号."""
    document = Document()
    section = document.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    center, right = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.RIGHT
    _paragraph(document, "{{文号}}", align=center, indent=False, space_after=12)
    _paragraph(document, "{{标题}}", font=TITLE_FONT, size=22, align=center, indent=False,
               space_after=12)  # fmt: skip
    _paragraph(document, "{{主送}}", indent=False)
    _paragraph(document, "{{正文}}")
    _paragraph(document, "一、各单位学习情况", font=HEADING_FONT)
    _paragraph(document, "{{单位数据表}}", indent=False)
    _paragraph(document, "二、表扬", font=HEADING_FONT)
    _paragraph(document, "{{表扬单位}}")
    _paragraph(document, "{{表扬个人}}")
    _paragraph(document, "{{表扬个人表}}", indent=False)
    _paragraph(document, "{{提醒单位}}")
    _paragraph(document, "{{结束语}}")
    _paragraph(document, "", indent=False)
    _paragraph(document, "{{落款}}", align=right, indent=False)
    _paragraph(document, "{{日期}}", align=right, indent=False)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def placeholders_in(data: bytes) -> set[str]:
    """The placeholder names a template uses (to check an uploaded template)."""
    document = Document(io.BytesIO(data))
    found: set[str] = set()
    for paragraph in _all_paragraphs(document):
        found.update(PATTERN.findall(paragraph.text))
    return found


def _all_paragraphs(document):
    yield from document.paragraphs
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                yield from cell.paragraphs
    for section in document.sections:
        for part in (section.header, section.footer):
            yield from part.paragraphs


def _replace(paragraph, values: dict[str, str]) -> None:
    """Replace the placeholders of one paragraph. Word splits text into runs at will (a
    placeholder typed in two goes may sit in three runs), so the paragraph's text is replaced as
    a whole in its first run, which keeps that run's font; a value with line breaks becomes
    paragraphs of the same format."""
    text = paragraph.text
    if not PATTERN.search(text):
        return
    new = PATTERN.sub(lambda match: values.get(match.group(1), ""), text)
    lines = new.split("\n")
    runs = paragraph.runs
    runs[0].text = lines[0]
    for run in runs[1:]:
        run._element.getparent().remove(run._element)
    anchor = paragraph._p
    for line in lines[1:]:
        clone = copy.deepcopy(paragraph._p)
        anchor.addnext(clone)
        anchor = clone
        clone_runs = clone.findall(qn("w:r"))
        for extra in clone_runs[1:]:
            clone.remove(extra)
        texts = clone_runs[0].findall(qn("w:t"))
        texts[0].text = line
        for extra in texts[1:]:
            extra.getparent().remove(extra)
    if not new.strip():
        paragraph._p.getparent().remove(paragraph._p)


def _table(document, paragraph, table: Table) -> None:
    """Put a bordered table where the marker paragraph stands (仿宋 四号, header bold)."""
    if not table.rows:
        paragraph._p.getparent().remove(paragraph._p)
        return
    built = document.add_table(rows=1, cols=len(table.headers))
    built.style = "Table Grid"
    built.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, header in zip(built.rows[0].cells, table.headers, strict=True):
        cell.text = ""
        _font(cell.paragraphs[0].add_run(str(header)), HEADING_FONT, 12)
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    for values in table.rows:
        cells = built.add_row().cells
        for cell, value in zip(cells, values, strict=True):
            _font(cell.paragraphs[0].add_run("" if value is None else str(value)), BODY_FONT, 12)
            cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph._p.addnext(built._tbl)
    paragraph._p.getparent().remove(paragraph._p)


def render(template: bytes, content: NoticeContent) -> bytes:
    """Fill a template (the office's upload, or the built-in one) with one notice's content."""
    document = Document(io.BytesIO(template))
    for paragraph in list(document.paragraphs):
        names = PATTERN.findall(paragraph.text)
        marker = paragraph.text.strip()
        if len(names) == 1 and names[0] in TABLES and PATTERN.fullmatch(marker):
            _table(document, paragraph, content.tables.get(names[0], Table([], [])))
    for paragraph in list(_all_paragraphs(document)):
        _replace(paragraph, content.values)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
