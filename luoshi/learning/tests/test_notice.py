"""The half-year notice (半年一通报): the Word document from the template, commendations and
reminders as the settings allow, the office's own template, reading in the app with receipts."""

import datetime
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Mm

from luoshi.audit.models import AuditEvent
from luoshi.learning import documents, services
from luoshi.learning.models import HalfYearNotice, NoticeReceipt, NoticeTemplate
from luoshi.lib.docx import east_asian_font
from luoshi.lib.tests.docx_checks import check_official_document

from .test_summary import add_month


def first_half(world):
    """Six months of 2026's first half: 冷湖镇 and 李晓梅 lead, unit A lags on registration."""
    for month in range(1, 7):
        add_month(
            world,
            datetime.date(2026, month, 1),
            [
                (world.liaison, world.unit_a, 600),
                (world.staff2, world.section_a, 400),
                (world.outsider, world.unit_b, 500),
                (world.office, world.office_unit, 350),
            ],
        )


def notice_form(world, **extra):
    data = {
        "unit": world.city.pk,
        "platform": "xuexi",
        "year": "2026",
        "half": "1",
        "number": "茫宣通〔2026〕3号",
        "title": "关于2026年上半年“学习强国”学习情况的通报",
        "recipients": "各乡镇党委，市直各单位",
        "signature": "中共茫崖市委宣传部",
    }
    data.update(extra)
    return data


def issue(world, **extra):
    data = notice_form(world, **extra)
    return services.issue_notice(
        confirm_missing=True,
        actor=world.office,
        unit=world.city,
        platform=data["platform"],
        year=int(data["year"]),
        half=int(data["half"]),
        number=data["number"],
        title=data["title"],
        recipients=data["recipients"],
        signature=data["signature"],
    )


def open_docx(notice):
    with notice.document.file.open("rb") as handle:
        return Document(io.BytesIO(handle.read()))


def text_of(document):
    return "\n".join(paragraph.text for paragraph in document.paragraphs)


def test_issue_through_the_page_writes_the_word_notice(world, client_for):
    first_half(world)
    response = client_for(world.office).post("/learning/notices/new/", notice_form(world))
    notice = HalfYearNotice.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/learning/notices/{notice.pk}/"
    with notice.document.file.open("rb") as handle:
        document = check_official_document(
            handle.read(), author="中共茫崖市委宣传部", title=notice.title, tables=2
        )
    filled = [paragraph for paragraph in document.paragraphs if paragraph.text]
    paragraphs = [paragraph.text for paragraph in filled]
    assert paragraphs[0] == "中共茫崖市委宣传部文件"  # 版头: the organ's mark, then the number
    assert paragraphs[1] == "茫宣通〔2026〕3号"
    # the title breaks between words: 关于2026年上半年 / “学习强国”学习情况的通报
    assert paragraphs[2] == "关于2026年上半年\n“学习强国”学习情况的通报"
    assert filled[2].runs[0].font.size.pt == 22  # 二号 title
    assert paragraphs[3] == "各乡镇党委，市直各单位："
    body = text_of(document)
    assert "2026年上半年各单位学习强国学习情况通报如下" in body
    assert "{{" not in body
    assert paragraphs[-2] == "中共茫崖市委宣传部"
    assert (
        paragraphs[-1]
        == f"{notice.issued_at.year}年{notice.issued_at.month}月{notice.issued_at.day}日"
    )
    units_table, people_table = document.tables
    header = [cell.text.replace("\n", "") for cell in units_table.rows[0].cells]
    assert header[:2] == ["名次", "单位"] and header[-1] == "人均积分"
    first = [cell.text for cell in units_table.rows[1].cells]
    assert first[:4] == ["1", "冷湖镇", "1", "1"]
    assert first[-1] == "3000.0"  # 6 × 500 per person
    unit_names = [row.cells[1].text for row in units_table.rows[1:]]
    assert {"冷湖镇", "办公室", "市文体旅游广电局", "市委宣传部"} <= set(unit_names)
    # 表扬: the best units meeting both thresholds, and the top learners by name.
    assert "对学习成效突出的冷湖镇、办公室等单位予以通报表扬。" in body
    assert "李晓梅（市文体旅游广电局）" in body
    people = [[cell.text.replace("\n", "") for cell in row.cells] for row in people_table.rows]
    assert people[0] == ["序号", "姓名", "单位", "合计积分"]
    assert people[1] == ["1", "李晓梅", "市文体旅游广电局", "3600"]
    # 提醒 is off by default: no unit is named for lagging.
    assert "提醒" not in body
    assert AuditEvent.objects.filter(verb="issue_notice", actor=world.office).exists()
    receipts = NoticeReceipt.objects.filter(notice=notice)
    assert {receipt.unit.name for receipt in receipts} >= {"冷湖镇", "市文体旅游广电局"}
    assert not receipts.filter(read_at__isnull=False).exists()


