"""A bare Django project for bench/throughput.py: one view, no apps, no middleware, no database.

It runs under the same gunicorn settings as luoshi (`make run`: 2 workers x 4 threads), so the
ratio of luoshi's requests a second to this view's is what luoshi's own work costs.
"""

SECRET_KEY = "bench-only-not-secret"  # noqa: S105 - this project serves one constant page
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "bench.bare_urls"
INSTALLED_APPS: list[str] = []
MIDDLEWARE: list[str] = []
DATABASES: dict[str, dict] = {}
USE_TZ = True
