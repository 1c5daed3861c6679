"""Rectification: the problem list, task forces and market inspections whose findings open 整改 tasks."""

from django.db import models  # noqa: F401
