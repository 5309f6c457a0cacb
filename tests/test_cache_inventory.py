"""hemasim cache: stale entries (made by other code) are found and removed; current ones and
files hemasim did not write are kept."""

from typer.testing import CliRunner

from hemasim import build_cache
from hemasim.cache_inventory import current_digests, take_inventory
from hemasim.cli.main import app

runner = CliRunner(env={"COLUMNS": "200", "NO_COLOR": "1", "TERM": "dumb"})


def populate(root, digests):
    """A cache with one current and one stale file of each kind, and a stranger."""
    current, stale = [], []
    key = "0123456789abcdef"
    for kind in ("sound", "equations", "derived", "numpy"):
        suffix = {"sound": "", "equations": ".pickle"}.get(kind, ".py")
        current.append(root / "build" / kind / f"{key}_{digests[kind]}{suffix}")
        stale.append(root / "build" / kind / f"{key}_000000000000{suffix}")
    module = f"hemasim_model_{key}_{digests['models']}"
    current += [root / "models" / f"{module}.py",
                root / "models" / "__pycache__" / f"{module}.integrate_cohort-288.py311.nbi"]
    old = f"hemasim_model_{key}_0000000000"
    stale += [root / "models" / f"{old}.py",
              root / "models" / "__pycache__" / f"{old}.integrate_cohort-288.py311.1.nbc",
              root / "models" / f"{module}.py.1234.tmp",  # a write cut short
              root / "build" / "retired-kind" / f"{key}_{digests['numpy']}.py"]
    for path in (*current, *stale):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x" * 1000)
    stranger = root / "notes.txt"
    stranger.write_text("the user's own file")
    return current, stale, stranger


def test_stale_entries_are_told_apart_and_pruned(tmp_path, monkeypatch):
    monkeypatch.setenv("HEMASIM_CACHE_DIR", str(tmp_path))
    current, stale, stranger = populate(tmp_path, current_digests())
    inventory = take_inventory()
    assert sorted(inventory.current) == sorted(current)
    assert sorted(inventory.stale) == sorted(stale)
    assert inventory.stale_bytes == 1000 * len(stale)

    shown = runner.invoke(app, ["cache"])
    assert shown.exit_code == 0, shown.output
    assert f"{len(stale)} files" in shown.output and "--prune" in shown.output
    pruned = runner.invoke(app, ["cache", "--prune"])
    assert pruned.exit_code == 0, pruned.output
    assert all(path.exists() for path in current) and stranger.exists()
    assert not any(path.exists() for path in stale)


def test_clear_removes_models_and_build_entries_only(tmp_path, monkeypatch):
    monkeypatch.setenv("HEMASIM_CACHE_DIR", str(tmp_path))
    current, stale, stranger = populate(tmp_path, current_digests())
    cleared = runner.invoke(app, ["cache", "--clear"])
    assert cleared.exit_code == 0, cleared.output
    assert not (tmp_path / "models").exists() and not (tmp_path / "build").exists()
    assert stranger.read_text() == "the user's own file"
    both = runner.invoke(app, ["cache", "--clear", "--prune"])
    assert both.exit_code == 2 and "choose one" in both.output


def test_the_entries_a_model_build_writes_are_current(tmp_path, monkeypatch):
    from test_build_cache import saturating_model  # a small model with derived quantities

    from hemasim.model import compile as compiler
    from hemasim.solve.numpy_functions import numpy_functions

    monkeypatch.setenv("HEMASIM_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(compiler, "_STRUCTURES", {})
    monkeypatch.setattr(compiler, "_DERIVED_FUNCTIONS", {})
    monkeypatch.setattr("hemasim.model.model._SOUND_EXPRESSIONS", set())
    monkeypatch.setattr("hemasim.solve.numpy_functions._LOADED", {})
    compiled = compiler.compile_model(saturating_model())
    numpy_functions(compiled)
    compiled.parameter_vector([5.0, 2.0])
    inventory = take_inventory()
    kinds = {path.parent.name for path in inventory.current}
    assert kinds == {"sound", "equations", "derived", "numpy"}
    assert inventory.stale == ()
    assert build_cache.cache_directory() == tmp_path
