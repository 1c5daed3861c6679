"""Jobs that survive a crash, and periodic jobs that run once per slot.

huey has no acknowledgement: a worker removes a job from the queue when it takes it, so a
worker killed mid-job loses it. luoshi therefore keeps its own record of every job (`Job`):

- enqueued (huey's `enqueued` signal, in whichever process enqueues): a row with huey's
  serialized task. A periodic job also claims its schedule slot — `(name, slot)` is unique, so
  when two workers' schedulers both enqueue the 06:00 job, the second copy is recorded as
  skipped and cancelled when a worker takes it;
- started (a pre-execute hook): status, the worker's name (host:pid:token), the attempt count;
- finished or failed (a post-execute hook).

Every worker process writes a heartbeat (`Worker.seen_at`) from a thread, and sweeps: at start
and at every heartbeat, a job started by a dead worker is put on the queue again (the same
task, the same id). A worker is dead when its heartbeat is older than
`JOBS_WORKER_TIMEOUT_SECONDS`, or, on the sweeper's own host, when its process is gone. A job
whose worker died `JOBS_MAX_ATTEMPTS` times is marked failed instead.
"""

import datetime
import logging
import os
import secrets
import socket
import threading

from django.conf import settings
from django.db import IntegrityError, close_old_connections, connection, transaction
from django.db.models import F
from django.utils import timezone
from huey import Huey
from huey.api import PeriodicTask, Task
from huey.exceptions import CancelExecution
from huey.signals import SIGNAL_ENQUEUED

from .models import Job, Worker

logger = logging.getLogger(__name__)

DJANGO_TASK_SHIM = "djtasks.run"  # django.tasks jobs all run through huey's one shim task

_identity: tuple[int, str] | None = None
_heartbeat_lock = threading.Lock()
_heartbeat_pid: int | None = None


def worker_name() -> str:
    """This process's name, host:pid:token (the token tells a new process from an old one
    that had the same pid)."""
    global _identity
    if _identity is None or _identity[0] != os.getpid():
        _identity = (os.getpid(), f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}")
    return _identity[1]


def clock(huey: Huey) -> datetime.datetime:
    """The time huey's schedule uses (naive; UTC when the queue is in UTC)."""
    return huey._get_timestamp()


def job_name(huey: Huey, task: Task) -> str:
    """A django.tasks job by its function's path, a huey task by its registered name."""
    if task.name == DJANGO_TASK_SHIM and task.args:
        return str(task.args[0])
    return huey._registry.task_to_string(type(task))


def slot_of(task: PeriodicTask, at: datetime.datetime) -> datetime.datetime | None:
    """The schedule minute a periodic task enqueued at `at` runs for: that minute, or the one
    before (a scheduler that checked at 06:00:59.9 enqueues at 06:01:00). None when `at` is
    no slot of the task's schedule (someone ran the job by hand)."""
    minute = at.replace(second=0, microsecond=0)
    for candidate in (minute, minute - datetime.timedelta(minutes=1)):
        if task.validate_datetime(candidate):
            return candidate
    return None


def _aware(huey: Huey, moment: datetime.datetime) -> datetime.datetime:
    if timezone.is_aware(moment):
        return moment
    return timezone.make_aware(moment, datetime.UTC if huey.utc else None)


def record_enqueued(huey: Huey, task: Task) -> Job | None:
    """Store the job as enqueued; a periodic job claims its slot or is stored as skipped."""
    if Job.objects.filter(task_id=task.id).exists():
        return None  # the sweeper put it on the queue again
    fields = {
        "task_id": task.id,
        "name": job_name(huey, task),
        "message": huey.serialize_task(task),
        "status": Job.Status.ENQUEUED,
        "enqueued_at": timezone.now(),
    }
    slot = slot_of(task, clock(huey)) if isinstance(task, PeriodicTask) else None
    if slot is None:
        return Job.objects.create(**fields)
    try:
        with transaction.atomic():
            return Job.objects.create(**fields, slot=_aware(huey, slot))
    except IntegrityError:
        logger.info("%s for %s already claimed by another worker; skipped", fields["name"], slot)
        return Job.objects.create(**{**fields, "status": Job.Status.SKIPPED})


def mark_started(task: Task) -> None:
    """Before a job runs: mark it started by this worker, or cancel a skipped or done copy."""
    if not connection.in_atomic_block:  # a worker thread's connection may have gone stale
        close_old_connections()
    job = Job.objects.filter(task_id=task.id).only("status").first()
    if job is None:
        return  # enqueued before jobs were recorded, or while the database was unreachable
    if job.status in (Job.Status.SKIPPED, Job.Status.FINISHED):
        raise CancelExecution(retry=False)
    register_worker()
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.STARTED,
        started_at=timezone.now(),
        worker=worker_name(),
        attempts=F("attempts") + 1,
    )


def mark_finished(task: Task, value: object, exc: BaseException | None) -> None:
    if exc is None:
        status, error = Job.Status.FINISHED, ""
    elif task.retries:
        status, error = Job.Status.ENQUEUED, repr(exc)  # huey puts it on the queue again
    else:
        status, error = Job.Status.FAILED, repr(exc)
    Job.objects.filter(task_id=task.id).update(
        status=status, finished_at=timezone.now(), error=error[:2000]
    )


