"""Model cards: tables generated from a model declaration, so documentation cannot drift.

A Markdown document marks generated blocks with
``<!-- BEGIN GENERATED: KIND MODEL -->`` ... ``<!-- END GENERATED -->`` where KIND is
``parameters``, ``species``, ``processes``, ``variability`` or ``thresholds``.
``refresh_document`` rewrites those blocks; a test checks that the committed documents equal
their refreshed text. Run ``python -m hemasim.report.model_card docs/models/*.md`` after
changing a model.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from hemasim.model.model import Model
from hemasim.models import get_model

BLOCK = re.compile(r"(<!-- BEGIN GENERATED: (\w+) ([\w.-]+) -->\n)(.*?)(<!-- END GENERATED -->)",
                   re.DOTALL)


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _table(header: list[str], rows: list[list[object]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(value) for value in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def parameter_table(model: Model) -> str:
    """Markdown table: name, value, unit, bounds, meaning, source of every parameter."""
    return _table(["parameter", "value", "unit", "bounds", "meaning", "source"], [
        [f"`{p.name}`", f"{p.value:g}", p.unit, f"{p.bounds[0]:g} - {p.bounds[1]:g}",
         p.meaning, p.source.describe()] for p in model.parameters])


def species_table(model: Model) -> str:
    """Markdown table of the state variables."""
    return _table(["species", "unit", "compartment", "initial value", "meaning"], [
        [f"`{s.name}`", s.unit, s.compartment, f"`{s.initial}`", s.meaning]
        for s in model.species])


def process_table(model: Model) -> str:
    """Markdown table of the processes: rate law and the species each one changes."""
    rows = []
    for process in model.processes:
        changes = ", ".join(f"{'+' if c > 0 else '-'}{abs(c):g} {name}"
                            for name, c in process.changes.items())
        rows.append([process.name, f"`{process.rate}`", changes])
    return _table(["process", "rate", "changes"], rows)


def variability_table(model: Model) -> str:
    """Markdown table of the inter-individual variability terms."""
    return _table(["parameter", "omega (SD of log)", "source"], [
        [f"`{v.parameter}`", f"{v.omega:.4g}", v.source.describe()] for v in model.variability])


def threshold_table(model: Model) -> str:
    """Markdown table of the clinical thresholds used for endpoints."""
    return _table(["read-out", "level", "meaning", "source"], [
        [t.variable, f"{t.direction} {t.value:g} {model.unit_of(t.variable)}", t.label,
         t.source.describe()] for t in model.thresholds])


GENERATORS = {
    "parameters": parameter_table,
    "species": species_table,
    "processes": process_table,
    "variability": variability_table,
    "thresholds": threshold_table,
}


def refresh_text(text: str) -> str:
    """The document with every generated block regenerated from the current models."""

    def replace(match: re.Match) -> str:
        kind, name = match.group(2), match.group(3)
        return match.group(1) + GENERATORS[kind](get_model(name)) + match.group(5)

    return BLOCK.sub(replace, text)


def refresh_document(path: str | Path) -> bool:
    """Rewrite the generated blocks of a document in place; True when it changed."""
    path = Path(path)
    text = path.read_text()
    refreshed = refresh_text(text)
    if refreshed != text:
        path.write_text(refreshed)
    return refreshed != text


if __name__ == "__main__":  # pragma: no cover - maintenance script
    for argument in sys.argv[1:]:
        print(f"{argument}: {'updated' if refresh_document(argument) else 'up to date'}")
