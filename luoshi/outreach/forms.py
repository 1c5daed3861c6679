"""Forms of the outreach pages: parsing and normalising only; services validate and save."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from luoshi.ledgers.access import recording_units
from luoshi.ledgers.models import VenueCategory
from luoshi.lib.widgets import DateTimeInput
from luoshi.org.access import units_for_picker, units_with_any_perm, visible_people
from luoshi.org.forms import PERSON_PICKER, PickerSelect, StyledForm

from .access import TEAM_PERMS, lecture_types, visible_lecture_targets, visible_teams
from .services import TARGET_CATEGORIES


def _people(user, label, *, required: bool = False) -> forms.ModelMultipleChoiceField:
    return forms.ModelMultipleChoiceField(
        queryset=visible_people(user).filter(is_active=True),
        label=label,
        required=required,
        widget=PickerSelect(url=PERSON_PICKER, perm="person.view", multiple=True),
    )


class TeamForm(StyledForm):
    unit: forms.ModelChoiceField = forms.ModelChoiceField(queryset=None, label=_("牵头单位"))
    name = forms.CharField(label=_("名称"), max_length=100, initial=_("挎包宣讲队"))
    description = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    is_active = forms.BooleanField(label=_("启用"), required=False, initial=True)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units_with_any_perm(user, *TEAM_PERMS).order_by("path")  # type: ignore[attr-defined]
        people = visible_people(user).filter(is_active=True)
        self.fields["leader"] = forms.ModelChoiceField(
            queryset=people,
            label=_("队长"),
            required=False,
            widget=PickerSelect(url=PERSON_PICKER, perm="person.view"),
        )
        self.fields["members"] = _people(user, _("队员"))
        self.style()


def _category_choices():
    return [(c.value, c.label) for c in VenueCategory if c in TARGET_CATEGORIES] + [
        (c.value, c.label) for c in VenueCategory if c not in TARGET_CATEGORIES
    ]


class LectureTargetForm(StyledForm):
    name = forms.CharField(label=_("名称"), max_length=200)
    venue_category = forms.ChoiceField(label=_("场所类别"), choices=_category_choices)
    unit: forms.ModelChoiceField = forms.ModelChoiceField(queryset=None, label=_("所属单位"))
    note = forms.CharField(label=_("说明"), required=False)
    sort_order = forms.IntegerField(label=_("排序"), min_value=0, max_value=32767, initial=0)
    is_active = forms.BooleanField(label=_("启用"), required=False, initial=True)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units_for_picker(  # type: ignore[attr-defined]
            user, "ledger.configure"
        ).order_by("path")


class LectureForm(StyledForm):
    """挎包宣讲 in a minute on a phone: team, target, time, topic, audience."""

    type: forms.ModelChoiceField = forms.ModelChoiceField(
        queryset=None, label=_("活动类型"), empty_label=None
    )
    team: forms.ModelChoiceField = forms.ModelChoiceField(
        queryset=None, label=_("宣讲队"), required=False, empty_label=_("（不指定）")
    )
    target: forms.ModelChoiceField = forms.ModelChoiceField(
        queryset=None, label=_("覆盖点"), required=False, empty_label=_("（其他地点，下面填写）")
    )
    place = forms.CharField(label=_("地点"), max_length=200, required=False)
    venue_category = forms.ChoiceField(
        label=_("场所类别（未选覆盖点时）"),
        choices=[("", "—"), *VenueCategory.choices],
        required=False,
    )
    starts_at = forms.DateTimeField(label=_("时间"), widget=DateTimeInput)
    topic = forms.CharField(label=_("宣讲主题"), max_length=200)
    audience = forms.IntegerField(label=_("受众人数"), min_value=0, required=False)
    materials = forms.IntegerField(label=_("发放资料（份）"), min_value=0, required=False)
    unit: forms.ModelChoiceField = forms.ModelChoiceField(queryset=None, label=_("组织单位"))
    notes = forms.CharField(
        label=_("内容摘要"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, user, **kwargs):
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("starts_at", timezone.localtime().replace(second=0, microsecond=0))
        super().__init__(*args, **kwargs)
        self.fields["type"].queryset = lecture_types()  # type: ignore[attr-defined]
        self.fields["team"].queryset = visible_teams(user).filter(is_active=True)  # type: ignore[attr-defined]
        self.fields["target"].queryset = (  # type: ignore[attr-defined]
            visible_lecture_targets(user)
            .filter(is_active=True)
            .order_by("venue_category", "sort_order")
        )
        self.fields["target"].label_from_instance = lambda t: (  # type: ignore[attr-defined]
            f"{t.get_venue_category_display()} · {t.name}"
        )
        self.fields["participants"] = forms.ModelMultipleChoiceField(
            queryset=visible_people(user, "ledger.record").filter(is_active=True),
            label=_("宣讲人员（不选则为宣讲队中您可登记的队员）"),
            required=False,
            widget=PickerSelect(url=PERSON_PICKER, perm="ledger.record", multiple=True),
        )
        self.style()
        units = recording_units(user).order_by("path")
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        if "unit" not in initial and units.exists():
            self.initial["unit"] = units.first().pk  # type: ignore[union-attr]
