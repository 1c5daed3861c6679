"""Forms of the media pages: parsing and normalising only; services validate and save."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from luoshi.ledgers.access import recording_units
from luoshi.org.access import units_with_any_perm, visible_people
from luoshi.org.forms import PERSON_PICKER, PickerSelect, StyledForm

from .access import TARGET_PERMS
from .models import Channel, Level, PeriodKind
from .selectors import media_types


class ChannelForm(StyledForm):
    name = forms.CharField(label=_("名称"), max_length=50)
    sort_order = forms.IntegerField(label=_("排序"), initial=0, min_value=0, max_value=32767)
    is_active = forms.BooleanField(label=_("启用"), required=False, initial=True)


class PublicationForm(StyledForm):
    """Record a published piece: the ledger's common parts plus channel, level, link, views."""

    title = forms.CharField(label=_("稿件标题"), max_length=200)
    activity_type: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("活动类型"), queryset=None, empty_label=None
    )
    unit: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("组织单位"), queryset=None, empty_label=None
    )
    published_on = forms.DateField(
        label=_("刊播日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    channel: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("渠道"), queryset=Channel.objects.filter(is_active=True), empty_label=None
    )
    level = forms.ChoiceField(label=_("级别"), choices=Level.choices)
    authors: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(
        label=_("作者"),
        queryset=None,
        widget=PickerSelect(url=PERSON_PICKER, perm="ledger.record", multiple=True),
    )
    link = forms.CharField(label=_("链接"), max_length=500, required=False)
    views = forms.IntegerField(label=_("阅读（播放）量"), min_value=0, required=False)
    notes = forms.CharField(
        label=_("内容摘要"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        types = media_types()
        self.fields["activity_type"].queryset = types  # type: ignore[attr-defined]
        only = list(types[:2])
        if len(only) == 1:
            # one media type: not asked, but sent (a hidden field without a value came back
            # empty and the form was refused with nothing to show for it)
            self.fields["activity_type"].widget = forms.HiddenInput()
            self.initial.setdefault("activity_type", only[0].pk)
        self.fields["unit"].queryset = recording_units(user).order_by("path")  # type: ignore[attr-defined]
        self.fields["authors"].queryset = visible_people(user, "ledger.record").filter(  # type: ignore[attr-defined]
            is_active=True
        )
        self.initial.setdefault("published_on", timezone.localdate())
        self.style()


class PublicationEditForm(StyledForm):
    channel: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("渠道"), queryset=Channel.objects.all(), empty_label=None
    )
    level = forms.ChoiceField(label=_("级别"), choices=Level.choices)
    link = forms.CharField(label=_("链接"), max_length=500, required=False)
    views = forms.IntegerField(label=_("阅读（播放）量"), min_value=0, required=False)


class JournalistTargetForm(StyledForm):
    """Set one journalist's target; the period is a month (2026-11) or a quarter's first month."""

    unit: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("单位"), queryset=None, empty_label=None
    )
    person: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("记者"),
        queryset=None,
        widget=PickerSelect(url=PERSON_PICKER, perm="ledger.view"),
    )
    period_kind = forms.ChoiceField(label=_("周期"), choices=PeriodKind.choices)
    period_start = forms.DateField(
        label=_("所在月份"),
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
        input_formats=["%Y-%m", "%Y-%m-%d"],
        help_text=_("季度任务量选该季度内任一月份。"),
    )
    level = forms.ChoiceField(
        label=_("级别"), choices=[("", _("不分级别（总量）")), *Level.choices], required=False
    )
    count = forms.IntegerField(label=_("任务量（篇）"), min_value=0)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units_with_any_perm(user, *TARGET_PERMS).order_by("path")  # type: ignore[attr-defined]
        self.fields["person"].queryset = visible_people(user).filter(is_active=True)  # type: ignore[attr-defined]
        self.style()
