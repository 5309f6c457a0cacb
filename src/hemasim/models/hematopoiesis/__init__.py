"""The integrated hematopoiesis model, human and mouse, with any number of genotypes.

``hematopoiesis_model("human")`` is the wild-type adult; ``hematopoiesis_model("mouse",
genotypes=(Genotype("host", 0.5), Genotype("donor", 0.5)))`` a 50/50 chimera. The structure is
in ``structure.py``, the steady-state balances in ``steady_state_values.py``, the numbers in
``human.yaml`` and ``mouse.yaml`` (each value with its source) and the references in
``references.yaml``.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import yaml

from hemasim.model.declaration import (
    Derived,
    Parameter,
    Reference,
    Source,
    Threshold,
    Variability,
    assumed,
)
from hemasim.model.model import Model
from hemasim.models.clinical import CTCAE_5
from hemasim.models.hematopoiesis.drugs import drug_dosing
from hemasim.models.hematopoiesis.genotype import (
    CELL_COMPONENTS,
    ENVIRONMENT_COMPONENTS,
    HOST,
    Genotype,
)
from hemasim.models.hematopoiesis.parameter_specs import PARAMETER_SPECS
from hemasim.models.hematopoiesis.steady_state_values import DERIVED
from hemasim.models.hematopoiesis.structure import observables, processes, species

SPECIES_KINDS = ("human", "mouse")

MARCINIAK_2009 = Reference(
    "marciniak2009",
    "Marciniak-Czochra A, Stiehl T, Ho AD, Jager W, Wagner W. Modeling of asymmetric cell "
    "division in hematopoietic stem cells: regulation of self-renewal is essential for "
    "efficient repopulation. Stem Cells Dev. 2009;18(3):377-385",
    "10.1089/scd.2008.0143",
)


ENGRAFTMENT = Reference(
    "champlin2000",
    "Champlin RE, Schmitz N, Horowitz MM, et al. Blood stem cells compared with bone marrow as "
    "a source of hematopoietic cells for allogeneic transplantation. Blood. "
    "2000;95(12):3702-3709 (engraftment: first of 3 consecutive days with ANC >= 0.5 x10^9/L; "
    "platelets >= 20 x10^9/L)",
    "10.1182/blood.V95.12.3702",
)
TRANSFUSION_TRIGGER = Reference(
    "rebulla1997",
    "Rebulla P, Finazzi G, Marangoni F, et al. The threshold for prophylactic platelet "
    "transfusions in adults with acute myeloid leukemia. N Engl J Med. 1997;337(26):1870-1875 "
    "(a trigger of 10 x10^9/L was as safe as 20 and used fewer transfusions)",
    "10.1056/NEJM199712253372602",
)
THRESHOLDS = (
    Threshold("ANC", 0.5, "grade 4 neutropenia", "below",
              Source(CTCAE_5, "Neutrophil count decreased, grade 4: < 500/mm3")),
    Threshold("platelets", 25.0, "grade 4 thrombocytopenia", "below",
              Source(CTCAE_5, "Platelet count decreased, grade 4: < 25,000/mm3")),
    Threshold("platelets", 10.0, "platelet transfusion trigger", "below",
              Source(TRANSFUSION_TRIGGER, "prophylactic platelet transfusion below "
                     "10 x10^9/L")),
    Threshold("ANC", 0.5, "neutrophil recovery", "above",
              Source(ENGRAFTMENT, "neutrophil engraftment threshold")),
    Threshold("platelets", 20.0, "platelet recovery", "above",
              Source(ENGRAFTMENT, "platelet engraftment threshold")),
)
"""Clinical levels of the integrated model's read-outs (toxicity grades, engraftment)."""


class ParameterFileError(ValueError):
    """A parameter data file that does not match the declaration."""


def _data_file(name: str) -> dict:
    text = resources.files(__package__).joinpath(name).read_text(encoding="utf-8")
    return yaml.safe_load(text)


@lru_cache(maxsize=1)
def references() -> dict[str, Reference]:
    """Reference key -> Reference, from ``references.yaml``."""
    return {key: Reference(key, entry["citation"], entry.get("doi", ""))
            for key, entry in _data_file("references.yaml").items()}


