"""The half-year notice (半年一通报) as a Word document in official layout (党政机关公文格式).

The office downloads the template, edits it in Word or WPS (letterhead, wording, fonts) and
uploads it again. The template is an ordinary .docx in which placeholders stand for the
notice's parts: `{{标题}}` anywhere in a paragraph is replaced by the title, and a paragraph that
holds only a table marker such as `{{单位数据表}}` is replaced by that table. A placeholder the
office removes simply does not appear; text around placeholders is kept as written.

The built-in template is written with `luoshi.lib.docx.OfficialDocument`, the project's one
公文 layout; filling a template (`render`) works on any .docx, the office's own included.
"""

import copy
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _
from docx import Document
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph

from luoshi.lib.docx import (
    BODY_FONT,
    HEADING1_FONT,
    SIZE_3,
    SIZE_TABLE,
    OfficialDocument,
    build_table,
    refit,
    set_font,
    set_properties,
    tidy,
)

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
HEADING_LINE = re.compile(r"^[一二三四五六七八九十]+、[^。，；]{1,20}$")
PATTERN = re.compile(r"\{\{\s*([^{}\s]+)\s*\}\}")
TABLE_SIZE = SIZE_TABLE  # 小四: eight columns fit the type area


@dataclass
class Table:
    headers: Sequence[str]
    rows: Sequence[Sequence[object]]


@dataclass
class NoticeContent:
    """What fills a template: placeholder values and the tables for the table markers."""

    values: dict[str, str] = field(default_factory=dict)
    tables: dict[str, Table] = field(default_factory=dict)


def default_template() -> bytes:
    """The built-in template in 公文 form: the 版头 (the issuing organ's mark in red, the
    document number, the red line), the title (小标宋 二号) centred, the addressees, the body in
    仿宋 三号 with headings in 黑体, the tables, then the 落款 and the date per GB/T 9704."""
    document = OfficialDocument()
    document.masthead("{{落款}}文件", "{{文号}}")
    document.title("{{标题}}")
    document.blank()
    document.recipients("{{主送}}")
    document.body("{{正文}}")
    document.heading("一、各单位学习情况")
    set_font(document.blank().add_run("{{单位数据表}}"), BODY_FONT)
    document.heading("二、表扬")
    document.body("{{表扬单位}}")
    document.body("{{表扬个人}}")
    set_font(document.blank().add_run("{{表扬个人表}}"), BODY_FONT)
    document.body("{{提醒单位}}")
    document.body("{{结束语}}")
    document.closing("{{落款}}", "{{日期}}")
    return document.content(author=str(_("发文机关")))


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
    made = [paragraph]
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
        made.append(Paragraph(clone, paragraph._parent))
    for part in made:
        # a value's own heading line ("三、提醒") is a 一级 heading: 黑体, not body text
        if HEADING_LINE.match(part.text) and part.runs:
            run = part.runs[0]
            set_font(run, HEADING1_FONT, run.font.size or SIZE_3)
    if not new.strip():
        paragraph._p.getparent().remove(paragraph._p)


def _table(document, paragraph, table: Table) -> None:
    """Put a bordered table where the marker paragraph stands (仿宋 小四, header in 黑体, the
    header repeated on each page, rows kept whole, columns fitted to the template's own type
    area)."""
    if not table.rows:
        paragraph._p.getparent().remove(paragraph._p)
        return
    built = build_table(document, table.headers, table.rows, size=TABLE_SIZE)
    paragraph._p.addnext(built._tbl)
    paragraph._p.getparent().remove(paragraph._p)


def render(template: bytes, content: NoticeContent) -> bytes:
    """Fill a template (the office's upload, or the built-in one) with one notice's content.
    The template's page setup, fonts and footers are kept as they are; what depends on the filled
    text (the organ's mark, the title's lines, the 落款) is laid out again, and the document's
    properties name the issuing unit."""
    document = Document(io.BytesIO(template))
    for paragraph in list(document.paragraphs):
        names = PATTERN.findall(paragraph.text)
        marker = paragraph.text.strip()
        if len(names) == 1 and names[0] in TABLES and PATTERN.fullmatch(marker):
            _table(document, paragraph, content.tables.get(names[0], Table([], [])))
    values = {name: tidy(value) for name, value in content.values.items()}
    for paragraph in list(_all_paragraphs(document)):
        _replace(paragraph, values)
    refit(document)
    set_properties(document, author=values.get("落款", ""), title=values.get("标题", ""))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
