"""Word documents in 公文 form (GB/T 9704-2012), written through one builder, `OfficialDocument`.

The page: A4, margins 37 mm top, 35 mm bottom, 28 mm left and 26 mm right, which leaves the
standard type area of 156 × 225 mm; a document grid (w:docGrid) of 22 lines of 28 characters of
三号, so Word and WPS set exactly 28 characters on a line and 22 lines on a page. Body text is
仿宋_GB2312 三号, justified, with a two-character first-line indent; headings are 黑体 (一、),
楷体_GB2312 (（一）) and bold 仿宋 (1.); the title is 方正小标宋简体 二号, centred, broken into
lines that keep words together. Page numbers are 4号 half-width "— 1 —" from a PAGE field at the
outer bottom edge, one character in: odd pages on the right, even pages on the left.

Notices get a 版头 (the issuing organ's mark in red, the document number, the red separator
line), briefings a 报头 (the briefing's name in red, the issue, the editing unit and the date, the
red line). The issuing unit and the date at the end (落款, 成文日期) are placed per 7.3.5.2: the
unit two characters in from the right, the date under it starting two characters further right.

Fonts are named for East Asian text too (w:eastAsia), which Word and WPS use for Chinese. A
paragraph whose layout depends on its final text (the organ's mark, the 落款 and the date) carries
a named paragraph style, so a template edited in Word keeps the mark and `refit` can lay it out
again once placeholders are filled.
"""

import datetime
import io
import math
import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from django.http import HttpResponse
from django.utils import timezone
from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Emu, Length, Mm, Pt, RGBColor, Twips
from docx.table import Table
from docx.text.paragraph import Paragraph
from docx.text.run import Run

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING1_FONT = "黑体"
HEADING2_FONT = "楷体_GB2312"
PAGE_NUMBER_FONT = "宋体"
SIZE_MARK = Pt(36)  # 小初: the largest size the organ's mark takes; longer names get smaller
SIZE_2 = Pt(22)  # 二号
SIZE_3 = Pt(16)  # 三号
SIZE_4 = Pt(14)  # 四号
SIZE_TABLE = Pt(12)  # 小四
SIZE_TABLE_SMALL = Pt(10.5)  # 五号
RED = "FF0000"

PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
MARGINS = {"top": Mm(37), "bottom": Mm(35), "left": Mm(28), "right": Mm(26)}
TYPE_WIDTH = Mm(156)
TYPE_HEIGHT = Mm(225)
LINES_PER_PAGE = 22
CHARS_PER_LINE = 28
LINE_PITCH = Twips(int(TYPE_HEIGHT.twips / LINES_PER_PAGE))  # 579 twips
# w:charSpace: what a grid character adds to the 三号 em, in 1/4096 pt (negative: 28 × 15.79 pt).
CHAR_SPACE = round((TYPE_WIDTH.pt / CHARS_PER_LINE - SIZE_3.pt) * 4096)
# Body paragraphs are set solid (not snapped to the character grid) and condensed by 0.5 pt:
# 28 characters of 三号 then fill the 156 mm line exactly as the grid says, in Word and WPS and
# also in LibreOffice, which puts a 16 pt character into two cells of a grid narrower than 16 pt
# (14 characters a line). Anything from 0.21 to 0.74 pt gives 28; 0.5 is the middle.
CONDENSE = -10
INDENT = Pt(32)  # two characters of 三号 (Word uses firstLineChars; this is the fallback)
LINE = LINE_PITCH
TITLE_LINE = Pt(36)
FOOTER_DISTANCE = Mm(21)  # the page number's line sits about 7 mm under the type area

CELL_PADDING = Pt(3)  # a cell's left and right margins (Word's default 5.4 pt wraps unit names)

STYLE_TITLE = "公文标题"
STYLE_MARK = "发文机关标志"
STYLE_SIGNATURE = "发文机关署名"
STYLE_DATE = "成文日期"

CJK = r"\u2e80-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef\u2014\u2018-\u201d\u2026"
_SPACE_AFTER_CJK = re.compile(rf"(?<=[{CJK}])[ \u00a0]+(?=[0-9A-Za-z%.+\-(])")
_SPACE_BEFORE_CJK = re.compile(rf"(?<=[0-9A-Za-z%.)])[ \u00a0]+(?=[{CJK}])")
_ASCII_RUN = re.compile(r"[0-9A-Za-z.%]+")