@lru_cache(maxsize=2)
def parameter_set(species_kind: str) -> tuple[Parameter, ...]:
    """The parameters of ``species_kind`` (``human`` or ``mouse``) read from its data file.

    Raises ``ParameterFileError`` naming the file and the entry when a value, unit or source
    is missing or the entries do not match ``PARAMETER_SPECS``.
    """
    if species_kind not in SPECIES_KINDS:
        raise ValueError(f"unknown species '{species_kind}'; known: {', '.join(SPECIES_KINDS)}")
    file_name = f"{species_kind}.yaml"
    entries = _data_file(file_name)["parameters"]
    known = {spec.name for spec in PARAMETER_SPECS}
    problems = [f"{file_name}: {name}: not a parameter of the model"
                for name in entries if name not in known]
    found = []
    for spec in PARAMETER_SPECS:
        entry = entries.get(spec.name)
        if entry is None:
            problems.append(f"{file_name}: {spec.name}: missing")
            continue
        if str(entry.get("unit")) != spec.unit:
            problems.append(f"{file_name}: {spec.name}: unit '{entry.get('unit')}' but the "
                            f"model declares '{spec.unit}'")
        if "assumed" in entry:
            source = assumed(entry["assumed"])
        elif entry.get("source") in references():
            source = Source(references()[entry["source"]], entry.get("location", ""),
                            note=entry.get("note", ""))
        else:
            problems.append(f"{file_name}: {spec.name}: needs 'source' (a key of "
                            f"references.yaml) or 'assumed: why', found {entry.get('source')!r}")
            continue
        found.append(Parameter(spec.name, float(entry["value"]), spec.unit, spec.meaning,
                               source, spec.bounds))
    if problems:
        raise ParameterFileError("\n".join(problems))
    return tuple(found)


def _source_of(entry: dict, file_name: str, key: str) -> Source:
    if "assumed" in entry:
        return assumed(entry["assumed"])
    if entry.get("source") in references():
        return Source(references()[entry["source"]], entry.get("location", ""),
                      note=entry.get("note", ""))
    raise ParameterFileError(f"{file_name}: {key}: needs 'source' (a key of references.yaml) "
                             f"or 'assumed: why', found {entry.get('source')!r}")


@lru_cache(maxsize=2)
def variability_set(species_kind: str) -> tuple[Variability, ...]:
    """Log-normal inter-individual variability of ``species_kind`` from its data file."""
    file_name = f"{species_kind}.yaml"
    entries = _data_file(file_name).get("variability") or {}
    return tuple(Variability.from_cv(name, float(entry["cv"]),
                                     _source_of(entry, file_name, f"variability.{name}"))
                 for name, entry in entries.items())


def _genotype_parameters(genotypes: tuple[Genotype, ...]) -> list[Parameter]:
    found = []
    for g in genotypes:
        found.append(Parameter(
            f"initial_fraction__{g.name}", g.initial_fraction, "1",
            f"share of the steady-state populations held by genotype {g.name} at the start",
            assumed("set by the scenario's genotypes"), (0.0, 1.0)))
        for component, meaning in CELL_COMPONENTS.items():
            value = g.scale_of(component)
            found.append(Parameter(
                f"{component}__{g.name}", value, "1", f"{meaning}, genotype {g.name} "
                "(1 wild type, 0 knocked out)",
                assumed("wild type is 1; the scenario's genotype or knockout sets it"),
                (0.0, 100.0)))
    for component, meaning in ENVIRONMENT_COMPONENTS.items():
        found.append(Parameter(
            f"{component}_production", 1.0, "1", f"{meaning}, relative to wild type",
            assumed("wild type is 1; a knockout sets 0"), (0.0, 100.0)))
    return found


@lru_cache(maxsize=64)
def hematopoiesis_model(species_kind: str = "human",
                        genotypes: tuple[Genotype, ...] = (HOST,)) -> Model:
    """The integrated model for ``species_kind`` with the given genotypes (host first).

    Args:
        species_kind: ``"human"`` (70 kg adult) or ``"mouse"`` (C57BL/6, 25 g).
        genotypes: the genotypes whose cells are tracked; names must be distinct.
    """
    names = [g.name for g in genotypes]
    if not genotypes or len(set(names)) != len(names):
        raise ValueError(f"genotypes need distinct names, got {names}")
    return Model(
        name="hematopoiesis",
        title=f"Integrated hematopoiesis model ({species_kind})",
        description=(
            "Stem cells in a finite niche with quiescence, activation and self-renewal under "
            "feedback; the hierarchy to red cells, platelets, neutrophils, monocytes and B, "
            "T and NK lymphocytes; marrow-blood exchange of HSPCs; EPO, TPO, G-CSF and IL-6 "
            "feedback; per-genotype cell populations sharing one environment."),
        references=(MARCINIAK_2009, *references().values()),
        species=species(genotypes),
        parameters=(*parameter_set(species_kind), *_genotype_parameters(genotypes)),
        processes=processes(genotypes),
        observables=observables(genotypes),
        derived=tuple(Derived(*item) for item in DERIVED),
        variability=variability_set(species_kind),
        dosing=drug_dosing(),
        thresholds=THRESHOLDS,
        plot_variables=("ANC", "platelets", "Hb", "lymphocytes", "HSC_number"),
        species_kind=species_kind,
    )
