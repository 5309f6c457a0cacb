"""Large cohorts: streamed partitions, resume after SIGKILL, Dask, chunk independence."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from typer.testing import CliRunner

from hemasim import api
from hemasim.analysis.cohort import summarise
from hemasim.analysis.cohort_store import (
    CohortStoreError,
    Condition,
    endpoint_summary,
    threshold_fractions,
)
from hemasim.cli.main import app
from hemasim.io.partitions import RunDirectoryError, read_sample, read_timecourse
from hemasim.scenario.loading import scenario_from_yaml_text
from hemasim.streaming import resume_cohort, stream_cohort

runner = CliRunner(env={"COLUMNS": "200", "NO_COLOR": "1", "TERM": "dumb"})

FAST = """\
name: fast
model: friberg2002-docetaxel
duration: 21 d
output_step: 0.5 d
doses:
  - drug: docetaxel
    dose: 100 mg/m2
    infusion: 1 h
"""


@pytest.fixture(scope="module")
def fast(tmp_path_factory):
    """The fast Friberg scenario: its file, scenario and model."""
    path = tmp_path_factory.mktemp("scenario") / "fast.yaml"
    path.write_text(FAST)
    scenario = scenario_from_yaml_text(FAST, str(path))
    return path, scenario, api.model_for(scenario)


def stream(fast, out, patients, chunk_size, **options):
    path, scenario, model = fast
    return stream_cohort(model, scenario, out, patients=patients, seed=3, scenario_text=FAST,
                         scenario_file=str(path), chunk_size=chunk_size, **options)


def files_of(directory: Path) -> dict[str, bytes]:
    return {str(p.relative_to(directory)): p.read_bytes()
            for p in sorted(directory.rglob("*")) if p.is_file()}


def endpoint_rows(directory: Path) -> pd.DataFrame:
    parts = sorted((directory / "endpoints").glob("part-*.parquet"))
    return pd.concat([pd.read_parquet(p) for p in parts], ignore_index=True)


def test_streamed_run_equals_the_in_memory_run_and_its_summaries(fast, tmp_path):
    _, scenario, model = fast
    streamed = stream(fast, tmp_path / "run", 300, 70)
    assert streamed.chunks == 5
    memory = api.run_cohort(model, scenario, patients=300, seed=3)
    stored = read_timecourse(tmp_path / "run")
    for name in ("value", "parameter_value", "status"):
        xr.testing.assert_identical(stored[name], memory[name])
    sample = read_sample(tmp_path / "run", ["C_docetaxel", "ANC"], 130, dict(memory.attrs))
    np.testing.assert_array_equal(
        sample["value"].values, memory["value"].sel(variable=["C_docetaxel", "ANC"]).values[:130])
    table, summary = api.endpoint_tables(model, memory)
    pd.testing.assert_frame_equal(endpoint_rows(tmp_path / "run"), table)
    # DuckDB's percentiles and mean agree with numpy's to rounding.
    from_disk = endpoint_summary(tmp_path / "run")
    pd.testing.assert_frame_equal(from_disk, summary, check_exact=False, rtol=1e-12)
    pd.testing.assert_frame_equal(streamed.summary, summary, check_exact=False, rtol=1e-12)
    fractions = threshold_fractions(tmp_path / "run",
                                    [Condition("ANC_nadir", "<", 0.5, "grade 4")])
    assert fractions["meeting"].iloc[0] == int(np.sum(table["ANC_nadir"] < 0.5))
    assert fractions["n"].iloc[0] == 300
    record = json.loads((tmp_path / "run" / "run.json").read_text())
    assert record["complete"] is True and record["layout"] == "partitioned"
    assert record["patients"] == 300 and record["partitions"] == 5


@pytest.mark.slow
def test_results_do_not_depend_on_chunk_size_or_workers(fast, tmp_path):
    stream(fast, tmp_path / "a", 400, 50, workers=1)
    stream(fast, tmp_path / "b", 400, 150, workers=2)
    xr.testing.assert_identical(read_timecourse(tmp_path / "a"),
                                read_timecourse(tmp_path / "b"))
    pd.testing.assert_frame_equal(endpoint_rows(tmp_path / "a"), endpoint_rows(tmp_path / "b"))
    for name in ("summary.csv", "summary.json", "figure.png"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    # The in-memory path through worker processes gives the same cohort too.
    _, scenario, model = fast
    pooled = api.run_cohort(model, scenario, patients=400, seed=3, chunk_size=90, workers=2)
    xr.testing.assert_identical(pooled, api.run_cohort(model, scenario, patients=400, seed=3))


@pytest.mark.slow
def test_dask_local_cluster_gives_the_local_result(fast, tmp_path):
    from distributed import LocalCluster

    stream(fast, tmp_path / "local", 300, 60, workers=1)
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                      dashboard_address=None) as cluster:
        stream(fast, tmp_path / "dask", 300, 60, scheduler=cluster.scheduler_address)
    assert files_of(tmp_path / "dask") == files_of(tmp_path / "local")


def test_partial_run_is_never_taken_for_a_finished_one(fast, tmp_path, monkeypatch):
    import hemasim.io.partitions as partitions

    original = partitions.PartitionedRun.write_chunk
    calls = []

    def fail_on_third(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return original(self, *args, **kwargs)

    monkeypatch.setattr(partitions.PartitionedRun, "write_chunk", fail_on_third)
    with pytest.raises(KeyboardInterrupt):
        stream(fast, tmp_path / "run", 250, 50)
    monkeypatch.setattr(partitions.PartitionedRun, "write_chunk", original)
    record = json.loads((tmp_path / "run" / "run.json").read_text())
    assert record["complete"] is False
    with pytest.raises(CohortStoreError, match="not finished"):
        endpoint_summary(tmp_path / "run")
    assert endpoint_summary(tmp_path / "run", allow_partial=True)["n"].iloc[0] == 100
    # A new run never overwrites it, and the command line says how to finish it.
    with pytest.raises(RunDirectoryError, match="--resume"):
        stream(fast, tmp_path / "run", 250, 50)
    result = runner.invoke(app, ["run", str(fast[0]), "--patients", "2000", "--out",
                                 str(tmp_path / "run")])
    assert result.exit_code == 2 and "--resume" in result.output
    summarised = runner.invoke(app, ["summarize", str(tmp_path / "run")])
    assert summarised.exit_code == 2 and "not finished" in summarised.output
    # A crash can leave a torn log line and a stray temporary file: both are ignored.
    with open(tmp_path / "run" / "chunks.jsonl", "a") as log:
        log.write('{"index": 2, "patie')
    (tmp_path / "run" / "timecourse" / ".part-000002.parquet.0.tmp").write_bytes(b"half")
    finished = resume_cohort(tmp_path / "run", model=fast[2])
    assert finished.resumed_chunks == 2
    stream(fast, tmp_path / "whole", 250, 50)
    assert files_of(tmp_path / "run") == files_of(tmp_path / "whole")


@pytest.mark.slow
def test_sigkill_mid_run_then_resume_is_identical_to_an_uninterrupted_run(fast, tmp_path):
    import psutil

    path = fast[0]
    killed, whole = tmp_path / "killed", tmp_path / "whole"
    command = [sys.executable, "-m", "hemasim", "run", str(path), "--patients", "4000",
               "--chunk-size", "100", "--seed", "5", "--workers", "2"]
    process = subprocess.Popen([*command, "--out", str(killed)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    log = killed / "chunks.jsonl"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        if log.is_file() and len(log.read_text().splitlines()) >= 3:
            break
        time.sleep(0.02)
    assert process.poll() is None, "the run ended before it could be killed"
    workers = psutil.Process(process.pid).children(recursive=True)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    done = len(log.read_text().splitlines())
    assert 3 <= done < 40
    assert json.loads((killed / "run.json").read_text())["complete"] is False
    # Its workers notice that their parent is gone and exit.
    gone, alive = psutil.wait_procs(workers, timeout=15)
    assert not alive

    resumed = runner.invoke(app, ["run", "--resume", str(killed), "--workers", "1"])
    assert resumed.exit_code == 0, resumed.output
    assert "ANC_nadir" in resumed.output
    finished = subprocess.run([*command, "--out", str(whole)], capture_output=True, text=True)
    assert finished.returncode == 0, finished.stderr
    assert files_of(killed) == files_of(whole)
    again = runner.invoke(app, ["run", "--resume", str(killed)])
    assert again.exit_code == 0 and "already complete" in again.output


def test_summarize_command_reads_partitions_and_single_file_runs(fast, tmp_path):
    stream(fast, tmp_path / "big", 120, 50)
    result = runner.invoke(app, ["summarize", str(tmp_path / "big"), "--json",
                                 "--where", "ANC_nadir < 0.5"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["complete"] is True and data["patients"] == 120
    table = endpoint_rows(tmp_path / "big")
    assert data["fractions"][0]["meeting"] == int(np.sum(table["ANC_nadir"] < 0.5))
    assert [row["endpoint"] for row in data["summary"]][0] == "ANC_nadir"
    # A run written in one piece (endpoints.csv) is summarised the same way.
    small = tmp_path / "small"
    assert runner.invoke(app, ["run", str(fast[0]), "--patients", "30", "--seed", "3",
                               "--out", str(small)]).exit_code == 0
    shown = runner.invoke(app, ["summarize", str(small)])
    assert shown.exit_code == 0, shown.output
    assert "grade 4 neutropenia" in shown.output and "ANC_nadir" in shown.output
    stored = json.loads((small / "endpoints.json").read_text())["summary"]
    expected = summarise(pd.read_csv(small / "endpoints.csv"),
                         {row["endpoint"]: row["unit"] for row in stored})
    pd.testing.assert_frame_equal(endpoint_summary(small), expected, check_exact=False,
                                  rtol=1e-12)
    bad = runner.invoke(app, ["summarize", str(small), "--where", "nadir << 1"])
    assert bad.exit_code == 2 and "ENDPOINT OPERATOR NUMBER" in bad.output
    missing = runner.invoke(app, ["summarize", str(tmp_path / "nothing")])
    assert missing.exit_code == 2 and "not a hemasim run directory" in missing.output


def test_resume_of_a_small_or_missing_run_says_why_not(tmp_path):
    assert runner.invoke(app, ["run", "--out", str(tmp_path / "one")]).exit_code == 0
    result = runner.invoke(app, ["run", "--resume", str(tmp_path / "one")])
    assert result.exit_code == 2 and "nothing to resume" in result.output
    result = runner.invoke(app, ["run", "--resume", str(tmp_path / "none")])
    assert result.exit_code == 2 and "no such run directory" in result.output
