"""The audit log (留痕): append-only, written in the same transaction as the change it records."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("The audit log is append-only.")

    def delete(self):
        raise PermissionError("The audit log is append-only.")

    def purge_before(self, first_kept_id: int | None) -> int:
        """Delete the rows before `first_kept_id` (all rows when None): only
        services.purge_audit calls this, after checking the retention period."""
        rows = self if first_kept_id is None else self.filter(id__lt=first_kept_id)
        deleted, _counts = models.QuerySet.delete(rows)
        return deleted


class AuditEvent(models.Model):
    """One thing that happened: who, when, from where, what, to which object, and what changed.

    `changes` maps each changed field to [before, after]. Rows are never updated or deleted by
    the application (except a purge past the retention period); on PostgreSQL a trigger refuses
    it at the database too. `row_hash` chains each row to the one before it (audit.chain).
    """

    class Action(models.TextChoices):
        CREATE = "create", _("新增")
        UPDATE = "update", _("修改")
        DELETE = "delete", _("删除")
        RESTORE = "restore", _("恢复")
        TRANSITION = "transition", _("流转")
        LOGIN = "login", _("登录")
        LOGIN_FAILED = "login_failed", _("登录失败")
        LOGOUT = "logout", _("退出")
        IMPORT = "import", _("导入")
        EXPORT = "export", _("导出")
        DOWNLOAD = "download", _("下载")
        GRANT = "grant", _("授权")
        REVOKE = "revoke", _("撤销授权")
        SECURITY = "security", _("安全设置")
        PURGE = "purge", _("清理过期审计记录")
        VIEW_PERSONAL = "view_personal", _("查看个人信息")

    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_name = models.CharField(_("操作人姓名"), max_length=150, blank=True)
    ip = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    action = models.CharField(_("操作"), max_length=20, choices=Action, db_index=True)
    verb = models.CharField(_("事项"), max_length=50, blank=True)
    object_type = models.CharField(_("对象类型"), max_length=50, blank=True, db_index=True)
    object_id = models.CharField(_("对象编号"), max_length=40, blank=True)
    object_repr = models.CharField(_("对象"), max_length=300, blank=True)
    changes = models.JSONField(_("变更"), default=dict, blank=True)
    note = models.TextField(_("说明"), blank=True)
    prev_hash = models.CharField(_("前一条的杂凑值"), max_length=64, blank=True, editable=False)
    row_hash = models.CharField(_("杂凑值（SM3）"), max_length=64, blank=True, editable=False)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{timezone.localtime(self.at):%Y-%m-%d %H:%M} {self.actor_name} {self.get_action_display()} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The audit log is append-only.")
