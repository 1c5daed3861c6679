"""The holiday schedule form: a year's days as lines of text, parsed and checked here."""

import datetime
import re
from dataclasses import dataclass, field

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from luoshi.lib.forms import CleanInputsForm

WORKDAY_WORDS = ("调休上班", "补班", "上班")
RANGE_RE = re.compile(
    r"^(?P<start>\d{4}-\d{1,2}-\d{1,2})(?:\s*[~～至到—-]{1,2}\s*(?P<end>\d{4}-\d{1,2}-\d{1,2}))?"
    r"(?:\s+(?P<name>.+))?$"
)


@dataclass
class HolidaySchedule:
    """A year's entered days: rest days and make-up workdays, each as (date, name)."""

    holidays: list[tuple[datetime.date, str]] = field(default_factory=list)
    workdays: list[tuple[datetime.date, str]] = field(default_factory=list)


def _date(text: str) -> datetime.date:
    year, month, day = (int(part) for part in text.split("-"))
    return datetime.date(year, month, day)


def parse_holiday_lines(text: str, year: int) -> HolidaySchedule:
    """One line per day or range: "2027-01-01 元旦", "2027-02-06~2027-02-12 春节",
    "2027-02-14 调休上班". A name containing 上班 or 补班 marks make-up workdays."""
    schedule, errors = HolidaySchedule(), []
    seen: dict[datetime.date, int] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = RANGE_RE.match(line)
        if match is None:
            errors.append(
                _(
                    "第 %(n)d 行“%(line)s”无法识别，应为“2027-01-01 元旦”或“2027-02-06~2027-02-12 春节”。"
                )
                % {"n": number, "line": line}
            )
            continue
        try:
            start = _date(match["start"])
            end = _date(match["end"]) if match["end"] else start
        except ValueError:
            errors.append(_("第 %(n)d 行：日期不存在。") % {"n": number})
            continue
        if end < start:
            errors.append(_("第 %(n)d 行：结束日期早于开始日期。") % {"n": number})
            continue
        if start.year != year or end.year != year:
            errors.append(_("第 %(n)d 行：日期不在 %(year)d 年内。") % {"n": number, "year": year})
            continue
        if (end - start).days > 31:
            errors.append(_("第 %(n)d 行：一段假期不能超过 31 天。") % {"n": number})
            continue
        name = (match["name"] or "").strip()
        is_workday = any(word in name for word in WORKDAY_WORDS)
        target = schedule.workdays if is_workday else schedule.holidays
        day = start
        while day <= end:
            if day in seen:
                errors.append(
                    _("第 %(n)d 行：%(date)s 已在第 %(m)d 行出现。")
                    % {"n": number, "date": day, "m": seen[day]}
                )
            else:
                seen[day] = number
                target.append((day, name[:50]))
            day += datetime.timedelta(days=1)
    if errors:
        raise ValidationError(errors)
    return schedule


def format_holiday_lines(days) -> str:
    """The entered days back as lines, consecutive days of the same name joined into a range."""
    lines: list[str] = []
    run: list = []

    def flush():
        if not run:
            return
        first, last = run[0], run[-1]
        text = str(first.date) if first == last else f"{first.date}~{last.date}"
        lines.append(f"{text} {first.name}".strip())

    for day in days:
        if (
            run
            and day.name == run[-1].name
            and day.is_workday == run[-1].is_workday
            and day.date - run[-1].date == datetime.timedelta(days=1)
        ):
            run.append(day)
            continue
        flush()
        run = [day]
    flush()
    return "\n".join(lines)


class HolidayYearForm(CleanInputsForm):
    """A year's schedule as lines of text (see parse_holiday_lines)."""

    source = forms.CharField(
        label=gettext_lazy("依据"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control"}),
        help_text=gettext_lazy("例如：国务院办公厅关于 2027 年部分节假日安排的通知"),
    )
    lines = forms.CharField(
        label=gettext_lazy("放假安排"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 14, "class": "form-control font-monospace"}),
        help_text=gettext_lazy(
            "每行一天或一段：2027-01-01 元旦；2027-02-06~2027-02-12 春节；"
            "2027-02-14 调休上班（名称含“上班”或“补班”的为调休上班日）"
        ),
    )

    def __init__(self, *args, year: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.year = year

    def clean_lines(self) -> HolidaySchedule:
        return parse_holiday_lines(self.cleaned_data.get("lines", ""), self.year)
