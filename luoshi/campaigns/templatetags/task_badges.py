"""`{{ task.state|state_badge_class }}`: the badge colour of a task's state, one dict lookup (the
task list renders it twice per row; an if/elif chain of six comparisons was its costliest tag)."""

from django import template

from luoshi.campaigns.models import TaskState

register = template.Library()

STATE_BADGE_CLASSES: dict[str, str] = {
    TaskState.ISSUED: "text-bg-secondary",
    TaskState.SIGNED: "text-bg-dark",
    TaskState.IN_PROGRESS: "text-bg-info",
    TaskState.SUBMITTED: "text-bg-primary",
    TaskState.VERIFIED: "text-bg-success",
    TaskState.CLOSED: "text-bg-success",
}


@register.filter
def state_badge_class(state: str) -> str:
    return STATE_BADGE_CLASSES.get(state, "text-bg-light")
