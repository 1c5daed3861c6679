"""Jobs for the crash tests, run by a real `run_huey` process (the module is importable)."""

import time
from pathlib import Path

from django.tasks import task


@task
def wait_for_release(release: str, effect: str) -> None:
    """Block until the test creates `release`, then add a line to `effect`."""
    while not Path(release).exists():
        time.sleep(0.02)
    with open(effect, "a", encoding="utf-8") as out:
        out.write("done\n")
