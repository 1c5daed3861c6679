"""Forms of the volunteer pages: parsing and normalising only; the services validate and save."""

from django import forms
from django.utils.translation import gettext_lazy as _

from luoshi.org.forms import StyledForm
from luoshi.org.models import Unit

from .access import managed_units, visible_volunteers
from .models import IdType, PoliticalStatus, PracticeUnit, Skill


def _skills_field() -> forms.ModelMultipleChoiceField:
    return forms.ModelMultipleChoiceField(
        queryset=Skill.objects.all(),
        label=_("技能特长"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class VolunteerForm(StyledForm):
    """Registering (oneself or, for a manager, anyone) and correcting a volunteer."""

    unit: forms.ModelChoiceField = forms.ModelChoiceField(queryset=None, label=_("注册单位"))
    real_name = forms.CharField(label=_("真实姓名"), max_length=50)
    phone = forms.CharField(label=_("手机号"), max_length=20, required=False)
    id_type = forms.ChoiceField(label=_("证件类型"), choices=IdType.choices)
    id_number = forms.CharField(label=_("证件号码"), max_length=30)
    political_status = forms.ChoiceField(
        label=_("政治面貌"), choices=PoliticalStatus.choices, initial=PoliticalStatus.MASSES
    )
    skills = _skills_field()
    areas = forms.CharField(label=_("服务区域"), max_length=200, required=False)
    availability = forms.CharField(
        label=_("可服务时间"),
        max_length=200,
        required=False,
        help_text=_("如：周末全天、工作日晚间"),
    )
    consent = forms.BooleanField(
        label=_("本人同意按《志愿服务记录与证明出具办法》记录、保存和使用本人的志愿服务信息"),
        required=False,
    )

    def __init__(self, *args, user, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        units = managed_units(user) | Unit.objects.alive().filter(
            pk__in=PracticeUnit.objects.values("unit_id")
        )
        units = units | Unit.objects.alive().filter(memberships__person=user)
        self.fields["unit"].queryset = units.distinct().order_by("path")  # type: ignore[attr-defined]
        if editing:
            del self.fields["unit"]
            del self.fields["consent"]
            self.fields["is_active"] = forms.BooleanField(
                label=_("在册"), required=False, initial=True
            )
            self.style()


class VolunteerFilterForm(forms.Form):
    unit = forms.IntegerField(required=False)
    skill = forms.ModelChoiceField(queryset=Skill.objects.all(), required=False)
    q = forms.CharField(required=False, max_length=50)


class TeamForm(StyledForm):
    unit: forms.ModelChoiceField = forms.ModelChoiceField(queryset=None, label=_("所属单位"))
    name = forms.CharField(label=_("名称"), max_length=100)
    description = forms.CharField(
        label=_("服务内容"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    leaders: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(
        queryset=None, label=_("队长"), required=False
    )
    members: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(
        queryset=None, label=_("队员"), required=False
    )
    is_active = forms.BooleanField(label=_("启用"), required=False, initial=True)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = managed_units(user).order_by("path")  # type: ignore[attr-defined]
        people = visible_volunteers(user).filter(is_active=True).order_by("masked_name")
        self.fields["leaders"].queryset = people  # type: ignore[attr-defined]
        self.fields["members"].queryset = people  # type: ignore[attr-defined]
        self.fields["leaders"].label_from_instance = _volunteer_label  # type: ignore[attr-defined]
        self.fields["members"].label_from_instance = _volunteer_label  # type: ignore[attr-defined]


def _volunteer_label(volunteer) -> str:
    return f"{volunteer.masked_name}（{volunteer.number}，{volunteer.unit.name}）"
