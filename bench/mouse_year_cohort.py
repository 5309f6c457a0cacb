"""Benchmark: one year of mouse hematopoiesis for a cohort, through the command line.

Runs ``hemasim run examples/mouse-year-cohort.yaml --patients N --seed 1 --out <tmpdir>`` as a
child process: once with a fresh, empty compiled-code cache (``HEMASIM_CACHE_DIR``), which
measures the cold start (code generation and numba compilation included), then ``--repeats``
times with that cache filled (warm). For each run it records the wall time, the peak resident
memory of the child and the size of the output directory. Every temporary directory (cache and
outputs) is removed at the end; the user's own cache (``~/.cache/hemasim``) is not touched.

This is a benchmark, not a test: it asserts nothing about the numbers.

    python bench/mouse_year_cohort.py                      # 1000 mice, 3 warm runs, a table
    python bench/mouse_year_cohort.py --patients 100 --repeats 1 --json
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from machine_info import cpu_name

REPOSITORY = Path(__file__).resolve().parent.parent
SCENARIO = "examples/mouse-year-cohort.yaml"
MIB = 1024 * 1024


@dataclass(frozen=True)
class Run:
    """One child run: wall time (s), peak resident memory (MiB), output size (MiB)."""

    label: str
    wall_s: float
    peak_rss_mb: float
    output_mb: float


def hemasim_command() -> list[str]:
    """The ``hemasim`` entry point of the interpreter running this script (its venv)."""
    beside = Path(sys.executable).with_name("hemasim")
    if beside.exists():
        return [str(beside)]
    found = shutil.which("hemasim")
    if found:
        return [found]
    return [sys.executable, "-m", "hemasim"]


def directory_size(path: Path) -> int:
    """Total size in bytes of the regular files under ``path``."""
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            total += (Path(root) / name).stat().st_size
    return total


def run_once(label: str, patients: int, seed: int, cache: Path, work: Path) -> Run:
    """Run the scenario once in a child process and measure it.

    Peak memory: neither of the two usual tools is used as such. ``/usr/bin/time -v`` adds a
    dependency that is not on every machine, and ``getrusage(RUSAGE_CHILDREN).ru_maxrss`` is
    the maximum over *all* children reaped so far, not a sum, so its delta is 0 whenever a run
    uses less memory than an earlier one (a warm run after the compiling cold run). Instead the
    child is reaped with ``os.wait4``, which returns the rusage of that one child (the same
    numbers ``/usr/bin/time -v`` prints, since GNU time also reads them from ``wait4``);
    ``ru_maxrss`` is its peak resident set size in KiB on Linux. hemasim runs the cohort in
    one process (numba threads), so that is the whole footprint of the run.
    """
    out = work / f"out-{label}"
    env = dict(os.environ)
    env["HEMASIM_CACHE_DIR"] = str(cache)
    # numba keeps its machine code next to the generated module (inside the cache above) unless
    # NUMBA_CACHE_DIR points elsewhere; unset it so that the cold run really starts empty.
    env.pop("NUMBA_CACHE_DIR", None)
    command = [
        *hemasim_command(), "run", SCENARIO,
        "--patients", str(patients), "--seed", str(seed), "--out", str(out),
    ]
    log_path = work / f"log-{label}.txt"
    with open(log_path, "wb") as log:
        start = time.perf_counter()
        child = subprocess.Popen(
            command, cwd=REPOSITORY, env=env, stdin=subprocess.DEVNULL, stdout=log,
            stderr=subprocess.STDOUT,
        )
        _pid, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        sys.stderr.write(f"run {label} failed (exit status {child.returncode}): "
                         f"{' '.join(command)}\n")
        sys.stderr.write(log_path.read_text(errors="replace"))
        raise SystemExit(1)
    size = directory_size(out)
    shutil.rmtree(out)
    return Run(label, wall, usage.ru_maxrss * 1024 / MIB, size / MIB)


def machine() -> dict[str, object]:
    cpu = cpu_name()
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count()
    return {"cpu": cpu, "cores": cores, "python": platform.python_version()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=1000, help="cohort size (default 1000)")
    parser.add_argument("--repeats", type=int, default=3, help="warm runs (default 3)")
    parser.add_argument("--seed", type=int, default=1, help="cohort seed (default 1)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    if args.patients < 1 or args.repeats < 1:
        parser.error("--patients and --repeats must be at least 1")

    date = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    with tempfile.TemporaryDirectory(prefix="hemasim-bench-") as temporary:
        work = Path(temporary)
        cache = work / "cache"
        cache.mkdir()
        runs = [run_once("cold", args.patients, args.seed, cache, work)]
        for index in range(1, args.repeats + 1):
            runs.append(run_once(f"warm{index}", args.patients, args.seed, cache, work))

    cold, warm = runs[0], runs[1:]
    warm_times = [run.wall_s for run in warm]
    warm_median = statistics.median(warm_times)
    result = {
        "scenario": SCENARIO,
        "patients": args.patients,
        "cold_s": round(cold.wall_s, 2),
        "warm_median_s": round(warm_median, 2),
        "warm_runs_s": [round(t, 2) for t in warm_times],
        # the highest peak of any run, cold (compiling) run included; per run in the table
        "peak_rss_mb": round(max(run.peak_rss_mb for run in runs), 1),
        "output_mb": round(statistics.median(run.output_mb for run in warm), 2),
        "machine": machine(),
        "date": date,
    }
    # the table goes to stdout, or to stderr with --json so that stdout is one JSON object
    table = sys.stderr if args.json else sys.stdout
    info = result["machine"]
    lines = [
        f"{SCENARIO}: {args.patients} patients, seed {args.seed}",
        f"{'run':<8} {'wall (s)':>10} {'peak RSS (MiB)':>15} {'output (MiB)':>13}",
        *(f"{run.label:<8} {run.wall_s:>10.2f} {run.peak_rss_mb:>15.1f} {run.output_mb:>13.2f}"
          for run in runs),
        f"warm median {warm_median:.2f} s = {args.patients / warm_median:.1f} patients/s; "
        f"cold {cold.wall_s:.2f} s",
        f"{info['cpu']}, {info['cores']} cores, Python {info['python']}, {date}",
    ]
    print("\n".join(lines), file=table)
    if args.json:
        print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
