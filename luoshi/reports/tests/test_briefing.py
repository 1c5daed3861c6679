"""The article's briefing, written from the demo's 2022 records: page, Word, command and API.

The demo (organisation, activity types, the ledger's records and the briefing template) is built
once for the module; each test runs in a savepoint inside it.
"""

import datetime
import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor

from luoshi.audit.models import AuditEvent
from luoshi.ledgers import services as ledger
from luoshi.ledgers.models import Activity
from luoshi.lib.docx import east_asian_font
from luoshi.lib.tests.docx_checks import check_official_document
from luoshi.org import services as org
from luoshi.org.models import UnitKind
from luoshi.reports import demo as reports_demo
from luoshi.reports.models import BriefingLine, BriefingTemplate, IssuedBriefing
from luoshi.reports.selectors import write_briefing

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("reports-demo")]

FROM, TO = datetime.date(2022, 1, 1), datetime.date(2022, 4, 14)
LEARNING = (
    "学习5本指定读本，共计开展“晨读+分享”学习会6次，专项理论学习8次，读好书20余本，"
    "撰写心得体会69篇。"
)
INSPECTIONS = "目前联合文化执法相关部门，开展文化市场领域疫情防控专项检查20余次。"
COVERAGE = (
    "全市宣传战线干部全员进牧区（花土沟镇阿拉尔牧场、茫崖镇尕斯牧民定居点）、"
    "进社区（花土沟镇花土沟社区、花土沟镇石油基地社区、茫崖镇茫崖社区、冷湖镇昆仑社区）、"
    "进企业（油田花土沟基地生活服务公司、茫崖市文化旅游投资有限公司）、"
    "进校园（茫崖市第一中学、花土沟镇中心学校）开展宣讲11场，受众530余人次，"
)


def _template(name: str = reports_demo.TEMPLATE_NAME) -> BriefingTemplate:
    return BriefingTemplate.objects.get(name=name)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _params(article, unit: str = "wtl", template: str = reports_demo.TEMPLATE_NAME) -> dict:
    return {
        "unit": article.units[unit].pk,
        "from": FROM.isoformat(),
        "to": TO.isoformat(),
        "template": _template(template).pk,
    }