# Words a title line must not end inside (the usual words of 公文 titles); the caller adds the
# names it knows (units, platforms) with `keep`.
TITLE_WORDS = (  # noqa: SIM905
    "关于 通报 通知 简报 报告 意见 决定 督办 情况 工作 学习 学习强国 强国 四大 平台 使用 专项"
    " 行动 开展 推进 落实 表扬 批评 上半年 下半年 全员 干部 网络 学院 宣传部 文体旅游广电局 茫崖市"
).split()
NO_LINE_END = "（《“‘〔【"
NO_LINE_START = "）》”’〕】、，。：；！？"


def tidy(text: str) -> str:
    """No spaces between Chinese and numbers or Latin letters ("共统计28个单位"): 公文 sets
    them solid, and a space typed around a figure would show as a gap."""
    return _SPACE_BEFORE_CJK.sub("", _SPACE_AFTER_CJK.sub("", text))


def text_width(text: str, half: float = 0.5) -> float:
    """The width of `text` in characters: Chinese and full-width signs 1, half-width `half`
    (0.5 by definition; a table allows for fonts whose figures are a little wider)."""
    return sum(half if ord(char) < 0x2000 else 1.0 for char in text)


def _protected(text: str, keep: Sequence[str]) -> set[int]:
    """Positions a line may not break at (a break at i falls between text[i-1] and text[i])."""
    blocked: set[int] = set()
    for word in (*TITLE_WORDS, *keep):
        if len(word) < 2:
            continue
        for match in re.finditer(re.escape(word), text):
            blocked.update(range(match.start() + 1, match.end()))
    for match in _ASCII_RUN.finditer(text):
        # a number stays with the unit after it: 2026年, 28个, 第3期
        end = match.end() + (1 if match.end() < len(text) else 0)
        blocked.update(range(match.start() + 1, end))
    for match in re.finditer(r"[“‘《（][^“”‘’《》（）]{1,12}[”’》）]", text):
        blocked.update(range(match.start() + 1, match.end()))
    for i in range(1, len(text)):
        if text[i - 1] in NO_LINE_END or text[i] in NO_LINE_START:
            blocked.add(i)
    return blocked


def title_lines(text: str, *, per_line: float = 20, keep: Sequence[str] = ()) -> list[str]:
    """Break a title into lines that each fit (`per_line` characters of 二号 fit the type area),
    are about as long as each other (GB/T 9704 7.3.3: 梯形或菱形) and break only between words:
    never inside a known word, a number with its unit, or quotation marks, and never leave a lone
    character on the last line."""
    text = text.strip()
    if text_width(text) <= per_line:
        return [text]
    blocked = _protected(text, keep)
    count = math.ceil(text_width(text) / per_line)
    cuts = [i for i in range(1, len(text)) if i not in blocked]
    for lines in range(count, count + 3):
        best = _balanced(text, cuts, lines, per_line)
        if best:
            return best
    # No word boundary fits: break by width alone, still never a lone last character.
    out, line = [], ""
    for char in text:
        if text_width(line + char) > per_line:
            out.append(line)
            line = ""
        line += char
    if len(line) < 2 and out:
        line = out[-1][-1] + line
        out[-1] = out[-1][:-1]
    return [*out, line]


def _balanced(text: str, cuts: list[int], lines: int, per_line: float) -> list[str] | None:
    """The split into `lines` lines at allowed cuts with the least spread of line widths."""
    best: tuple[float, list[str]] | None = None
    target = text_width(text) / lines

    def walk(start: int, left: int, chosen: list[str]) -> None:
        nonlocal best
        rest = text[start:]
        if left == 1:
            if text_width(rest) <= per_line and len(rest) >= 2:
                candidate = [*chosen, rest]
                widths = [text_width(line) for line in candidate]
                score = sum((w - target) ** 2 for w in widths)
                if best is None or score < best[0]:
                    best = (score, candidate)
            return
        for cut in cuts:
            if cut <= start or len(text) - cut < 2 * (left - 1):
                continue
            line = text[start:cut]
            if text_width(line) > per_line:
                break
            if len(line) >= 2:
                walk(cut, left - 1, [*chosen, line])

    walk(0, lines, [])
    return best[1] if best else None


