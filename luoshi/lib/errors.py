"""Errors the services raise that every caller (page, API, command) maps the same way.

`Conflict` is a change refused because of the object's current state — a move the chain does not
allow from here, or an edit made against a version someone else has since saved. The API kit maps
every `Conflict` to 409 with its `code` and `extra()`, so the kit needs to know no app.
"""

from typing import Any

from django.core.exceptions import ValidationError


class Conflict(ValidationError):
    """A change that conflicts with the object's current state (HTTP 409 on the API)."""

    code_name = "conflict"

    def extra(self) -> dict[str, Any]:
        """More JSON for the API's 409 body, beside `detail` and `code`."""
        return {}
