"""Study: study groups, the designated reading list, reading records and reflection essays."""

from django.db import models  # noqa: F401