def set_font(
    run: Run, name: str, size: Length = SIZE_3, *, bold: bool = False, color: str = ""
) -> Run:
    """Name the font for Latin and East Asian text alike, and set its size (and colour)."""
    run.font.name = name
    run.font.size = size
    run.font.bold = bold
    properties = run._element.get_or_add_rPr()
    fonts = properties.find(qn("w:rFonts"))
    if fonts is None:
        fonts = properties.makeelement(qn("w:rFonts"), {})
        properties.insert(0, fonts)
    for attribute in ("w:eastAsia", "w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attribute), name)
    if color:
        run.font.color.rgb = RGBColor.from_string(color)
    return run


def east_asian_font(run: Run) -> str | None:
    """The East Asian font a run names (for tests and checks)."""
    properties = run._element.rPr
    fonts = properties.find(qn("w:rFonts")) if properties is not None else None
    return fonts.get(qn("w:eastAsia")) if fonts is not None else None


def _set(parent, tag: str, **attributes) -> Any:
    """The child `tag` of `parent` (created once), with `attributes` set (w: namespace)."""
    element = parent.find(qn(tag))
    if element is None:
        element = OxmlElement(tag)
        parent.append(element)
    for name, value in attributes.items():
        element.set(qn(f"w:{name}"), str(value))
    return element


def _paragraph_properties(paragraph: Paragraph):
    return paragraph._p.get_or_add_pPr()


def _insert_in_order(pPr, element) -> None:
    """Put a paragraph property where the schema's sequence wants it (Word is strict)."""
    order = [
        "w:pStyle", "w:keepNext", "w:keepLines", "w:pageBreakBefore", "w:framePr",
        "w:widowControl", "w:numPr", "w:suppressLineNumbers", "w:pBdr", "w:shd", "w:tabs",
        "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct", "w:topLinePunct",
        "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd", "w:snapToGrid",
        "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap",
        "w:jc", "w:textDirection", "w:textAlignment", "w:textboxTightWrap",
        "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange",
    ]  # fmt: skip
    existing = pPr.find(element.tag)
    if existing is not None:
        pPr.remove(existing)
    rank = order.index(element.prefix + ":" + element.tag.split("}")[1])
    for index, child in enumerate(pPr):
        name = child.prefix + ":" + child.tag.split("}")[1]
        if name in order and order.index(name) > rank:
            pPr.insert(index, element)
            return
    pPr.append(element)


def _ppr_flag(paragraph_or_style_pPr, tag: str, value: str) -> None:
    element = OxmlElement(tag)
    element.set(qn("w:val"), value)
    _insert_in_order(paragraph_or_style_pPr, element)


def indent_chars(paragraph: Paragraph, *, first: float = 0, left: float = 0, right: float = 0):
    """Indents in characters of the grid (w:firstLineChars…, hundredths), with the same in
    points for programs that ignore the character units."""
    pPr = _paragraph_properties(paragraph)
    ind = OxmlElement("w:ind")
    if left:
        ind.set(qn("w:leftChars"), str(round(left * 100)))
        ind.set(qn("w:left"), str(round(left * SIZE_3.twips)))
    if right:
        ind.set(qn("w:rightChars"), str(round(right * 100)))
        ind.set(qn("w:right"), str(round(right * SIZE_3.twips)))
    if first:
        ind.set(qn("w:firstLineChars"), str(round(first * 100)))
        ind.set(qn("w:firstLine"), str(round(first * SIZE_3.twips)))
    _insert_in_order(pPr, ind)


def red_rule(paragraph: Paragraph, *, space: int = 11) -> None:
    """A red line the width of the type area under `paragraph`, `space` points below its text
    (the 版头's and 报头's separator line)."""
    pPr = _paragraph_properties(paragraph)
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for name, value in {"val": "single", "sz": "12", "space": str(space), "color": RED}.items():
        bottom.set(qn(f"w:{name}"), value)
    border.append(bottom)
    _insert_in_order(pPr, border)


def _off_grid(paragraph: Paragraph) -> None:
    """Larger type (title, mark) is not snapped to the 三号 grid, which would spread it."""
    _ppr_flag(_paragraph_properties(paragraph), "w:snapToGrid", "0")


def _page_number(paragraph: Paragraph) -> None:
    """ "— N —" with N from a PAGE field, 4号 half-width 宋体."""

    def run(text: str = "") -> Run:
        made = paragraph.add_run(text)
        return set_font(made, PAGE_NUMBER_FONT, SIZE_4)

    run("— ")
    for kind, instruction in (("begin", None), (None, " PAGE "), ("separate", None)):
        piece = run()
        if kind:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            piece._r.append(char)
        else:
            text = OxmlElement("w:instrText")
            text.set(qn("xml:space"), "preserve")
            text.text = instruction
            piece._r.append(text)
    run("1")
    end = run()
    char = OxmlElement("w:fldChar")
    char.set(qn("w:fldCharType"), "end")
    end._r.append(char)
    run(" —")


def page_numbers(section) -> None:
    """Page numbers in the footers: odd pages right, even pages left, one character in."""
    section.footer_distance = FOOTER_DISTANCE
    section.header_distance = Mm(15)
    for footer, alignment, side in (
        (section.footer, WD_ALIGN_PARAGRAPH.RIGHT, "right"),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT, "left"),
    ):
        footer.is_linked_to_previous = False
        paragraph = footer.paragraphs[0]
        for element in list(paragraph._p):
            if element.tag != qn("w:pPr"):
                paragraph._p.remove(element)
        paragraph.alignment = alignment
        _off_grid(paragraph)
        form = paragraph.paragraph_format
        form.space_before = form.space_after = Pt(0)
        if side == "right":
            form.right_indent = SIZE_4
        else:
            form.left_indent = SIZE_4
        _page_number(paragraph)


