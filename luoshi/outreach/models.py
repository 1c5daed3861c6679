"""Outreach lectures (挎包宣讲): lecture teams, target places and the coverage table."""

from django.db import models  # noqa: F401
