"""The holiday calendar (放假安排) that working-day deadlines and warnings count with."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from luoshi.accounts.http import AuthenticatedRequest
from luoshi.audit.services import serve_export
from luoshi.lib.forms import add_service_errors
from luoshi.lib.http import wants_xlsx
from luoshi.org.access import require_perm

from . import exports, selectors, services
from .forms import HolidayYearForm, format_holiday_lines

SOURCE_LABELS = {
    "entered": gettext_lazy("已录入"),
    "package": gettext_lazy("chinese-calendar 内置"),
    "weekends": gettext_lazy("估算（周末和固定节日）"),
}


@login_required
def holiday_list(request: AuthenticatedRequest) -> HttpResponse:
    require_perm(request.user, "calendar.manage")
    wanted = request.GET.get("year", "")
    if wanted.isdigit() and 2000 <= int(wanted) <= 2100:
        return redirect("workdays:holiday-edit", year=int(wanted))
    calendar = selectors.load_calendar()
    entered = {entry.year: entry for entry in selectors.entered_years()}
    this_year = timezone.localdate().year
    years = sorted({*range(this_year - 2, this_year + 3), *entered}, reverse=True)
    source_filter = request.GET.get("source", "")
    if source_filter in SOURCE_LABELS:
        years = [year for year in years if calendar.source(year) == source_filter]
    if wants_xlsx(request):
        return serve_export(
            actor=request.user,
            object_type="workdays.holidayday",
            title=_("节假日安排"),
            headers=exports.holiday_headers(),
            rows=exports.holiday_rows(selectors.holiday_days(years)),
            filters=[
                f"{_('来源')}：{SOURCE_LABELS[source_filter]}"
                if source_filter in SOURCE_LABELS
                else "",
                _("年份：%(years)s") % {"years": "、".join(str(y) for y in years) or _("无")},
            ],
        )
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
        "workdays/holiday_list.html",
        {
            "rows": rows,
            "estimated": calendar.estimated_years(years),
            # The State Council publishes next year's schedule late in the year: offer to enter
            # it until it has been entered.
            "next_year": this_year + 1 if calendar.source(this_year + 1) != "entered" else None,
            "next_year_estimated": calendar.is_estimated(this_year + 1),
            "sources": SOURCE_LABELS,
            "source_filter": source_filter,
        },
    )


@login_required
def holiday_edit(request: AuthenticatedRequest, year: int) -> HttpResponse:
    require_perm(request.user, "calendar.manage")
    if not 2000 <= year <= 2100:
        raise Http404
    entry = selectors.holiday_year(year)
    initial = {}
    if entry is not None:
        initial = {"source": entry.source, "lines": format_holiday_lines(entry.days.all())}
    form = HolidayYearForm(request.POST or None, year=year, initial=initial)
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
            add_service_errors(form, error, default_field="lines")
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
            return redirect("workdays:holiday-list")
    source = selectors.load_calendar().source(year)
    return render(
        request,
        "workdays/holiday_form.html",
        {"form": form, "year": year, "source": source, "source_label": SOURCE_LABELS[source]},
    )