def set_page(section) -> None:
    """A4, the standard margins and the 22 × 28 document grid."""
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.top_margin, section.bottom_margin = MARGINS["top"], MARGINS["bottom"]
    section.left_margin, section.right_margin = MARGINS["left"], MARGINS["right"]
    sectPr = section._sectPr
    grid = sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        sectPr.append(grid)
    grid.set(qn("w:type"), "linesAndChars")
    grid.set(qn("w:linePitch"), str(LINE_PITCH.twips))
    grid.set(qn("w:charSpace"), str(CHAR_SPACE))


def type_width(section) -> Length:
    """The width between the margins of a section (an uploaded template's own page setup)."""
    width = section.page_width or PAGE_WIDTH
    left = section.left_margin if section.left_margin is not None else MARGINS["left"]
    right = section.right_margin if section.right_margin is not None else MARGINS["right"]
    return Emu(width - left - right)


def set_properties(document, *, author: str, title: str = "") -> None:
    """Core properties: the issuing unit as author, now as the creation time, Chinese."""
    properties = document.core_properties
    now = timezone.now().astimezone(datetime.UTC).replace(tzinfo=None, microsecond=0)
    properties.author = author
    properties.last_modified_by = author
    properties.created = now
    properties.modified = now
    printed = properties._element.find(qn("cp:lastPrinted"))
    if printed is not None:
        properties._element.remove(printed)
    properties.revision = 1
    properties.language = "zh-CN"
    properties.title = title
    properties.subject = ""
    properties.keywords = ""
    properties.comments = ""
    properties.category = ""


def _style_language(document) -> None:
    """Chinese as the documents' language (w:lang on the defaults), no automatic spacing
    between Chinese and numbers, and Chinese line-breaking rules."""
    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    rPr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    lang = _set(rPr, "w:lang")
    for name in ("val", "eastAsia"):
        lang.set(qn(f"w:{name}"), "zh-CN")
    lang.set(qn("w:bidi"), "ar-SA")
    _set(rPr, "w:sz", val=round(SIZE_3.pt * 2))
    _set(rPr, "w:szCs", val=round(SIZE_3.pt * 2))
    # a paragraph the office types in Word falls on the 22-line grid too (no space after)
    spacing = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr")).find(qn("w:spacing"))
    if spacing is not None:
        for name, value in {
            "after": "0",
            "line": str(LINE_PITCH.twips),
            "lineRule": "exact",
        }.items():
            spacing.set(qn(f"w:{name}"), value)
    normal = document.styles["Normal"]
    pPr = normal.element.get_or_add_pPr()
    for tag in ("w:autoSpaceDE", "w:autoSpaceDN", "w:snapToGrid"):
        _ppr_flag(pPr, tag, "0")
    condense(normal.element.get_or_add_rPr(), CONDENSE)


