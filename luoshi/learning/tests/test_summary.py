"""The monthly summary (一月一汇总): per-unit figures, ranks and their change, flags, the chart,
the Excel export, the stored summary of the monthly job and its notifications, scope."""

import datetime
import io
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from luoshi.accounts.models import Notification, User
from luoshi.audit.models import AuditEvent
from luoshi.learning import selectors, services, tasks
from luoshi.learning.models import MonthlySummary, Platform, PointImport, PointRecord
from luoshi.org import services as org
from luoshi.testing import person

OCT = datetime.date(2026, 10, 1)
SEP = datetime.date(2026, 9, 1)


def add_month(world, month, figures, *, platform=Platform.STRONG_NATION, status=None, unit=None):
    """A confirmed import of `month` with one record per (person, unit, value)."""
    point_import = PointImport.objects.create(
        platform=platform,
        unit=unit or world.city,
        period_start=month,
        period_end=selectors.next_month(month) - datetime.timedelta(days=1),
        status=status or PointImport.Status.CONFIRMED,
        file_name="export.xlsx",
        file_sha256=f"{month}{platform}{PointImport.objects.count()}".ljust(64, "0"),
        created_by=world.office,
    )
    PointRecord.objects.bulk_create(
        PointRecord(
            point_import=point_import,
            platform=platform,
            period_start=month,
            period_end=point_import.period_end,
            person=person,
            unit=record_unit,
            value=Decimal(value),
            total=Decimal(value) * 3,
        )
        for person, record_unit, value in figures
    )
    return point_import


def october(world, month=OCT):
    """unit A: 李晓梅 400 (active), 张三 100, headcount 3 (with 王芳, who has no record; 赵敏's
    兼职 in unit A does not count there); 办公室 (section A): 赵敏 350; 冷湖镇: 马海燕 500."""
    if not User.objects.filter(username="wangfang").exists():
        person("wangfang", "王芳", world.unit_a, position="科员")
    return add_month(
        world,
        month,
        [
            (world.liaison, world.unit_a, 400),
            (world.staff, world.unit_a, 100),
            (world.staff2, world.section_a, 350),
            (world.outsider, world.unit_b, 500),
        ],
    )


def summary_url(unit, month=OCT, **extra):
    query = "&".join(f"{key}={value}" for key, value in extra.items())
    return f"/learning/summary/?unit={unit.pk}&month={month:%Y-%m}&platform=xuexi&{query}"


def rows_by_unit(response):
    return {row.unit.name: row for row in response.context["summary"].rows}


def test_unit_figures_ranks_and_flags(world, client_for):
    october(world)
    response = client_for(world.office).get(summary_url(world.city))
    assert response.status_code == 200
    rows = rows_by_unit(response)
    unit_a = rows["市文体旅游广电局"]
    assert (unit_a.headcount, unit_a.registered, unit_a.active) == (3, 2, 1)
    assert unit_a.registration_rate == 66.7
    assert unit_a.active_rate == 33.3
    assert unit_a.per_person == 166.7
    assert [row.unit.name for row in response.context["summary"].rows][:3] == [
        "冷湖镇",
        "办公室",
        "市文体旅游广电局",
    ]
    assert rows["冷湖镇"].rank == 1 and rows["办公室"].rank == 2 and unit_a.rank == 3
    assert unit_a.flags == ["注册率 66.7% 低于 95%", "活跃率 33.3% 低于 60%"]
    assert rows["冷湖镇"].flags == []
    # The office itself has four people and no records: ranked, flagged, per person 0.
    assert rows["市委宣传部"].registered == 0 and rows["市委宣传部"].flags
    html = response.content.decode()
    assert 'data-chart="summary-chart"' in html
    assert '<script id="summary-chart" type="application/json">' in html
    assert "<script>" not in html  # CSP: no inline scripts
    chart = response.context["chart"]
    assert chart["xAxis"]["data"][:3] == ["冷湖镇", "办公室", "市文体旅游广电局"]
    assert chart["series"][0]["data"][:3] == [500.0, 350.0, 166.7]


