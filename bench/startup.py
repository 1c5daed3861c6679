"""Start-up cost: `manage.py check` with the installed bytecode against the same with none.

    .venv/bin/python bench/startup.py          # 5 rounds; BENCH_RUNS=N for more

The environment may set PYTHONDONTWRITEBYTECODE, so nothing compiled on the fly is kept. `make`
installs the venv compiled and compiles the project's own modules before every start; "without"
points PYTHONPYCACHEPREFIX at an empty folder, so the interpreter finds no bytecode at all and
compiles every imported module (site-packages and luoshi) from source, as before the change. The
two commands run in turn, round by round, and the table gives the CPU time (user + sys) of each
whole process and the ratio within each round, because the machine's speed drifts.
"""

import os
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.machine import load_average, machine  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "5"))
COMMAND = [sys.executable, "manage.py", "check"]


def cpu_seconds(env: dict[str, str]) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(COMMAND, cwd=ROOT, env=env, check=True, capture_output=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", "-j", "0", "luoshi"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    compiled = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    with tempfile.TemporaryDirectory() as empty:
        source_only = {**compiled, "PYTHONPYCACHEPREFIX": empty}
        cpu_seconds(compiled)  # warm the file cache
        with_bytecode, without, ratios = [], [], []
        for _ in range(RUNS):
            a = cpu_seconds(compiled)
            b = cpu_seconds(source_only)
            with_bytecode.append(a)
            without.append(b)
            ratios.append(a / b)
    print(f"machine: {machine()}; load average before: {load_average()}")
    print(f"command: manage.py check, {RUNS} rounds; CPU seconds (user + sys) of the whole process")
    print(f"{'':28}{'min':>8}{'median':>8}{'max':>8}")
    for label, figures in (
        ("with bytecode", with_bytecode),
        ("without (compiled on start)", without),
        ("ratio with / without", ratios),
    ):
        print(f"{label:28}{min(figures):8.2f}{statistics.median(figures):8.2f}{max(figures):8.2f}")
    print(f"load average after: {load_average()}")


if __name__ == "__main__":
    main()