def condense(rPr, twentieths: int) -> None:
    """Character spacing (w:spacing in a run's properties, in twentieths of a point), put where
    the schema wants it: before w:w, w:kern, w:position and the sizes."""
    existing = rPr.find(qn("w:spacing"))
    if existing is not None:
        rPr.remove(existing)
    spacing = OxmlElement("w:spacing")
    spacing.set(qn("w:val"), str(twentieths))
    later = {qn(f"w:{tag}") for tag in ("w", "kern", "position", "sz", "szCs", "highlight", "u")}
    later |= {qn(f"w:{tag}") for tag in ("effect", "bdr", "shd", "fitText", "vertAlign")}
    later |= {qn(f"w:{tag}") for tag in ("rtl", "cs", "em", "lang", "eastAsianLayout")}
    for index, child in enumerate(rPr):
        if child.tag in later:
            rPr.insert(index, spacing)
            return
    rPr.append(spacing)


def _paragraph_style(document, name: str):
    try:
        return document.styles[name]
    except KeyError:
        style = document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = document.styles["Normal"]
        style.quick_style = True
        return style


def place_closing(signature: Paragraph, date: Paragraph) -> None:
    """落款 per GB/T 9704 7.3.5.2 (no seal): the unit right-aligned two characters in from the
    right, the date on the next line starting two characters right of the unit's first
    character; a date longer than that keeps two characters from the right edge and the unit
    moves left with it."""
    unit_width = text_width(signature.text)
    date_width = text_width(date.text)
    date_right = unit_width - date_width
    if date_right < 2:
        date_right = 2
    unit_right = date_right + date_width + 2 - unit_width
    for paragraph, right in ((signature, unit_right), (date, date_right)):
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        paragraph.paragraph_format.first_line_indent = None
        indent_chars(paragraph, right=right)


def fit_mark(paragraph: Paragraph, width: Length = TYPE_WIDTH) -> None:
    """The organ's mark on one line: 小初 at most, smaller for a long name."""
    text = paragraph.text
    if not text:
        return
    size = min(SIZE_MARK.pt, math.floor(width.pt / text_width(text) * 0.96))
    for run in paragraph.runs:
        run.font.size = Pt(size)
    form = paragraph.paragraph_format
    form.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    form.line_spacing = Pt(round(size * 1.25))


def break_title(
    paragraph: Paragraph, *, width: Length = TYPE_WIDTH, keep: Sequence[str] = ()
) -> None:
    """Set a title's text again as lines (w:br between them) that keep words together, in the
    font of its first run."""
    runs = paragraph.runs
    if not runs:
        return
    text = tidy(paragraph.text.replace("\n", ""))
    size = runs[0].font.size or SIZE_2
    per_line = math.floor(width.pt / size.pt)
    lines = title_lines(text, per_line=per_line, keep=keep)
    first = runs[0]
    for run in runs[1:]:
        run._r.getparent().remove(run._r)
    for child in list(first._r):
        if child.tag in (qn("w:t"), qn("w:br")):
            first._r.remove(child)
    for index, line in enumerate(lines):
        if index:
            first.add_break()
        first.add_text(line)


def refit(document) -> None:
    """Lay out again what depends on filled-in text: the organ's mark and the 落款 (after a
    template's placeholders are replaced)."""
    paragraphs = document.paragraphs
    width = type_width(document.sections[0])
    for index, paragraph in enumerate(paragraphs):
        name = paragraph.style.name if paragraph.style is not None else ""
        if name == STYLE_MARK:
            fit_mark(paragraph, width)
        elif name == STYLE_TITLE:
            break_title(paragraph, width=width)
        elif name == STYLE_SIGNATURE and index + 1 < len(paragraphs):
            following = paragraphs[index + 1]
            if following.style is not None and following.style.name == STYLE_DATE:
                place_closing(paragraph, following)


def _cell_width(text: str, size: Length) -> float:
    """Points a cell's text needs on one line, with the cell's side margins."""
    longest = max((text_width(line, 0.62) for line in text.split("\n")), default=0)
    return longest * size.pt + CELL_PADDING.pt * 2 + 1


def header_lines(header: str, data_width: float) -> str:
    """A header wider than its column's data goes on two lines, broken before a bracket
    ("注册率\n（%）") or in the middle ("人均\n积分"); short headers stay on one line."""
    if "\n" in header or len(header) < 4 or text_width(header) <= data_width:
        return header
    at = header.index("（", 1) if "（" in header[1:] else math.ceil(len(header) / 2)
    return header[:at] + "\n" + header[at:]


