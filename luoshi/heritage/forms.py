"""Forms of the heritage pages: parsing and normalising only; services validate and save."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from luoshi.org.forms import StyledForm, unit_field

from .models import RouteKind, Site, SiteKind


def activity_site_field(activity_type) -> forms.ModelChoiceField | None:
    """The ledger record form's site picker (the record part "site"): none for personal records,
    nor while no site is in use."""
    active = Site.objects.filter(is_active=True)
    if activity_type.is_personal or not active.exists():
        return None
    return forms.ModelChoiceField(
        label=_("红色资源点位"),
        queryset=active,
        required=False,
        empty_label=_("（不在红色资源点位）"),
        help_text=_("在红色资源点位开展的活动按点位统计；地点不填时取点位名称。"),
    )


class SiteForm(StyledForm):
    name = forms.CharField(label=_("名称"), max_length=100)
    kind = forms.ChoiceField(label=_("类别"), choices=SiteKind.choices)
    location = forms.CharField(label=_("位置"), max_length=200, required=False)
    latitude = forms.DecimalField(label=_("纬度"), required=False, max_digits=9, decimal_places=6)
    longitude = forms.DecimalField(label=_("经度"), required=False, max_digits=9, decimal_places=6)
    description = forms.CharField(
        label=_("简介"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    is_active = forms.BooleanField(label=_("启用"), required=False, initial=True)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"] = unit_field(user, "unit.view", label=_("管理单位"), required=False)
        self.order_fields(["name", "kind", "location", "unit"])
        self.style()


def stops_to_text(stops) -> str:
    return "\n".join(
        f"{stop.site.name} | {stop.notes}" if stop.notes else stop.site.name for stop in stops
    )


class RouteForm(StyledForm):
    name = forms.CharField(label=_("名称"), max_length=100)
    kind = forms.ChoiceField(label=_("类别"), choices=RouteKind.choices)
    stop_lines = forms.CharField(
        label=_("途经点位（按顺序）"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("每行一个点位：点位名称 | 说明，例如：狮20井 | 现场讲解石油会战历史"),
    )
    description = forms.CharField(
        label=_("简介"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    is_active = forms.BooleanField(label=_("启用"), required=False, initial=True)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"] = unit_field(user, "unit.view", label=_("管理单位"), required=False)
        self.order_fields(["name", "kind", "stop_lines", "description", "unit"])
        self.style()

    def clean_stop_lines(self) -> list[tuple[Site, str]]:
        """Sites by name, in order; every unknown name reported with its line number."""
        lines = [line for line in self.cleaned_data["stop_lines"].splitlines() if line.strip()]
        parsed = []
        for line in lines:
            parts = re.split(r"[|｜]", line, maxsplit=1)
            parsed.append((parts[0].strip(), parts[1].strip() if len(parts) > 1 else ""))
        sites = Site.objects.in_bulk([name for name, _notes in parsed], field_name="name")
        errors = [
            _t("第 %(n)d 行：没有名为“%(name)s”的点位。") % {"n": number, "name": name}
            for number, (name, _notes) in enumerate(parsed, start=1)
            if name not in sites
        ]
        if errors:
            raise ValidationError(errors)
        return [(sites[name], notes) for name, notes in parsed]


class ExhibitionForm(StyledForm):
    title = forms.CharField(label=_("名称"), max_length=200)
    site = forms.ModelChoiceField(
        label=_("所在点位"),
        queryset=Site.objects.order_by("name"),
        required=False,
        empty_label=_("（不在点位）"),
    )
    venue = forms.CharField(
        label=_("展出地点"),
        max_length=200,
        required=False,
        help_text=_("不在红色资源点位时填写，如市文化馆。"),
    )
    starts_on = forms.DateField(
        label=_("开展日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    ends_on = forms.DateField(
        label=_("闭展日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    description = forms.CharField(
        label=_("简介"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"] = unit_field(user, "unit.view", label=_("主办单位"), required=False)
        self.style()
