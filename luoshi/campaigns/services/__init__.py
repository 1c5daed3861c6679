"""Every change to campaigns and tasks: one function per move, each checking permission, writing
the task's timeline and the audit log in the same transaction, and notifying people after commit.

The chain's state machine (see docs/architecture.md):

    draft ─issue→ issued ─sign→ signed ─assign→ in_progress ─submit→ submitted ─verify→ verified ─close→ closed
                    │                                 ▲                 │
                    └─withdraw→ withdrawn             └──── return ─────┘

The moves live in modules named by the step of the chain they belong to — `setup` (campaigns and
the breakdown, issuing), `assign` (明责), `perform` (履责), `supervise` (督责), `assess` (考责) and
`accountability` (问责) — on the shared machinery of `_moves`. Callers use this package:
`from luoshi.campaigns import services` and `services.issue_task(...)`.

Moves cannot race: each locks its task's row first (`_moves.lock_task`, inside the move's
transaction) and checks the state it requires against the locked row. The loser of two moves at
once gets StateChanged — an IllegalMove, so a Conflict (409 on the API, a message on the page) —
saying "任务状态已变化" and the state the task changed to. Who may make which move is decided in
`campaigns.access` (can_edit_task, can_report, can_reply, …), which the services call.
"""

from ._moves import IllegalMove, StaleEdit, StateChanged
from .accountability import (
    create_accountability_kind,
    record_accountability,
    update_accountability_kind,
)
from .assess import close_task, verify_task
from .assign import (
    SubTaskSpec,
    assign_as_decided,
    assign_task,
    decompose_task,
    open_unit_task,
    sign_task,
)
from .perform import record_counted_progress, report_progress
from .setup import (
    create_campaign,
    create_milestone,
    create_task,
    create_track,
    delete_task,
    issue_task,
    restore_task,
    set_leading_group,
    set_milestone_done,
    update_campaign,
    update_task,
    withdraw_task,
)
from .supervise import (
    comment_task,
    export_notice_document,
    issue_notice,
    notice_message,
    refresh_warnings,
    remind_task,
    reply_notice,
    run_daily_supervision,
)

__all__ = [
    "IllegalMove",
    "StaleEdit",
    "StateChanged",
    "SubTaskSpec",
    "assign_as_decided",
    "assign_task",
    "open_unit_task",
    "close_task",
    "comment_task",
    "create_accountability_kind",
    "create_campaign",
    "create_milestone",
    "create_task",
    "create_track",
    "decompose_task",
    "delete_task",
    "export_notice_document",
    "issue_notice",
    "notice_message",
    "issue_task",
    "record_accountability",
    "refresh_warnings",
    "remind_task",
    "reply_notice",
    "record_counted_progress",
    "report_progress",
    "restore_task",
    "run_daily_supervision",
    "set_leading_group",
    "set_milestone_done",
    "sign_task",
    "update_accountability_kind",
    "update_campaign",
    "update_task",
    "verify_task",
    "withdraw_task",
]