def test_no_people_commended_when_settings_say_so_and_reminders_when_allowed(world):
    first_half(world)
    services.change_settings(
        actor=world.office,
        unit=world.city,
        values={"commend_top_learners": False, "remind_units": True},
        reason="本期只表扬单位，并提醒后进单位",
    )
    notice = issue(world)
    document = open_docx(notice)
    body = text_of(document)
    assert "李晓梅" not in body
    assert len(document.tables) == 1  # no table of people
    assert "三、提醒" in body
    heading = next(p for p in document.paragraphs if p.text == "三、提醒")
    assert east_asian_font(heading.runs[0]) == "黑体"  # a heading, not body text
    assert "市文体旅游广电局" in body.split("三、提醒")[1]  # 2 of 3 registered: below 95%
    assert "冷湖镇" not in body.split("三、提醒")[1]


def test_reading_marks_the_unit_receipt_for_the_first_reader(world, client_for):
    first_half(world)
    notice = issue(world)
    response = client_for(world.staff).get(f"/learning/notices/{notice.pk}/")
    assert response.status_code == 200
    assert response.context["signed"] == 1
    html = response.content.decode()
    assert notice.title in html and "李晓梅（市文体旅游广电局）" in html
    receipt = NoticeReceipt.objects.get(notice=notice, unit=world.unit_a)
    assert receipt.read_by == world.staff
    first_read = receipt.read_at
    client_for(world.liaison).get(f"/learning/notices/{notice.pk}/")
    receipt.refresh_from_db()
    assert receipt.read_by == world.staff and receipt.read_at == first_read
    # 赵敏 belongs to unit A and its section: she signs the section.
    client_for(world.staff2).get(f"/learning/notices/{notice.pk}/")
    assert NoticeReceipt.objects.get(notice=notice, unit=world.section_a).read_by == world.staff2
    office = client_for(world.office).get(f"/learning/notices/{notice.pk}/")
    assert office.context["manage"] is True
    assert office.context["read_count"] == 3  # unit A, its section, and the office's own unit
    assert "notice-receipts" in office.content.decode()
    staff = client_for(world.staff).get(f"/learning/notices/{notice.pk}/")
    assert staff.context["manage"] is False and "notice-receipts" not in staff.content.decode()


def test_document_download_and_scope(world, client_for):
    first_half(world)
    notice = issue(world)
    response = client_for(world.staff).get(f"/learning/notices/{notice.pk}/document.docx")
    assert response.status_code == 200
    document = Document(io.BytesIO(b"".join(response.streaming_content)))
    title = next(p for p in document.paragraphs if p.style.name == "公文标题")
    assert title.text.replace("\n", "") == notice.title
    # A notice for unit A's subtree is not the outsider's.
    services.change_settings(
        actor=world.office, unit=world.unit_a, values={"commend_count": 2}, reason="单位试点"
    )
    own = services.issue_notice(
        actor=world.office,
        unit=world.unit_a,
        platform="xuexi",
        year=2026,
        half=1,
        number="茫文旅〔2026〕1号",
        title="文体旅游广电局上半年学习情况通报",
        recipients="局属各科室",
    )
    outsider = client_for(world.outsider)
    assert outsider.get(f"/learning/notices/{own.pk}/").status_code == 404
    assert outsider.get(f"/learning/notices/{own.pk}/document.docx").status_code == 404
    assert outsider.get(f"/api/learning/notices/{own.pk}").status_code == 404
    listing = outsider.get("/learning/notices/")
    assert [n.pk for n in listing.context["page"]] == [notice.pk]
    assert not NoticeReceipt.objects.filter(notice=own, read_at__isnull=False).exists()


def test_only_the_office_issues(world, client_for):
    first_half(world)
    assert client_for(world.liaison).get("/learning/notices/new/").status_code == 403
    # A unit outside the liaison's learning.configure scope (none at all): 404.
    response = client_for(world.liaison).post("/learning/notices/new/", notice_form(world))
    assert response.status_code == 404
    assert (
        client_for(world.outsider)
        .post("/learning/notices/new/", notice_form(world, unit=world.unit_a.pk))
        .status_code
        == 404
    )
    assert not HalfYearNotice.objects.exists()


