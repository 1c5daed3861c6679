"""Forms of the ledger pages: parsing and normalising only; services validate and save."""

import re
from typing import Any

from django import forms
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from luoshi.campaigns.access import visible_campaigns, visible_tasks
from luoshi.campaigns.models import OPEN_STATES, Track
from luoshi.lib import forms as lib_forms
from luoshi.lib.forms import add_service_errors  # noqa: F401 (the views use it from here)
from luoshi.org.access import visible_people
from luoshi.org.forms import PERSON_PICKER, UNIT_PICKER, PickerSelect, StyledForm

from . import hooks
from .access import recordable_campaigns, recording_units
from .models import ActivityType, Category, FieldKind, VenueCategory

CHECKBOX_LIMIT = 150  # beyond this many people, participants are picked by search


def _kind_by_label() -> dict[str, str]:
    """Field kinds by their label in Chinese and in the reader's language, and by code."""
    kinds = {value: value for value in FieldKind.values}
    with translation.override("zh-hans"):
        kinds |= {str(label): value for value, label in FieldKind.choices}
    kinds |= {str(label): value for value, label in FieldKind.choices}
    return kinds


def fields_to_text(fields: list[dict[str, Any]]) -> str:
    """Field definitions as the editable lines "标识 | 名称 | 类型 | 必填 | 选项、选项"."""
    lines = []
    for item in fields:
        kind_label = dict(FieldKind.choices).get(item.get("kind", ""), item.get("kind", ""))
        parts = [item.get("key", ""), item.get("label", ""), str(kind_label)]
        parts.append(str(_("必填")) if item.get("required") else "")
        if item.get("choices"):
            parts.append("、".join(item["choices"]))
        lines.append(" | ".join(parts).rstrip(" |"))
    return "\n".join(lines)


def text_to_fields(text: str) -> list[dict[str, Any]]:
    """Parse the lines back; the service checks keys, kinds and choices."""
    fields = []
    kinds = _kind_by_label()
    required_words = {"必填", "是", "required", "1", "y", "yes", str(_("必填")).lower()}
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        parts = [part.strip() for part in re.split(r"[|｜]", line)]
        parts += [""] * (5 - len(parts))
        kind = kinds.get(parts[2], kinds.get(parts[2].lower(), parts[2]))
        fields.append(
            {
                "key": parts[0],
                "label": parts[1],
                "kind": kind,
                "required": parts[3].lower() in required_words,
                "choices": [c for c in re.split(r"[,，、]", parts[4]) if c.strip()],
            }
        )
    return fields


class ActivityTypeForm(StyledForm):
    name = forms.CharField(label=_("名称"), max_length=100)
    category = forms.ChoiceField(label=_("类别"), choices=Category.choices)
    campaign: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("计入专项行动"), queryset=None, required=False, empty_label=_("（不指定）")
    )
    track: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("计入方向"), queryset=None, required=False, empty_label=_("（不指定）")
    )
    takes_attendance = forms.BooleanField(label=_("记录参加人员"), required=False, initial=True)
    takes_checkin = forms.BooleanField(label=_("扫码签到（六位签到码）"), required=False)
    records_hours = forms.BooleanField(label=_("记录时长"), required=False)
    has_venue_category = forms.BooleanField(
        label=_("区分场所类别（牧区、社区、企业、校园、机关、其他）"), required=False
    )
    has_audience = forms.BooleanField(label=_("记录受众人数"), required=False)
    is_personal = forms.BooleanField(label=_("个人记录（如读书、心得体会）"), required=False)
    field_lines = forms.CharField(
        label=_("自定义字段"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "每行一个字段：标识 | 名称 | 类型 | 必填 | 选项。类型可填 文本、数字、日期、选项、人员、"
            "单位、文件；选项用顿号分隔。例如：book | 书名 | 文本 | 必填"
        ),
    )
    description = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    sort_order = forms.IntegerField(label=_("排序"), initial=0, min_value=0, max_value=32767)
    is_active = forms.BooleanField(label=_("启用"), required=False, initial=True)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        campaigns = visible_campaigns(user).order_by("-start_date")
        self.fields["campaign"].queryset = campaigns  # type: ignore[attr-defined]
        self.fields["track"].queryset = (  # type: ignore[attr-defined]
            Track.objects.filter(campaign__in=campaigns).select_related("campaign")
        )
        self.fields["track"].label_from_instance = (  # type: ignore[attr-defined]
            lambda track: f"{track.campaign.display_name} · {track.name}"
        )

    def clean_field_lines(self) -> list[dict[str, Any]]:
        return text_to_fields(self.cleaned_data.get("field_lines", ""))