def register_worker() -> None:
    """Create or refresh this process's worker row (its heartbeat)."""
    now = timezone.now()
    name = worker_name()
    updated = Worker.objects.filter(name=name).update(seen_at=now)
    if not updated:
        Worker.objects.create(
            name=name, hostname=socket.gethostname(), pid=os.getpid(), started_at=now, seen_at=now
        )


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def worker_is_dead(name: str, *, now: datetime.datetime | None = None) -> bool:
    if not name or name == worker_name():
        return not name
    host, _sep, rest = name.partition(":")
    pid_text = rest.partition(":")[0]
    if host == socket.gethostname() and pid_text.isdigit():
        pid = int(pid_text)
        if pid == os.getpid() or not _pid_alive(pid):
            return True  # an earlier process of this host, gone
    timeout = datetime.timedelta(seconds=settings.JOBS_WORKER_TIMEOUT_SECONDS)
    seen = Worker.objects.filter(name=name).values_list("seen_at", flat=True).first()
    return seen is None or seen < (now or timezone.now()) - timeout


def sweep(huey: Huey) -> list[str]:
    """Put every job whose worker died on the queue again; returns their task ids."""
    now = timezone.now()
    requeued = []
    dead: dict[str, bool] = {}
    for job in Job.objects.filter(status=Job.Status.STARTED).defer("message"):
        if job.worker not in dead:
            dead[job.worker] = worker_is_dead(job.worker, now=now)
        if not dead[job.worker]:
            continue
        still = Job.objects.filter(pk=job.pk, status=Job.Status.STARTED, worker=job.worker)
        if job.attempts >= settings.JOBS_MAX_ATTEMPTS:
            still.update(
                status=Job.Status.FAILED,
                finished_at=now,
                error=f"worker died {job.attempts} times running it (last: {job.worker})",
            )
            logger.error(
                "job %s %s given up: its worker died %s times", job.name, job.task_id, job.attempts
            )
            continue
        # The conditional update is the claim: of two sweepers, one puts the job back.
        if still.update(status=Job.Status.ENQUEUED, worker="", enqueued_at=now):
            _requeue(huey, job)
            logger.warning(
                "job %s %s re-enqueued: worker %s died", job.name, job.task_id, job.worker
            )
            requeued.append(job.task_id)
    requeued += _sweep_lost(huey, now)
    keep = datetime.timedelta(days=settings.JOBS_KEEP_DAYS)
    Job.objects.filter(
        status__in=[Job.Status.FINISHED, Job.Status.SKIPPED, Job.Status.FAILED],
        enqueued_at__lt=now - keep,
    ).delete()
    Worker.objects.filter(seen_at__lt=now - keep).delete()
    return requeued


def _requeue(huey: Huey, job: Job) -> None:
    """Put `job` on the queue again, as huey stored it when it was first enqueued."""
    message = Job.objects.values_list("message", flat=True).get(pk=job.pk)
    huey.enqueue(huey.deserialize_task(bytes(message)))


def _sweep_lost(huey: Huey, now: datetime.datetime) -> list[str]:
    """Jobs still marked enqueued long after they were queued, yet neither on the queue nor
    scheduled: a worker took them off and died before marking them started. They go back on the
    queue (every job is idempotent, so the rare run twice is harmless)."""
    stale = now - datetime.timedelta(seconds=2 * settings.JOBS_WORKER_TIMEOUT_SECONDS)
    waiting = Job.objects.filter(status=Job.Status.ENQUEUED, enqueued_at__lt=stale)
    if not waiting.exists():
        return []
    queued = {task.id for task in huey.pending()} | {task.id for task in huey.scheduled()}
    requeued = []
    for job in waiting.exclude(task_id__in=queued).defer("message"):
        still = Job.objects.filter(
            pk=job.pk, status=Job.Status.ENQUEUED, enqueued_at=job.enqueued_at
        )
        if still.update(enqueued_at=now):  # the claim, as above
            _requeue(huey, job)
            logger.warning(
                "job %s %s re-enqueued: lost between queue and worker", job.name, job.task_id
            )
            requeued.append(job.task_id)
    return requeued


def _heartbeat(huey: Huey, stop: threading.Event) -> None:
    interval = settings.JOBS_HEARTBEAT_SECONDS
    while not stop.wait(interval):
        try:
            register_worker()
            sweep(huey)
        except Exception:
            logger.exception("job heartbeat or sweep failed")
        finally:
            connection.close()


def start_worker(huey: Huey) -> None:
    """At a worker's start (once per process): register it, sweep, start the heartbeat."""
    global _heartbeat_pid
    with _heartbeat_lock:
        if _heartbeat_pid == os.getpid():
            return
        _heartbeat_pid = os.getpid()
    close_old_connections()
    register_worker()
    requeued = sweep(huey)
    if requeued:
        logger.warning("worker start: %s job(s) of dead workers re-enqueued", len(requeued))
    stop = threading.Event()
    threading.Thread(
        target=_heartbeat, args=(huey, stop), name="luoshi-job-heartbeat", daemon=True
    ).start()


def install(huey: Huey) -> None:
    """Attach the job record to a huey instance (the app's HUEY; tests pass their own)."""
    if huey.immediate:
        return  # jobs run inline: nothing to lose

    def on_enqueued(signal: str, task: Task) -> None:
        try:
            record_enqueued(huey, task)
        except Exception:
            logger.exception("job %s not recorded", task.id)

    huey.signal(SIGNAL_ENQUEUED)(on_enqueued)
    huey.pre_execute("luoshi_job_started")(mark_started)
    huey.post_execute("luoshi_job_finished")(mark_finished)
    huey.on_startup("luoshi_worker_started")(lambda: start_worker(huey))
