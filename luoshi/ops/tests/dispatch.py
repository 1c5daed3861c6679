"""One worker process for one schedule slot, run as a script by test_jobs: its scheduler
enqueues what is due at 06:00 on 1 December (huey's own Scheduler.enqueue_periodic_tasks), then,
once the other process has done the same, its worker runs what it takes from the queue.

    python dispatch.py DIR NAME
"""

import datetime
import sys
import threading
import time
from pathlib import Path

import django

django.setup()

from django.utils.module_loading import autodiscover_modules  # noqa: E402
from huey import crontab  # noqa: E402
from huey.consumer import Scheduler  # noqa: E402
from huey.contrib.djhuey import HUEY  # noqa: E402

from luoshi.ops import jobs  # noqa: E402

autodiscover_modules("tasks")  # as run_huey does: the apps' periodic jobs are registered

here, me = Path(sys.argv[1]), sys.argv[2]
SLOT = datetime.datetime(2026, 12, 1, 6, 0, 7, tzinfo=datetime.UTC).replace(
    tzinfo=None
)  # huey: naive UTC
jobs.clock = lambda huey: SLOT  # type: ignore[assignment]


@HUEY.periodic_task(crontab(day="1", hour="6", minute="0"), name="ops_test_monthly")
def ops_test_monthly() -> None:
    with open(here / "runs", "a", encoding="utf-8") as out:
        out.write(f"{me}\n")


def wait_for(path: Path) -> None:
    while not path.exists():
        time.sleep(0.02)


wait_for(here / "go")
Scheduler(HUEY, threading.Event(), 1, True).enqueue_periodic_tasks(SLOT)
(here / f"enqueued-{me}").touch()
wait_for(here / "enqueued-a")
wait_for(here / "enqueued-b")
while (task := HUEY.dequeue()) is not None:
    HUEY.execute(task, SLOT)
(here / f"done-{me}").touch()