def _extra_field(definition: dict[str, Any], user) -> forms.Field:
    label = definition["label"]
    kind = definition["kind"]
    # Required-ness and values are checked by the service (one place for the messages).
    match kind:
        case FieldKind.NUMBER:
            return forms.CharField(
                label=label, required=False, widget=forms.TextInput(attrs={"inputmode": "decimal"})
            )
        case FieldKind.DATE:
            return forms.CharField(
                label=label,
                required=False,
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            )
        case FieldKind.CHOICE:
            choices = [("", "—")] + [(c, c) for c in definition.get("choices", [])]
            return forms.CharField(
                label=label, required=False, widget=forms.Select(choices=choices)
            )
        case FieldKind.PERSON:
            people = visible_people(user).filter(is_active=True).order_by("pinyin")[:500]
            options = [("", "—")] + [(str(p.pk), p.name or p.username) for p in people]
            # searched as the user types: only the chosen person is rendered
            picker = PickerSelect(url=PERSON_PICKER, perm="person.view")
            picker.choices = options
            return forms.CharField(label=label, required=False, widget=picker)
        case FieldKind.UNIT:
            from luoshi.org.access import units_for_picker

            units = units_for_picker(user, "unit.view").order_by("path")[:500]
            options = [("", "—")] + [(str(u.pk), u.name) for u in units]
            picker = PickerSelect(url=UNIT_PICKER, perm="unit.view")
            picker.choices = options
            return forms.CharField(label=label, required=False, widget=picker)
        case FieldKind.FILE:
            return forms.FileField(label=label, required=False)
        case _:
            return forms.CharField(label=label, required=False, max_length=2000)


