"""Reports: briefings written from the ledger's counts (page, Word, command)."""

from django.db import models  # noqa: F401
