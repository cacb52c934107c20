"""Cold start of the desktop app: from starting the process to a usable Welcome page on screen.

Runs ``python -m desktop_app gui --quit-when-shown`` (offscreen Qt, scratch settings and data folders)
a few times and reports the median wall time until it prints "shown"; the floor is a process that only
imports PySide6.QtWidgets and shows an empty window, which no Qt app can beat. The last line printed is
one JSON object.

    .venv/bin/python benchmarks/bench_startup.py --runs 5
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FLOOR = ("from PySide6.QtWidgets import QApplication, QWidget\n"
         "app = QApplication([]); window = QWidget(); window.show(); app.processEvents(); print('shown', flush=True)")


def time_until_shown(command: list[str], env: dict[str, str]) -> float:
    """Seconds from starting ``command`` until it prints "shown" (it must, within 60 s)."""
    started = time.perf_counter()
    with subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True) as child:
        assert child.stdout is not None
        for line in child.stdout:
            if line.strip() == "shown":
                elapsed = time.perf_counter() - started
                child.wait(60)
                return elapsed
        child.wait(60)
    raise RuntimeError(f"{' '.join(command)} ended without showing a window (exit {child.returncode})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "CROSSLINK_CONFIG_DIR": f"{scratch}/config",
               "CROSSLINK_DATA_DIR": f"{scratch}/data", "CROSSLINK_LOG_DIR": f"{scratch}/log"}
        app = [sys.executable, "-m", "desktop_app", "gui", "--quit-when-shown"]
        floor = [sys.executable, "-c", FLOOR]
        time_until_shown(app, env)  # warm the file cache once: "cold" here means a new process, not a cold disk
        apps = [time_until_shown(app, env) for _ in range(args.runs)]
        floors = [time_until_shown(floor, env) for _ in range(args.runs)]
    result = {"runs": args.runs, "welcome_shown_s": round(statistics.median(apps), 3),
              "welcome_shown_range_s": [round(min(apps), 3), round(max(apps), 3)],
              "qt_floor_s": round(statistics.median(floors), 3),
              "ratio_to_floor": round(statistics.median(apps) / statistics.median(floors), 2),
              "cwd": str(Path.cwd())}
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
