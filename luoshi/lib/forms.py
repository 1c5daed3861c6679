"""Form helpers shared by the apps' views."""

from django import forms
from django.core.exceptions import ValidationError


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
