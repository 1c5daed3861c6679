"""Writing the ledger: activity types (office), activities, attendance and check-in.

Every write takes the acting person, checks `ledger.*` permissions through luoshi.org.access,
validates everything before saving anything, and writes the audit log. The modules:
`types` (activity types and their extra fields), `records` (recording, editing, deleting and
restoring activities, participants), `checkin` (check-in by code).
"""

from .checkin import CHECKIN_FAILURE_WINDOW, CHECKIN_MAX_FAILURES, CheckinRefused, check_in
from .records import (
    CHECKIN_DEFAULT_LENGTH,
    CHECKIN_LEAD,
    EDITABLE,
    PreparedActivity,
    delete_activity,
    prepare_activity,
    record_activity,
    restore_activity,
    save_activities,
    save_activity,
    set_participants,
    update_activity,
)
from .types import (
    KEY_RE,
    TYPE_FIELDS,
    RecordingLookups,
    clean_field_definitions,
    clean_values,
    create_activity_type,
    kinds_sorted,
    update_activity_type,
)

__all__ = [
    "CHECKIN_DEFAULT_LENGTH",
    "CHECKIN_FAILURE_WINDOW",
    "CHECKIN_LEAD",
    "CHECKIN_MAX_FAILURES",
    "EDITABLE",
    "KEY_RE",
    "TYPE_FIELDS",
    "CheckinRefused",
    "PreparedActivity",
    "RecordingLookups",
    "check_in",
    "clean_field_definitions",
    "clean_values",
    "create_activity_type",
    "delete_activity",
    "kinds_sorted",
    "prepare_activity",
    "record_activity",
    "restore_activity",
    "save_activities",
    "save_activity",
    "set_participants",
    "update_activity",
    "update_activity_type",
]
