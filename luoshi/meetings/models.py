"""Meetings (周例会, 月调度会, 半年总结, 年度考核会): minutes, agenda and decisions that become tasks."""

from django.db import models  # noqa: F401
