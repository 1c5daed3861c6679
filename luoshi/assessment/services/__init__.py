"""Writing assessments: indicators, plans (with weights that sum to 100), score runs computed in
the background and frozen, manual scores and adjustments (reason and evidence), and the workflow
自评 → 审核 → 公示 → 申诉/答复 → 定档 → 发布.

Every write takes the acting person, checks the permission, validates before saving anything,
and writes the audit log in the same transaction.
"""

from ._moves import WrongStage
from .cases import pin_case, review_case, submit_case
from .indicators import create_indicator, update_indicator
from .notices import create_notice, create_series, issue_notice, record_read
from .plans import copy_plan, create_plan, plan_problems, save_category, set_items
from .runs import adjust_item, compute_run, start_run
from .workflow import (
    answer_appeal,
    default_grade,
    excellent_slots,
    export_result_notice,
    file_appeal,
    grade_plan,
    may_self_assess,
    open_self_assessment,
    publish_plan,
    review_unit,
    set_grade,
    stage_index,
    start_publicity,
    start_review,
    submit_self_assessment,
)

__all__ = [
    "WrongStage",
    "adjust_item",
    "pin_case",
    "review_case",
    "submit_case",
    "answer_appeal",
    "compute_run",
    "copy_plan",
    "create_indicator",
    "create_plan",
    "create_notice",
    "create_series",
    "issue_notice",
    "record_read",
    "default_grade",
    "excellent_slots",
    "export_result_notice",
    "file_appeal",
    "grade_plan",
    "may_self_assess",
    "open_self_assessment",
    "plan_problems",
    "publish_plan",
    "review_unit",
    "save_category",
    "set_grade",
    "set_items",
    "stage_index",
    "start_publicity",
    "start_review",
    "start_run",
    "submit_self_assessment",
    "update_indicator",
]
