"""A luoshi instance of its own for tests that run real processes (`run_huey`, `backup`,
`restore`): a database file, a queue file, a media root and a var folder under tmp_path."""

import os
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(settings.BASE_DIR)
DEADLINE = 900  # seconds: a bound against a hang, never a timing assertion (a migrate took
# over 180 s on a CI machine at load 10)


def wait_until(condition: Callable[[], object], what: str, deadline: float = DEADLINE) -> object:
    """Poll `condition` until it returns something true; fail naming `what` after `deadline`."""
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if value := condition():
            return value
        time.sleep(0.05)
    raise AssertionError(f"gave up waiting for {what}")


@dataclass
class Instance:
    home: Path
    redis_url: str = ""
    env: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        self.database = self.home / "luoshi.sqlite3"
        self.queue = self.home / "queue.sqlite3"
        self.media = self.home / "media"
        env = {k: v for k, v in os.environ.items() if not k.startswith("LUOSHI_")}
        env.update(
            LUOSHI_VAR_DIR=str(self.home),
            LUOSHI_DATABASE_URL=f"sqlite:///{self.database}",
            LUOSHI_QUEUE_FILE=str(self.queue),
            LUOSHI_QUEUE_NAME=f"ops-test-{uuid.uuid4().hex[:8]}",
            LUOSHI_MEDIA_ROOT=str(self.media),
            LUOSHI_SECRET_KEY="ops-test-secret-key",
            PYTHONPATH=str(ROOT),
            DJANGO_SETTINGS_MODULE="luoshi.settings",
        )
        if self.redis_url:
            env["LUOSHI_REDIS_URL"] = self.redis_url
        self.env = {**env, **self.env}

    def popen(self, *args: str, log: str) -> subprocess.Popen:
        out = open(self.home / log, "ab")  # noqa: SIM115 - the process owns it
        return subprocess.Popen(
            [sys.executable, *args], cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT
        )

    def manage(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=DEADLINE,
        )
        if check and done.returncode:
            raise AssertionError(f"manage.py {' '.join(args)}:\n{done.stdout}\n{done.stderr}")
        return done

    def query(self, sql: str, *params: object) -> list[tuple]:
        with sqlite3.connect(self.database, timeout=30) as db:
            return db.execute(sql, params).fetchall()


_TEMPLATE: dict[str, Path] = {}


@pytest.fixture
def migrated_template(tmp_path_factory, transactional_db) -> Path:
    """A migrated database file, made once per session: the test database copied with SQLite's
    backup when the tests run on SQLite (fast), else `migrate` into a new file."""
    if "path" not in _TEMPLATE:
        path = tmp_path_factory.mktemp("ops-template") / "luoshi.sqlite3"
        if connection.vendor == "sqlite":
            connection.ensure_connection()
            with sqlite3.connect(path) as target:
                connection.connection.backup(target)
        else:
            Instance(path.parent).manage("migrate", "--noinput", "-v0")
        _TEMPLATE["path"] = path
    return _TEMPLATE["path"]


def copy_database(source: Path, target: Path) -> None:
    with sqlite3.connect(source) as old, sqlite3.connect(target) as new:
        old.backup(new)


@pytest.fixture
def instance(tmp_path, migrated_template) -> Instance:
    """A migrated instance with SQLite and the SQLite-backed queue."""
    made = Instance(tmp_path / "instance")
    copy_database(migrated_template, made.database)
    return made