def test_missing_fields_are_named_in_chinese(world, client_for):
    first_half(world)
    response = client_for(world.office).post(
        "/learning/notices/new/", notice_form(world, number="", title="")
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "请填写文号。" in html and "请填写标题。" in html
    assert not HalfYearNotice.objects.exists()


def test_template_download_edit_and_upload(world, client_for):
    first_half(world)
    client = client_for(world.office)
    page = client.get("/learning/notices/template/")
    assert "{{单位数据表}}" in page.content.decode() and "{{标题}}" in page.content.decode()
    response = client.get("/learning/notices/template/?download=1")
    template = Document(io.BytesIO(response.content))
    assert "{{标题}}" in text_of(template)
    # The office adds a line to the template in Word and uploads it again.
    template.add_paragraph("抄送：{{落款}}办公室存档")
    buffer = io.BytesIO()
    template.save(buffer)
    upload = SimpleUploadedFile("我的模板.docx", buffer.getvalue())
    response = client.post("/learning/notices/template/", {"unit": world.city.pk, "file": upload})
    assert response.status_code == 302
    assert NoticeTemplate.objects.get().unit == world.city
    notice = issue(world)
    rendered = open_docx(notice)
    assert "抄送：中共茫崖市委宣传部办公室存档" in text_of(rendered)
    # the edited template keeps the 公文 form (page, grid, page numbers, tables, properties)
    with notice.document.file.open("rb") as handle:
        check_official_document(
            handle.read(), author="中共茫崖市委宣传部", title=notice.title, tables=2
        )


def test_an_uploaded_templates_page_setup_is_respected(world, client_for):
    """An office template with its own page (B5, 20 mm margins) keeps it, and the tables are
    fitted to its narrower type area."""
    first_half(world)
    client = client_for(world.office)
    template = Document(io.BytesIO(client.get("/learning/notices/template/?download=1").content))
    section = template.sections[0]
    section.page_width, section.page_height = Mm(176), Mm(250)
    section.left_margin = section.right_margin = Mm(20)
    buffer = io.BytesIO()
    template.save(buffer)
    upload = SimpleUploadedFile("B5模板.docx", buffer.getvalue())
    client.post("/learning/notices/template/", {"unit": world.city.pk, "file": upload})
    document = open_docx(issue(world))
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.left_margin.mm)) == (176, 20)
    for table in document.tables:
        widths = [int(c.get(qn("w:w"))) for c in table._tbl.tblGrid.findall(qn("w:gridCol"))]
        assert Mm(130).twips <= sum(widths) <= Mm(136).twips + len(widths)  # 176 − 2 × 20 mm
    assert document.core_properties.author == "中共茫崖市委宣传部"


def test_template_without_placeholders_is_refused(world, client_for):
    document = Document()
    document.add_paragraph("没有占位符的文件")
    buffer = io.BytesIO()
    document.save(buffer)
    response = client_for(world.office).post(
        "/learning/notices/template/",
        {"unit": world.city.pk, "file": SimpleUploadedFile("模板.docx", buffer.getvalue())},
    )
    assert response.status_code == 200
    assert "没有找到任何占位符" in response.content.decode()
    response = client_for(world.office).post(
        "/learning/notices/template/",
        {"unit": world.city.pk, "file": SimpleUploadedFile("模板.pdf", b"%PDF-1.4")},
    )
    assert "请上传 Word（.docx）格式的模板" in response.content.decode()
    assert not NoticeTemplate.objects.exists()


def test_placeholder_split_across_runs_is_replaced():
    document = Document()
    paragraph = document.add_paragraph()
    for part in ("关于", "{{", "标", "题}}", "的说明"):
        paragraph.add_run(part)
    buffer = io.BytesIO()
    document.save(buffer)
    content = documents.NoticeContent(values={"标题": "学习情况"})
    rendered = Document(io.BytesIO(documents.render(buffer.getvalue(), content)))
    assert rendered.paragraphs[0].text == "关于学习情况的说明"


def test_notice_list_export(world, client_for):
    from openpyxl import load_workbook

    first_half(world)
    issue(world)
    response = client_for(world.office).get("/learning/notices/?export=xlsx")
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "半年通报"
    assert rows[1][0].startswith("导出时间：")  # the note row: no filter given
    assert rows[2][:2] == ("文号", "标题")
    assert rows[3][0] == "茫宣通〔2026〕3号"
    assert rows[3][-1] == "0/" + str(NoticeReceipt.objects.count())
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.EXPORT, object_type="learning.halfyearnotice"
    ).exists()


def test_reminders_only_name_units_whose_settings_allow(world):
    first_half(world)
    services.change_settings(
        actor=world.office, unit=world.city, values={"remind_units": True}, reason="通报提醒"
    )
    services.change_settings(
        actor=world.office, unit=world.unit_a, values={"remind_units": False}, reason="本局不点名"
    )
    notice = issue(world)
    reminded = [item["unit"] for item in notice.data["reminded_units"]]
    assert "市文体旅游广电局" not in reminded
    assert "茫崖市" in reminded  # the city's own people have no figures: below both lines


