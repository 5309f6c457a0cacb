"""The command line: outputs, reproducibility, and clear messages with exit status 2."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from hemasim.cli.main import app

runner = CliRunner(env={"COLUMNS": "200", "NO_COLOR": "1", "TERM": "dumb"})
ROOT = Path(__file__).resolve().parents[1]
GOOD = """\
name: t
model: friberg2002-docetaxel
duration: 21 d
output_step: 0.25 d
doses:
  - drug: docetaxel
    dose: 100 mg/m2
    infusion: 1 h
"""


def invoke(*args: str):
    return runner.invoke(app, list(args))


def write(tmp_path: Path, text: str, name: str = "scenario.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_default_run_writes_the_five_files_and_prints_endpoints(tmp_path):
    out = tmp_path / "run"
    result = invoke("run", "--out", str(out))
    assert result.exit_code == 0, result.output
    for name in ("timecourse.parquet", "endpoints.csv", "endpoints.json", "run.json",
                 "figure.png"):
        assert (out / name).is_file(), name
    assert "ANC_nadir" in result.output
    record = json.loads((out / "run.json").read_text())
    assert record["complete"] is True and record["model"] == "friberg2002-docetaxel"
    endpoints = pd.read_csv(out / "endpoints.csv")
    assert endpoints["ANC_nadir"].iloc[0] == pytest.approx(0.90, abs=0.01)


def test_cohort_run_prints_median_and_band_and_is_reproducible(tmp_path):
    scenario = write(tmp_path, GOOD)
    first, second = tmp_path / "a", tmp_path / "b"
    for out in (first, second):
        result = invoke("run", str(scenario), "--out", str(out), "--patients", "40",
                        "--seed", "1")
        assert result.exit_code == 0, result.output
    assert "median" in result.output and "ANC_nadir" in result.output
    for name in ("timecourse.parquet", "endpoints.csv", "endpoints.json", "run.json",
                 "figure.png"):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    table = pd.read_csv(first / "endpoints.csv")
    assert len(table) == 40 and table["ANC_nadir"].nunique() == 40


def test_an_existing_run_is_never_half_overwritten(tmp_path, monkeypatch):
    out = tmp_path / "run"
    assert invoke("run", "--out", str(out)).exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    import hemasim.plot.timecourse as timecourse

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(timecourse, "plot_timecourse", broken)
    result = invoke("run", write(tmp_path, GOOD.replace("21 d", "10 d")).as_posix(),
                    "--out", str(out))
    assert result.exit_code != 0
    after = {p.name: p.read_bytes() for p in out.iterdir()}
    assert after == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".run")] == []


def test_an_output_directory_holding_the_users_own_files_is_refused_not_deleted(tmp_path):
    # --out pointing at a folder of the user's (not a previous run) must delete nothing.
    out = tmp_path / "notes"
    out.mkdir()
    (out / "my-analysis.txt").write_text("keep me")
    result = invoke("run", "--out", str(out))
    assert result.exit_code == 2, result.output
    assert "my-analysis.txt" in result.output and "Traceback" not in result.output
    assert [p.name for p in out.iterdir()] == ["my-analysis.txt"]
    assert (out / "my-analysis.txt").read_text() == "keep me"
    a_file = tmp_path / "results.csv"
    a_file.write_text("x")
    result = invoke("experiment", "friberg2002-docetaxel", "--out", str(a_file))
    assert result.exit_code == 2 and "not a directory" in result.output
    assert a_file.read_text() == "x"
    # an empty directory is used, and a previous run is replaced
    empty = tmp_path / "empty"
    empty.mkdir()
    assert invoke("run", "--out", str(empty)).exit_code == 0
    assert invoke("run", "--out", str(empty)).exit_code == 0


def test_a_run_no_patient_could_be_solved_writes_nothing_and_keeps_the_previous_run(tmp_path):
    # 1e300 mg/m2 overflows the solver: exit 2 and one line, not a directory of NaN
    out = tmp_path / "run"
    assert invoke("run", "--out", str(out)).exit_code == 0
    before = (out / "endpoints.csv").read_text()
    absurd = write(tmp_path, GOOD.replace("100 mg/m2", "1e300 mg/m2"))
    result = invoke("run", str(absurd), "--out", str(out))
    assert result.exit_code == 2, result.output
    assert "solver failed" in result.output and "nothing was written" in result.output
    assert "Traceback" not in result.output and "RuntimeWarning" not in result.output
    assert (out / "endpoints.csv").read_text() == before
    # a streamed cohort has written its chunks, but says the same and exits 2
    streamed = invoke("run", str(absurd), "--patients", "1001", "--out", str(tmp_path / "s"))
    assert streamed.exit_code == 2 and "failed for all 1001 patients" in streamed.output


def test_an_output_directory_that_cannot_be_created_is_refused_before_the_run(tmp_path):
    a_file = tmp_path / "results.csv"
    a_file.write_text("x")
    result = invoke("run", "--out", str(a_file / "run"))
    assert result.exit_code == 2 and "is a file, not a directory" in result.output
    assert a_file.read_text() == "x"


@pytest.mark.parametrize(
    ("text", "key", "phrase"),
    [
        ("name: t\nmodel: [unclosed\n", "", "malformed YAML"),
        (GOOD.replace("    dose:", "    dsoe:"), "doses[0].dsoe", "did you mean 'dose'"),
        (GOOD.replace("drug: docetaxel", "drug: aspirin"), "doses[0].drug", "unknown drug"),
        (GOOD.replace("100 mg/m2", "100"), "doses[0].dose", "unit"),
        (GOOD.replace("100 mg/m2", "100 mL"), "doses[0].dose", "volume"),
        (GOOD.replace("infusion: 1 h", "infusion: 1 h\n    at: -1 d"), "doses[0].at",
         "negative"),
        (GOOD.replace("friberg2002-docetaxel", "friberg2003"), "model", "unknown model"),
    ],
    ids=["malformed-yaml", "unknown-key", "unknown-drug", "dose-without-unit",
         "dose-wrong-dimension", "negative-time", "unknown-model"],
)
def test_bad_scenarios_exit_2_naming_file_key_and_problem(tmp_path, text, key, phrase):
    path = write(tmp_path, text)
    result = invoke("run", str(path), "--out", str(tmp_path / "out"))
    assert result.exit_code == 2, result.output
    assert str(path) in result.output
    assert key in result.output and phrase in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_missing_file_exits_2(tmp_path):
    result = invoke("run", str(tmp_path / "nope.yaml"))
    assert result.exit_code == 2
    assert "nope.yaml" in result.output and "not found" in result.output


def test_non_numeric_patient_count_exits_2():
    result = invoke("run", "--patients", "many")
    assert result.exit_code == 2
    assert "--patients" in result.output and "integer" in result.output
    assert "Traceback" not in result.output


def test_real_process_prints_no_traceback(tmp_path):
    path = write(tmp_path, GOOD.replace("100 mg/m2", "100 mL"))
    process = subprocess.run([sys.executable, "-m", "hemasim", "run", str(path)],
                             capture_output=True, text=True, cwd=tmp_path)
    assert process.returncode == 2
    assert "Traceback" not in process.stderr + process.stdout
    assert process.stderr.startswith("error: ")
    assert "doses[0].dose" in process.stderr


def test_experiment_prints_model_and_reference(tmp_path):
    result = invoke("experiment", "friberg2002-docetaxel", "--out", str(tmp_path / "e"))
    assert result.exit_code == 0, result.output
    assert "CH-1 nadir" in result.output and "pass" in result.output
    assert (tmp_path / "e" / "figure.png").is_file()


def test_an_experiment_reruns_with_a_changed_parameter_against_the_same_references(tmp_path):
    # a steeper docetaxel effect (Friberg's slope) must deepen the nadir against CH-1
    def nadir(*extra: str) -> dict:
        result = invoke("validate", "--json", "-e", "friberg2002-docetaxel", *extra)
        return next(r for r in json.loads(result.output) if r["id"] == "CH-1 nadir")

    typical, steeper = nadir(), nadir("--parameter", "slope=20")
    assert steeper["reference"] == typical["reference"] and typical["pass"]
    assert steeper["model"] < 0.5 * typical["model"] and not steeper["pass"]
    out = tmp_path / "e"
    result = invoke("experiment", "friberg2002-docetaxel", "-p", "MTT=100 h", "--out", str(out))
    assert "changed: MTT = 100 h" in result.output
    assert json.loads((out / "run.json").read_text())["parameters_changed"] == {"MTT": "100 h"}
    # validate applies a change where the experiment's model has the parameter: a
    # hematopoiesis parameter leaves the Friberg rows as they were; a typo is refused
    mixed = invoke("validate", "--json", "-e", "friberg2002-docetaxel", "-e",
                   "steady-state-mouse", "-p", "hsc_quiescent_fraction=0.7")
    assert next(r for r in json.loads(mixed.output) if r["id"] == "CH-1 nadir") == typical
    typo = invoke("validate", "-e", "friberg2002-docetaxel", "-p", "slop=3")
    assert typo.exit_code == 2 and "did you mean 'slope'" in typo.output
    for bad, phrase in (("slope", "expected NAME=VALUE"), ("slop=3", "did you mean 'slope'"),
                        ("slope=-1", "plausible range"), ("slope=3 mg", "is a mass")):
        refused = invoke("experiment", "friberg2002-docetaxel", "-p", bad)
        assert refused.exit_code == 2 and phrase in refused.output, refused.output
        assert "Traceback" not in refused.output


def test_a_run_takes_parameter_overrides_from_the_command_line(tmp_path):
    # -p slope=20 must act as 'parameters: {slope: 20}' in the file: a deeper nadir
    typical = invoke("run", "--out", str(tmp_path / "a"))
    steeper = invoke("run", "-p", "slope=20", "--out", str(tmp_path / "b"))
    assert typical.exit_code == steeper.exit_code == 0, steeper.output

    def nadir(name: str) -> float:
        return float(pd.read_csv(tmp_path / name / "endpoints.csv")["ANC_nadir"].iloc[0])

    assert nadir("b") < 0.5 * nadir("a")
    record = json.loads((tmp_path / "b" / "run.json").read_text())
    assert record["parameters_changed"] == {"slope": 20.0}
    refused = invoke("run", "-p", "slope=-1", "--out", str(tmp_path / "c"))
    assert refused.exit_code == 2 and "parameters.slope" in refused.output
    assert not (tmp_path / "c").exists()


def test_a_change_reaches_only_the_arms_whose_model_has_the_parameter():
    # adamiak2017 pairs the integrated mouse model with the transwell cell-line model
    from hemasim.experiments.experiment import Experiment

    mixed = Experiment(name="mixed", title="", description="",
                       scenario_file="friberg2002-docetaxel.yaml", targets=(),
                       readouts=lambda results: {},
                       arms=(("transwell", "transwell-control.yaml"),))
    outcome = mixed.run({"slope": 20.0})
    scenarios = {label: json.loads(result.attrs["scenario"])
                 for label, result in outcome.arms.items()}
    assert scenarios["main"]["parameters"] == [["slope", 20.0, None]]
    assert "slope" not in {name for name, *_ in scenarios["transwell"]["parameters"]}
    with pytest.raises(ValueError, match="unknown parameter 'slop'"):
        mixed.run({"slop": 20.0})


def test_validate_json_rows():
    result = invoke("validate", "--json")
    rows = json.loads(result.output)
    assert {"id", "experiment", "observable", "reference", "model", "pass", "source"} <= set(
        rows[0])
    assert any(row["id"].startswith("CH-1") for row in rows)
    assert result.exit_code == (0 if all(row["pass"] for row in rows) else 1)


def test_validate_runs_only_the_chosen_experiments():
    result = invoke("validate", "--json", "-e", "friberg2002-docetaxel",
                    "--experiment", "friberg2002-docetaxel")
    rows = json.loads(result.output)
    assert {row["experiment"] for row in rows} == {"friberg2002-docetaxel"}
    assert len(rows) == len({row["id"] for row in rows})    # a repeated name runs once
    assert result.exit_code == (0 if all(row["pass"] for row in rows) else 1)
    unknown = invoke("validate", "-e", "friberg2002-docetaxl")
    assert unknown.exit_code == 2
    assert "unknown experiment 'friberg2002-docetaxl'" in unknown.output
    assert "did you mean 'friberg2002-docetaxel'" in unknown.output
    assert "Traceback" not in unknown.output


def test_models_schema_and_cite(tmp_path):
    assert "friberg2002-paclitaxel" in invoke("models").output
    schema = json.loads(invoke("schema").output)
    assert "doses" in json.dumps(schema)
    cited = invoke("cite", "friberg2002-docetaxel").output
    assert "10.1200/JCO.2002.02.140" in cited and "Bruno" in cited
    assert "Common Terminology Criteria" in cited     # the source of its toxicity grades
    integrated = invoke("cite", "hematopoiesis").output
    assert "Rebulla P" in integrated and "Champlin RE" in integrated
    out = tmp_path / "run"
    invoke("run", "--out", str(out))
    assert "Friberg" in invoke("cite", str(out)).output
    unknown = invoke("cite", "nomodel")
    assert unknown.exit_code == 2 and "known models" in unknown.output


def test_every_example_scenario_runs(tmp_path):
    # Examples that are arms of a built-in experiment are run by `hemasim validate`
    # (test_validate_json_rows); test_injury checks that their text is the experiment's.
    from hemasim.experiments import EXPERIMENTS

    arms = {file for experiment in EXPERIMENTS.values() for _, file in experiment.arm_files()}
    for example in sorted((ROOT / "examples").glob("*.yaml")):
        if example.name in arms:
            continue
        result = invoke("run", str(example), "--out", str(tmp_path / example.stem))
        assert result.exit_code == 0, (example.name, result.output)


def test_an_unwritable_cache_directory_is_named_with_the_variable_that_sets_it(tmp_path):
    not_a_directory = tmp_path / "cache-file"
    not_a_directory.write_text("")
    out = tmp_path / "run"
    finished = subprocess.run(
        [sys.executable, "-m", "hemasim", "run", "--out", str(out)], cwd=tmp_path,
        env={**os.environ, "HEMASIM_CACHE_DIR": str(not_a_directory)},
        capture_output=True, text=True, timeout=600)
    assert finished.returncode == 2, finished.stderr
    assert "Traceback" not in finished.stderr
    assert str(not_a_directory) in finished.stderr and "HEMASIM_CACHE_DIR" in finished.stderr
    assert not out.exists()
