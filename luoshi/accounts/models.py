"""People and their accounts, personal access tokens and in-app notifications."""

import hashlib
import secrets
from typing import ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from luoshi.lib.fieldcrypt import EncryptedCharField, LookupHashField
from luoshi.lib.phones import mask_phone
from luoshi.lib.text import name_key


class UserQuerySet(models.QuerySet):
    def search(self, text: str) -> "UserQuerySet":
        """Match the name (also as lib.text.name_key: "张　三" and "Ｌｉ" find 张三 and Li), the
        username, the full pinyin or the pinyin initials."""
        text = text.strip().lower()
        if not text:
            return self
        return self.filter(
            models.Q(name__icontains=text)
            | models.Q(name__icontains=name_key(text) or text)
            | models.Q(username__iexact=text)
            | models.Q(initials__startswith=text)
            | models.Q(pinyin__startswith=text)
        )


class LuoshiUserManager(UserManager.from_queryset(UserQuerySet)):  # type: ignore[misc]
    pass


class User(AbstractUser):
    """A person who works in the campaign, with their login account.

    A person belongs to one or more units through `org.Membership` (兼职); what they may see and do
    comes from `org.RoleGrant`s, each on one unit with its own data scope.
    """

    name = models.CharField(_("姓名"), max_length=50)
    # Stored SM4-encrypted (GB/T 22239 数据保密性); `phone_hash` finds a person by phone.
    phone = EncryptedCharField(_("手机号"), max_length=20, blank=True)
    phone_hash = LookupHashField(source="phone")
    # Only the HMAC-SM3 of the 居民身份证号码 an import gave (org.services.id_number_hash), so
    # that one number cannot be given to two people; the number itself is not kept.
    id_number_hash = models.CharField(
        _("身份证号指纹"), max_length=64, blank=True, db_default="", db_index=True, editable=False
    )
    email = models.EmailField(_("电子邮箱"), blank=True)
    pinyin = models.CharField(max_length=200, blank=True, db_index=True, editable=False)
    initials = models.CharField(max_length=50, blank=True, db_index=True, editable=False)
    must_change_password = models.BooleanField(_("下次登录须修改密码"), default=True)
    password_changed_at = models.DateTimeField(_("密码修改时间"), null=True, blank=True)
    is_demo = models.BooleanField(_("演示账号"), default=False)
    deleted_at = models.DateTimeField(_("删除时间"), null=True, blank=True)
    # When the person closed the first-steps card of their landing page (it is shown until then).
    first_steps_dismissed_at = models.DateTimeField(_("入门提示关闭时间"), null=True, blank=True)

    objects: ClassVar[LuoshiUserManager] = LuoshiUserManager()

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        ordering = ["pinyin", "id"]

    def __str__(self) -> str:
        return self.name or self.username

    @property
    def masked_phone(self) -> str:
        """138****5678: what everyone but the people who manage this person sees."""
        return mask_phone(self.phone)


class AccessToken(models.Model):
    """A personal access token for the JSON API. Only its SHA-256 is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="access_tokens")
    name = models.CharField(_("名称"), max_length=100)
    prefix = models.CharField(max_length=12, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(_("有效期至"), null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("访问令牌")
        verbose_name_plural = _("访问令牌")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def new_secret() -> str:
        return "ls_" + secrets.token_urlsafe(32)

    @staticmethod
    def hash(secret: str) -> str:
        return hashlib.sha256(secret.encode()).hexdigest()


class LoginSession(models.Model):
    """One logged-in browser session, so that a person sees and ends their sessions, the
    安全管理员 ends someone's, and a session ends at its absolute lifetime however active.

    Only the SHA-256 of Django's session key is stored. A request whose session has no row here
    (ended, expired, or from before this table) is logged out by `middleware.SessionMiddleware`.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="login_sessions")
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    user_agent = models.CharField(_("设备（浏览器）"), max_length=300, blank=True)
    ip_address = models.GenericIPAddressField(_("地址"), null=True, blank=True)
    created_at = models.DateTimeField(_("登录时间"), default=timezone.now)
    last_seen_at = models.DateTimeField(_("最近活动"), default=timezone.now)

    class Meta:
        verbose_name = _("登录会话")
        verbose_name_plural = _("登录会话")
        ordering = ["-last_seen_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.ip_address or '-'}"

    @staticmethod
    def hash(session_key: str) -> str:
        return hashlib.sha256(session_key.encode()).hexdigest()


class PasswordHistory(models.Model):
    """A password hash a person has used, kept so the last few cannot be chosen again (等保:
    口令定期更换且不重复). Written by the password-history validator when a password is set."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=128, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("历史密码")
        verbose_name_plural = _("历史密码")
        indexes = [models.Index(fields=["user", "-created_at"], name="password_history_recent")]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.created_at:%Y-%m-%d %H:%M}"


class NotificationQuerySet(models.QuerySet):
    def unread(self) -> "NotificationQuerySet":
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """An in-app message to one person (催办, 预警, 督办, …), mailed too when SMTP is set."""

    class Level(models.TextChoices):
        INFO = "info", _("通知")
        BLUE = "blue", _("蓝色预警")
        YELLOW = "yellow", _("黄色预警")
        RED = "red", _("红色预警")

    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    level = models.CharField(max_length=10, choices=Level, default=Level.INFO)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(max_length=300, blank=True)
    task = models.ForeignKey(
        "campaigns.Task", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("消息")
        verbose_name_plural = _("消息")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return self.title