def _needs(headers: Sequence[str], rows: Sequence[Sequence[str]], size: Length) -> list[float]:
    """Points each column needs to set its widest cell (or its header) on one line."""
    return [
        max(
            max((_cell_width(str(row[c]), size) for row in rows), default=0),
            _cell_width(str(headers[c]), size),
            size.pt * 2 + CELL_PADDING.pt * 2 + 1,
        )
        for c in range(len(headers))
    ]


def fitted_widths(
    headers: Sequence[str], rows: Sequence[Sequence[str]], width: Length, size: Length
) -> list[Length]:
    """Column widths fitted to content within `width`: each column gets what its widest cell
    needs; when that is more than there is, the widest columns give way first (water-filling,
    so short columns never wrap); what is left over is shared out in proportion."""
    need = _needs(headers, rows, size)
    total = width.pt
    if sum(need) > total:
        low, high = 0.0, max(need)
        for _step in range(40):
            cap = (low + high) / 2
            if sum(min(n, cap) for n in need) > total:
                high = cap
            else:
                low = cap
        widths = [min(n, low) for n in need]
    else:
        spare = total - sum(need)
        widths = [n + spare * n / sum(need) for n in need]
    return [Twips(math.floor(Pt(w).twips)) for w in widths]


def _cell_paragraph(cell, text: str, font: str, size: Length, alignment) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.alignment = alignment
    _off_grid(paragraph)
    form = paragraph.paragraph_format
    form.space_before = form.space_after = Pt(0)
    form.line_spacing_rule = WD_LINE_SPACING.SINGLE
    lines = tidy(text).split("\n")
    for index, line in enumerate(lines):
        run = set_font(paragraph.add_run(line), font, size)
        if index < len(lines) - 1:
            run.add_break()


TABLE_PROPERTIES = [
    qn(f"w:{tag}")
    for tag in (  # noqa: SIM905
        "tblStyle tblpPr tblOverlap bidiVisual tblStyleRowBandSize tblStyleColBandSize tblW jc"
        " tblCellSpacing tblInd tblBorders shd tblLayout tblCellMar tblLook tblCaption"
    ).split()
]


def _insert_table_property(tblPr, element) -> None:
    """Put a table property where the schema's sequence wants it (Word refuses another order)."""
    existing = tblPr.find(element.tag)
    if existing is not None:
        tblPr.remove(existing)
    rank = TABLE_PROPERTIES.index(element.tag)
    for index, child in enumerate(tblPr):
        if child.tag in TABLE_PROPERTIES and TABLE_PROPERTIES.index(child.tag) > rank:
            tblPr.insert(index, element)
            return
    tblPr.append(element)


def build_table(
    document,
    headers: Sequence[str],
    rows: Sequence[Sequence[object]],
    *,
    width: Length | None = None,
    size: Length = SIZE_TABLE,
    align: Sequence[str] = (),
) -> Table:
    """A bordered table: the header row in 黑体 repeated on every page (w:tblHeader), rows that
    do not break across pages (w:cantSplit), columns fitted to content (fixed layout, so every
    program keeps the widths). `align`: per column "left" or "center" (default centre)."""
    width = width or type_width(document.sections[0])
    texts = [["" if value is None else str(value) for value in row] for row in rows]
    headers = [
        header_lines(str(header), max((text_width(row[c]) for row in texts), default=0))
        for c, header in enumerate(headers)
    ]
    if (
        size == SIZE_TABLE
        and sum(_needs(headers, texts, SIZE_TABLE)) > width.pt
        and sum(_needs(headers, texts, SIZE_TABLE_SMALL)) <= width.pt
    ):
        size = SIZE_TABLE_SMALL  # a little too wide for 小四: set in 五号 rather than wrapped
    widths = fitted_widths(headers, texts, width, size)
    table = document.add_table(rows=1 + len(texts), cols=len(headers))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    tblPr = table._tbl.tblPr
    _set(tblPr, "w:tblW", w=sum(w.twips for w in widths), type="dxa")
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        line = OxmlElement(f"w:{side}")
        for name, value in {"val": "single", "sz": "4", "space": "0", "color": "000000"}.items():
            line.set(qn(f"w:{name}"), value)
        borders.append(line)
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        margin = OxmlElement(f"w:{side}")
        margin.set(qn("w:w"), str(CELL_PADDING.twips))
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    for element in (borders, layout, margins):
        _insert_table_property(tblPr, element)
    for column, column_width in zip(table.columns, widths, strict=True):
        column.width = column_width
    for gridcol, column_width in zip(
        table._tbl.tblGrid.findall(qn("w:gridCol")), widths, strict=True
    ):
        gridcol.set(qn("w:w"), str(column_width.twips))
    for index, row in enumerate(table.rows):
        trPr = row._tr.get_or_add_trPr()
        _set(trPr, "w:cantSplit")
        if index == 0:
            _set(trPr, "w:tblHeader")
        values = headers if index == 0 else texts[index - 1]
        for column, (cell, value) in enumerate(zip(row.cells, values, strict=True)):
            cell.width = widths[column]
            left = column < len(align) and align[column] == "left" and index > 0
            _cell_paragraph(
                cell,
                str(value),
                HEADING1_FONT if index == 0 else BODY_FONT,
                size,
                WD_ALIGN_PARAGRAPH.LEFT if left else WD_ALIGN_PARAGRAPH.CENTER,
            )
    return table


