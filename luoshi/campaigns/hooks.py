"""Hook points of the chain: who else may make a move on a task, registered by a higher app
from its AppConfig.ready() (the chain stands below the domain apps and imports none of them).

- `TASK_DELEGATES`: (person, permission, task) → True to let the person make the move that
  needs the permission on that task, beside the holders of the permission on its unit.
  luoshi.volunteering lets the leaders (队长) of the team a resident's order was dispatched to
  sign and take on that order's task (接单); a delegate's moves are written on the timeline and
  in the audit log in their name like any other.
"""

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from luoshi.accounts.models import User

    from .models import Task

TASK_DELEGATES: "list[Callable[[User, str, Task], bool]]" = []


def is_delegate(person: "User", perm: str, task: "Task") -> bool:
    return any(hook(person, perm, task) for hook in TASK_DELEGATES)
