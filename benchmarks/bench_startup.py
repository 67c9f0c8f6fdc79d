"""Cold-start time of `garble check` on one small file (what a pre-commit hook pays per run).

Each run is a fresh process (cold: nothing imported yet; the OS file cache is warm, as it is on
a developer machine). Prints the median over --runs runs beside two baselines (the bare
interpreter, and `import garble` alone), then the slowest imports from `python -X importtime`.
Target: median < 0.5 s.

    python benchmarks/bench_startup.py [--runs 20] [--file PATH]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET = 0.5
# Installed packages have .pyc files (pip compiles them at install time); a development
# environment with PYTHONDONTWRITEBYTECODE=1 would recompile every module on every run and
# measure something no user pays, so the children may write and use bytecode.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
SAMPLE = "The café reopened on Monday, and the queue reached the corner by nine.\n"


def garble_cmd() -> list[str]:
    exe = Path(sys.executable).with_name("garble")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "garble.cli"]


def timed(cmd: list[str], runs: int, cwd: str) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU (user + system) seconds of each fresh process.

    CPU time is reported too because it barely moves when other work shares the
    machine, while wall time does.
    """
    wall, cpu = [], []
    for _ in range(runs):
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run(cmd, cwd=cwd, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wall.append(time.perf_counter() - t0)
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append((r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime))
    return wall, cpu


def importtime(cmd_args: list[str], cwd: str, top: int) -> list[tuple[int, int, str]]:
    r = subprocess.run([sys.executable, "-X", "importtime", "-m", "garble.cli", *cmd_args], cwd=cwd, env=ENV,
                       capture_output=True, text=True)
    rows = []
    for line in r.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, cum_us, name = (x.strip() for x in line[len("import time:"):].split("|"))
        rows.append((int(self_us), int(cum_us), name))
    return sorted(rows, key=lambda r: -r[0])[:top]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--file", help="file to check (default: a one-line clean text)")
    ap.add_argument("--top", type=int, default=12, help="slowest imports to list")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "note.txt"
        if args.file:
            shutil.copy(args.file, path)
        else:
            path.write_text(SAMPLE, encoding="utf-8")
        check = [*garble_cmd(), "check", str(path), "--format", "concise"]
        timed(check, 2, tmp)  # warm the OS file cache and .pyc files, as on a developer machine
        rows = [
            ("python -c pass (interpreter floor)", timed([sys.executable, "-c", "pass"], args.runs, tmp)),
            ("python -c 'import garble'", timed([sys.executable, "-c", "import garble"], args.runs, tmp)),
            ("garble check FILE --format concise", timed(check, args.runs, tmp)),
            ("garble check FILE --format full", timed([*check[:-1], "full"], args.runs, tmp)),
            ("  same, concise, without IC (no model)", timed([*check, "--ignore", "IC"], args.runs, tmp)),
        ]
        load = os.getloadavg()[0]
        print(f"cold start, {args.runs} fresh processes each, {os.cpu_count()} CPUs, load average {load:.2f}, "
              f"Python {sys.version.split()[0]}")
        print(f"{'command':<40} {'median':>8} {'min':>8} {'max':>8} {'CPU med':>8}")
        for name, (wall, cpu) in rows:
            print(f"{name:<40} {statistics.median(wall):>7.3f}s {min(wall):>7.3f}s {max(wall):>7.3f}s "
                  f"{statistics.median(cpu):>7.3f}s")
        med = statistics.median(rows[2][1][0])
        print(f"target: median < {TARGET:.1f} s for the check -> {'OK' if med < TARGET else 'TOO SLOW'} ({med:.3f} s wall)")
        print("\nslowest imports of `garble check FILE` (python -X importtime), self time:")
        print(f"{'self ms':>8} {'cumul ms':>9}  module")
        for self_us, cum_us, name in importtime(["check", str(path), "--format", "concise"], tmp, args.top):
            print(f"{self_us / 1000:>8.1f} {cum_us / 1000:>9.1f}  {name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
