"""Forms of the rectification pages: validation and normalisation only; services do the rest."""

from django import forms
from django.utils.translation import gettext_lazy as _

from luoshi.lib.widgets import DateInput
from luoshi.org.access import visible_people
from luoshi.org.forms import PERSON_PICKER, PickerSelect, StyledForm, person_field, unit_field

from .access import finding_campaigns, managed_campaigns, visible_task_forces
from .selectors import RESULTS, VENUE_KINDS


def _campaign_field(user, queryset=None) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label=_("专项行动"),
        queryset=managed_campaigns(user) if queryset is None else queryset,
        empty_label=None,
    )


class TaskForceForm(StyledForm):
    campaign: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("专项行动"), queryset=None, empty_label=None
    )
    name = forms.CharField(label=_("攻坚组名称"), max_length=100)
    description = forms.CharField(
        label=_("职责"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"] = _campaign_field(user)
        self.fields["lead"] = person_field(user, "person.view", label=_("组长"))
        self.fields["members"] = forms.ModelMultipleChoiceField(
            label=_("成员（可来自多个单位）"),
            queryset=visible_people(user).filter(is_active=True),
            required=False,
            widget=PickerSelect(url=PERSON_PICKER, perm="person.view", multiple=True),
        )
        self.order_fields(["campaign", "name", "lead", "members", "description"])
        self.style()


class ProblemForm(StyledForm):
    title = forms.CharField(label=_("问题"), max_length=200)
    description = forms.CharField(
        label=_("问题表现及整改要求"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    source = forms.CharField(
        label=_("问题来源"),
        max_length=100,
        required=False,
        help_text=_("例如：专项行动查摆、督查反馈、群众反映"),
    )
    deadline = forms.DateField(label=_("整改时限"), widget=DateInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"] = _campaign_field(user)
        self.fields["unit"] = unit_field(user, "task.issue", label=_("责任单位"))
        self.fields["task_force"] = forms.ModelChoiceField(
            label=_("项目攻坚组"),
            queryset=visible_task_forces(user).filter(
                campaign__in=managed_campaigns(user).values("id")
            ),
            required=False,
            empty_label=_("（不设攻坚组）"),
        )
        self.order_fields(
            ["campaign", "title", "description", "source", "unit", "task_force", "deadline"]
        )
        self.style()


class FindingForm(StyledForm):
    description = forms.CharField(label=_("发现问题"), widget=forms.Textarea(attrs={"rows": 3}))
    deadline = forms.DateField(label=_("整改时限"), widget=DateInput)

    def __init__(self, *args, user, perm: str = "task.issue", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"] = _campaign_field(user, finding_campaigns(user, perm))
        self.fields["unit"] = unit_field(user, perm, label=_("责任单位"))
        self.order_fields(["description", "unit", "deadline", "campaign"])
        self.style()


VENUE_KIND_CHOICES = [("", _("全部")), *[(kind, kind) for kind in VENUE_KINDS]]
RESULT_CHOICES = [("", _("全部")), *[(result, result) for result in RESULTS]]
