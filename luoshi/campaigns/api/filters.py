"""The API's list filters read by the pages' own filter forms, so that a list endpoint and its
page narrow the same way (the same selector and filter dataclass)."""

from typing import Any, Protocol

from .. import forms as f


class FilterForm(Protocol):
    def is_valid(self) -> bool: ...

    def to_filter(self) -> Any: ...


def read_filters(form: FilterForm) -> Any:
    """The form's filter dataclass; a bad value is a 422 naming its field, as on the page the
    form says why."""
    if not form.is_valid():
        raise f.form_errors(form)  # type: ignore[arg-type]
    return form.to_filter()


def form_data(values: dict[str, Any]) -> dict[str, str]:
    """A filter schema's values as the query string a page would send (unset ones left out)."""
    data = {}
    for name, value in values.items():
        if value is None or value == "" or value is False:
            continue
        data[name] = "on" if value is True else str(value)
    return data