def _plain(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


def test_the_article_counts_come_out_of_the_ledger(article):
    briefing = write_briefing(
        user=None,
        template=_template(),
        unit=article.units["wtl"],
        date_from=FROM,
        date_to=TO,
    )
    text = briefing.plain_text()
    assert briefing.title == "市文体旅游广电局“四大”专项行动工作简报"
    assert (
        "（一）突出“快”字，紧盯目标抓进度。第一时间成立“四大”专项行动领导小组，召开“四大专项”行动安排部署会1次。"
        in text
    )
    assert "（二）突出“活”字，力学深悟添动力。对照茫崖市专项行动实施方案" in text
    assert LEARNING in text
    assert INSPECTIONS in text
    # The bureau's briefing is the bureau's: nothing of 市委宣传部 under its signature.
    assert "市委宣传部" not in text and COVERAGE not in text
    assert text.rstrip().endswith("市文体旅游广电局\n2022年4月14日")
    values = [figure.text for figure in briefing.figures]
    assert {"5", "6", "8", "20余", "69"} <= set(values)
    assert len(values) == len(briefing.figures)


def test_the_records_behind_the_figures(article):
    wtl = article.units["wtl"]
    spring = Activity.objects.filter(starts_at__date__range=(FROM, TO))
    assert spring.filter(type__name="每月读一本好书", unit=wtl).count() == 23
    assert spring.filter(type__name="心得体会", commended_at__isnull=False).count() == 8
    assert spring.filter(type__name="文化市场检查", unit=article.units["wtl_law"]).count() == 24
    designated = spring.filter(type__name="每月读一本好书", values__designated="是")
    assert len({a.values["book"] for a in designated}) == 5
    # …and the live ledger around the demo's today.
    recent = Activity.objects.filter(starts_at__date__gte=datetime.date(2026, 5, 15))
    assert recent.filter(type__name="周五专题").exists()
    assert recent.filter(type__name="每月读一本好书").exists()


def test_a_later_period_counts_the_later_records_only(article):
    briefing = write_briefing(
        user=None,
        template=_template(),
        unit=article.units["wtl"],
        date_from=datetime.date(2022, 3, 1),
        date_to=TO,
    )
    assert "共计开展“晨读+分享”学习会6次" not in briefing.plain_text()


def test_the_page_links_each_figure_to_its_records(article):
    office = article.people["office"]
    response = _client(office).get(reverse("reports:briefing"), _params(article))
    assert response.status_code == 200
    html = response.content.decode()
    text = _plain(html)
    assert LEARNING in text and INSPECTIONS in text
    figure = next(f for f in response.context["briefing"].figures if f.text == "6")
    assert f"unit={article.units['wtl'].pk}" in figure.url
    assert f'href="{figure.url.replace("&", "&amp;")}"' in html
    listed = _client(office).get(figure.url)
    assert listed.context["page"].paginator.count == 6
    # "5本指定读本" counts distinct designated books: its link lists only designated readings.
    designated = next(f for f in response.context["briefing"].figures if f.text == "5")
    listed = _client(office).get(designated.url).context["page"].object_list
    assert listed and {a.values["designated"] for a in listed} == {"是"}


def test_every_reader_gets_the_same_briefing_or_404(article):
    """The office briefing of both departments: the bureau's liaison may not see 市委宣传部, so
    cannot open it at all (404) instead of getting a copy without that part; the bureau's own
    briefing is the same text for the office and the liaison."""
    office, liaison = _client(article.people["office"]), _client(article.people["wtl"])
    both = _params(article, "xcb", reports_demo.OFFICE_TEMPLATE)
    full = office.get(reverse("reports:briefing"), both)
    assert full.status_code == 200
    text = _plain(full.content.decode())
    assert LEARNING in text and COVERAGE in text
    assert "二、市委宣传部“九个强化”贯穿专项行动全程" in text
    assert liaison.get(reverse("reports:briefing"), both).status_code == 404
    assert liaison.get(reverse("reports:briefing-word"), both).status_code == 404
    assert liaison.get("/api/reports/briefing", both).status_code == 404
    own = _params(article)
    mine = liaison.get("/api/reports/briefing", own).json()
    theirs = office.get("/api/reports/briefing", own).json()
    assert mine == theirs


def test_the_outsider_gets_404_on_the_bureau(article):
    outsider = _client(article.people["outsider"])
    params = _params(article)
    assert outsider.get(reverse("reports:briefing"), params).status_code == 404
    assert outsider.get(reverse("reports:briefing-word"), params).status_code == 404
    api = outsider.get(
        "/api/reports/briefing",
        params,
    )
    assert api.status_code == 404
    # 冷湖镇's liaison sees 冷湖镇 but not its communities: the page says why there is no
    # briefing rather than counting less for this reader.
    own = outsider.get(reverse("reports:briefing"), {"unit": article.units["lh"].pk})
    assert own.status_code == 200
    assert own.context["briefing"] is None
    assert "数据范围以外的单位" in own.content.decode()


def test_the_word_document_is_in_official_document_layout(article):
    office = article.people["office"]
    response = _client(office).get(reverse("reports:briefing-word"), _params(article))
    assert response.status_code == 200
    assert response["Content-Type"].endswith("wordprocessingml.document")
    document = check_official_document(
        response.content,
        author="市文体旅游广电局",
        title="市文体旅游广电局“四大”专项行动工作简报",
    )
    head = next(p for p in document.paragraphs if p.style.name == "发文机关标志")
    assert head.text == "“四大”专项行动工作简报"  # 报头: the name in red
    assert head.runs[0].font.color.rgb == RGBColor.from_string("FF0000")
    editor = next(p for p in document.paragraphs if p.text.startswith("市文体旅游广电局编\t"))
    assert editor.text.endswith("\t2022年4月14日")  # 编印单位 and date over the red line
    assert editor._p.pPr.find(qn("w:pBdr")) is not None
    section = document.sections[0]
    margins = [section.top_margin, section.bottom_margin, section.left_margin, section.right_margin]
    assert [round(margin.mm) for margin in margins] == [37, 35, 28, 26]  # stored in twips
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    paragraphs = document.paragraphs
    title = next(p for p in paragraphs if p.style.name == "公文标题")  # under the 报头
    assert title.text == "市文体旅游广电局“四大”专项行动工作简报"
    assert title.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert east_asian_font(title.runs[0]) == "方正小标宋简体"
    assert title.runs[0].font.size == Pt(22)
    heading = next(p for p in paragraphs if p.text.startswith("一、"))
    assert east_asian_font(heading.runs[0]) == "黑体"
    body = next(p for p in paragraphs if LEARNING in p.text)
    assert body.text.startswith("（二）突出“活”字，力学深悟添动力。")
    assert east_asian_font(body.runs[0]) == "楷体_GB2312"
    assert east_asian_font(body.runs[1]) == "仿宋_GB2312"
    assert body.runs[1].font.size == Pt(16)
    assert body.paragraph_format.first_line_indent == Pt(32)
    assert any(INSPECTIONS in p.text for p in paragraphs)
    unit, date = paragraphs[-2], paragraphs[-1]
    assert (unit.text, date.text) == ("市文体旅游广电局", "2022年4月14日")
    assert unit.alignment == date.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.EXPORT, object_type="reports.briefing"
    ).exists()


