"""The sweeper in one process: which workers count as dead, and the attempt limit."""

import datetime

import pytest
from django.utils import timezone
from huey import MemoryHuey

from luoshi.ops import jobs
from luoshi.ops.models import Job, Worker

pytestmark = pytest.mark.django_db


@pytest.fixture
def huey():
    queue = MemoryHuey("ops-sweeper-test", utc=True)
    jobs.install(queue)

    @queue.task(name="ops_sweeper_job")
    def job(n: int) -> int:
        return n

    queue.test_job = job
    return queue


def _started_by(huey, worker: str, *, seen_ago: float | None, attempts: int = 1) -> Job:
    result = huey.test_job(7)
    record = Job.objects.get(task_id=result.id)
    assert huey.dequeue().id == result.id  # the worker took it off the queue
    if seen_ago is not None:
        seen = timezone.now() - datetime.timedelta(seconds=seen_ago)
        host, pid, _token = worker.split(":")
        Worker.objects.create(
            name=worker, hostname=host, pid=int(pid), started_at=seen, seen_at=seen
        )
    Job.objects.filter(pk=record.pk).update(
        status=Job.Status.STARTED, worker=worker, attempts=attempts
    )
    return record


def test_a_job_of_a_worker_with_a_stale_heartbeat_is_enqueued_again(huey, settings):
    settings.JOBS_WORKER_TIMEOUT_SECONDS = 60
    job = _started_by(huey, "elsewhere:123:abcd", seen_ago=61)
    assert jobs.sweep(huey) == [job.task_id]
    job.refresh_from_db()
    assert (job.status, job.worker) == (Job.Status.ENQUEUED, "")
    again = huey.dequeue()
    assert again.id == job.task_id and again.args == (7,)
    assert huey.execute(again) == 7
    job.refresh_from_db()
    assert (job.status, job.attempts) == (Job.Status.FINISHED, 2)


def test_a_job_of_a_worker_with_a_fresh_heartbeat_is_left_alone(huey, settings):
    settings.JOBS_WORKER_TIMEOUT_SECONDS = 60
    job = _started_by(huey, "elsewhere:123:abcd", seen_ago=5)
    assert jobs.sweep(huey) == []
    job.refresh_from_db()
    assert job.status == Job.Status.STARTED
    assert huey.dequeue() is None


def test_a_worker_never_seen_is_dead(huey):
    job = _started_by(huey, "elsewhere:123:abcd", seen_ago=None)
    assert jobs.sweep(huey) == [job.task_id]


def test_a_job_that_killed_its_worker_too_often_is_failed_not_retried(huey, settings):
    settings.JOBS_MAX_ATTEMPTS = 3
    job = _started_by(huey, "elsewhere:123:abcd", seen_ago=None, attempts=3)
    assert jobs.sweep(huey) == []
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert "worker died 3 times" in job.error
    assert huey.dequeue() is None


def test_a_skipped_copy_is_cancelled_when_taken(huey):
    result = huey.test_job(1)
    Job.objects.filter(task_id=result.id).update(status=Job.Status.SKIPPED)
    assert huey.execute(huey.dequeue()) is None
    assert Job.objects.get(task_id=result.id).status == Job.Status.SKIPPED


def test_a_job_taken_off_the_queue_by_a_worker_that_died_before_starting_it_runs_again(
    huey, settings
):
    """The worker dequeued it and died before marking it started: the row still says enqueued,
    the queue no longer has it. Once it is older than twice the worker timeout it is queued
    again; a job still waiting on the queue is left alone."""
    settings.JOBS_WORKER_TIMEOUT_SECONDS = 60
    lost = huey.test_job(7)
    waiting = huey.test_job(8)
    assert huey.dequeue().id == lost.id  # taken, then the worker died
    long_ago = timezone.now() - datetime.timedelta(seconds=121)
    Job.objects.update(enqueued_at=long_ago)
    assert jobs.sweep(huey) == [lost.id]
    assert [task.id for task in huey.pending()] == [waiting.id, lost.id]
    assert jobs.sweep(huey) == []  # claimed once: its time was moved on
    for _ in range(2):
        huey.execute(huey.dequeue())
    assert set(Job.objects.values_list("status", flat=True)) == {Job.Status.FINISHED}


def test_a_job_enqueued_a_moment_ago_is_not_taken_for_lost(huey, settings):
    settings.JOBS_WORKER_TIMEOUT_SECONDS = 60
    taken = huey.test_job(7)
    assert huey.dequeue().id == taken.id  # a worker is about to mark it started
    assert jobs.sweep(huey) == []
