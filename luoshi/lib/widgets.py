"""Form widgets shared by the apps: the browser's own date and time pickers.

They read and write ISO values whatever the page's language (Django would otherwise render the
locale's first input format, e.g. 2026/11/26 in Chinese, which a date input shows as empty)."""

from django import forms


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")