def test_rank_change_against_previous_month(world, client_for):
    add_month(
        world,
        SEP,
        [
            (world.liaison, world.unit_a, 900),
            (world.staff2, world.section_a, 100),
            (world.outsider, world.unit_b, 50),
        ],
    )
    october(world)
    response = client_for(world.office).get(summary_url(world.city))
    rows = rows_by_unit(response)
    assert rows["市文体旅游广电局"].previous_rank == 1
    assert rows["市文体旅游广电局"].change == -2  # 1st → 3rd
    assert rows["冷湖镇"].change == 2  # 3rd → 1st
    assert rows["办公室"].change == 0
    html = response.content.decode()
    assert "↑2" in html and "↓2" in html


def test_only_confirmed_imports_count(world, client_for):
    october(world)
    add_month(
        world,
        OCT,
        [(world.staff, world.unit_a, 5000)],
        status=PointImport.Status.REPLACED,
    )
    add_month(world, OCT, [(world.staff, world.unit_a, 5000)], status=PointImport.Status.UNDONE)
    rows = rows_by_unit(client_for(world.office).get(summary_url(world.city)))
    assert rows["市文体旅游广电局"].value == Decimal(500)


def test_hours_use_the_hours_threshold(world, client_for):
    add_month(
        world,
        OCT,
        [(world.liaison, world.unit_a, 2), (world.staff, world.unit_a, 1.5)],
        platform=Platform.CADRE,
    )
    response = client_for(world.office).get(
        f"/learning/summary/?unit={world.unit_a.pk}&month=2026-10&platform=cadre"
    )
    rows = rows_by_unit(response)
    assert rows["市文体旅游广电局"].active == 1  # 2 hours meets the default 2, 1.5 does not
    assert "学时" in response.content.decode()


def test_excel_export(world, client_for):
    october(world)
    response = client_for(world.office).get(summary_url(world.city, export="xlsx"))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "2026年10月学习强国学习情况月度汇总"
    assert rows[2][:4] == ("名次", "较上月", "单位", "应注册人数")
    assert rows[3][:11] == (1, "新", "冷湖镇", 1, 1, 100, 1, 100, 500, 500, None)
    unit_a = next(row for row in rows if row[2] == "市文体旅游广电局")
    assert unit_a[:10] == (3, "新", "市文体旅游广电局", 3, 2, 66.7, 1, 33.3, 500, 166.7)
    assert "注册率 66.7% 低于 95%" in unit_a[10]
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.EXPORT, actor=world.office, object_repr__contains="月度汇总"
    ).exists()


def test_liaison_sees_own_subtree_only(world, client_for):
    october(world)
    response = client_for(world.liaison).get(summary_url(world.unit_a))
    names = set(rows_by_unit(response))
    assert names == {"市文体旅游广电局", "办公室"}
    # With no unit given, the page opens on the liaison's own unit.
    response = client_for(world.liaison).get("/learning/summary/?month=2026-10")
    assert response.context["unit"] == world.unit_a


@pytest.mark.parametrize(
    "url",
    [
        "/learning/summary/?unit={a}&month=2026-10",
        "/learning/summary/?unit={a}&month=2026-10&export=xlsx",
        "/learning/summary/?unit={city}&month=2026-10",
        "/learning/summary/units/{a}/?month=2026-10",
        "/learning/summary/units/{a}/?month=2026-10&export=xlsx",
        "/learning/ranking/?unit={a}&month=2026-10",
        "/learning/ranking/?unit={a}&month=2026-10&export=xlsx",
        "/api/learning/summaries?unit={a}&month=2026-10",
        "/api/learning/summaries/units/{a}/people?month=2026-10",
        "/api/learning/rankings?unit={a}&month=2026-10",
    ],
)
def test_outsider_gets_404_on_unit_a(world, client_for, url):
    october(world)
    response = client_for(world.outsider).get(url.format(a=world.unit_a.pk, city=world.city.pk))
    assert response.status_code == 404


def test_outsider_sees_own_unit(world, client_for):
    october(world)
    response = client_for(world.outsider).get(summary_url(world.unit_b))
    assert set(rows_by_unit(response)) == {"冷湖镇"}


