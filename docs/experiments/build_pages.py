"""Write the pages of docs/experiments: one Markdown page and one figure per experiment.

Usage (from the repository root, after installing hemasim)::

    python docs/experiments/build_pages.py [NAME ...]

Each page holds the experiment's description, the scenario files to rerun it, the figure
(every arm's time course, then each target's published range with the model's value) and
the table ``hemasim experiment NAME`` prints. Pages are regenerated, never edited by hand.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

from hemasim.experiments import EXPERIMENTS
from hemasim.plot.experiment import plot_experiment

HERE = Path(__file__).resolve().parent


def _number(value: float) -> str:
    return "n/a" if not math.isfinite(value) else f"{value:.4g}"


def page(outcome) -> str:
    """The Markdown text of one experiment's page."""
    experiment = outcome.experiment
    results = outcome.target_results()
    passed = sum(r.passed for r in results)
    lines = [
        f"# {experiment.name}: {experiment.title}", "",
        experiment.description.strip(), "",
        "Rerun it with `hemasim experiment " + experiment.name + " --out DIR`, or run and "
        "change its scenario files:", "",
    ]
    lines += [f"- {label}: [`examples/{file}`](../../examples/{file})"
              for label, file in experiment.arm_files()]
    lines += ["", f"![{experiment.name}]({experiment.name}.png)", "",
              f"**{passed} of {len(results)} targets pass.**", "",
              "| target | observable | model | reference | pass | source |",
              "|---|---|---|---|---|---|"]
    for r in results:
        lines.append(f"| {r.target.id} | {r.target.observable} | {_number(r.model)} | "
                     f"{r.target.describe_reference()} | {'yes' if r.passed else '**no**'} | "
                     f"{r.target.source} |")
    predictions = outcome.prediction_rows()
    if predictions:
        lines += ["", "Model predictions (no published value to compare with):", "",
                  "| prediction | observable | model | direction | why |",
                  "|---|---|---|---|---|"]
        lines += [f"| {row['id']} | {row['observable']} | "
                  f"{_number(row['model'] if row['model'] is not None else math.nan)} | "
                  f"{row['direction']} | {row['rationale']} |" for row in predictions]
    notes = HERE / "notes" / f"{experiment.name}.md"
    if notes.exists():
        lines += ["", notes.read_text(encoding="utf-8").strip()]
    lines += ["", "This page is written by `docs/experiments/build_pages.py`"
              + (f" from the experiment and `notes/{experiment.name}.md`." if notes.exists()
                 else "."), ""]
    return "\n".join(lines)


def index() -> str:
    """The Markdown index of all experiment pages."""
    lines = ["# Built-in experiments", "",
             "Each page shows an experiment's scenario files, its figure (model vs published "
             "range) and its table. `hemasim validate` runs them all; `hemasim experiment "
             "NAME` runs one. Either reruns with a parameter changed against the same "
             "references, `--parameter NAME=VALUE` (repeatable): `hemasim experiment mouse-bmt "
             "-p progenitor_density_feedback=8` shows what a hypothesis does to each target, "
             "and `hemasim validate -p ...` which targets it keeps, gains or loses (each change "
             "acts on the experiments, and the arms, whose models have that parameter).", "",
             "| experiment | what it reproduces |", "|---|---|"]
    lines += [f"| [{name}]({name}.md) | {experiment.title} |"
              for name, experiment in EXPERIMENTS.items() if not name.startswith("steady")]
    lines += ["", "The steady-state experiments (`steady-state-human`, `steady-state-mouse`) "
              "are described in [../models/hematopoiesis.md](../models/hematopoiesis.md).", ""]
    return "\n".join(lines)


def main(names: list[str]) -> None:
    (HERE / "README.md").write_text(index())
    chosen = names or [n for n in EXPERIMENTS if not n.startswith("steady-state")]
    for name in chosen:
        outcome = EXPERIMENTS[name].run()
        plot_experiment(outcome, HERE / f"{name}.png")
        (HERE / f"{name}.md").write_text(page(outcome))
        print(f"{name}: {sum(r.passed for r in outcome.target_results())} of "
              f"{len(outcome.target_results())} targets pass")


if __name__ == "__main__":
    main(sys.argv[1:])
