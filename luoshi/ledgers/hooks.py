"""Hook points of the ledger record: the parts of a record that higher apps own.

The ledger stands below the domain apps and imports none of them. An app that adds something to
every record registers it here from its AppConfig.ready() (as luoshi.org.services.UNIT_MOVED_HOOKS,
which the ledger itself registers with):

- `RECORD_PARTS`: a value kept with a record by the app that owns it — luoshi.heritage registers
  the heritage site an activity was held at (its `SiteVisit`, one to one on the activity). The
  record form shows the part's field after `after`; `services.record_activity` and
  `update_activity` take it in `parts={name: value}`, check it with the record's own fields and
  save it in the same transaction; the list filters on it by id (GET `?<name>=`, the
  `ActivityFilter.parts`); the API reads it as `<name>` and writes it as `<name>_id`.
- `PARTICIPANT_SOURCES`: a way to add several participants at once on the record form —
  luoshi.study registers its study groups (整组添加学习小组): the members of the groups chosen join
  the people ticked one by one.

- `RECORDERS`: who else may record an activity of a unit, beside the ledger's own scopes —
  luoshi.volunteering lets the leaders (队长) of a unit's volunteer team record the team's
  volunteer activities of that unit (its publishing service checks the team). A recorder
  admitted by a hook records activities without participants; the record form's units stay
  those of the ledger's own scopes.

With nothing registered the record form, the services and the API work without the parts.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django import forms
    from django.db.models import Q, QuerySet

    from luoshi.accounts.models import User
    from luoshi.org.models import Unit

    from .models import Activity, ActivityType


@dataclass(frozen=True)
class RecordPart:
    """A value of a record kept by a higher app (see the module docstring)."""

    name: str
    after: str  # the record form's field it follows
    # The form field for a record of this type, or None when the type has no such part.
    form_field: "Callable[[ActivityType], forms.Field | None]"
    # The record's current value (None: none); `related` is what select_related needs for it.
    current: "Callable[[Activity], Any]"
    related: str
    # An id from the API → the value; raises ValidationError({name: …}) when there is none.
    lookup: Callable[[int], Any]
    # (value, current value) → the Chinese message refusing it, "" when it may be saved.
    check: Callable[[Any, Any], str]
    # Keep the value (None: remove it) for a saved record, inside the record's transaction;
    # returns the audit changes ({field: [before, after]}, empty when nothing changed).
    save: "Callable[[Activity, Any], dict[str, list[Any]]]"
    # The place a record takes when none is given (the site's name), "" for none.
    default_place: Callable[[Any], str]
    # The records with this value, by id (the list filter).
    held_at: "Callable[[int], Q]"


@dataclass(frozen=True)
class ParticipantSource:
    """A way to pick several participants at once on the record form."""

    name: str
    # The form field for the units `user` records for, or None when there is nothing to pick.
    form_field: "Callable[[User, QuerySet[Unit]], forms.Field | None]"
    # The people the cleaned value stands for, within `user`'s reach.
    people: "Callable[[User, Any], Iterable[User]]"


RECORD_PARTS: list[RecordPart] = []
PARTICIPANT_SOURCES: list[ParticipantSource] = []
# (person, activity type, unit) → whether the person may record such an activity of the unit.
RECORDERS: "list[Callable[[User, ActivityType, Unit], bool]]" = []


def may_record(person: "User", activity_type: "ActivityType", unit: "Unit") -> bool:
    """Whether a registered recorder hook lets `person` record an `activity_type` of `unit`."""
    return any(hook(person, activity_type, unit) for hook in RECORDERS)


def register_part(part: RecordPart) -> None:
    """Add (or, on a second ready(), replace) a record part."""
    RECORD_PARTS[:] = [known for known in RECORD_PARTS if known.name != part.name] + [part]


def register_source(source: ParticipantSource) -> None:
    known = [item for item in PARTICIPANT_SOURCES if item.name != source.name]
    PARTICIPANT_SOURCES[:] = [*known, source]


def record_part(name: str) -> RecordPart:
    """The registered part by name; an unknown name is a programming error."""
    for part in RECORD_PARTS:
        if part.name == name:
            return part
    raise ValueError(f"no record part {name!r} is registered")


def part_value(activity: "Activity", name: str) -> Any:
    """The record's value of the part `name`, None when it has none or no such part exists."""
    for part in RECORD_PARTS:
        if part.name == name:
            return part.current(activity)
    return None


def related_names() -> list[str]:
    """What select_related needs to read every part of a list of records without more queries."""
    return [part.related for part in RECORD_PARTS if part.related]