def test_monthly_job_stores_summary_and_notifies_liaisons(world, client_for):
    month = selectors.previous_month(timezone.localdate())
    october(world, month=month)
    assert tasks.monthly_summaries.call_local() == 1
    stored = MonthlySummary.objects.get(platform=Platform.STRONG_NATION, month=month)
    assert stored.unit.parent is None  # one per tree, for every subtree's page
    headcount, registered, active, value = stored.data["units"][str(world.unit_a.pk)]
    assert (headcount, registered, active, Decimal(value)) == (3, 2, 1, 500)
    notes = Notification.objects.filter(title__contains="月度汇总已生成")
    assert {note.recipient for note in notes} == {world.liaison, world.outsider}
    assert notes.first().url.startswith("/learning/summary/")
    response = client_for(world.office).get(summary_url(world.city, month=month))
    assert response.context["summary"].stored_at == stored.generated_at
    assert rows_by_unit(response)["市文体旅游广电局"].per_person == 166.7
    assert stored.published_at is not None  # the job's summary is the one published
    published_page = response.content.decode()
    assert "数据已更新" not in published_page
    export = client_for(world.office).get(summary_url(world.city, month=month) + "&export=xlsx")
    # A later import of the month changes today's count, not the published summary: its page
    # (and export) stay as published and say 数据已更新 with a link to today's figures.
    add_month(world, month, [(world.leader, world.city, 800)])
    response = client_for(world.office).get(summary_url(world.city, month=month))
    assert response.context["summary"].published_at == stored.published_at
    assert response.context["summary"].changed
    assert rows_by_unit(response)["茫崖市"].registered == 0  # as published
    assert rows_by_unit(response)["市文体旅游广电局"].per_person == 166.7
    assert "数据已更新" in response.content.decode()
    again = client_for(world.office).get(summary_url(world.city, month=month) + "&export=xlsx")
    assert _cells(again) == _cells(export)
    current = client_for(world.office).get(summary_url(world.city, month=month) + "&current=1")
    assert current.context["summary"].stored_at is None  # stale cache: counted live
    assert rows_by_unit(current)["茫崖市"].registered == 1
    services.refresh_after_import(platform=Platform.STRONG_NATION, period_start=month)
    current = client_for(world.office).get(summary_url(world.city, month=month) + "&current=1")
    assert current.context["summary"].stored_at is not None
    assert rows_by_unit(current)["茫崖市"].registered == 1
    # Storing the month again (the worker after an import) never rewrites the published one.
    assert tasks.monthly_summaries.call_local() == 1
    stored.refresh_from_db()
    assert stored.published["units"][str(world.city.pk)][1] == 0
    response = client_for(world.office).get(summary_url(world.city, month=month))
    assert rows_by_unit(response)["茫崖市"].registered == 0


def _cells(response) -> list:
    """The cells of an exported workbook below its note row (the note has the export time)."""
    import io

    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(response.content)).active
    return [[cell.value for cell in row] for row in sheet.iter_rows(min_row=3)]


def test_job_with_no_imports_stores_nothing(world):
    assert services.generate_monthly_summaries(month=OCT) == []
    assert not MonthlySummary.objects.exists()


def test_staff_without_unit_scope_is_sent_to_own_page(world, client_for):
    response = client_for(world.staff).get("/learning/summary/")
    assert response.status_code == 302
    assert response["Location"] == "/learning/me/"


def test_query_count_does_not_grow_with_units(world, client_for, django_assert_max_num_queries):
    from luoshi.org import services as org
    from luoshi.org.models import UnitKind

    october(world)
    for index in range(30):
        org.create_unit(
            actor=None, name=f"科室{index}", kind=UnitKind.SECTION, parent=world.unit_b, audit=False
        )
    client = client_for(world.office)
    with django_assert_max_num_queries(25):
        assert client.get(summary_url(world.city)).status_code == 200


