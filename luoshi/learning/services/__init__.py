"""Every change to learning-platform data, by what it changes:

- `imports` — an uploaded export from upload through preview to confirm, undo or discard;
- `matching` — rows matched to people and units, and the aliases that remember hand matches;
- `parsing` — reading the export file itself (no database);
- `reports` — the monthly summaries the job stores, the compliance settings, the half-year
  notices and their template.

Callers import from here (`from luoshi.learning import services`); the modules are the
package's own layout.
"""

from .imports import (
    PENDING,
    ImportRejected,
    ReplaceNeeded,
    absent_count,
    absent_people,
    confirm_import,
    discard_import,
    discard_stale_previews,
    map_organisation,
    may_keep_absent,
    remap_import,
    resolve_row,
    start_import,
    undo_import,
)
from .matching import applicable_org_aliases, import_units_for_suggestion, suggest_unit
from .reports import (
    SETTING_FIELDS,
    change_settings,
    current_template,
    display_value,
    generate_monthly_summaries,
    issue_notice,
    mark_notice_read,
    notice_content,
    refresh_after_import,
    setting_field,
    store_monthly_summary,
    template_bytes,
    upload_notice_template,
)

__all__ = [
    "PENDING",
    "SETTING_FIELDS",
    "ImportRejected",
    "ReplaceNeeded",
    "absent_count",
    "absent_people",
    "applicable_org_aliases",
    "change_settings",
    "confirm_import",
    "current_template",
    "discard_import",
    "discard_stale_previews",
    "display_value",
    "generate_monthly_summaries",
    "import_units_for_suggestion",
    "issue_notice",
    "map_organisation",
    "mark_notice_read",
    "may_keep_absent",
    "notice_content",
    "refresh_after_import",
    "remap_import",
    "resolve_row",
    "setting_field",
    "start_import",
    "store_monthly_summary",
    "suggest_unit",
    "template_bytes",
    "undo_import",
    "upload_notice_template",
]
