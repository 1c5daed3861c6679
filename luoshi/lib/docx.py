"""Word documents in 公文 layout (GB/T 9704-2012): A4 with the standard margins, the title in
方正小标宋简体 二号 centred, body text in 仿宋_GB2312 三号 with a two-character first-line indent,
一级 headings in 黑体 and 二级 headings in 楷体_GB2312, the issuing unit and the date at the end,
right-aligned. Fonts are named for East Asian text too (w:eastAsia), which Word and WPS use for
Chinese characters."""

import io
from urllib.parse import quote

from django.http import HttpResponse
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.text.paragraph import Paragraph
from docx.text.run import Run

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING1_FONT = "黑体"
HEADING2_FONT = "楷体_GB2312"
SIZE_2 = Pt(22)  # 二号
SIZE_3 = Pt(16)  # 三号
LINE = Pt(28)  # fixed line pitch: 22 lines to the type area
INDENT = Pt(32)  # two characters of 三号


def set_font(run: Run, name: str, size: Pt = SIZE_3, *, bold: bool = False) -> Run:
    """Name the font for Latin and East Asian text alike, and set its size."""
    run.font.name = name
    run.font.size = size
    run.font.bold = bold
    properties = run._element.get_or_add_rPr()
    fonts = properties.find(qn("w:rFonts"))
    if fonts is None:
        fonts = properties.makeelement(qn("w:rFonts"), {})
        properties.insert(0, fonts)
    for attribute in ("w:eastAsia", "w:ascii", "w:hAnsi"):
        fonts.set(qn(attribute), name)
    return run


def east_asian_font(run: Run) -> str | None:
    """The East Asian font a run names (for tests and checks)."""
    properties = run._element.rPr
    fonts = properties.find(qn("w:rFonts")) if properties is not None else None
    return fonts.get(qn("w:eastAsia")) if fonts is not None else None


class OfficialDocument:
    """A document in 公文 layout, written paragraph by paragraph."""

    def __init__(self) -> None:
        self.document = Document()
        section = self.document.sections[0]
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Mm(37), Mm(35)
        section.left_margin, section.right_margin = Mm(28), Mm(26)
        normal = self.document.styles["Normal"]
        normal.font.name = BODY_FONT
        normal.font.size = SIZE_3
        normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)

    def _paragraph(self, alignment=None, *, indent: bool = False) -> Paragraph:
        paragraph = self.document.add_paragraph()
        form = paragraph.paragraph_format
        form.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        form.line_spacing = LINE
        form.space_before = form.space_after = Pt(0)
        if alignment is not None:
            paragraph.alignment = alignment
        if indent:
            form.first_line_indent = INDENT
        return paragraph

    def title(self, text: str) -> Paragraph:
        paragraph = self._paragraph(WD_ALIGN_PARAGRAPH.CENTER)
        paragraph.paragraph_format.line_spacing = Pt(36)
        set_font(paragraph.add_run(text), TITLE_FONT, SIZE_2)
        return paragraph

    def subtitle(self, text: str) -> Paragraph:
        """A line under the title (the period), in 楷体, centred."""
        paragraph = self._paragraph(WD_ALIGN_PARAGRAPH.CENTER)
        set_font(paragraph.add_run(text), HEADING2_FONT)
        return paragraph

    def blank(self) -> Paragraph:
        return self._paragraph()

    def heading(self, text: str) -> Paragraph:
        """一级 heading ("一、…"): 黑体, indented like the body."""
        paragraph = self._paragraph(indent=True)
        set_font(paragraph.add_run(text), HEADING1_FONT)
        return paragraph

    def body(self, text: str, *, lead: str = "") -> Paragraph:
        """Body text; `lead` is a run-in 二级 heading ("（一）…") in 楷体."""
        paragraph = self._paragraph(WD_ALIGN_PARAGRAPH.JUSTIFY, indent=True)
        if lead:
            set_font(paragraph.add_run(lead), HEADING2_FONT)
        if text:
            set_font(paragraph.add_run(text), BODY_FONT)
        return paragraph

    def closing(self, unit: str, date: str) -> None:
        """The issuing unit and the date, right-aligned, after a blank line."""
        self.blank()
        for text in (unit, date):
            paragraph = self._paragraph(WD_ALIGN_PARAGRAPH.RIGHT)
            paragraph.paragraph_format.right_indent = INDENT
            set_font(paragraph.add_run(text), BODY_FONT)

    def content(self) -> bytes:
        buffer = io.BytesIO()
        self.document.save(buffer)
        return buffer.getvalue()


def docx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=DOCX_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response
