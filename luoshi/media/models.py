"""Media matrix (融媒矩阵): channels, publications and journalists' targets."""

from django.db import models  # noqa: F401
