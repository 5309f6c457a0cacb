"""Benchmark: a streamed cohort from the CLI; wall time, memory of the process tree, output.

Runs ``hemasim run SCENARIO --patients N --seed 1 --out <tmp>`` (N above 1000, so the run is
streamed to partitions by worker processes) as a child process and samples, every 0.2 s, the
resident memory of the command and all its worker processes (psutil). Prints one JSON object:

* ``wall_s``: the whole command, start to exit;
* ``peak_tree_rss_mib``: highest sum of RSS over the command and its workers at one sample
  (an upper bound on what they used together: pages shared between forked workers count once
  per process);
* ``peak_process_rss_mib``: highest RSS of any single process (what ``/usr/bin/time -v``
  calls "Maximum resident set size" for the largest one);
* ``output_mib``: bytes in the run directory; ``patients_per_s``: N / wall time.

Usage: ``python bench/streamed_cohort.py --patients 20000 [--scenario FILE] [--keep DIR]``.
Uses your compilation cache (``HEMASIM_CACHE_DIR`` or ``~/.cache/hemasim``): run it once
first, or expect the first run to include compiling the model.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=20_000)
    parser.add_argument("--scenario", default=str(ROOT / "examples" / "mouse-year-cohort.yaml"))
    parser.add_argument("--extra", default="", help="more hemasim run options, one string")
    parser.add_argument("--keep", default=None, help="write the run here and keep it")
    arguments = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="hemasim-bench-"))
    out = Path(arguments.keep) if arguments.keep else scratch / "run"
    command = [sys.executable, "-m", "hemasim", "run", arguments.scenario, "--patients",
               str(arguments.patients), "--seed", "1", "--out", str(out),
               *arguments.extra.split()]
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             text=True)
    root = psutil.Process(child.pid)
    peak_tree = peak_process = 0
    peak_workers = 0
    while child.poll() is None:
        try:
            processes = [root, *root.children(recursive=True)]
            sizes = []
            for process in processes:
                try:
                    sizes.append(process.memory_info().rss)
                except psutil.Error:
                    pass
            peak_tree = max(peak_tree, sum(sizes))
            peak_process = max([peak_process, *sizes])
            peak_workers = max(peak_workers, len(processes) - 1)
        except psutil.Error:
            pass
        time.sleep(0.2)
    wall = time.perf_counter() - started
    output = child.stdout.read()
    if child.returncode != 0:
        print(output, file=sys.stderr)
        sys.exit(1)
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    print(json.dumps({
        "scenario": Path(arguments.scenario).name, "patients": arguments.patients,
        "extra": arguments.extra, "wall_s": round(wall, 1),
        "patients_per_s": round(arguments.patients / wall, 1),
        "peak_tree_rss_mib": round(peak_tree / 2**20), "peak_process_rss_mib":
        round(peak_process / 2**20), "child_processes": peak_workers,
        "output_mib": round(size / 2**20, 1), "cores": len(psutil.Process().cpu_affinity()),
    }))
    shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
