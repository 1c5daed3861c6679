"""Forms of the study pages: parsing and normalising only; services validate and save."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from luoshi.ledgers.models import ActivityType
from luoshi.lib.widgets import DateInput
from luoshi.org.access import visible_people
from luoshi.org.forms import PERSON_PICKER, PickerSelect, StyledForm

from .access import group_units, visible_groups
from .models import Reading


def group_picker(user, units) -> forms.ModelMultipleChoiceField | None:
    """The ledger record form's 整组添加学习小组 (the participant source "study_groups"): the
    groups of the units `user` records for that they see; None when there are none."""
    groups = visible_groups(user).filter(unit__in=units)
    if not groups.exists():
        return None
    return forms.ModelMultipleChoiceField(
        label=_("整组添加学习小组"),
        queryset=groups,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("所选学习小组的成员全部计入参加人员，可与上面逐个勾选的人员合并。"),
    )


def _people_field(user, label) -> forms.ModelMultipleChoiceField:
    return forms.ModelMultipleChoiceField(
        queryset=visible_people(user).filter(is_active=True),
        label=label,
        required=False,
        widget=PickerSelect(url=PERSON_PICKER, perm="person.view", multiple=True),
    )


class GroupForm(StyledForm):
    unit: forms.ModelChoiceField = forms.ModelChoiceField(
        queryset=None, label=_("所属单位"), empty_label=_("请选择单位")
    )
    name = forms.CharField(label=_("名称"), max_length=100, initial=_("马克思主义学习小组"))
    description = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = group_units(user).order_by("path")  # type: ignore[attr-defined]
        self.fields["leaders"] = _people_field(user, _("组长"))
        self.fields["members"] = _people_field(user, _("成员"))
        self.style()


class ReadingForm(StyledForm):
    title = forms.CharField(label=_("书名"), max_length=200)
    author = forms.CharField(label=_("作者"), max_length=100, required=False)
    note = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    sort_order = forms.IntegerField(label=_("排序"), min_value=0, max_value=32767, required=False)


class SettingsForm(StyledForm):
    reading_type = forms.ModelChoiceField(
        queryset=ActivityType.objects.filter(is_personal=True).order_by("sort_order", "id"),
        label=_("读书记录的活动类型"),
        required=False,
    )
    essay_type = forms.ModelChoiceField(
        queryset=ActivityType.objects.filter(is_personal=True).order_by("sort_order", "id"),
        label=_("心得体会的活动类型"),
        required=False,
    )


class BookForm(StyledForm):
    reading = forms.ModelChoiceField(
        queryset=Reading.objects.none(),
        label=_("指定读本"),
        required=False,
        empty_label=_("（不是指定读本，在下面填写书名）"),
    )
    title = forms.CharField(label=_("书名"), max_length=200, required=False)
    author = forms.CharField(label=_("作者"), max_length=100, required=False)
    finished_on = forms.DateField(label=_("读完日期"), widget=DateInput)
    notes = forms.CharField(
        label=_("读书笔记"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, campaign, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("finished_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.fields["reading"].queryset = Reading.objects.filter(  # type: ignore[attr-defined]
            campaign=campaign
        ).order_by("sort_order", "id")


class EssayForm(StyledForm):
    title = forms.CharField(label=_("题目"), max_length=200)
    written_on = forms.DateField(label=_("撰写日期"), widget=DateInput)
    text = forms.CharField(
        label=_("正文"), required=False, widget=forms.Textarea(attrs={"rows": 8})
    )
    manuscript = forms.FileField(label=_("文稿（Word 或 PDF，可不传）"), required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("written_on", timezone.localdate())
        super().__init__(*args, **kwargs)
