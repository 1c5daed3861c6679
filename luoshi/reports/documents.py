"""The briefing as a Word document in 公文 layout (luoshi.lib.docx)."""

from luoshi.lib.docx import OfficialDocument

from .selectors import Briefing


def briefing_docx(briefing: Briefing) -> bytes:
    """Title, period, the paragraphs (一级 headings in 黑体, run-in 二级 headings in 楷体), then
    the unit and the date right-aligned."""
    document = OfficialDocument()
    document.title(briefing.title)
    document.subtitle(briefing.period)
    document.blank()
    for paragraph in briefing.paragraphs:
        if paragraph.kind == "heading":
            document.heading(paragraph.text)
        else:
            document.body("".join(part.text for part in paragraph.parts), lead=paragraph.lead)
    document.closing(briefing.signature, briefing.date_text)
    return document.content()
