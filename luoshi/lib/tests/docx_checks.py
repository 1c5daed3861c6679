"""What every Word output of luoshi must satisfy (GB/T 9704-2012 through luoshi.lib.docx), as one
check the document tests of each app call on the .docx they generate."""

import datetime
import io
import re
from typing import Any

from django.utils import timezone
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from luoshi.lib import docx as official

SPACED_NUMBER = re.compile(rf"[{official.CJK}] +[0-9]|[0-9] +[{official.CJK}]")


def _footer_check(footer, alignment) -> None:
    paragraph = footer.paragraphs[0]
    xml = paragraph._p.xml
    assert 'fldCharType="begin"' in xml and " PAGE " in xml, "no PAGE field in the footer"
    assert paragraph.text.startswith("— ") and paragraph.text.endswith(" —")
    assert paragraph.alignment == alignment
    assert {run.font.size for run in paragraph.runs} == {Pt(14)}  # 4号
    assert {official.east_asian_font(run) for run in paragraph.runs} == {"宋体"}


def check_official_document(
    content: bytes, *, author: str, title: str | None = None, tables: int | None = None
):
    """Open `content` and assert the page, grid, page numbers, fonts, tables and properties.
    Returns the python-docx Document for further checks."""
    document: Any = Document(io.BytesIO(content))
    section: Any = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    margins = [section.top_margin, section.bottom_margin, section.left_margin, section.right_margin]
    assert [round(margin.mm) for margin in margins] == [37, 35, 28, 26]
    grid = section._sectPr.find(qn("w:docGrid"))
    assert grid is not None, "no document grid"
    assert grid.get(qn("w:type")) == "linesAndChars"
    assert grid.get(qn("w:linePitch")) == "579"  # 225 mm / 22 lines
    # 28 characters of 三号 on the 156 mm line: (16 pt + charSpace/4096) × 28 = 156 mm
    pitch = 16 + int(grid.get(qn("w:charSpace"))) / 4096
    assert round(pitch * 28 / 72 * 25.4) == 156
    # page numbers: odd pages right, even pages left
    assert document.settings.odd_and_even_pages_header_footer
    _footer_check(section.footer, WD_ALIGN_PARAGRAPH.RIGHT)
    _footer_check(section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)
    # title: 小标宋 二号 centred
    titles = [p for p in document.paragraphs if p.style.name == official.STYLE_TITLE]
    assert len(titles) == 1, "one title"
    heading = titles[0]
    assert heading.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert official.east_asian_font(heading.runs[0]) == official.TITLE_FONT
    assert heading.runs[0].font.size == Pt(22)
    lines = heading.text.split("\n")
    assert all(len(line) >= 2 for line in lines), f"a lone character in the title {lines}"
    if title is not None:
        assert heading.text.replace("\n", "") == title
    # body: 仿宋 三号, justified, two characters indented; no spaces around numbers
    body = [
        p
        for p in document.paragraphs
        if p.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY
        and p.paragraph_format.first_line_indent == Pt(32)
        and p.runs
    ]
    assert body, "no body paragraphs"
    for paragraph in body:
        fonts = {official.east_asian_font(run) for run in paragraph.runs}
        assert fonts <= {official.BODY_FONT, official.HEADING1_FONT, official.HEADING2_FONT}
        assert {run.font.size for run in paragraph.runs} == {Pt(16)}
        ind = paragraph._p.pPr.find(qn("w:ind"))
        assert ind.get(qn("w:firstLineChars")) == "200"
    for paragraph in document.paragraphs:
        assert not SPACED_NUMBER.search(paragraph.text), f"spaced number: {paragraph.text}"
    # tables: header row repeated, rows kept whole, columns fitted to content
    if tables is not None:
        assert len(document.tables) == tables
    width = official.type_width(section)
    for table in document.tables:
        rows = table.rows
        assert rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None, "header row not repeated"
        for row in rows:
            assert row._tr.trPr.find(qn("w:cantSplit")) is not None, "a row may split"
        assert table._tbl.tblPr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"
        columns = [int(col.get(qn("w:w"))) for col in table._tbl.tblGrid.findall(qn("w:gridCol"))]
        assert sum(columns) <= width.twips + len(columns)
        assert sum(columns) >= width.twips * 0.95, "the table is narrower than the type area"
        if len(columns) > 2:
            assert len(set(columns)) > 1, "equal column widths"
        for row in rows:
            for cell, column in zip(row.cells, columns, strict=True):
                assert abs(cell.width.twips - column) <= 1
    # properties: the issuing unit, now, Chinese
    properties = document.core_properties
    assert properties.author == author
    assert properties.last_modified_by == author
    assert properties.language == "zh-CN"
    created = properties.created.replace(tzinfo=datetime.UTC)
    assert abs(created - timezone.now()) < datetime.timedelta(hours=1)
    assert "python-docx" not in (properties.comments or "") + (properties.author or "")
    lang = document.styles.element.find(qn("w:docDefaults")).find(".//" + qn("w:lang"))
    assert lang.get(qn("w:val")) == lang.get(qn("w:eastAsia")) == "zh-CN"
    return document
