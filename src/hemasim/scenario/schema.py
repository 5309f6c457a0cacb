"""The scenario file format: the keys a scenario YAML file may have, checked by pydantic.

This module checks everything a file can get wrong on its own: unknown and missing keys,
types, times without a time unit or with the wrong sign, and the rules tying keys together
(exactly one of ``scale``/``value``, ``every`` with ``times``). What needs the model (drug,
parameter and species names; dose and parameter units) is checked when the file is resolved
against its model in ``scenario.loading``. Quantities stay text here; loading converts them.
The field types (quantities with units, names, factors) and the one-key rule error live in
``scenario.fields``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, get_args

from pydantic import AfterValidator, BeforeValidator, ConfigDict, Field, model_validator

from hemasim.scenario.fields import (
    Area,
    Factor,
    Mass,
    NumberOrQuantity,
    PositiveTime,
    Spec,
    Time,
    number_as_text,
    quantity_check,
    rule_error,
    short_name,
    time_in_days,
)


class SubjectSpec(Spec):
    """The ``subject`` mapping: body size used to scale doses given per kg or per m2."""

    weight: Mass = Field("70 kg", description="Body weight, a mass with a unit. Doses "
                         "written per kg ('10 ug/kg') are multiplied by it.",
                         examples=["70 kg"])
    bsa: Area = Field("1.8 m2", description="Body surface area, an area with a unit ('m2' "
                      "means square metres). Doses written per m2 ('100 mg/m2') are "
                      "multiplied by it.", examples=["1.8 m2"])


class DoseSpec(Spec):
    """One item of ``doses``: a drug administration, or a regimen of equally spaced ones."""

    drug: str = Field(description="Drug name as the model's dosing table declares it "
                      "(e.g. 'docetaxel').", examples=["docetaxel"])
    dose: Annotated[str, BeforeValidator(number_as_text)] = Field(
        description="Amount per administration: a mass ('150 mg'), a mass per kg body weight "
                    "('10 ug/kg') or a mass per m2 body surface ('100 mg/m2').",
        examples=["100 mg/m2"])
    route: Literal["iv", "sc", "ip", "oral"] = Field(
        "iv", description="Route of administration: iv, sc, ip or oral; the model decides "
                          "which routes it accepts for each drug.")
    at: Time = Field("0 d", description="Time of the first administration from the start of "
                     "the run, a time with a unit.", examples=["0 d"])
    infusion: PositiveTime | None = Field(
        None, description="Infusion duration, a time with a unit; leave out for a bolus.",
        examples=["1 h"])
    every: PositiveTime | None = Field(
        None, description="Interval between administrations of a regimen, a time with a unit "
                          "greater than zero; required when 'times' is more than 1.",
        examples=["21 d"])
    times: int = Field(1, ge=1, description="Number of administrations of the regimen, "
                       "at 'at', 'at' + 'every', ...", examples=[4])

    @model_validator(mode="after")
    def _regimen_is_complete(self) -> DoseSpec:
        if self.times > 1 and self.every is None:
            raise rule_error("every", "required when 'times' is more than 1 (the interval "
                                 "between administrations, e.g. '21 d')")
        if self.times == 1 and self.every is not None:
            raise rule_error("times", "'every' is given but 'times' is 1; give 'times', the "
                                 "number of administrations")
        if (self.infusion is not None and self.every is not None
                and time_in_days(self.infusion) > time_in_days(self.every)):
            raise rule_error("infusion", f"the infusion ('{self.infusion}') lasts longer than "
                                         f"the interval between administrations "
                                         f"('{self.every}'), so they would overlap; shorten "
                                         "it or give one longer infusion")
        return self


class ParameterChangeSpec(Spec):
    """One item of ``parameter_changes``: a window in which a parameter is scaled or set."""

    parameter: str = Field(description="Model parameter name (e.g. 'slope').",
                           examples=["slope"])
    scale: Factor | None = Field(None, description="Multiply the parameter by this factor "
                                 "in the window (0 knocks it out). Give scale or value.",
                                 examples=[0.5])
    value: NumberOrQuantity | None = Field(
        None, description="Replace the parameter by this value in the window: a number in "
                          "the parameter's own unit or a number with a unit ('8 L/umol'). "
                          "Give scale or value.", examples=["8 L/umol"])
    start: Time = Field("0 d", alias="from", description="Start of the window, a time with "
                        "a unit.", examples=["0 d"])
    until: Time | None = Field(None, description="End of the window, a time with a unit; "
                               "leave out for the rest of the run.", examples=["21 d"])

    @model_validator(mode="after")
    def _one_change_in_a_window(self) -> ParameterChangeSpec:
        given = [key for key in ("scale", "value") if getattr(self, key) is not None]
        if len(given) != 1:
            raise rule_error("", "give exactly one of 'scale' and 'value' (got "
                            f"{' and '.join(repr(key) for key in given) or 'neither'})")
        if self.until is not None and time_in_days(self.until) <= time_in_days(self.start):
            raise rule_error("until", f"must be after 'from' ({self.start}), got '{self.until}'")
        return self


class StateChangeSpec(Spec):
    """One item of ``state_changes``: an instantaneous change of one model state."""

    species: str = Field(description="Model species (state) name (e.g. 'Circ').",
                         examples=["Circ"])
    at: Time = Field("0 d", description="When the change happens, a time with a unit.",
                     examples=["5 d"])
    scale: Factor | None = Field(None, description="Multiply the state by this factor "
                                 "(0.5 halves it). Give one of scale, add, set.",
                                 examples=[0.5])
    add: NumberOrQuantity | None = Field(
        None, description="Add this amount (negative removes): a number in the species' own "
                          "unit or a number with a unit ('1 1e9/L'). Give one of scale, add, "
                          "set.", examples=["1 1e9/L"])
    set_to: NumberOrQuantity | None = Field(
        None, alias="set", description="Replace the state by this amount, zero or more: a "
                                       "number in the species' own unit or a number with a "
                                       "unit. Give one of scale, add, set.",
        examples=["0 1e9/L"])

    @model_validator(mode="after")
    def _one_change(self) -> StateChangeSpec:
        given = [key for key, value in (("scale", self.scale), ("add", self.add),
                                        ("set", self.set_to)) if value is not None]
        if len(given) != 1:
            raise rule_error("", "give exactly one of 'scale', 'add' and 'set' (got "
                            f"{' and '.join(repr(key) for key in given) or 'none'})")
        return self


class GenotypeSpec(Spec):
    """One item of ``genotypes``: a copy of the cell hierarchy sharing the environment."""

    name: Annotated[str, AfterValidator(short_name)] = Field(
        description="Genotype name, used as the suffix of its species ('donor' gives "
                    "'NEU__donor'). 'host' is the animal's own cells.", examples=["donor"])
    initial_fraction: float = Field(0.0, ge=0, le=1, description="Share of the steady-state "
                                    "cell populations this genotype holds at time zero; the "
                                    "host gets what the others leave.", examples=[0.5])
    modifiers: dict[str, Factor] = Field(
        default_factory=dict, description="Cell-intrinsic component -> scale factor in this "
        "genotype (0 knocks it out): self_renewal, progenitor_self_renewal, "
        "progenitor_proliferation, gcsf_receptor, mpl, epo_receptor, il6_receptor, "
        "niche_affinity, maturation, immune_target, cxcr4, inos, ho1, s1p_receptor.",
        examples=[{"self_renewal": 1.1}])


class KnockoutSpec(Spec):
    """One item of ``knockouts``: a pathway component removed (or scaled) for the whole run."""

    component: str = Field(description="A cell component (self_renewal, "
                           "progenitor_self_renewal, progenitor_proliferation, gcsf_receptor, "
                           "mpl, epo_receptor, il6_receptor, niche_affinity, maturation, "
                           "immune_target, cxcr4, inos, ho1, s1p_receptor) or an "
                           "environment component (gcsf, tpo, epo, il6, inos, ho1, c3, c5, "
                           "s1p, sdf1: its production). iNOS and HO-1 are both: for the "
                           "whole animal both copies go.",
                           examples=["gcsf_receptor"])
    genotype: str = Field("all", description="Genotype whose cells lose the component, or "
                          "'all' (the whole animal). Environment-only components belong to "
                          "the animal.", examples=["host"])
    scale: float = Field(0.0, ge=0, description="Remaining activity, 0 for a knockout, "
                         "0.5 for a heterozygote.", examples=[0])


RadiationDose = Annotated[str, BeforeValidator(number_as_text),
                          AfterValidator(quantity_check("[length] ** 2 / [time] ** 2",
                                                        "9.5 Gy", "positive"))]
"""An absorbed radiation dose with a unit (``"9.5 Gy"``, ``"200 cGy"``)."""


class IrradiationSpec(Spec):
    """One item of ``irradiation``: total-body irradiation, single or fractionated."""

    dose: RadiationDose = Field(description="Total absorbed dose with a unit ('9.5 Gy', "
                                "'1200 cGy'), split equally over the fractions.",
                                examples=["9.5 Gy"])
    at: Time = Field("0 d", description="Time of the first fraction, a time with a unit.",
                     examples=["0 d"])
    fractions: int = Field(1, ge=1, description="Number of equal fractions; each one kills "
                           "by the linear-quadratic survival of its own dose.", examples=[6])
    every: PositiveTime | None = Field(
        None, description="Interval between fractions, a time with a unit greater than zero; "
                          "required when 'fractions' is more than 1.", examples=["12 h"])

    @model_validator(mode="after")
    def _fractions_are_spaced(self) -> IrradiationSpec:
        if self.fractions > 1 and self.every is None:
            raise rule_error("every", "required when 'fractions' is more than 1 (the interval "
                                 "between fractions, e.g. '12 h')")
        if self.fractions == 1 and self.every is not None:
            raise rule_error("fractions", "'every' is given but 'fractions' is 1; give "
                                          "'fractions', the number of fractions")
        return self


class TransplantSpec(Spec):
    """One item of ``transplants``: a graft infused into the blood."""

    at: Time = Field("0 d", description="Time of the infusion, a time with a unit.",
                     examples=["1 d"])
    source: Literal["bone_marrow", "mobilized_blood", "sorted_hspc"] = Field(
        "bone_marrow", description="Graft source: bone_marrow, mobilized_blood (G-CSF-"
                                   "mobilized peripheral blood) or sorted_hspc (sorted stem "
                                   "and multipotent progenitor cells).")
    dose: Annotated[str, BeforeValidator(number_as_text)] = Field(
        description="Cell dose: a number of cells ('2e6 cells') or cells per kg body weight "
                    "('5e6 cells/kg'). What is counted is set by 'counted'.",
        examples=["5e6 cells/kg"])
    counted: Literal["CD34", "nucleated", "sorted"] | None = Field(
        None, description="Which cells the dose counts: CD34 (CD34+ cells, the default for "
                          "mobilized_blood), nucleated (nucleated marrow cells, the default "
                          "for bone_marrow) or sorted (the default for sorted_hspc).")
    donor: Annotated[str, AfterValidator(short_name)] = Field(
        "donor", description="Genotype of the graft's cells; declared in 'genotypes' or "
                             "added automatically (wild type, none at time zero).",
        examples=["donor"])
    match: Literal["allogeneic", "syngeneic"] | None = Field(
        None, description="Donor-recipient relation: allogeneic (another person; the graft's "
                          "T cells attack cells carrying the recipient's antigens: graft-"
                          "versus-leukemia) or syngeneic (an identical twin, the patient's own "
                          "cells, or inbred and congenic mice; no alloreactivity). Default: "
                          "allogeneic in human scenarios, syngeneic in mouse ones.")


class EndpointSpec(Spec):
    """One item of ``endpoints``: a read-out's value on a given day, added to the run's
    endpoint table (per patient, summarised over a cohort)."""

    read_out: str = Field(description="A read-out or state of the model, e.g. 'ANC' or "
                                      "'chimerism_neutrophils__donor'.",
                          examples=["chimerism_neutrophils__donor"])
    at: Time = Field(description="The day it is read, a time with a unit, counted from "
                                 "'after'.", examples=["100 d"])
    after: Literal["start", "graft"] = Field(
        "start", description="Day zero of 'at': the start of the run, or the first graft's "
                             "infusion (the clinical day +N after transplant).")
    name: Annotated[str, AfterValidator(short_name)] | None = Field(
        None, description="Column name in the endpoint table; default READ_OUT_day_N (with "
                          "'_after_graft' when counted from the graft).")


class ApheresisSpec(Spec):
    """One item of ``apheresis``: a leukapheresis collecting CD34+ cells from blood."""

    at: Time = Field(description="Start of the collection, a time with a unit.",
                     examples=["4 d"])
    blood_volumes: float = Field(gt=0, le=10, description="Blood volumes processed (typically "
                                 "2-4; large-volume apheresis up to 6).", examples=[2.5])
    duration: PositiveTime = Field("4 h", description="Duration of the collection, a time "
                                   "with a unit.", examples=["4 h"])
    collection_efficiency: float | None = Field(
        None, gt=0, le=1, description="Fraction of the CD34+ cells in the processed blood that "
        "end in the product (CE2); leave out for the model's value.", examples=[0.55])


class ScenarioFile(Spec):
    """A hemasim scenario file: a model, a time span, and the interventions to simulate.

    Every time is text with a unit ('21 d', '1 h'). Doses are a mass, a mass per kg or a mass
    per m2. Parameter and state values are a bare number (in the model's own unit) or a
    number with a unit.
    """

    model_config = ConfigDict(extra="forbid", frozen=True,
                              title="hemasim scenario",
                              json_schema_extra={"$schema":
                                                 "https://json-schema.org/draft/2020-12/schema"})

    name: Annotated[str, AfterValidator(short_name)] = Field(
        description="Short identifier of the scenario: letters, digits, '-', '_' or '.'.",
        examples=["docetaxel-cycles"])
    description: str = Field("", description="Free text for the reader: what is simulated "
                             "and where the regimen comes from.")
    model: str = Field(description="Registered model name ('hemasim models' lists them).",
                       examples=["friberg2002-docetaxel"])
    duration: PositiveTime = Field(description="Simulated time span from time zero, a time "
                                   "with a unit.", examples=["84 d"])
    output_step: PositiveTime = Field("0.1 d", description="Spacing of the reported time "
                                      "points, a time with a unit.", examples=["0.25 d"])
    patients: int = Field(1, ge=1, description="Default number of simulated patients (the "
                          "command line's --patients overrides it).", examples=[1])
    seed: int = Field(0, ge=0, description="Default random seed for the simulated cohort.",
                      examples=[0])
    subject: SubjectSpec = Field(default_factory=SubjectSpec, description="Body size used to "
                                 "scale doses given per kg or per m2; defaults 70 kg, 1.8 m2.")
    parameters: dict[str, NumberOrQuantity] = Field(
        default_factory=dict, description="Parameter overrides for the whole run, name -> "
                                          "value: a bare number in the parameter's own unit or "
                                          "a number with a unit ('90 h').",
        examples=[{"MTT": "90 h", "gamma": 0.16}])
    doses: list[DoseSpec] = Field(default_factory=list, description="Drug administrations; "
                                  "an item with 'every' and 'times' is a regimen.")
    parameter_changes: list[ParameterChangeSpec] = Field(
        default_factory=list, description="Windows in which a parameter is scaled or replaced "
                                          "(inhibitors, knockouts, what-ifs).")
    state_changes: list[StateChangeSpec] = Field(
        default_factory=list, description="Instantaneous changes of a state (irradiation, a "
                                          "transplant, a bleed).")
    species: Literal["human", "mouse"] | None = Field(
        None, description="Species of the integrated 'hematopoiesis' model (default human); "
                          "sets the default body size too (70 kg or 25 g).",
        examples=["mouse"])
    genotypes: list[GenotypeSpec] = Field(
        default_factory=list, description="Genotypes of the integrated model besides the "
                                          "host (donor, clone, knockout cells).")
    knockouts: list[KnockoutSpec] = Field(
        default_factory=list, description="Pathway components knocked out or scaled for the "
                                          "whole run; the run starts at the knockout's own "
                                          "steady state.")
    irradiation: list[IrradiationSpec] = Field(
        default_factory=list, description="Total-body irradiation of the integrated model: "
                                          "each fraction kills every population by its "
                                          "linear-quadratic survival.")
    transplants: list[TransplantSpec] = Field(
        default_factory=list, description="Grafts of the integrated model: cells of a donor "
                                          "genotype infused into the blood, which home to the "
                                          "marrow and engraft.")
    apheresis: list[ApheresisSpec] = Field(
        default_factory=list, description="Leukaphereses of the integrated model: CD34+ cells "
                                          "collected from blood (read-out "
                                          "CD34_collected_per_kg).")
    endpoints: list[EndpointSpec] = Field(
        default_factory=list, description="Read-outs on given days added to the endpoint "
                                          "table, e.g. donor chimerism on day +100.")
    start: Literal["declared", "steady_state"] | None = Field(
        None, description="'steady_state' finds each patient's steady state before time zero "
                          "(the default when there are knockouts); "
                          "'declared' starts from the model's declared initial values.")

    @model_validator(mode="after")
    def _output_fits_in_memory(self) -> ScenarioFile:
        points = time_in_days(self.duration) / time_in_days(self.output_step) + 1
        if points > MAX_OUTPUT_POINTS:
            raise rule_error("output_step", f"'{self.output_step}' over '{self.duration}' gives "
                                            f"{points:,.0f} time points per patient, more than "
                                            f"{MAX_OUTPUT_POINTS:,} (each holds every read-out); "
                                            "use a larger output_step")
        return self


MAX_OUTPUT_POINTS = 100_000
"""Most reported time points per patient: ten years at hourly resolution (87,600 points)
fits; a slip such as '0.0001 d' over a year (3.7 million points of some 160 read-outs,
several GB per patient) is refused before the run instead of exhausting memory."""


def scenario_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the scenario file format, with a description of
    every key; ``hemasim schema`` prints it."""
    return ScenarioFile.model_json_schema(by_alias=True, mode="validation")


def _spec_in(annotation: Any) -> type[Spec] | None:
    """The spec class inside a field annotation (``list[DoseSpec] | None`` -> ``DoseSpec``)."""
    if isinstance(annotation, type) and issubclass(annotation, Spec):
        return annotation
    for argument in get_args(annotation):
        found = _spec_in(argument)
        if found is not None:
            return found
    return None


def allowed_keys(location: tuple[str | int, ...]) -> tuple[str, ...]:
    """The keys a file may use in the mapping at ``location``.

    Args:
        location: path from the top of the file, as pydantic reports it
            (``("doses", 0)`` for the first dose); ``()`` for the top level.

    Returns:
        the keys in declaration order, or ``()`` when the location is not a known mapping.
    """
    spec: type[Spec] = ScenarioFile
    for part in location:
        if isinstance(part, int):
            continue
        fields = {field.alias or name: field for name, field in spec.model_fields.items()}
        if part not in fields:
            return ()
        inner = _spec_in(fields[part].annotation)
        if inner is None:
            return ()
        spec = inner
    return tuple(field.alias or name for name, field in spec.model_fields.items())
