"""Form helpers shared by the apps' views."""

import datetime
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError

from .params import INT_MAX, DateRange, date_error, int_error, range_pairs
from .text import clean_text


def add_service_errors(
    form: forms.BaseForm,
    error: ValidationError,
    *,
    aliases: dict[str, str] | None = None,
    default_field: str | None = None,
) -> None:
    """Put a service's ValidationError on the form: at the fields it names (through `aliases`
    where the service's name differs from the form's), else at `default_field` or above the
    form. The services hold the messages; the form only shows them."""
    if not hasattr(error, "error_dict"):
        form.add_error(default_field, error.messages)
        return
    for name, messages in error.message_dict.items():
        name = (aliases or {}).get(name, name)
        form.add_error(name if name in form.fields else default_field, messages)


class CleanInputsMixin:
    """Every text of the form normalised and checked by lib.text.clean_text before the form's own
    `clean_<field>` methods see it, and every date bounded and every range ordered
    (lib.params), with the field's label in the message.

    Put it first among a form's bases (or in the project's base forms); it applies to fields
    added in `__init__` too, since it takes hold when the form is cleaned. Password inputs are
    left as typed: a password is compared, never shown.
    """

    fields: dict[str, forms.Field]

    def full_clean(self) -> None:
        for field in self.fields.values():
            if not getattr(field, "_inputs_checked", False):
                _check_field(field)
        super().full_clean()  # type: ignore[misc]

    def _post_clean(self) -> None:
        cleaned = getattr(self, "cleaned_data", {})
        for start, end in range_pairs(list(self.fields)):
            first, last = cleaned.get(start), cleaned.get(end)
            if not isinstance(first, datetime.date) or not isinstance(last, datetime.date):
                continue
            if message := DateRange(first, last).error():
                label = self.fields[end].label or end
                form = cast(forms.BaseForm, self)
                form.add_error(end, f"{label}：{message}")
        super()._post_clean()  # type: ignore[misc]


def _check_field(field: forms.Field) -> None:
    """Wrap `field.clean` (of this form's copy of the field) with the checks above."""
    field._inputs_checked = True  # type: ignore[attr-defined]
    if isinstance(field, forms.CharField) and not isinstance(field.widget, forms.PasswordInput):
        multiline = isinstance(field.widget, forms.Textarea)
        clean_field = field.clean

        def labelled(error: ValidationError) -> ValidationError:
            return ValidationError(f"{field.label or ''}：{error.messages[0]}".lstrip("："))

        def clean_text_field(value: Any) -> Any:
            if isinstance(value, str) and "\x00" in value:
                # before Django's own null-character check, whose Chinese reads "不允许是用空字符串"
                try:
                    clean_text(value, multiline=multiline)
                except ValidationError as error:
                    raise labelled(error) from None
            value = clean_field(value)
            if not isinstance(value, str):
                return value
            try:
                text = clean_text(value, multiline=multiline)
            except ValidationError as error:
                raise labelled(error) from None
            if field.required and not text:
                raise ValidationError(field.error_messages["required"], code="required")
            return text

        field.clean = clean_text_field  # type: ignore[method-assign]
    elif isinstance(field, forms.DateField | forms.DateTimeField):
        clean_date_field = field.clean

        def bounded_date_field(value: Any) -> Any:
            value = clean_date_field(value)
            if isinstance(value, datetime.date) and (message := date_error(value)):
                raise ValidationError(f"{field.label or ''}：{message}".lstrip("："))
            return value

        field.clean = bounded_date_field  # type: ignore[method-assign]
    elif isinstance(field, forms.IntegerField):
        clean_int_field = field.clean

        def bounded_int_field(value: Any) -> Any:
            value = clean_int_field(value)
            if isinstance(value, int) and (message := int_error(value)):
                raise ValidationError(f"{field.label or ''}：{message}".lstrip("："))
            return value

        field.clean = bounded_int_field  # type: ignore[method-assign]
    elif isinstance(field, forms.ModelChoiceField):
        clean_choice_field = field.clean

        def bounded_choice_field(value: Any) -> Any:
            # A database refuses (OverflowError) to look up a key too large for its integers.
            chosen = value if isinstance(value, list | tuple) else [value]
            for item in chosen:
                if isinstance(item, str) and item.isdigit() and int(item) > INT_MAX:
                    raise ValidationError(
                        field.error_messages["invalid_choice"],
                        code="invalid_choice",
                        params={"value": item},
                    )
            return clean_choice_field(value)

        field.clean = bounded_choice_field  # type: ignore[method-assign]


class CleanInputsForm(CleanInputsMixin, forms.Form):
    """A plain form with the checks of CleanInputsMixin."""
