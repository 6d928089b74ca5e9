"""Crafted-workbook benchmark: what `python -m etl check` costs on each workbook of
tests/crafted.py (far cells on many sheets, shared strings repeated, merged ranges, .xls sheets),
in peak memory (the child's maximum resident set) and wall time.

Target on a 2-core machine: every workbook under the 20 MB size limit is checked in under
300 MB and 5 s.

    .venv/bin/python bench/bench_limits.py                 # this checkout
    .venv/bin/python bench/bench_limits.py --root OLD      # another checkout's etl (e.g. a git worktree
                                                           # of an older commit), for a before/after
A run is stopped at --cap-mb of address space and --timeout seconds, so an old reader cannot take
the machine down; such a run prints what it reached.
"""
from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

from crafted import CASES  # noqa: E402


def check(root: Path, path: Path, cap_mb: int, timeout: float) -> tuple[float, float, int | None]:
    """(peak MB, seconds, exit code or None when stopped) of `python -m etl check` on `path`."""
    def limit():
        cap = cap_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    start = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-m", "etl", "check", str(path)], cwd=root, preexec_fn=limit,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = start + timeout
    while True:
        pid, status, usage = os.wait4(child.pid, os.WNOHANG)
        if pid:
            code = os.waitstatus_to_exitcode(status)
            return usage.ru_maxrss / 1024, time.perf_counter() - start, code
        if time.perf_counter() > deadline:
            child.kill()
            _, _, usage = os.wait4(child.pid, 0)
            return usage.ru_maxrss / 1024, time.perf_counter() - start, None
        time.sleep(0.02)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout whose etl package checks the files")
    parser.add_argument("--cap-mb", type=int, default=6000)
    parser.add_argument("--timeout", type=float, default=60)
    args = parser.parse_args()
    worst_mb = worst_s = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        print(f"{'workbook':52} {'size':>9} {'peak MB':>8} {'time s':>7}  exit")
        for name, (build, _) in CASES.items():
            folder = Path(tmp) / str(len(os.listdir(tmp)))
            folder.mkdir()
            path = build(folder)
            mb, seconds, code = check(args.root.resolve(), path, args.cap_mb, args.timeout)
            worst_mb, worst_s = max(worst_mb, mb), max(worst_s, seconds)
            shown = "stopped" if code is None else ("out of memory" if code < 0 else str(code))
            print(f"{name:52} {path.stat().st_size / 1024:7.0f} kB {mb:8.0f} {seconds:7.2f}  {shown}")
    print(f"worst: {worst_mb:.0f} MB, {worst_s:.2f} s (target: < 300 MB, < 5 s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
