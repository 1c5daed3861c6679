"""WSGI entry point of the bare project: `gunicorn bench.bare_wsgi` (bench/throughput.py)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ["DJANGO_SETTINGS_MODULE"] = "bench.bare_settings"
application = get_wsgi_application()
