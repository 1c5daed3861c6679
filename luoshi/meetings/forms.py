"""Forms of the meeting pages: validation and normalisation only; services do the rest."""

from django import forms
from django.utils.translation import gettext_lazy as _

from luoshi.ledgers.access import recordable_campaigns, recording_units
from luoshi.ledgers.models import ActivityType, Category
from luoshi.lib.widgets import DateInput
from luoshi.org.access import visible_people
from luoshi.org.forms import PERSON_PICKER, PickerSelect, StyledForm, person_field, unit_field

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def meeting_types():
    return ActivityType.objects.filter(category=Category.MEETING, is_active=True).order_by(
        "sort_order", "id"
    )


class MeetingForm(StyledForm):
    type: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("会议类型"), queryset=None, empty_label=None
    )
    title = forms.CharField(label=_("会议名称"), max_length=200)
    unit: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("组织单位"), queryset=None, empty_label=None
    )
    starts_at = forms.DateTimeField(label=_("开始时间"), widget=DATETIME)
    ends_at = forms.DateTimeField(label=_("结束时间"), widget=DATETIME, required=False)
    place = forms.CharField(label=_("地点"), max_length=200, required=False)
    campaign: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("专项行动"),
        queryset=None,
        required=False,
        empty_label=_("（不关联）"),
        help_text=_("议定事项作为该专项行动的督办事项下发；议程可按其红色、黄色预警任务生成。"),
    )
    agenda = forms.CharField(
        label=_("会议议程"), widget=forms.Textarea(attrs={"rows": 8}), required=False
    )
    minutes = forms.CharField(
        label=_("会议纪要"), widget=forms.Textarea(attrs={"rows": 8}), required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].queryset = meeting_types()  # type: ignore[attr-defined]
        self.fields["unit"].queryset = recording_units(user).order_by("path")  # type: ignore[attr-defined]
        self.fields["campaign"].queryset = recordable_campaigns(user)  # type: ignore[attr-defined]
        self.fields["participants"] = forms.ModelMultipleChoiceField(
            label=_("参会人员"),
            queryset=visible_people(user, "ledger.record").filter(is_active=True),
            required=False,
            widget=PickerSelect(url=PERSON_PICKER, perm="ledger.record", multiple=True),
        )
        self.order_fields(
            ["type", "title", "unit", "starts_at", "ends_at", "place", "participants", "campaign"]
        )
        self.style()


class MinutesForm(StyledForm):
    campaign: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("专项行动"), queryset=None, required=False, empty_label=_("（不关联）")
    )
    agenda = forms.CharField(
        label=_("会议议程"), widget=forms.Textarea(attrs={"rows": 8}), required=False
    )
    minutes = forms.CharField(
        label=_("会议纪要"), widget=forms.Textarea(attrs={"rows": 10}), required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = recordable_campaigns(user)  # type: ignore[attr-defined]
        self.style()


class DecisionForm(StyledForm):
    text = forms.CharField(label=_("议定事项"), widget=forms.Textarea(attrs={"rows": 2}))
    deadline = forms.DateField(label=_("完成时限"), widget=DateInput)

    def __init__(self, *args, user, perm: str = "task.issue", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"] = unit_field(user, perm, label=_("责任单位"))
        self.fields["owner"] = person_field(user, "person.view", label=_("责任人"))
        self.order_fields(["text", "unit", "owner", "deadline"])
        self.style()
