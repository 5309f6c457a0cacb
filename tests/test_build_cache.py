"""The model-build cache: a later process reuses the unit check, the equations and the
printed numpy functions of a model structure, gets the same numbers, and rebuilds what is
damaged."""

import numpy as np
import pytest

from hemasim import build_cache
from hemasim.model import compile as compiler
from hemasim.model import model as model_module
from hemasim.model.declaration import (
    Derived,
    Observable,
    Parameter,
    Process,
    Source,
    Species,
)
from hemasim.model.model import Model, ModelError
from hemasim.solve import numpy_functions as printed

OK = Source(assumed="test")
ORIGINAL_LAMBDIFY = compiler.sympy.lambdify


def saturating_model(**changes) -> Model:
    """A cell pool produced at a rate capped by max(): a Jacobian entry and an observable
    that print with ``functools.reduce``, a name numpy's namespace lacks; two derived
    quantities, the second computed from the first."""
    fields = dict(
        name="capped", title="capped production", description="", references=(),
        species=(Species("X", "1e9/L", "blood", "cells", "X0"),),
        parameters=(Parameter("X0", 5.0, "1e9/L", "initial cells", OK),
                    Parameter("k", 2.0, "1/h", "turnover rate", OK)),
        derived=(Derived("floor", "X0 / 4", "1e9/L", "lowest production level"),
                 Derived("ceiling", "4 * floor", "1e9/L", "highest production level")),
        processes=(Process("production", "k * max(ceiling - X / 2, floor)", {"X": 1}),
                   Process("death", "k * X", {"X": -1})),
        observables=(Observable("excess", "max(X, X0) - X0", "1e9/L", "cells above X0"),),
    )
    fields.update(changes)
    return Model(**fields)


def in_memory_caches() -> tuple:
    return (compiler._STRUCTURES, compiler._DERIVED_FUNCTIONS,
            model_module._SOUND_EXPRESSIONS, printed._LOADED)


def forget() -> None:
    """Empty the in-memory caches (what a new process starts with)."""
    for store in in_memory_caches():
        store.clear()


@pytest.fixture
def fresh_process(tmp_path, monkeypatch):
    """A private cache directory and empty in-memory caches, as in a new process; yields the
    function that empties them again. What the other tests had cached is put back after."""
    monkeypatch.setenv("HEMASIM_CACHE_DIR", str(tmp_path))
    saved = [store.copy() for store in in_memory_caches()]
    forget()
    yield forget
    forget()
    for store, content in zip(in_memory_caches(), saved, strict=True):
        store.update(content)


def refuse(*_args, **_kwargs):
    raise AssertionError("recomputed although the cache holds it")


def refuse_except_the_namespace_probe(arguments, expression, *rest, **options):
    """sympy's lambdify is still called once, on nothing, to learn its numpy namespace."""
    if list(arguments) == [] and expression == 0:
        return ORIGINAL_LAMBDIFY(arguments, expression, *rest, **options)
    return refuse()


def evaluate(compiled, model: Model) -> list[np.ndarray]:
    """Right-hand side and Jacobian (printed numpy functions) and observables (compiled
    module) at two states, through the derived ones."""
    from hemasim.solve.simulate import evaluate_observables

    functions = printed.numpy_functions(compiled)
    states = np.array([[2.0], [7.0]])
    parameters = np.zeros((2, compiled.n_parameters))
    parameters[:, :2] = [model.parameters[0].value, model.parameters[1].value]
    compiled.fill_derived(parameters)
    assert parameters[0, -2:].tolist() == [1.25, 5.0]
    arguments = [*states.T, *parameters.T]
    return [np.asarray(functions.rhs(*arguments), dtype=float),
            np.asarray(functions.jacobian(*arguments), dtype=float),
            evaluate_observables(compiled, states[:, None, :], parameters[:, None, :])[:, 0, 0]]


def test_a_later_process_reuses_the_check_equations_and_numpy_functions(fresh_process,
                                                                          monkeypatch):
    model = saturating_model()
    first = compiler.compile_model(model)
    expected = evaluate(first, model)

    fresh_process()
    monkeypatch.setattr(model_module, "_check_expressions", refuse)
    monkeypatch.setattr(compiler, "_derive_equations", refuse)
    monkeypatch.setattr(printed, "_lambdify", refuse)
    monkeypatch.setattr(compiler.sympy, "lambdify", refuse_except_the_namespace_probe)
    again = compiler.compile_model(saturating_model())
    assert again.rhs == first.rhs and again.jacobian == first.jacobian
    assert again.observables == first.observables
    found = evaluate(again, model)
    for value, reference in zip(found, expected, strict=True):
        np.testing.assert_array_equal(value, reference)
    # the max() terms really switch branch between the two states
    assert found[2].tolist() == [0.0, 2.0]


def test_a_model_with_a_unit_error_is_still_refused_after_a_sound_one_was_cached(
        fresh_process):
    saturating_model()
    fresh_process()
    with pytest.raises(ModelError, match="dimension"):
        saturating_model(processes=(Process("death", "k", {"X": -1}),))


def test_damaged_entries_are_built_again(fresh_process):
    model = saturating_model()
    expected = evaluate(compiler.compile_model(model), model)
    key = model.structure_hash
    equations = build_cache.entry_path("equations", key, compiler.equation_sources())
    equations.write_bytes(equations.read_bytes()[:20])  # a write cut short
    module = printed.entry_path_of(key)
    assert "from _functools import reduce" in module.read_text()
    # a stored module calling a name it never imports
    module.write_text(module.read_text().replace("reduce(", "undefined_reduce(", 1))

    fresh_process()
    found = evaluate(compiler.compile_model(saturating_model()), model)
    for value, reference in zip(found, expected, strict=True):
        np.testing.assert_array_equal(value, reference)
    assert "undefined_reduce" not in module.read_text()
