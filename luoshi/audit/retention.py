"""How long audit records are kept: at least 184 days (six months, 网络安全法 §21; GB/T 22239-2019 8.1.4.3 c)."""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone


def require_retention() -> None:
    """Refuse a retention period below the minimum (at startup and before every purge)."""
    if settings.AUDIT_RETENTION_DAYS < settings.AUDIT_MIN_RETENTION_DAYS:
        raise ImproperlyConfigured(
            f"LUOSHI_AUDIT_RETENTION_DAYS={settings.AUDIT_RETENTION_DAYS}：审计记录的保存期限"
            f"不得少于 {settings.AUDIT_MIN_RETENTION_DAYS} 天（《网络安全法》第二十一条：网络日志留存不少于六个月）。"
        )


def retention_cutoff() -> datetime:
    """Rows written before this moment are past the retention period."""
    require_retention()
    return timezone.now() - timedelta(days=settings.AUDIT_RETENTION_DAYS)