def test_the_command_prints_the_same_text(article):
    out = io.StringIO()
    call_command(
        "briefing",
        "--unit",
        "市文体旅游广电局",
        "--from",
        "2022-01-01",
        "--to",
        "2022-04-14",
        "--template",
        reports_demo.TEMPLATE_NAME,
        stdout=out,
    )
    text = out.getvalue()
    assert text.startswith(
        "市文体旅游广电局“四大”专项行动工作简报\n（2022年1月1日至2022年4月14日）"
    )
    assert LEARNING in text and INSPECTIONS in text


def test_the_command_names_an_unknown_or_ambiguous_unit_in_chinese(article):
    with pytest.raises(CommandError, match="找不到名为“文体局”的单位"):
        call_command("briefing", "--unit", "文体局", stdout=io.StringIO())
    org.create_unit(
        actor=None, name="办公室", kind=UnitKind.SECTION, parent=article.units["xcb"], audit=False
    )
    with pytest.raises(CommandError, match="名为“办公室”的单位有 2 个"):
        call_command("briefing", "--unit", "办公室", stdout=io.StringIO())
    with pytest.raises(CommandError, match="不是有效日期"):
        call_command("briefing", "--unit", "市文体旅游广电局", "--to", "4/14", stdout=io.StringIO())


def test_the_api_gives_paragraphs_and_figures(article):
    response = _client(article.people["leader"]).get(
        "/api/reports/briefing",
        _params(article),
    )
    assert response.status_code == 200
    data = response.json()
    assert data["title"] == "市文体旅游广电局“四大”专项行动工作简报"
    assert any(LEARNING in p["text"] for p in data["paragraphs"])
    figures = [(f["metric"], f["value"], f["text"]) for f in data["figures"]]
    assert ("distinct", 5, "5") in figures
    assert ("activities", 23, "20余") in figures
    assert ("activities", 24, "20余") in figures
    assert len(figures) == len({f["line"] for f in data["figures"]})  # each figure once
    data = (
        _client(article.people["leader"])
        .get("/api/reports/briefing", _params(article, "xcb", reports_demo.DEPARTMENT_TEMPLATE))
        .json()
    )
    coverage = [f for f in data["figures"] if f["metric"] == "coverage"]
    assert len(coverage) == 1
    coverage = coverage[0]
    assert coverage["places"]["校园"] == ["茫崖市第一中学", "花土沟镇中心学校"]


def test_an_empty_period_writes_no_zero_figures(article):
    """Nothing was recorded in 2021: no "学习0本指定读本……检查0次" and no "（暂无）" — the lines
    and the parts without a figure are left out; a line's own zero sentence is written."""
    for name, unit in (
        (reports_demo.TEMPLATE_NAME, "wtl"),
        (reports_demo.DEPARTMENT_TEMPLATE, "xcb"),
        (reports_demo.OFFICE_TEMPLATE, "xcb"),
    ):
        briefing = write_briefing(
            template=_template(name),
            unit=article.units[unit],
            date_from=datetime.date(2021, 1, 1),
            date_to=datetime.date(2021, 12, 31),
        )
        text = briefing.plain_text()
        assert not re.search(r"(?<![0-9])0(次|本|篇|场|人|项|名|份|起|个|%)", text), text
        assert "（暂无）" not in text and "（一）" not in text
        assert briefing.figures == []
    # Half the period: the inspections are counted, the sentence ends properly.
    spring = write_briefing(
        template=_template(),
        unit=article.units["wtl"],
        date_from=datetime.date(2022, 4, 1),
        date_to=TO,
    )
    assert all(figure.value for figure in spring.figures)
    line = BriefingLine.objects.get(section__template=_template(), pattern__contains="检查{n}次")
    line.empty_text = "本期暂未开展文化市场检查。"
    line.save(update_fields=["empty_text"])
    none = write_briefing(
        template=_template(),
        unit=article.units["wtl"],
        date_from=datetime.date(2021, 1, 1),
        date_to=datetime.date(2021, 12, 31),
    )
    assert "突出“真”字，监督执纪动真格。" in none.plain_text()
    assert "进一步促进“四大”专项行动取得明显实效。本期暂未开展文化市场检查。" in none.plain_text()