class ActivityForm(StyledForm):
    """The record form for one activity type: common parts by the type's switches, its own
    fields as x_<key>, participants as a checkbox list of the unit's people; the higher apps'
    record parts and participant sources (luoshi.ledgers.hooks) as they register them."""

    title = forms.CharField(label=_("活动名称"), max_length=200, required=False)
    unit: forms.ModelChoiceField = forms.ModelChoiceField(label=_("组织单位"), queryset=None)
    starts_at = forms.DateTimeField(
        label=_("开始时间"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    ends_at = forms.DateTimeField(
        label=_("结束时间"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    place = forms.CharField(label=_("地点"), max_length=200, required=False)
    venue_category = forms.ChoiceField(
        label=_("场所类别"), choices=[("", "—"), *VenueCategory.choices], required=False
    )
    audience = forms.IntegerField(label=_("受众人数"), required=False, min_value=0)
    hours = forms.DecimalField(
        label=_("时长（小时）"), required=False, min_value=0, max_digits=6, decimal_places=1
    )
    notes = forms.CharField(
        label=_("内容摘要"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    participants: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(
        label=_("参加人员"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    campaigns: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(
        label=_("计入专项行动"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("一次活动可同时计入多个正在开展的专项行动，无需重复登记。"),
    )
    evidence_task: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("作为佐证的任务"), queryset=None, required=False, empty_label=_("（不关联）")
    )

    def __init__(self, *args, user, activity_type: ActivityType, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.activity_type = activity_type
        units = recording_units(user).order_by("path")
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        reachable = visible_people(user, "ledger.record").filter(is_active=True)
        self.fields["participants"].queryset = reachable  # type: ignore[attr-defined]
        self.people = list(reachable.order_by("pinyin", "id")[: CHECKBOX_LIMIT + 1])
        self.use_picker = len(self.people) > CHECKBOX_LIMIT
        if self.use_picker:  # too many for a checkbox list: search by name or pinyin instead
            self.people = []
            self.fields["participants"].widget = PickerSelect(
                url=PERSON_PICKER, perm="ledger.record", multiple=True
            )
        self.fields["campaigns"].queryset = recordable_campaigns(user)  # type: ignore[attr-defined]
        # Tasks still being worked on (and the one already linked, when editing).
        current = self.initial.get("evidence_task")
        tasks = visible_tasks(user, units_only=True).filter(unit__in=units)
        open_or_linked = Q(state__in=OPEN_STATES) | Q(pk=current or 0)
        self.fields["evidence_task"].queryset = (  # type: ignore[attr-defined]
            tasks.filter(open_or_linked).order_by("-id")
            if not activity_type.is_personal
            else tasks.none()
        )
        if not activity_type.has_venue_category:
            del self.fields["venue_category"]
        self.parts = []
        for part in hooks.RECORD_PARTS:
            part_field = part.form_field(activity_type)
            if part_field is not None:
                self.fields[part.name] = part_field
                self.parts.append(part)
        if not activity_type.has_audience:
            del self.fields["audience"]
        if not activity_type.records_hours:
            del self.fields["hours"]
        if not activity_type.takes_attendance or editing:
            del self.fields["participants"]
        self.sources = []
        if "participants" in self.fields and not activity_type.is_personal:
            for source in hooks.PARTICIPANT_SOURCES:
                source_field = source.form_field(user, units)
                if source_field is not None:
                    self.fields[source.name] = source_field
                    self.sources.append(source)
        if activity_type.is_personal:
            self.fields["title"].label = _("标题（可不填，默认为类型名称）")
            if "participants" in self.fields:
                self.fields["participants"].label = _("本人")
        marked = [] if activity_type.is_personal else ["title"]
        if activity_type.has_venue_category:
            marked.append("venue_category")
        for definition in activity_type.fields:
            name = f"x_{definition['key']}"
            self.fields[name] = _extra_field(definition, user)
            if definition.get("required"):
                marked.append(name)
        for name in marked:
            self.fields[name].required_mark = True  # type: ignore[attr-defined]
        extra = [f"x_{definition['key']}" for definition in activity_type.fields]
        order = ["title", "unit", "starts_at", "ends_at", "place", "venue_category", "audience"]
        order += ["hours", *extra, "participants", "notes", "campaigns", "evidence_task"]
        for part in self.parts:
            order.insert(order.index(part.after) + 1 if part.after in order else 0, part.name)
        sources = [source.name for source in self.sources]
        order[order.index("participants") + 1 : order.index("participants") + 1] = sources
        self.order_fields(order)
        self.style()
        if "participants" in self.fields and not self.use_picker:
            self.fields["participants"].widget.attrs["class"] = "form-check-input"
        self.fields["campaigns"].widget.attrs["class"] = "form-check-input"
        for name in sources:
            if isinstance(self.fields[name].widget, forms.CheckboxSelectMultiple):
                self.fields[name].widget.attrs["class"] = "form-check-input"

    def chosen_participants(self, user) -> list[Any]:
        """The people ticked one by one and those of the participant sources chosen (the study
        groups' members), once each."""
        people = {person.pk: person for person in self.cleaned_data.get("participants") or []}
        for source in self.sources:
            value = self.cleaned_data.get(source.name)
            if value:
                people.update((person.pk, person) for person in source.people(user, value))
        return list(people.values())

    def part_values(self) -> dict[str, Any]:
        """The record parts shown on the form, by name (for the services' `parts`)."""
        return {part.name: self.cleaned_data.get(part.name) for part in self.parts}

    def people_rows(self) -> list[tuple[Any, bool]]:
        """The participant checkboxes: (person, checked), for the name/pinyin filter."""
        if "participants" not in self.fields:
            return []
        chosen = {str(value) for value in (self["participants"].value() or [])}
        return [(person, str(person.pk) in chosen) for person in self.people]

    def extra_values(self) -> dict[str, Any]:
        return {
            definition["key"]: self.cleaned_data.get(f"x_{definition['key']}")
            for definition in self.activity_type.fields
            if definition["kind"] != FieldKind.FILE
        }

    def extra_files(self) -> dict[str, Any]:
        return {
            definition["key"]: self.files.get(f"x_{definition['key']}")
            for definition in self.activity_type.fields
            if definition["kind"] == FieldKind.FILE and self.files.get(f"x_{definition['key']}")
        }


class CheckinForm(lib_forms.CleanInputsForm):
    code = forms.CharField(
        label=_("签到码"),
        max_length=6,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "pattern": "[0-9]{6}",
                "class": "form-control form-control-lg text-center fs-2",
                "placeholder": "000000",
            }
        ),
    )


class ParticipantsForm(lib_forms.CleanInputsForm):
    participants: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(
        label=_("参加人员"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        reachable = visible_people(user, "ledger.record").filter(is_active=True)
        field = self.fields["participants"]
        field.queryset = reachable.order_by("pinyin", "id")  # type: ignore[attr-defined]
        self.use_picker = reachable[: CHECKBOX_LIMIT + 1].count() > CHECKBOX_LIMIT
        if self.use_picker:
            field.widget = PickerSelect(url=PERSON_PICKER, perm="ledger.record", multiple=True)
            field.widget.attrs["class"] = "form-select"
