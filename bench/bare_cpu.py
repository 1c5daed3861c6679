"""CPU ms of one request to the bare view (bench/bare_settings.py) through Django's test client:
what bench/profile_pages.py divides by a page's CPU ms for its ratio.

    .venv/bin/python bench/bare_cpu.py [RUNS]       # prints one number

Run in its own process because it needs its own settings.
"""

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.bare_settings"

import django  # noqa: E402

django.setup()

from django.test import Client  # noqa: E402


def bare_cpu_ms(runs: int) -> float:
    client = Client(HTTP_HOST="localhost")
    for _ in range(50):
        client.get("/")
    started = time.process_time()
    for _ in range(runs):
        client.get("/")
    return (time.process_time() - started) * 1000 / runs


if __name__ == "__main__":
    print(f"{bare_cpu_ms(int(sys.argv[1]) if len(sys.argv) > 1 else 2000):.4f}")