def test_notice_list_page_and_api_agree(world, client_for):
    first_half(world)
    notice = issue(world)
    for query in ({}, {"year": "2026"}, {"year": "2025"}, {"platform": "cadre"}):
        for user in (world.office, world.staff, world.outsider):
            client = client_for(user)
            page = [n.pk for n in client.get("/learning/notices/", query).context["page"]]
            api = [n["id"] for n in client.get("/api/learning/notices", query).json()]
            assert page == api
    assert [n["id"] for n in client_for(world.staff).get("/api/learning/notices").json()] == [
        notice.pk
    ]


def test_default_template_is_in_official_layout():
    from luoshi.lib.docx import BODY_FONT, HEADING1_FONT, TITLE_FONT, east_asian_font

    template = Document(io.BytesIO(documents.default_template()))
    paragraphs = {p.text: p for p in template.paragraphs if p.text}
    assert east_asian_font(paragraphs["{{标题}}"].runs[0]) == TITLE_FONT
    assert paragraphs["{{标题}}"].runs[0].font.size.pt == 22
    assert east_asian_font(paragraphs["{{正文}}"].runs[0]) == BODY_FONT
    assert east_asian_font(paragraphs["一、各单位学习情况"].runs[0]) == HEADING1_FONT
    section = template.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert documents.placeholders_in(documents.default_template()) == set(
        documents.PLACEHOLDERS
    ) | set(documents.TABLES)


def test_an_issued_notice_keeps_its_figures_after_the_roster_changes(world, client_for):
    """The 153 vs 157 case: people added after issue change today's count, never the notice.
    Its page, its content and its Word file stay as issued; the page says "数据已更新" and links
    to today's figures beside the issued ones."""
    from luoshi.org import services as org

    first_half(world)
    notice = issue(world)
    issued_total = notice.data["totals"]["headcount"]
    issued_a = next(u for u in notice.data["units"] if u["unit"] == world.unit_a.name)
    assert sorted(notice.data["roster"][str(world.unit_a.pk)]) == sorted(
        world.unit_a.memberships.values_list("person_id", flat=True)
    )
    assert notice.data["inputs"]
    before = services.notice_content(notice)
    with notice.document.file.open("rb") as handle:
        document = handle.read()
    client = client_for(world.office)
    page = client.get(f"/learning/notices/{notice.pk}/").content.decode()
    assert "数据已更新" not in page
    for index in range(4):
        org.create_person(
            actor=None,
            username=f"new{index}",
            name=f"新同志{index}",
            unit=world.unit_a,
            audit=False,
        )
    notice.refresh_from_db()
    assert services.notice_content(notice) == before
    with notice.document.file.open("rb") as handle:
        assert handle.read() == document
    page = client.get(f"/learning/notices/{notice.pk}/").content.decode()
    assert f"应注册 {issued_total} 人" in page
    assert "数据已更新" in page
    assert f"/learning/notices/{notice.pk}/current/" in page
    current = client.get(f"/learning/notices/{notice.pk}/current/")
    assert current.status_code == 200
    rows = current.context["changes"]
    assert [row["unit"] for row in rows] == [world.unit_a.name]
    assert rows[0]["issued"]["headcount"] == issued_a["headcount"]
    assert rows[0]["current"]["headcount"] == issued_a["headcount"] + 4
    # A second notice of the same half counts today's roster, and says so in its own data.
    second = issue(world, number="茫宣通〔2026〕4号")
    assert second.data["totals"]["headcount"] == issued_total + 4
    # A unit that only receives the notice sees the banner, not every unit's figures of today.
    outsider = client_for(world.outsider)
    assert "数据已更新" in outsider.get(f"/learning/notices/{notice.pk}/").content.decode()
    assert outsider.get(f"/learning/notices/{notice.pk}/current/").status_code == 404


def test_issuing_without_the_last_month_asks_first_and_names_the_units(world, client_for):
    for month in range(1, 6):  # January to May: June was never imported
        add_month(
            world,
            datetime.date(2026, month, 1),
            [(world.liaison, world.unit_a, 600), (world.outsider, world.unit_b, 500)],
        )
    add_month(  # June for 冷湖镇 only (a partial import)
        world, datetime.date(2026, 6, 1), [(world.outsider, world.unit_b, 500)], unit=world.unit_b
    )
    client = client_for(world.office)
    response = client.post("/learning/notices/new/", notice_form(world))
    assert response.status_code == 200
    page = response.content.decode()
    assert "2026年6月尚未导入以下" in page
    assert world.unit_a.name in page.split("2026年6月尚未导入以下")[1].split("。")[0]
    assert world.unit_b.name not in page.split("2026年6月尚未导入以下")[1].split("。")[0]
    assert 'id="notice-confirm-missing"' in page
    assert not HalfYearNotice.objects.exists()
    confirmed = client.post("/learning/notices/new/", notice_form(world, confirm_missing="on"))
    assert confirmed.status_code == 302
    notice = HalfYearNotice.objects.get()
    assert world.unit_a.name in notice.data["missing_last_month"]
