"""Benchmark: wall time of ``hemasim run`` on the built-in default (or a scenario), cold and warm.

Runs ``hemasim run [SCENARIO] --out <tmpdir>`` (by default one cycle of docetaxel 100 mg/m2
for the typical patient, Friberg 2002; ``--scenario`` names a scenario file) as a child
process: first with a fresh, empty compiled-code cache
(``HEMASIM_CACHE_DIR``: code generation and numba compilation included, as on a new
machine), then ``--repeats`` times with that cache filled. The wall time is the child's, from
its start to its exit (interpreter start, imports, the run, writing the five files). The
temporary cache and outputs are removed at the end; ``~/.cache/hemasim`` is not touched.

    python bench/run_latency.py                 # 1 cold and 5 warm runs, a table
    python bench/run_latency.py --json          # + one JSON object on stdout
    python bench/run_latency.py --scenario examples/human-pbsc-transplant.yaml

This is a benchmark, not a test: it asserts nothing about the numbers.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPOSITORY / "bench"))

from mouse_year_cohort import hemasim_command, machine  # noqa: E402 - sibling script


def run_once(label: str, cache: Path, work: Path, scenario: Path | None = None) -> float:
    """Wall seconds of one ``hemasim run`` of the scenario (default: built-in) with this
    cache."""
    env = dict(os.environ, HEMASIM_CACHE_DIR=str(cache))
    env.pop("NUMBA_CACHE_DIR", None)
    command = [*hemasim_command(), "run", *([str(scenario)] if scenario else []), "--out",
               str(work / f"out-{label}")]
    started = time.perf_counter()
    finished = subprocess.run(command, cwd=work, env=env, stdin=subprocess.DEVNULL,
                              capture_output=True, text=True)
    wall = time.perf_counter() - started
    if finished.returncode != 0:
        sys.stderr.write(f"run {label} failed ({finished.returncode}):\n{finished.stdout}"
                         f"{finished.stderr}")
        raise SystemExit(1)
    return wall


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="warm runs (default 5)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--scenario", type=Path, default=None,
                        help="scenario file (default: the built-in default)")
    args = parser.parse_args(argv)
    scenario = args.scenario.resolve() if args.scenario else None
    label = str(args.scenario) if args.scenario else "built-in default (hemasim run)"
    date = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    with tempfile.TemporaryDirectory(prefix="hemasim-latency-") as temporary:
        work = Path(temporary)
        cache = work / "cache"
        cache.mkdir()
        cold = run_once("cold", cache, work, scenario)
        warm = [run_once(f"warm{i}", cache, work, scenario)
                for i in range(1, args.repeats + 1)]
    result = {
        "scenario": label,
        "cold_s": round(cold, 2),
        "warm_median_s": round(statistics.median(warm), 2),
        "warm_runs_s": [round(t, 2) for t in warm],
        "load_average_1min": round(os.getloadavg()[0], 2),
        "machine": machine(),
        "date": date,
    }
    text = (f"hemasim run ({label}): cold {cold:.2f} s, warm median "
            f"{result['warm_median_s']:.2f} s ({', '.join(f'{t:.2f}' for t in warm)})")
    print(text, file=sys.stderr if args.json else sys.stdout)
    if args.json:
        print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
