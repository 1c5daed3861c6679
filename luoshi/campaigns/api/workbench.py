"""The caller's workbench (工作台): to-dos as bounded counts with the most urgent few, warning
counts, unread messages, and for the office and leaders a card per active campaign. The same
selector as the page (luoshi.campaigns.selectors.workbench)."""

from django.http import HttpRequest
from django.urls import reverse
from ninja import Router

from luoshi.accounts.models import Notification
from luoshi.api.auth import current_user
from luoshi.api.schemas import ERRORS, ref

from ..models import SupervisionNotice, Task
from ..selectors import CampaignCard, TodoGroup, workbench
from .schemas import WorkbenchOut

router = Router(tags=["工作台"])


def _item(item: Task | SupervisionNotice) -> dict:
    if isinstance(item, SupervisionNotice):
        task = item.task
        return {
            "type": "notice",
            "id": item.pk,
            "title": f"{item.number} {task.title}",
            "task_id": task.pk,
            "deadline": item.reply_deadline,
            "state": item.state,
            "state_display": item.get_state_display(),
            "warning": task.warning,
            "unit": ref(task.unit),
            "campaign": None,
            "api_url": reverse("api:get_supervision_notice", args=[item.pk]),
        }
    return {
        "type": "task",
        "id": item.pk,
        "title": item.title,
        "task_id": item.pk,
        "deadline": item.deadline,
        "state": item.state,
        "state_display": item.get_state_display(),
        "warning": item.warning,
        "unit": ref(item.unit),
        "campaign": ref(item.campaign),
        "api_url": reverse("api:get_task", args=[item.pk]),
    }


def _group(group: TodoGroup) -> dict:
    return {
        "key": group.key,
        "title": str(group.title),
        "count": group.count,
        "capped": group.capped,
        "list_url": group.list_url,
        "items": [_item(item) for item in group.items],
    }


def _card(card: CampaignCard) -> dict:
    return {
        "campaign": ref(card.campaign),
        "total": card.total,
        "open": card.open,
        "submitted": card.submitted,
        "done": card.done,
        "red": card.red,
        "yellow": card.yellow,
        "blue": card.blue,
        "progress": int(card.progress),
    }


def _notification(note: Notification) -> dict:
    return {
        "id": note.pk,
        "level": note.level,
        "title": note.title,
        "body": note.body,
        "url": note.url,
        "created_at": note.created_at,
    }


@router.get("", response={200: WorkbenchOut, **ERRORS}, summary="工作台：我的待办、预警与消息")
def get_workbench(request: HttpRequest):
    bench = workbench(current_user(request))
    return {
        "todo_total": bench.todo_total,
        "todos": [_group(group) for group in bench.todos],
        "warnings": {str(level): count for level, count in bench.warnings.items()},
        "notifications": [_notification(note) for note in bench.notifications],
        "cards": [_card(card) for card in bench.cards],
    }
