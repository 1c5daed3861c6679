"""The shared 公文 builder (luoshi.lib.docx): page, grid, page numbers, title lines, body text,
版头, 落款, tables and document properties (GB/T 9704-2012)."""

import io

from docx import Document
from docx.oxml.ns import qn
from docx.shared import Pt

from luoshi.lib import docx as official
from luoshi.lib.tests.docx_checks import check_official_document

UNIT = "中共茫崖市委宣传部"
HEADERS = ["名次", "单位", "应注册人数", "已注册", "注册率（%）", "平均活跃率（%）", "合计积分"]


def sample() -> bytes:
    document = official.OfficialDocument()
    document.masthead(UNIT + "文件", "茫宣〔2026〕12号")
    document.title("茫崖市2026年上半年学习强国平台使用情况的通报")
    document.blank()
    document.recipients("各乡镇党委，市直各单位：")
    document.heading("一、总体情况")
    document.body("本期共统计 28 个单位、应注册 157 人，注册率 95.5%。")
    document.heading("（一）注册情况", level=2)
    document.heading("1.已注册", level=3)
    rows = [[1, "市文体旅游广电局", 12, 11, 91.7, 80.5, 12345], [2, "冷湖镇", 3, 3, 100, 90, 900]]
    document.table(HEADERS, rows, align=["center", "left"])
    document.closing(UNIT, "2026年7月5日")
    return document.content(author=UNIT, title="茫崖市2026年上半年学习强国平台使用情况的通报")


def test_a_document_meets_the_standard():
    document = check_official_document(sample(), author=UNIT, tables=1)
    texts = [p.text for p in document.paragraphs if p.text]
    assert texts[0] == UNIT + "文件"
    mark = next(p for p in document.paragraphs if p.text == UNIT + "文件")
    assert mark.runs[0].font.color.rgb == official.RGBColor.from_string("FF0000")
    assert round(mark.paragraph_format.space_before.mm) == 35  # under the type area's top
    number = next(p for p in document.paragraphs if p.text == "茫宣〔2026〕12号")
    rule = number._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom"))
    assert rule.get(qn("w:color")) == "FF0000"  # the red separator line under the number
    assert "本期共统计28个单位、应注册157人，注册率95.5%。" in texts
    heading2 = next(p for p in document.paragraphs if p.text == "（一）注册情况")
    assert official.east_asian_font(heading2.runs[0]) == official.HEADING2_FONT
    heading3 = next(p for p in document.paragraphs if p.text == "1.已注册")
    assert official.east_asian_font(heading3.runs[0]) == official.BODY_FONT
    assert heading3.runs[0].font.bold


def test_the_title_breaks_between_words_and_never_leaves_one_character():
    assert official.title_lines("茫崖市2026年上半年学习强国平台使用情况的通报") == [
        "茫崖市2026年上半年",
        "学习强国平台使用情况的通报",
    ]
    assert official.title_lines("关于2026年上半年“学习强国”学习情况的通报") == [
        "关于2026年上半年",
        "“学习强国”学习情况的通报",
    ]
    # 21 characters: Word alone would set "报" by itself on the second line.
    lines = official.title_lines("关于开展全员大学习业务大比拼工作情况的通报")
    assert len(lines) == 2 and min(len(line) for line in lines) >= 2
    assert all(official.text_width(line) <= 20 for line in lines)
    assert not lines[1].startswith("报")
    assert official.title_lines("市文体旅游广电局“四大”专项行动工作简报") == [
        "市文体旅游广电局“四大”专项行动工作简报"
    ]


def test_numbers_are_set_solid():
    assert official.tidy("共统计 28 个单位，注册率 95.5% ，") == "共统计28个单位，注册率95.5%，"
    assert official.tidy("A B") == "A B"  # spaces between Latin words stay


def test_the_closing_places_the_unit_and_the_date_per_the_standard():
    document = Document(io.BytesIO(sample()))
    signature = next(p for p in document.paragraphs if p.style.name == official.STYLE_SIGNATURE)
    date = next(p for p in document.paragraphs if p.style.name == official.STYLE_DATE)
    chars = {
        p.text: int(p._p.pPr.find(qn("w:ind")).get(qn("w:rightChars"))) / 100
        for p in (signature, date)
    }
    # the unit two characters from the right; the date starts two characters right of it
    assert chars[UNIT] == 2
    unit_start = 28 - 2 - official.text_width(UNIT)
    date_start = 28 - chars["2026年7月5日"] - official.text_width("2026年7月5日")
    assert date_start - unit_start == 2


def test_table_columns_fit_their_content():
    document = Document(io.BytesIO(sample()))
    table = document.tables[0]
    widths = [cell.width for cell in table.rows[0].cells]
    # the unit column is the widest and takes its longest name on one line
    unit_width = widths[1]
    assert unit_width == max(widths)
    assert unit_width.pt >= official.text_width("市文体旅游广电局") * 12
    assert widths[0] < widths[2]
    header = [cell.text for cell in table.rows[0].cells]
    assert header[5] == "平均活跃率\n（%）"  # wider than its figures: two lines, at the bracket
    assert table.rows[1].cells[1].paragraphs[0].alignment == 0  # left, as asked
    assert table.rows[1].cells[1].paragraphs[0].runs[0].font.size == Pt(12)


def test_refit_lays_out_filled_placeholders():
    document = official.OfficialDocument()
    document.masthead("{{机关}}", "")
    document.title("{{标题}}")
    document.body("正文")
    document.closing("{{落款}}", "{{日期}}")
    filled = Document(io.BytesIO(document.content(author="x")))
    values = {
        "{{机关}}": "中共茫崖市委宣传部茫崖市文体旅游广电局文件",
        "{{标题}}": "关于开展全员大学习业务大比拼工作情况的通报",
        "{{落款}}": UNIT,
        "{{日期}}": "2026年12月3日",
    }
    for paragraph in filled.paragraphs:
        if paragraph.text in values:
            paragraph.runs[0].text = values[paragraph.text]
    official.refit(filled)
    mark = filled.paragraphs[0]
    size = mark.runs[0].font.size.pt
    assert size * official.text_width(mark.text) <= official.TYPE_WIDTH.pt  # on one line
    title = next(p for p in filled.paragraphs if p.style.name == official.STYLE_TITLE)
    assert "\n" in title.text and min(len(line) for line in title.text.split("\n")) >= 2
    signature = next(p for p in filled.paragraphs if p.style.name == official.STYLE_SIGNATURE)
    assert signature._p.pPr.find(qn("w:ind")).get(qn("w:rightChars")) == "200"


def test_a_table_a_little_too_wide_for_small_four_is_set_in_five():
    """Eight columns with a ten-character unit name do not fit in 小四: 五号, no name wrapped."""
    document = official.OfficialDocument()
    document.title("通报")
    document.body("正文")
    headers = [*HEADERS, "人均积分"]
    rows = [[5, "文化市场综合执法大队", 5, 4, 80.0, 80.0, 27217, 5443.4]]
    table = document.table(headers, rows)
    cell = table.rows[1].cells[1]
    size = cell.paragraphs[0].runs[0].font.size
    assert size == Pt(10.5)
    assert cell.width.pt >= official.text_width("文化市场综合执法大队") * size.pt
    # a long text column wraps instead: the size stays 小四
    wide = document.table(["项目", "内容"], [["任务名称", "很长的任务名称" * 10]])
    assert wide.rows[1].cells[1].paragraphs[0].runs[0].font.size == Pt(12)
