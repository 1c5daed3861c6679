"""Forms of the briefing pages: validation and normalisation only; services do the rest."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from luoshi.ledgers.models import ActivityType
from luoshi.lib.forms import add_service_errors  # noqa: F401 (the views use it from here)
from luoshi.org.forms import StyledForm, unit_field

from .models import BriefingSection, BriefingTemplate, Metric, Rounding
from .selectors import active_templates

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class BriefingForm(StyledForm):
    """Which briefing to write: template, unit (in the reader's scope) and period."""

    template = forms.ModelChoiceField(
        queryset=active_templates(), label=_("简报模板"), empty_label=None
    )
    date_from = forms.DateField(label=_("开始日期"), widget=DATE)
    date_to = forms.DateField(label=_("截止日期"), widget=DATE)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = active_templates()
        self.fields["unit"] = unit_field(user, "ledger.view", label=_("单位（含下级）"))
        self.order_fields(["template", "unit", "date_from", "date_to"])
        self.style()

    def clean(self):
        data = super().clean()
        date_from, date_to = data.get("date_from"), data.get("date_to")
        if date_from and date_to and date_to < date_from:
            self.add_error("date_to", _("截止日期不能早于开始日期。"))
        return data


def default_period(today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    """From the first day of the year to today."""
    today = today or timezone.localdate()
    return today.replace(month=1, day=1), today


class TemplateForm(StyledForm):
    name = forms.CharField(label=_("模板名称"), max_length=100)
    kind = forms.ChoiceField(
        label=_("类别"),
        choices=BriefingTemplate.Kind.choices,
        help_text=_("单位简报只写所选单位（含下级）；汇总简报每个一级部分写一个固定单位。"),
    )
    title = forms.CharField(
        label=_("标题"), max_length=200, help_text=_("可用 {unit} 表示所选单位名称。")
    )
    intro = forms.CharField(
        label=_("导语"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    signature = forms.CharField(
        label=_("落款单位"),
        max_length=100,
        required=False,
        help_text=_("不填则落款为所选单位。"),
    )
    is_active = forms.BooleanField(label=_("启用"), required=False, initial=True)


class SectionForm(StyledForm):
    level = forms.TypedChoiceField(
        label=_("层级"), choices=BriefingSection.Level.choices, coerce=int
    )
    heading = forms.CharField(
        label=_("标题"),
        max_length=200,
        required=False,
        help_text=_("不含序号，序号（一、（一））自动编排；可用 {unit}。"),
    )
    intro = forms.CharField(
        label=_("开头语"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("写在各句数字之前。"),
    )
    empty_text = forms.CharField(
        label=_("无数据时的写法"),
        max_length=200,
        required=False,
        help_text=_("各句都没有数字时写这句话，如“本期暂未开展”；不填则略去本部分。"),
    )
    order = forms.IntegerField(label=_("顺序"), min_value=0, max_value=32000, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"] = unit_field(
            user,
            "ledger.configure",
            label=_("固定单位"),
            required=False,
            help_text=_(
                "汇总简报的一级部分必填；不填：一级部分写所选单位，二级部分随所属一级部分。"
            ),
        )
        self.order_fields(["level", "heading", "intro", "unit", "empty_text", "order"])
        self.style()


class LineForm(StyledForm):
    metric = forms.ChoiceField(label=_("统计内容"), choices=Metric.choices)
    activity_type = forms.ModelChoiceField(
        queryset=ActivityType.objects.order_by("sort_order", "id"),
        label=_("活动类型"),
        required=False,
        empty_label=_("全部类型"),
    )
    field_key = forms.CharField(
        label=_("筛选字段"),
        max_length=30,
        required=False,
        help_text=_("活动类型自定义字段的标识，如 designated；不填则不筛选。"),
    )
    field_value = forms.CharField(label=_("筛选取值"), max_length=200, required=False)
    distinct_key = forms.CharField(
        label=_("计数字段"),
        max_length=30,
        required=False,
        help_text=_("仅“字段不同取值数”使用，如书名 book。"),
    )
    pattern = forms.CharField(
        label=_("句式"),
        max_length=500,
        strip=False,
        help_text=_(
            "用 {n} 表示数字，{places} 表示列出的地点或名称，例如“共计开展学习会{n}次，”。"
        ),
    )
    rounding = forms.ChoiceField(label=_("数字写法"), choices=Rounding.choices)
    empty_text = forms.CharField(
        label=_("为零时的写法"),
        max_length=200,
        required=False,
        help_text=_("数字为零时写这句话；不填则略去本句。"),
    )
    order = forms.IntegerField(label=_("顺序"), min_value=0, max_value=32000, required=False)