def test_an_issued_briefing_stays_as_issued(article):
    """Issued on the page, the briefing is kept: a record added afterwards changes today's
    count, not the issued text; its page says 数据已更新 and links to today's briefing; its Word
    document is the issued text; a reader who may not see a unit it covers gets 404."""
    liaison = _client(article.people["wtl"])
    params = _params(article)
    page = liaison.get(reverse("reports:briefing"), params)
    assert 'id="briefing-issue"' in page.content.decode()
    response = liaison.post(reverse("reports:briefing-issue"), params)
    issued = IssuedBriefing.objects.get()
    assert response["Location"] == reverse("reports:issued-detail", args=[issued.pk])
    first = liaison.get(response["Location"])
    text = _plain(first.content.decode())
    assert LEARNING in text and "数据已更新" not in text
    assert AuditEvent.objects.filter(verb="issue_briefing").exists()
    # One more 专项理论学习 on 2022-04-01: today's count is 9, the issued briefing still says 8.
    theory = Activity.objects.filter(
        type__name="专项理论学习", unit=article.units["wtl"], starts_at__date__range=(FROM, TO)
    ).first()
    ledger.record_activity(
        actor=article.people["wtl"],
        activity_type=theory.type,
        unit=article.units["wtl"],
        title="补充学习",
        starts_at=theory.starts_at + datetime.timedelta(hours=3),
        values=theory.values,
    )
    again = liaison.get(reverse("reports:issued-detail", args=[issued.pk]))
    html = again.content.decode()
    assert LEARNING in _plain(html)
    assert "数据已更新" in html and again.context["live"] in html.replace("&amp;", "&")
    live = liaison.get(again.context["live"])
    assert "专项理论学习9次" in _plain(live.content.decode())
    document = Document(
        io.BytesIO(liaison.get(reverse("reports:issued-word", args=[issued.pk])).content)
    )
    assert any(LEARNING in p.text for p in document.paragraphs)
    assert any(p.text == "第1期" for p in document.paragraphs)  # 报头: the first issued this year
    listed = liaison.get(reverse("reports:issued-list"))
    assert [item.pk for item in listed.context["items"]] == [issued.pk]
    export = liaison.get(reverse("reports:issued-list"), {"export": "xlsx"})
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    outsider = _client(article.people["outsider"])
    assert outsider.get(reverse("reports:issued-detail", args=[issued.pk])).status_code == 404
    assert outsider.get(reverse("reports:issued-word", args=[issued.pk])).status_code == 404
    assert list(outsider.get(reverse("reports:issued-list")).context["items"]) == []
    assert outsider.post(reverse("reports:briefing-issue"), params).status_code == 404


def test_the_demo_briefings_state_every_figure_of_the_article(article):
    """Up to 2022-04-14 the bureau's briefing says what the article says of 快, 活, 真 and 实,
    and the department's says the 九个强化 with the figures the article implies."""
    bureau = write_briefing(
        template=_template(), unit=article.units["wtl"], date_from=FROM, date_to=TO
    ).plain_text()
    for sentence in (
        "召开“四大专项”行动安排部署会1次。",
        LEARNING,
        INSPECTIONS,
        "精心设计茫崖工业遗址图片展等精品展览，",
        "推出石油精神红色旅游线路、戍边建设学习体验线路等红色旅游线路、学习体验线路，",
        "充分运用狮20井、英雄地中四井、七个泉军事设施、茫崖工业遗址等4处红色旅游景点、红色文物资源，",
        "开展现场教学、参观学习4次。",
    ):
        assert sentence in bureau, sentence
    assert "（四）突出“实”字" in bureau
    department = write_briefing(
        template=_template(reports_demo.DEPARTMENT_TEMPLATE),
        unit=article.units["xcb"],
        date_from=FROM,
        date_to=TO,
    ).plain_text()
    assert department.startswith("市委宣传部“四大”专项行动工作简报")
    for sentence in (
        "一、市委宣传部“九个强化”贯穿专项行动全程",
        "召开周例会8次、月调度会2次。",
        COVERAGE,
        "受众530余人次",
        "在中央级媒体（网站1篇）、省级媒体（学习强国号1篇、网站1篇）、州级媒体（报纸1篇、电视1篇）、"
        "市级媒体（微信公众号1篇、抖音/视频号1篇、新闻客户端1篇）刊播稿件8篇",
        "确定2名记者的宣传目标任务，其中1名完成任务量。",
    ):
        assert sentence in department, sentence
    assert "市文体旅游广电局" not in department


def test_the_briefing_text_is_chinese_in_the_english_interface(article):
    """The interface may be English; the briefing is a Chinese document (its period, the lecture
    places and the media levels are not translated)."""
    from django.utils import translation

    with translation.override("en"):
        briefing = write_briefing(
            template=_template(reports_demo.DEPARTMENT_TEMPLATE),
            unit=article.units["xcb"],
            date_from=FROM,
            date_to=TO,
        )
        text = briefing.plain_text()
    assert "（2022年1月1日至2022年4月14日）" in text
    assert COVERAGE in text and "中央级媒体（网站1篇）" in text
