"""The search form of the audit log page."""

from collections.abc import Sequence
from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import AuditEvent
from .selectors import EventFilter


class EventFilterForm(forms.Form):
    date_from = forms.DateField(
        label=_("起始日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    date_to = forms.DateField(
        label=_("截止日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    actor = forms.CharField(label=_("操作人"), required=False, max_length=50)
    action = forms.ChoiceField(
        label=_("操作"), required=False, choices=[("", _("全部操作")), *AuditEvent.Action.choices]
    )
    object_type = forms.ChoiceField(label=_("对象类型"), required=False)
    object_id = forms.CharField(label=_("对象编号"), required=False, max_length=40)
    ip = forms.GenericIPAddressField(label=_("IP 地址"), required=False)
    text = forms.CharField(label=_("关键词"), required=False, max_length=100)

    def __init__(self, *args, object_types: Sequence[tuple[str, str]] = (), **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["object_type"]).choices = [
            ("", _("全部类型")),
            *object_types,
        ]
        self.fields["actor"].widget.attrs["placeholder"] = _("姓名或拼音首字母")
        self.fields["text"].widget.attrs["placeholder"] = _("对象或说明中的文字")
        for field in self.fields.values():
            is_select = isinstance(field.widget, forms.Select)
            field.widget.attrs["class"] = (
                "form-select form-select-sm" if is_select else "form-control form-control-sm"
            )

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("截止日期不能早于起始日期。"))
        return data

    def describe(self) -> str:
        """The filters in use, in words, for the export's header and its audit record."""
        self.is_valid()
        parts = []
        for name, value in getattr(self, "cleaned_data", {}).items():
            if value in (None, ""):
                continue
            field = self.fields[name]
            shown = dict(field.choices).get(value, value) if hasattr(field, "choices") else value
            parts.append(f"{field.label}：{shown}")
        return "；".join(parts)

    def to_filter(self) -> EventFilter:
        """The filter of the fields that are valid (the others show their error and are ignored)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return EventFilter(**{key: value for key, value in data.items() if value not in (None, "")})
