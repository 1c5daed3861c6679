"""Every write of volunteer service, one function per move: each takes the acting person,
checks the permission, validates before saving and writes the audit log in the same
transaction. Modules by what they hold: `volunteers` (registration, the 文明实践 network,
teams), `themes` (一月一主题 and the prescribed actions on the chain), `activities`
(publishing and sign-ups), `hours` (check-in/out, 补录, publicity and objections), `orders` (点单-派单-接单-评单),
`certificates` (志愿服务证明)."""

from .activities import (
    PositionSpec,
    cancel_signup,
    decide_signup,
    publish_activity,
    sign_up,
)
from .certificates import issue_certificate
from .hours import (
    add_hours,
    answer_objection,
    check_in_volunteer,
    check_out_volunteer,
    escalate_objection,
    object_to_hours,
    rule_objection,
    timed_hours,
)
from .themes import (
    add_action,
    create_theme,
    issue_action,
    participating_units,
    sync_action_progress,
    sync_all_progress,
)
from .volunteers import (
    create_team,
    register_volunteer,
    set_practice_unit,
    update_team,
    update_volunteer,
    valid_resident_id,
)

__all__ = [
    "PositionSpec",
    "add_action",
    "add_hours",
    "answer_objection",
    "cancel_signup",
    "check_in_volunteer",
    "check_out_volunteer",
    "create_team",
    "create_theme",
    "decide_signup",
    "escalate_objection",
    "issue_certificate",
    "issue_action",
    "object_to_hours",
    "participating_units",
    "publish_activity",
    "register_volunteer",
    "rule_objection",
    "set_practice_unit",
    "sign_up",
    "sync_action_progress",
    "sync_all_progress",
    "timed_hours",
    "update_team",
    "update_volunteer",
    "valid_resident_id",
]
