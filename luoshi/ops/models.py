"""The queue's jobs as the database keeps them, and the worker processes that run them."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Worker(models.Model):
    """One `run_huey` process, seen alive at `seen_at` (its heartbeat)."""

    name = models.CharField(_("名称"), max_length=120, unique=True)  # host:pid:token
    hostname = models.CharField(_("主机"), max_length=100)
    pid = models.PositiveIntegerField(_("进程号"))
    started_at = models.DateTimeField(_("启动时间"))
    seen_at = models.DateTimeField(_("最近心跳"))

    class Meta:
        verbose_name = _("队列进程")
        verbose_name_plural = _("队列进程")

    def __str__(self) -> str:
        return self.name


class Job(models.Model):
    """A queued job from enqueue to finish. `message` is huey's serialized task, so that a job
    taken by a worker that died can be put on the queue again as it was."""

    class Status(models.TextChoices):
        ENQUEUED = "enqueued", _("排队中")
        STARTED = "started", _("运行中")
        FINISHED = "finished", _("已完成")
        FAILED = "failed", _("失败")
        SKIPPED = "skipped", _("已跳过（本时段已由其他进程运行）")

    task_id = models.CharField(_("任务编号"), max_length=64, unique=True)
    name = models.CharField(_("作业"), max_length=200)
    # The schedule slot a periodic job runs for; unique per job, so one run per slot.
    slot = models.DateTimeField(_("调度时段"), null=True, blank=True)
    message = models.BinaryField(_("队列消息"))
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices)
    attempts = models.PositiveIntegerField(_("运行次数"), default=0)
    worker = models.CharField(_("运行进程"), max_length=120, blank=True)
    enqueued_at = models.DateTimeField(_("排队时间"))
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    error = models.TextField(_("错误"), blank=True)

    class Meta:
        verbose_name = _("队列作业")
        verbose_name_plural = _("队列作业")
        constraints = [
            models.UniqueConstraint(
                fields=["name", "slot"],
                condition=Q(slot__isnull=False),
                name="ops_job_one_per_slot",
            )
        ]
        indexes = [models.Index(fields=["status"], name="ops_job_status")]

    def __str__(self) -> str:
        return f"{self.name} {self.task_id}"
