"""`get_FOO_display` without rebuilding the field's choices on every call.

Django's `Model._get_FIELD_display` makes a dict of the field's flattened choices each time it is
called, hashing every (lazy, so translated on hashing) label; a list of 50 tasks with four
choice fields each spends a quarter of its time there. `CachedChoiceDisplay` keeps that dict per
field, built once per process. The labels stay lazy, so each call still answers in the active
language.
"""

from functools import cache
from typing import Any

from django.utils.encoding import force_str
from django.utils.hashable import make_hashable


@cache
def _labels(field) -> dict[Any, Any]:
    return {make_hashable(value): label for value, label in field.flatchoices}


class CachedChoiceDisplay:
    """Mixin for models (before `models.Model`): the same answers as Django's, kept per field."""

    def _get_FIELD_display(self, field) -> str:  # noqa: N802 - Django's own hook name
        value = getattr(self, field.attname)
        try:
            label = _labels(field).get(make_hashable(value), value)
        except TypeError:  # an unhashable value Django would also show as it is
            label = value
        return force_str(label, strings_only=True)
