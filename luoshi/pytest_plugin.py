"""Loaded by pytest before Django starts (pyproject: `-p luoshi.pytest_plugin`).

Each xdist worker gets its own queue (a SQLite file, or a Redis queue name when LUOSHI_REDIS_URL
is set), so that a test that runs the queue's worker step only ever sees its own jobs.
"""

import os
import tempfile

_worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
os.environ.setdefault("LUOSHI_QUEUE_NAME", f"luoshi-test-{_worker}-{os.getpid()}")
os.environ.setdefault(
    "LUOSHI_QUEUE_FILE",
    os.path.join(tempfile.gettempdir(), f"luoshi-queue-{_worker}-{os.getpid()}.sqlite3"),
)
