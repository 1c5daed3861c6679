"""Schemas shared by several routers: short references to units and people, errors, pages."""

from ninja import Schema


class Ref(Schema):
    """A short reference to a unit, a person, a campaign or a track: its id and its name."""

    id: int
    name: str


class Message(Schema):
    detail: str


class FieldErrors(Schema):
    detail: str
    errors: dict[str, list[str]]


class Change(Schema):
    """One edit someone else saved since the client loaded the task."""

    actor: str
    at: str
    changes: dict[str, list]


class Conflict(Schema):
    detail: str
    code: str
    changes: list[Change] = []


def ref(obj) -> dict | None:
    """{"id", "name"} of a unit, person, campaign or track; None for None."""
    if obj is None:
        return None
    return {"id": obj.pk, "name": getattr(obj, "name", "") or str(obj)}


def annotate(obj, **values):
    """Attach values computed for a response schema to the object it reads (`Field(alias=…)`)."""
    for name, value in values.items():
        setattr(obj, name, value)
    return obj


ERRORS = {401: Message, 403: Message, 404: Message, 409: Conflict, 422: FieldErrors}
