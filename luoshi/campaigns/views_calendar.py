"""The holiday calendar (放假安排) that working-day deadlines and warnings count with."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from luoshi.accounts.http import AuthenticatedRequest
from luoshi.lib.workdays import load_calendar
from luoshi.lib.xlsx import build_workbook, xlsx_response
from luoshi.org.access import require_perm

from . import forms as f
from . import services
from .models import HolidayYear

SOURCE_LABELS = {
    "entered": gettext_lazy("已录入"),
    "package": gettext_lazy("chinese-calendar 内置"),
    "weekends": gettext_lazy("估算（仅按周末）"),
}


@login_required
def holiday_list(request: AuthenticatedRequest) -> HttpResponse:
    require_perm(request.user, "calendar.manage")
    wanted = request.GET.get("year", "")
    if wanted.isdigit() and 2000 <= int(wanted) <= 2100:
        return redirect("campaigns:holiday-edit", year=int(wanted))
    calendar = load_calendar()
    entered = {
        entry.year: entry
        for entry in HolidayYear.objects.select_related("entered_by").annotate(
            rest=Count("days", filter=Q(days__is_workday=False)),
            work=Count("days", filter=Q(days__is_workday=True)),
        )
    }
    this_year = timezone.localdate().year
    years = sorted({*range(this_year - 2, this_year + 3), *entered}, reverse=True)
    source_filter = request.GET.get("source", "")
    if source_filter in SOURCE_LABELS:
        years = [year for year in years if calendar.source(year) == source_filter]
    if request.GET.get("export") == "xlsx":
        title = _("节假日安排")
        stamp = timezone.localtime().strftime("%Y-%m-%d %H:%M")
        content = build_workbook(
            title=title,
            headers=[_("年份"), _("日期"), _("类型"), _("名称")],
            rows=services.holiday_export_rows(actor=request.user, years=years),
            notes=[
                _("导出时间：%(at)s；年份：%(years)s")
                % {"at": stamp, "years": "、".join(str(y) for y in years) or _("无")}
            ],
        )
        return xlsx_response(content, f"{title}-{timezone.localdate():%Y%m%d}.xlsx")
    rows = [
        {
            "year": year,
            "source": calendar.source(year),
            "label": SOURCE_LABELS[calendar.source(year)],
            "entry": entered.get(year),
        }
        for year in years
    ]
    return render(
        request,
        "campaigns/holiday_list.html",
        {
            "rows": rows,
            "estimated": calendar.estimated_years(years),
            "sources": SOURCE_LABELS,
            "source_filter": source_filter,
        },
    )


@login_required
def holiday_edit(request: AuthenticatedRequest, year: int) -> HttpResponse:
    require_perm(request.user, "calendar.manage")
    if not 2000 <= year <= 2100:
        raise Http404
    entry = HolidayYear.objects.filter(year=year).first()
    initial = {}
    if entry is not None:
        initial = {"source": entry.source, "lines": f.format_holiday_lines(entry.days.all())}
    form = f.HolidayYearForm(request.POST or None, year=year, initial=initial)
    if request.method == "POST" and form.is_valid():
        schedule = form.cleaned_data["lines"]
        try:
            services.set_holiday_year(
                actor=request.user,
                year=year,
                holidays=schedule.holidays,
                workdays=schedule.workdays,
                source=form.cleaned_data["source"],
            )
        except ValidationError as error:
            f.add_service_errors(form, error, default_field="lines")
        else:
            messages.success(
                request,
                _("%(year)d 年放假安排已保存：假日 %(rest)d 天，调休上班 %(work)d 天。")
                % {
                    "year": year,
                    "rest": len(schedule.holidays),
                    "work": len(schedule.workdays),
                },
            )
            return redirect("campaigns:holiday-list")
    source = load_calendar().source(year)
    return render(
        request,
        "campaigns/holiday_form.html",
        {"form": form, "year": year, "source": source, "source_label": SOURCE_LABELS[source]},
    )