class OfficialDocument:
    """A document in 公文 form, written part by part (版头/报头, title, body, 落款)."""

    def __init__(self) -> None:
        self.document = Document()
        section = self.document.sections[0]
        set_page(section)
        self.document.settings.odd_and_even_pages_header_footer = True
        page_numbers(section)
        normal = self.document.styles["Normal"]
        normal.font.name = BODY_FONT
        normal.font.size = SIZE_3
        normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
        _style_language(self.document)
        for name in (STYLE_TITLE, STYLE_MARK, STYLE_SIGNATURE, STYLE_DATE):
            _paragraph_style(self.document, name)
        self._first = True

    def _paragraph(self, alignment=None, *, indent: bool = False, style: str = "") -> Paragraph:
        if self._first and self.document.paragraphs and not self.document.paragraphs[0].text:
            paragraph = self.document.paragraphs[0]  # the template's one empty paragraph
        else:
            paragraph = self.document.add_paragraph()
        self._first = False
        if style:
            paragraph.style = self.document.styles[style]
        form = paragraph.paragraph_format
        form.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        form.line_spacing = LINE
        form.space_before = form.space_after = Pt(0)
        if alignment is not None:
            paragraph.alignment = alignment
        if indent:
            form.first_line_indent = INDENT
            indent_chars(paragraph, first=2)
        return paragraph

    def _mark(self, text: str, space_before: Length) -> Paragraph:
        """The red 小标宋 name at the top of a 版头 or 报头, on one line, off the grid."""
        paragraph = self._paragraph(WD_ALIGN_PARAGRAPH.CENTER, style=STYLE_MARK)
        _off_grid(paragraph)
        paragraph.paragraph_format.space_before = space_before
        set_font(paragraph.add_run(text), TITLE_FONT, SIZE_MARK, color=RED)
        fit_mark(paragraph)
        return paragraph

    def masthead(self, mark: str, number: str = "") -> Paragraph:
        """版头 of a notice: the organ's mark in red 小标宋 centred 35 mm below the top of the
        type area, two lines below it the document number centred, the red separator line 4 mm
        under the number, then two blank lines before the title."""
        self._mark(mark, Mm(35))
        self.blank()
        self.blank()
        line = self._paragraph(WD_ALIGN_PARAGRAPH.CENTER)
        if number:
            set_font(line.add_run(tidy(number)), BODY_FONT)
        red_rule(line)
        self.blank()
        self.blank()
        return line

    def briefing_head(self, name: str, *, issue: str, editor: str, date: str) -> Paragraph:
        """报头 of a briefing: its name in red 小标宋, the issue (期号) under it, then the editing
        unit on the left and the date on the right over the red line."""
        self._mark(name, Mm(25))
        self.blank()
        if issue:
            set_font(self._paragraph(WD_ALIGN_PARAGRAPH.CENTER).add_run(tidy(issue)), BODY_FONT)
        line = self._paragraph()
        indent_chars(line, left=1, right=1)
        stops = line.paragraph_format.tab_stops
        stops.add_tab_stop(Emu(TYPE_WIDTH - SIZE_3 * 2), WD_TAB_ALIGNMENT.RIGHT)
        set_font(line.add_run(f"{editor}\t{tidy(date)}"), BODY_FONT)
        red_rule(line)
        self.blank()
        return line

    def title(self, text: str, *, keep: Sequence[str] = ()) -> Paragraph:
        """The title in 方正小标宋简体 二号, centred, on lines that keep words together."""
        paragraph = self._paragraph(WD_ALIGN_PARAGRAPH.CENTER, style=STYLE_TITLE)
        _off_grid(paragraph)
        paragraph.paragraph_format.line_spacing = TITLE_LINE
        set_font(paragraph.add_run(text), TITLE_FONT, SIZE_2)
        condense(paragraph.runs[0]._r.get_or_add_rPr(), 0)
        if "{{" not in text:
            break_title(paragraph, keep=keep)
        return paragraph

    def subtitle(self, text: str) -> Paragraph:
        """A line under the title (the period), in 楷体, centred."""
        paragraph = self._paragraph(WD_ALIGN_PARAGRAPH.CENTER)
        set_font(paragraph.add_run(tidy(text)), HEADING2_FONT)
        return paragraph

    def blank(self) -> Paragraph:
        return self._paragraph()

    def recipients(self, text: str) -> Paragraph:
        """主送机关: flush left, under the title after a blank line."""
        paragraph = self._paragraph(WD_ALIGN_PARAGRAPH.JUSTIFY)
        set_font(paragraph.add_run(tidy(text)), BODY_FONT)
        return paragraph

    def heading(self, text: str, level: int = 1) -> Paragraph:
        """A heading: 一、 in 黑体, （一） in 楷体, 1. in bold 仿宋, indented like the body."""
        paragraph = self._paragraph(WD_ALIGN_PARAGRAPH.JUSTIFY, indent=True)
        font = {1: HEADING1_FONT, 2: HEADING2_FONT}.get(level, BODY_FONT)
        set_font(paragraph.add_run(tidy(text)), font, bold=level >= 3)
        return paragraph

    def body(self, text: str, *, lead: str = "", lead_level: int = 2) -> Paragraph:
        """Body text, justified; `lead` is a run-in heading ("（一）…" in 楷体, or "1." bold)."""
        paragraph = self._paragraph(WD_ALIGN_PARAGRAPH.JUSTIFY, indent=True)
        if lead:
            font = HEADING2_FONT if lead_level == 2 else BODY_FONT
            set_font(paragraph.add_run(tidy(lead)), font, bold=lead_level >= 3)
        if text:
            set_font(paragraph.add_run(tidy(text)), BODY_FONT)
        return paragraph

    def table(self, headers: Sequence[str], rows: Sequence[Sequence[object]], **options) -> Table:
        return build_table(self.document, headers, rows, **options)

    def image(self, data: bytes, *, width: Length, caption: str = "") -> Paragraph:
        """A picture (a PNG such as a verification QR code) centred on its own line, with an
        optional small caption under it; off the grid so the line is as tall as the picture."""
        paragraph = self._paragraph(WD_ALIGN_PARAGRAPH.CENTER)
        _off_grid(paragraph)
        paragraph.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
        paragraph.add_run().add_picture(io.BytesIO(data), width=width)
        if caption:
            line = self._paragraph(WD_ALIGN_PARAGRAPH.CENTER)
            set_font(line.add_run(tidy(caption)), BODY_FONT, SIZE_4)
        return paragraph

    def closing(self, unit: str, date: str) -> tuple[Paragraph, Paragraph]:
        """落款 and 成文日期 after a blank line, placed per GB/T 9704 7.3.5.2."""
        self.blank()
        signature = self._paragraph(WD_ALIGN_PARAGRAPH.RIGHT, style=STYLE_SIGNATURE)
        set_font(signature.add_run(tidy(unit)), BODY_FONT)
        dated = self._paragraph(WD_ALIGN_PARAGRAPH.RIGHT, style=STYLE_DATE)
        set_font(dated.add_run(tidy(date)), BODY_FONT)
        if "{{" not in unit + date:
            place_closing(signature, dated)
        return signature, dated

    def content(self, *, author: str, title: str = "") -> bytes:
        """The .docx, with the issuing unit as author and now as its creation time."""
        set_properties(self.document, author=author, title=title)
        buffer = io.BytesIO()
        self.document.save(buffer)
        return buffer.getvalue()


def docx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=DOCX_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response
