"""Model cards: tables and diagrams generated from a model declaration, so documentation
cannot drift.

A Markdown document marks generated blocks with
``<!-- BEGIN GENERATED: KIND MODEL -->`` ... ``<!-- END GENERATED -->``.

KIND is one of ``parameters``, ``species``, ``processes``, ``derived``, ``observables``,
``variability``, ``thresholds``, ``references`` or ``diagram`` (a Mermaid flowchart of the
host genotype's populations with the feedback links listed under it).

MODEL is a registered model name (``friberg2002-docetaxel``), optionally followed by the
species of a model family (``hematopoiesis:mouse``). ``parameters`` and ``variability``
accept several species separated by commas (``hematopoiesis:human,mouse``) and then show
the parameter sets side by side.

``refresh_document`` rewrites those blocks; a test checks that the committed documents equal
their refreshed text. Run ``python -m hemasim.report.model_card docs/models/*.md`` after
changing a model.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from hemasim.model.model import Model
from hemasim.models import get_model

BLOCK = re.compile(r"(<!-- BEGIN GENERATED: (\w+) ([\w.:,-]+) -->\n)(.*?)(<!-- END GENERATED -->)",
                   re.DOTALL)

IDENTIFIER = re.compile(r"[A-Za-z_]\w*")


class ModelCardError(ValueError):
    """A generated block that names an unknown kind or a model it cannot be built for."""


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _table(header: list[str], rows: list[list[object]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(value) for value in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


# -- tables ------------------------------------------------------------------------------------
def parameter_table(model: Model) -> str:
    """Markdown table: name, value, unit, bounds, meaning, source of every parameter."""
    return _table(["parameter", "value", "unit", "bounds", "meaning", "source"], [
        [f"`{p.name}`", f"{p.value:g}", p.unit, f"{p.bounds[0]:g} - {p.bounds[1]:g}",
         p.meaning, p.source.describe()] for p in model.parameters])


def parameter_comparison_table(models: list[Model]) -> str:
    """Markdown table of several parameter sets of one structure, side by side.

    Columns: name, unit, one value column per model, meaning, one source column per model
    (headed by each model's species: ``human value``, ``mouse source``). A parameter that a
    model lacks shows ``-``.
    """
    labels = [model.species_kind for model in models]
    by_model = [{p.name: p for p in model.parameters} for model in models]
    names = list(dict.fromkeys(p.name for model in models for p in model.parameters))
    rows = []
    for name in names:
        present = [parameters[name] for parameters in by_model if name in parameters]
        units = " / ".join(dict.fromkeys(p.unit for p in present))
        values = [f"{parameters[name].value:g}" if name in parameters else "-"
                  for parameters in by_model]
        sources = [parameters[name].source.describe() if name in parameters else "-"
                   for parameters in by_model]
        rows.append([f"`{name}`", units, *values, present[0].meaning, *sources])
    return _table(["parameter", "unit", *(f"{label} value" for label in labels), "meaning",
                   *(f"{label} source" for label in labels)], rows)


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


def derived_table(model: Model) -> str:
    """Markdown table of the derived quantities: name, formula, unit, meaning."""
    return _table(["quantity", "formula", "unit", "meaning"], [
        [f"`{d.name}`", f"`{d.expression}`", d.unit, d.meaning] for d in model.derived])


def observable_table(model: Model) -> str:
    """Markdown table of the observables: reported read-outs and internal signals."""
    return _table(["observable", "kind", "expression", "unit", "meaning"], [
        [f"`{o.name}`", "read-out" if o.reported else "internal signal", f"`{o.expression}`",
         o.unit, o.meaning] for o in model.observables])


def variability_table(model: Model) -> str:
    """Markdown table of the inter-individual variability terms."""
    return _table(["parameter", "omega (SD of log)", "source"], [
        [f"`{v.parameter}`", f"{v.omega:.4g}", v.source.describe()] for v in model.variability])


def variability_comparison_table(models: list[Model]) -> str:
    """Markdown table of the variability of several parameter sets, side by side."""
    labels = [model.species_kind for model in models]
    by_model = [{v.parameter: v for v in model.variability} for model in models]
    names = list(dict.fromkeys(v.parameter for model in models for v in model.variability))
    rows = []
    for name in names:
        omegas = [f"{terms[name].omega:.4g}" if name in terms else "-" for terms in by_model]
        sources = [terms[name].source.describe() if name in terms else "-"
                   for terms in by_model]
        rows.append([f"`{name}`", *omegas, *sources])
    return _table(["parameter", *(f"{label} omega (SD of log)" for label in labels),
                   *(f"{label} source" for label in labels)], rows)


def reference_table(model: Model) -> str:
    """Markdown table of the references behind a model and its parameters (key, citation)."""
    return _table(["key", "reference"], [
        [f"`{r.key}`", r.formatted()] for r in model.all_references()])


def threshold_table(model: Model) -> str:
    """Markdown table of the clinical thresholds used for endpoints."""
    return _table(["read-out", "level", "meaning", "source"], [
        [t.variable, f"{t.direction} {t.value:g} {model.unit_of(t.variable)}", t.label,
         t.source.describe()] for t in model.thresholds])


# -- diagram -----------------------------------------------------------------------------------
@dataclass
class _Edge:
    source: str
    target: str
    style: str  # "transfer", "amplification" or "cytokine"
    labels: list[str] = field(default_factory=list)


@dataclass
class _Structure:
    """The host's populations, shared species and the links between them (diagram input)."""

    nodes: list[tuple[str, str, str, bool]]  # (local name, compartment, meaning, is shared)
    edges: list[_Edge]
    proliferating: list[str]
    acting: dict[tuple[str, str], tuple[list[str], list[str]]]  # (cytokine, cell) -> via, names
    sensing: list[tuple[list[str], list[str], str, str]]  # cells, cytokines, via, process
    regulating: dict[str, tuple[list[str], list[str], list[str]]]  # cell -> by, via, names


def _ordered(names: Iterable[str], order: list[str]) -> list[str]:
    wanted = set(names)
    return [name for name in order if name in wanted]


def _structure(model: Model, genotype: str) -> _Structure:
    """Read the populations of ``genotype`` and the links between them from the declaration.

    Cell populations are the species named ``<population>__<genotype>``; shared species
    (cytokines) carry no genotype suffix. A process that takes from one population and adds
    to another is a transfer; one that only adds to a population, with a rate proportional
    to a single population, is production from that population (self-renewal when it is the
    same one). A process whose rate depends (directly or through observables) on a shared
    species is that species acting on the population the process starts from; a shared
    species' production or elimination rate that uses an observable of cell populations is
    those populations acting back on it.
    """
    suffix = f"__{genotype}"
    cells = [s.name for s in model.species if s.name.endswith(suffix)]
    if not cells:
        raise ModelCardError(f"model '{model.name}' has no cell populations of genotype "
                             f"'{genotype}' (species named '<population>{suffix}')")
    shared = [s.name for s in model.species if "__" not in s.name]
    order = [s.name for s in model.species]
    cell_set, shared_set = set(cells), set(shared)
    observables = {o.name: o.expression for o in model.observables}

    def local(name: str) -> str:
        return name[:-len(suffix)] if name.endswith(suffix) else name

    def label(text: str) -> str:
        return text.removesuffix(f" ({genotype})")

    closure: dict[str, set[str]] = {}

    def species_behind(name: str, seen: frozenset[str] = frozenset()) -> set[str]:
        """Species an observable depends on, through other observables."""
        if name not in closure:
            found: set[str] = set()
            for token in IDENTIFIER.findall(observables[name]):
                if token in observables and token not in seen:
                    found |= species_behind(token, seen | {name})
                elif token in cell_set or token in shared_set:
                    found.add(token)
            closure[name] = found
        return closure[name]

    nodes = [(local(s.name), s.compartment, label(s.meaning), s.name in shared_set)
             for s in model.species if s.name in cell_set or s.name in shared_set]
    edges: dict[tuple[str, str, str], _Edge] = {}
    proliferating: list[str] = []
    acting: dict[tuple[str, str], tuple[list[str], list[str]]] = {}
    sensing: list[tuple[list[str], list[str], str, str]] = []
    regulating: dict[str, tuple[list[str], list[str], list[str]]] = {}

    def add_edge(source: str, target: str, style: str, text: str | None) -> None:
        edge = edges.setdefault((source, target, style), _Edge(source, target, style))
        if text and text not in edge.labels:
            edge.labels.append(text)

    for process in model.processes:
        changed = set(process.changes)
        if not changed <= cell_set | shared_set:
            continue  # another genotype's process
        name = label(process.name)
        tokens = IDENTIFIER.findall(process.rate)
        direct = _ordered((t for t in tokens if t in cell_set), cells)
        signals = list(dict.fromkeys(t for t in tokens if t in observables))
        changed_cells = _ordered(changed & cell_set, cells)
        if changed_cells:
            taken = [s for s in changed_cells if process.changes[s] < 0]
            given = [s for s in changed_cells if process.changes[s] > 0]
            start = taken[0] if taken else (direct[0] if len(direct) == 1 else None)
            if taken and given:
                for source in taken:
                    for target in given:
                        add_edge(local(source), local(target), "transfer",
                                 None if "->" in name else name)
            elif given and start is not None:
                for target in given:
                    if target == start:
                        if local(target) not in proliferating:
                            proliferating.append(local(target))
                    else:
                        add_edge(local(start), local(target), "amplification", name)
            if start is None:
                continue
            # a signal acts on the pool a process feeds (amplification into a new pool) or
            # moves; pure losses (drug kill, death) carry no feedback link
            acted_on = given[0] if given and not taken and given[0] != start else start
            for cytokine in shared if given else ():
                via = [local(s) for s in signals if cytokine in species_behind(s)]
                if cytokine in tokens or via:
                    entry = acting.setdefault((cytokine, acted_on), ([], []))
                    entry[0].extend(v for v in via if v not in entry[0])
                    if name not in entry[1]:
                        entry[1].append(name)
            for signal in signals:
                behind = _ordered(species_behind(signal) & cell_set, cells)
                if behind:
                    entry = regulating.setdefault(start, ([], [], []))
                    entry[0].extend(local(b) for b in behind if local(b) not in entry[0])
                    if local(signal) not in entry[1]:
                        entry[1].append(local(signal))
                    if name not in entry[2]:
                        entry[2].append(name)
        else:
            for signal in signals:
                behind = _ordered(species_behind(signal) & cell_set, cells)
                if behind:
                    sensing.append(([local(b) for b in behind],
                                    [local(c) for c in _ordered(changed, order)],
                                    local(signal), name))
    ordered_acting = {key: acting[key] for key in sorted(
        acting, key=lambda key: (shared.index(key[0]), cells.index(key[1])))}
    for cytokine, start in ordered_acting:
        add_edge(cytokine, local(start), "cytokine", None)
    ordered_edges = sorted(edges.values(), key=lambda e: e.style == "cytokine")
    return _Structure(nodes, ordered_edges, proliferating, ordered_acting, sensing,
                      {key: regulating[key] for key in _ordered(regulating, cells)})


def _quoted(text: str) -> str:
    return '"' + text.replace('"', "#quot;") + '"'


def _slug(text: str) -> str:
    return "c_" + re.sub(r"\W+", "_", text).strip("_")


def _code_list(names: Iterable[str]) -> str:
    return ", ".join(f"`{name}`" for name in names)


def diagram(model: Model, genotype: str = "host") -> str:
    """A Mermaid flowchart of ``genotype``'s populations, and the feedback links as a list.

    One node per cell population (``__<genotype>`` stripped) and per shared species, grouped
    in subgraphs by compartment in declaration order; solid arrows move cells from one
    population to another, dotted labelled arrows produce cells from a population without
    consuming it one for one (amplifying maturation), thick red arrows are cytokines acting
    on a population. Everything is read from the declaration in declaration order, so the
    text is the same on every run.
    """
    structure = _structure(model, genotype)
    lines = ["```mermaid", "flowchart TB"]
    compartments = list(dict.fromkeys(compartment for _, compartment, _, _ in structure.nodes))
    for compartment in compartments:
        lines.append(f"  subgraph {_slug(compartment)}[{_quoted(compartment)}]")
        for name, where, meaning, is_shared in structure.nodes:
            if where == compartment:
                text = _quoted(f"{name}<br/>{meaning}")
                lines.append(f"    {name}{{{{{text}}}}}" if is_shared else f"    {name}[{text}]")
        lines.append("  end")
    arrows = {"transfer": "-->", "amplification": "-.->", "cytokine": "==>"}
    cytokine_links = []
    for index, edge in enumerate(structure.edges):
        arrow = arrows[edge.style]
        if edge.labels:
            arrow += f"|{_quoted('; '.join(edge.labels))}|"
        lines.append(f"  {edge.source} {arrow} {edge.target}")
        if edge.style == "cytokine":
            cytokine_links.append(str(index))
    if structure.proliferating:
        lines.append("  classDef proliferating stroke-width:3px")
        lines.append(f"  class {','.join(structure.proliferating)} proliferating")
    if cytokine_links:
        lines.append(f"  linkStyle {','.join(cytokine_links)} stroke:#b03a2e,stroke-width:2px")
    lines.append("```")
    lines += [
        "",
        "Solid arrows: cells move from one population to the next (transfer, division into "
        "the next stage, egress and homing). Dotted labelled arrows: cells are produced from "
        "a population at a rate proportional to it, with an amplification factor (terminal "
        "divisions, platelet shedding). Thick red arrows: a cytokine acts on the processes "
        "that start from that population. Thick border: the population divides and renews "
        f"itself. Populations are those of the `{genotype}` genotype (suffix "
        f"`__{genotype}` dropped).",
    ]

    def listing(title: str, items: list[str]) -> None:
        if items:
            lines.extend(["", title, "", *items])

    listing("Cytokines acting on cells (process rates that depend on the cytokine, through "
            "the named signals):",
            [f"- `{cytokine}` acts on `{start.removesuffix(f'__{genotype}')}`"
             + (f" (via {_code_list(via)})" if via else "") + f": {'; '.join(names)}"
             for (cytokine, start), (via, names) in structure.acting.items()])
    listing("Cells acting on cytokines (production and elimination rates that depend on "
            "cell populations):",
            [f"- {_code_list(behind)} -> {_code_list(cytokines)} (via `{via}`): {name}"
             for behind, cytokines, via, name in structure.sensing])
    listing("Cells regulating the processes of a population (rates that depend on cell "
            "populations through named signals; density terms written into a rate are in "
            "the process table):",
            [f"- {_code_list(by)} -> `{start.removesuffix(f'__{genotype}')}` "
             f"(via {_code_list(via)}): {'; '.join(names)}"
             for start, (by, via, names) in structure.regulating.items()])
    return "\n".join(lines) + "\n"


# -- blocks ------------------------------------------------------------------------------------
def _one(function: Callable[[Model], str]) -> Callable[[list[Model]], str]:
    def generate(models: list[Model]) -> str:
        if len(models) != 1:
            raise ModelCardError(f"{function.__name__} takes one model, got {len(models)}")
        return function(models[0])

    return generate


def _one_or_many(one: Callable[[Model], str],
                 many: Callable[[list[Model]], str]) -> Callable[[list[Model]], str]:
    def generate(models: list[Model]) -> str:
        return one(models[0]) if len(models) == 1 else many(models)

    return generate


GENERATORS: dict[str, Callable[[list[Model]], str]] = {
    "parameters": _one_or_many(parameter_table, parameter_comparison_table),
    "species": _one(species_table),
    "processes": _one(process_table),
    "derived": _one(derived_table),
    "observables": _one(observable_table),
    "variability": _one_or_many(variability_table, variability_comparison_table),
    "thresholds": _one(threshold_table),
    "references": _one(reference_table),
    "diagram": _one(diagram),
}


def models_named(spec: str) -> list[Model]:
    """The models a block names: ``name``, ``name:species`` or ``name:species,species``."""
    name, _, species = spec.partition(":")
    if not species:
        return [get_model(name)]
    return [get_model(name, kind) for kind in species.split(",")]


def generate_block(kind: str, spec: str) -> str:
    """The generated text of one block (``kind`` of ``spec``, as written in the marker)."""
    if kind not in GENERATORS:
        raise ModelCardError(f"unknown generated block kind '{kind}'; known: "
                             f"{', '.join(GENERATORS)}")
    try:
        return GENERATORS[kind](models_named(spec))
    except ModelCardError as error:
        raise ModelCardError(f"block '{kind} {spec}': {error}") from None


def refresh_text(text: str) -> str:
    """The document with every generated block regenerated from the current models."""

    def replace(match: re.Match) -> str:
        return match.group(1) + generate_block(match.group(2), match.group(3)) + match.group(5)

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