def test_refresh_after_a_late_import_stores_the_month(world, client_for):
    """Exports of a month arrive after the job of the 1st: the refresh stores them then."""
    october(world)
    assert not MonthlySummary.objects.exists()
    tasks.refresh_summaries.call(Platform.STRONG_NATION, OCT.isoformat())
    assert MonthlySummary.objects.get(month=OCT).data["ranking"]["count"] == 4
    response = client_for(world.office).get(summary_url(world.city))
    assert response.context["summary"].stored_at is not None
    ranking = client_for(world.office).get(f"/learning/ranking/?unit={world.city.pk}&month=2026-10")
    assert [row.record.person.name for row in ranking.context["rows"]] == [
        "马海燕",
        "李晓梅",
        "赵敏",
        "张三",
    ]


def test_storing_again_replaces_the_ranking_file(world, django_capture_on_commit_callbacks):
    from django.core.files.storage import default_storage

    october(world)
    first = services.store_monthly_summary(
        platform=Platform.STRONG_NATION, month=OCT, root=world.city.parent
    )
    old_file = first.data["ranking"]["file"]
    with django_capture_on_commit_callbacks(execute=True):
        second = services.store_monthly_summary(
            platform=Platform.STRONG_NATION, month=OCT, root=world.city.parent
        )
    assert second.pk == first.pk
    assert second.data["ranking"]["file"] != old_file
    assert default_storage.exists(second.data["ranking"]["file"])
    assert not default_storage.exists(old_file)


def test_a_live_page_asks_the_worker_to_store_the_month_once(world, client_for, monkeypatch):
    from django.core.cache import cache

    calls = []
    task = tasks.refresh_summaries

    class Recorder:
        def enqueue(self, *args):
            calls.append(args)

    monkeypatch.setattr(tasks, "refresh_summaries", Recorder())
    cache.clear()
    october(world)
    client = client_for(world.office)
    client.get(summary_url(world.city))
    client.get(summary_url(world.city))
    client.get(f"/learning/ranking/?unit={world.city.pk}&month=2026-10")
    assert calls == [(Platform.STRONG_NATION, "2026-10-01")]
    task.call(*calls[0])
    cache.clear()
    assert client.get(summary_url(world.city)).context["summary"].stored_at is not None
    assert len(calls) == 1  # stored: nothing more to ask


def test_a_part_time_post_counts_once_in_the_primary_unit(world):
    """兼职 counts once (issue 11): 赵敏's primary membership is 办公室, her 兼职 in unit A adds no
    one to unit A's 应注册人数; a second 兼职 elsewhere adds no one either."""
    org.add_membership(actor=None, person=world.staff2, unit=world.unit_b, audit=False)
    counts = selectors._headcounts(None)
    assert counts[world.section_a.pk] == 1  # 赵敏, once, in her primary unit
    assert counts[world.unit_a.pk] == 2  # 李晓梅 and 张三; not 赵敏's 兼职
    assert counts[world.unit_b.pk] == 1  # 马海燕; not 赵敏's 兼职
    assert sum(counts.values()) == len(
        {m.person_id for m in world.staff2.memberships.model.objects.all()}
    )


def test_a_published_summary_keeps_the_flags_it_was_published_with(world, client_for):
    """Lowering the thresholds after the 1st changes today's flags, not the ones the liaisons
    were sent (issue 10: once issued, a figure never changes)."""
    month = selectors.previous_month(timezone.localdate())
    october(world, month=month)
    assert tasks.monthly_summaries.call_local() == 1
    office = client_for(world.office)
    response = office.get(summary_url(world.city, month=month))
    before, flagged = rows_by_unit(response), response.context["summary"].flagged_count
    assert before["市文体旅游广电局"].flags and flagged
    services.change_settings(
        actor=world.office,
        unit=world.city,
        values={"registration_rate_threshold": Decimal("0"), "active_rate_threshold": 0},
        reason="调整标准",
    )
    response = office.get(summary_url(world.city, month=month))
    assert rows_by_unit(response)["市文体旅游广电局"].flags == before["市文体旅游广电局"].flags
    assert response.context["summary"].flagged_count == flagged
    current = office.get(summary_url(world.city, month=month) + "&current=1")
    assert rows_by_unit(current)["市文体旅游广电局"].flags == []  # today's, by today's thresholds
    assert current.context["summary"].flagged_count == 0
