"""Building a model checks it: names, units, sources, bounds, variability."""

import dataclasses

import pytest

from hemasim.model.declaration import (
    Observable,
    Parameter,
    Process,
    Source,
    Species,
    Variability,
    assumed,
)
from hemasim.model.model import Model, ModelError
from hemasim.models import MODELS, UnknownModelError, get_model

OK = assumed("test value")


def decay_model(**changes) -> Model:
    """One species decaying at rate k: the smallest valid model."""
    fields = dict(
        name="decay",
        title="first-order decay",
        description="",
        references=(),
        species=(Species("X", "1e9/L", "blood", "cells", "X0"),),
        parameters=(Parameter("X0", 5.0, "1e9/L", "initial cells", OK),
                    Parameter("k", 2.0, "1/h", "decay rate", OK)),
        processes=(Process("decay", "k * X", {"X": -1}),),
        observables=(Observable("X_per_uL", "X", "cells/uL", "cells per microlitre"),),
    )
    fields.update(changes)
    return Model(**fields)


def problems_of(**changes) -> str:
    with pytest.raises(ModelError) as error:
        decay_model(**changes)
    return str(error.value)


def test_a_valid_model_builds_and_hashes_its_content():
    model = decay_model()
    assert model.content_hash == decay_model().content_hash
    assert model.with_parameters(k=3.0).content_hash != model.content_hash


def test_unknown_name_in_a_rate_is_reported_with_a_suggestion():
    text = problems_of(processes=(Process("decay", "kk * X", {"X": -1}),))
    assert "unknown name 'kk'" in text and "did you mean 'k'" in text


def test_rate_with_wrong_units_is_reported():
    # k * X has unit 1e9/L per hour; k alone is only per hour.
    text = problems_of(processes=(Process("decay", "k", {"X": -1}),))
    assert "process 'decay'" in text and "dimension" in text


def test_adding_unlike_quantities_is_reported():
    text = problems_of(processes=(Process("decay", "k * (X + k)", {"X": -1}),))
    assert "adds" in text


def test_parameter_without_a_source_is_reported():
    bare = Parameter("k", 2.0, "1/h", "decay rate", Source())
    text = problems_of(parameters=(Parameter("X0", 5.0, "1e9/L", "initial", OK), bare))
    assert "parameter 'k' has no source" in text


def test_parameter_outside_its_bounds_is_reported():
    wild = Parameter("k", 200.0, "1/h", "decay rate", OK, (0.0, 10.0))
    text = problems_of(parameters=(Parameter("X0", 5.0, "1e9/L", "initial", OK), wild))
    assert "outside its bounds" in text


def test_observable_in_an_incompatible_unit_is_reported():
    text = problems_of(observables=(Observable("X_mass", "X", "mg", "nonsense"),))
    assert "observable 'X_mass'" in text


def test_process_changing_an_unknown_species_is_reported():
    text = problems_of(processes=(Process("decay", "k * X", {"Y": -1}),))
    assert "unknown species 'Y'" in text


def test_variability_on_an_unknown_parameter_is_reported():
    text = problems_of(variability=(Variability("kay", 0.3, OK),))
    assert "unknown parameter 'kay'" in text


def test_every_problem_is_listed_at_once():
    error_text = problems_of(
        processes=(Process("decay", "kk * X", {"X": -1}),),
        variability=(Variability("kay", 0.3, OK),),
    )
    assert "2 problem(s)" in error_text


@pytest.mark.parametrize("model", MODELS.values(), ids=list(MODELS))
def test_every_registered_parameter_has_unit_meaning_and_source(model):
    for parameter in model.parameters:
        assert parameter.unit.strip(), parameter.name
        assert parameter.meaning.strip(), parameter.name
        assert parameter.source.is_given, parameter.name
    for variability in model.variability:
        assert variability.source.is_given


def test_a_model_without_sources_cannot_be_registered():
    model = get_model("friberg2002-docetaxel")
    stripped = tuple(dataclasses.replace(p, source=Source()) for p in model.parameters)
    with pytest.raises(ModelError, match="has no source"):
        dataclasses.replace(model, parameters=stripped)


def test_unknown_model_lists_the_known_ones():
    with pytest.raises(UnknownModelError) as error:
        get_model("friberg2003")
    assert "friberg2002-docetaxel" in str(error.value)
