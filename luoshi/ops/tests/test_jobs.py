"""Jobs survive a worker's crash, and a periodic job runs once per slot however many workers."""

import os
import signal
import subprocess
from pathlib import Path

import pytest

from .conftest import Instance, copy_database, wait_until

JOB = "luoshi.ops.tests.jobs.wait_for_release"


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _job(instance: Instance) -> tuple[str, int, str] | None:
    rows = instance.query("SELECT status, attempts, worker FROM ops_job WHERE name = ?", JOB)
    return rows[0] if rows else None


def test_a_job_taken_by_a_killed_worker_runs_again_after_restart(instance):
    release, effect = instance.home / "release", instance.home / "effect"
    consumer = instance.popen("manage.py", "run_huey", log="consumer-1.log")
    try:
        instance.manage(
            "shell",
            "-c",
            "from luoshi.ops.tests.jobs import wait_for_release as job; "
            f"job.enqueue({str(release)!r}, {str(effect)!r})",
        )
        first = wait_until(
            lambda: (job := _job(instance)) and job[0] == "started" and job, "the job to start"
        )
        assert first[1] == 1
        assert first[2].split(":")[1] == str(consumer.pid)
        os.kill(consumer.pid, signal.SIGKILL)
        consumer.wait()  # reaped: the sweeper finds no such process
    finally:
        _stop(consumer)
    assert not effect.exists()
    assert _job(instance)[0] == "started"  # lost as far as huey knows: it is no longer queued

    release.touch()
    restarted = instance.popen("manage.py", "run_huey", log="consumer-2.log")
    try:
        wait_until(lambda: _job(instance)[0] == "finished", "the job to run again and finish")
    finally:
        _stop(restarted)
    assert effect.read_text() == "done\n"
    status, attempts, worker = _job(instance)
    assert (status, attempts) == ("finished", 2)
    assert worker.split(":")[1] == str(restarted.pid)
    stored = instance.query("SELECT status, started_at FROM ops_job WHERE name = ?", JOB)
    assert len(stored) == 1


def _redis_url() -> str:
    redis = pytest.importorskip("redis")
    url = "redis://127.0.0.1:6379/7"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("Redis is not running at 127.0.0.1:6379")
    return url


@pytest.mark.parametrize("queue", ["sqlite", "redis"])
def test_two_workers_run_a_periodic_job_once_per_slot(tmp_path, migrated_template, queue):
    made = Instance(tmp_path / "instance", redis_url=_redis_url() if queue == "redis" else "")
    copy_database(migrated_template, made.database)
    script = str(Path(__file__).with_name("dispatch.py"))
    workers = [made.popen(script, str(made.home), name, log=f"{name}.log") for name in "ab"]
    try:
        (made.home / "go").touch()
        for name, worker in zip("ab", workers, strict=True):
            wait_until(
                lambda n=name, w=worker: (made.home / f"done-{n}").exists() or w.poll(),
                f"worker {name}",
            )
            assert worker.wait(timeout=60) == 0, (made.home / f"{name}.log").read_text()
    finally:
        for worker in workers:
            _stop(worker)

    assert len((made.home / "runs").read_text().splitlines()) == 1
    for name in ["ops_test_monthly", "learning.tasks.monthly_summaries"]:
        rows = made.query(
            "SELECT status, slot FROM ops_job WHERE name LIKE ? ORDER BY status", f"%{name}"
        )
        assert [status for status, _slot in rows] == ["finished", "skipped"], name
        assert rows[0][1].startswith("2026-12-01 06:00:00")
        assert rows[1][1] is None
