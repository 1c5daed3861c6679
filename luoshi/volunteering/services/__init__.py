"""Every write of volunteer service, one function per move: each takes the acting person,
checks the permission, validates before saving and writes the audit log in the same
transaction. Modules by what they hold: `volunteers` (registration, the 文明实践 network,
teams)."""

from .volunteers import (
    create_team,
    register_volunteer,
    set_practice_unit,
    update_team,
    update_volunteer,
    valid_resident_id,
)

__all__ = [
    "create_team",
    "register_volunteer",
    "set_practice_unit",
    "update_team",
    "update_volunteer",
    "valid_resident_id",
]
