"""Generate and load the compiled numerical module of a model.

From a ``CompiledModel`` this writes Python source with straight-line numba functions:

* ``rhs(y, p, dy)``: the right-hand side, with common subexpressions shared;
* ``jacobian_values(y, p, jv)``: the structurally non-zero entries of the exact Jacobian;
* integer tables of the sparse LU of the Rosenbrock matrix ``diagonal * I - J`` for the
  fixed sparsity pattern (fill-reducing order, fill-in included, no pivoting; the Kinetic
  PreProcessor's approach: Damian et al. 2002, Comput Chem Eng 26:1567; Sandu & Sander
  2006, Atmos Chem Phys 6:187); the kernel's ``build_matrix`` and ``lu_factor`` loop over
  them (up to generator 3 these were unrolled, and numba spent about 70 of its 150 s on a
  71-state model compiling the matrix functions);
* ``lu_solve(a, b)``: the substitutions with the factors, straight-line on scalars (it runs
  six times per step).

The text of ``rodas4_kernel.py`` is prepended, and the module is written under the cache
directory named by its content hash, so numba's ``cache=True`` keeps compiled machine code
between runs: a model is compiled once per machine, not once per process.
"""

from __future__ import annotations

import ast
import hashlib
import importlib.util
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import sympy
from sympy.printing.pycode import pycode

from hemasim.build_cache import cache_directory, unwritable
from hemasim.io.atomic import atomic_destination
from hemasim.model.compile import CompiledModel

KERNEL_PATH = Path(__file__).with_name("rodas4_kernel.py")
OBSERVABLES_KERNEL_PATH = Path(__file__).with_name("observables_kernel.py")
GENERATOR_VERSION = "5"


@dataclass(frozen=True)
class SparseLayout:
    """Positions of the LU factors of ``diagonal * I - J`` for a fixed Jacobian pattern.

    The factorisation eliminates the states in ``order`` (a fill-reducing order), i.e. it
    factors the symmetrically permuted matrix; ``positions`` are in permuted indices.

    Attributes:
        n_states: matrix size.
        positions: (row, column) in elimination order -> index into the storage array,
            fill-in included.
        jacobian_entries: (row, column) of each Jacobian value, in ``jacobian_values`` order
            (state indices).
        order: state eliminated at each step (``order[k]`` is the state in permuted row k).
    """

    n_states: int
    positions: dict[tuple[int, int], int]
    jacobian_entries: tuple[tuple[int, int], ...]
    order: tuple[int, ...] = ()

    @property
    def size(self) -> int:
        return len(self.positions)

    def at(self, row: int, column: int) -> int:
        """Storage index of the entry of states (row, column)."""
        rank = self.rank
        return self.positions[(rank[row], rank[column])]

    @property
    def rank(self) -> dict[int, int]:
        """State -> its step in the elimination order."""
        return {state: k for k, state in enumerate(self.order or range(self.n_states))}


def markowitz_order(n_states: int, pattern: set[tuple[int, int]]) -> tuple[int, ...]:
    """A fill-reducing elimination order: at each step the remaining state with the smallest
    Markowitz count (other non-zeros in its row) x (other non-zeros in its column), ties to
    the lowest index; the pattern is updated with the fill it creates. This is how the
    Kinetic PreProcessor orders stiff chemistry (Sandu et al. 1996, Atmos Environ 30:3459).
    """
    rows = [set() for _ in range(n_states)]
    columns = [set() for _ in range(n_states)]
    for i, j in pattern:
        if i != j:
            rows[i].add(j)
            columns[j].add(i)
    remaining = set(range(n_states))
    order = []
    while remaining:
        k = min(remaining, key=lambda s: (len(rows[s]) * len(columns[s]), s))
        order.append(k)
        remaining.discard(k)
        for i in columns[k]:
            rows[i].discard(k)
            for j in rows[k]:
                if j != i:
                    rows[i].add(j)
                    columns[j].add(i)
        for j in rows[k]:
            columns[j].discard(k)
        rows[k] = set()
        columns[k] = set()
    return tuple(order)


def sparse_layout(n_states: int, jacobian_entries: tuple[tuple[int, int], ...]) -> SparseLayout:
    """Symbolic LU on the pattern (Markowitz order, no pivoting) to find the fill-in."""
    pattern = set(jacobian_entries) | {(i, i) for i in range(n_states)}
    order = markowitz_order(n_states, pattern)
    rank = {state: k for k, state in enumerate(order)}
    rows: list[set[int]] = [set() for _ in range(n_states)]
    for i, j in pattern:
        rows[rank[i]].add(rank[j])
    for k in range(n_states):
        upper = {j for j in rows[k] if j > k}
        for i in range(k + 1, n_states):
            if k in rows[i]:
                rows[i] |= upper
    ordered = sorted((i, j) for i in range(n_states) for j in rows[i])
    return SparseLayout(n_states, {entry: index for index, entry in enumerate(ordered)},
                        tuple(jacobian_entries), order)


def _print(expr: sympy.Expr) -> str:
    return pycode(expr, fully_qualified_modules=True, strict=False)


def _unpack(names: set[str], vector: str, prefix: str) -> list[str]:
    indices = sorted(int(name[len(prefix):]) for name in names if name.startswith(prefix))
    return [f"    {prefix}{index} = {vector}[{index}]" for index in indices]


def _straight_line(name: str, signature: str, targets: list[str],
                   expressions: list[sympy.Expr]) -> str:
    """A numba function assigning each expression to its target, sharing subexpressions.

    sympy's plain common-subexpression pass: its "basic" pre-optimisations found 4 % more
    shared terms on the 71-state model's Jacobian but took 47 s instead of 0.7 s."""
    replacements, reduced = sympy.cse(expressions, symbols=sympy.numbered_symbols("c_"))
    used = set()
    for expr in [*expressions]:
        used |= {str(s) for s in expr.free_symbols}
    lines = ['@njit(cache=True, error_model="numpy")', f"def {name}({signature}):"]
    lines += _unpack(used, "y", "y_") + _unpack(used, "p", "p_")
    lines += [f"    {symbol} = {_print(value)}" for symbol, value in replacements]
    lines += [f"    {target} = {_print(value)}" for target, value in
              zip(targets, reduced, strict=True)]
    if len(lines) == 2:
        lines.append("    pass")
    return "\n".join(lines)


def _int_table(name: str, values: list[int]) -> str:
    return f"{name} = np.array({list(values)!r}, dtype=np.int64)"


def _matrix_tables(layout: SparseLayout) -> str:
    """The integer tables that drive the kernel's ``build_matrix`` and ``lu_factor`` for this
    pattern: positions in the factor storage, which is in elimination order."""
    n = layout.n_states
    at = layout.positions
    elimination_start, elimination_lower = [0], []
    update_start, update_target, update_source = [0], [], []
    for k in range(n):
        upper = [j for j in range(k + 1, n) if (k, j) in at]
        for i in range(k + 1, n):
            if (i, k) not in at:
                continue
            elimination_lower.append(at[(i, k)])
            for j in upper:
                update_target.append(at[(i, j)])
                update_source.append(at[(k, j)])
            update_start.append(len(update_target))
        elimination_start.append(len(elimination_lower))
    tables = {
        "JACOBIAN_POSITION": [layout.at(i, j) for i, j in layout.jacobian_entries],
        "DIAGONAL_POSITION": [at[(k, k)] for k in range(n)],
        "ELIMINATION_START": elimination_start, "ELIMINATION_LOWER": elimination_lower,
        "UPDATE_START": update_start, "UPDATE_TARGET": update_target,
        "UPDATE_SOURCE": update_source,
    }
    return "\n".join(_int_table(name, values) for name, values in tables.items())


def _lu_solve(layout: SparseLayout) -> str:
    """``lu_solve(a, b)``: forward and back substitution with the factors, unrolled on
    scalars (``x<k>`` is the unknown of elimination step k; ``b`` is in state order).

    It runs six times per step, so it is straight-line code: the table-driven loop made the
    kernel 1.5x slower on the 71-state model. Scalars instead of array writes keep numba's
    compile time for it to a few seconds."""
    n = layout.n_states
    at = layout.positions
    state = layout.order or tuple(range(n))
    lines = ['@njit(cache=True, error_model="numpy")', "def lu_solve(a, b):"]
    for i in range(n):
        terms = "".join(f" - a[{at[(i, j)]}] * x{j}" for j in range(i) if (i, j) in at)
        lines.append(f"    x{i} = b[{state[i]}]{terms}")
    for i in reversed(range(n)):
        terms = "".join(f" - a[{at[(i, j)]}] * x{j}" for j in range(i + 1, n) if (i, j) in at)
        lines.append(f"    x{i} = (x{i}{terms}) / a[{at[(i, i)]}]")
    lines += [f"    b[{state[i]}] = x{i}" for i in range(n)]
    return "\n".join(lines)


def generate_source(compiled: CompiledModel) -> str:
    """The full source of the model's numerical module (kernel plus generated functions)."""
    layout = sparse_layout(compiled.n_states, compiled.jacobian_pattern())
    rhs = _straight_line("rhs", "y, p, dy", [f"dy[{i}]" for i in range(compiled.n_states)],
                         list(compiled.rhs))
    jac = _straight_line("jacobian_values", "y, p, jv",
                         [f"jv[{m}]" for m in range(len(compiled.jacobian))],
                         [entry for _, _, entry in compiled.jacobian])
    observables = _straight_line("observables_point", "y, p, values",
                                 [f"values[{k}]" for k in range(len(compiled.observables))],
                                 list(compiled.observables))
    header = (
        f"\n\n# ---- generated for model '{compiled.model.name}' "
        f"({compiled.model.structure_hash}), generator {GENERATOR_VERSION} ----\n"
        f"N_STATES = {compiled.n_states}\nN_JACOBIAN = {max(1, len(compiled.jacobian))}\n"
        f"N_MATRIX = {layout.size}\nN_OBSERVABLES = {len(compiled.observables)}\n\n\n"
    )
    return (KERNEL_PATH.read_text() + _without_imports(OBSERVABLES_KERNEL_PATH.read_text())
            + header + _matrix_tables(layout) + "\n\n\n" + rhs + "\n\n\n" + jac
            + "\n\n\n" + _lu_solve(layout) + "\n\n\n" + observables + "\n")


def _without_imports(source: str) -> str:
    """A kernel file's text after its header (comments, docstring, imports): the module
    already has the imports, from the RODAS4 kernel at its top."""
    tree = ast.parse(source)
    first = next(node for node in tree.body
                 if not isinstance(node, ast.Import | ast.ImportFrom | ast.Expr))
    return "\n\n" + "\n".join(source.splitlines()[first.lineno - 1:]) + "\n"


MODULE_PREFIX = "hemasim_model_"
"""File names of generated modules: ``<prefix><structure hash>_<generator_digest()>.py``."""


def generator_digest() -> str:
    """10 hex digits of the code that generates a model's module (the kernel, this module
    and the compiler): modules named with another digest were made by other code."""
    from hemasim.model import compile as compiler

    generator = hashlib.sha256()
    for source in (KERNEL_PATH, OBSERVABLES_KERNEL_PATH, Path(__file__),
                   Path(compiler.__file__)):
        generator.update(source.read_bytes())
    return generator.hexdigest()[:10]


def load_module(compiled: CompiledModel) -> ModuleType:
    """Write (if new) and import the model's numerical module; cached per process and on disk
    per model structure (parameter values are inputs, so they do not change the code).

    The file name holds the structure hash and a digest of the code that generates it (the
    kernel, this module and the compiler), so an existing file is exactly the code this
    structure generates and is imported without generating it again.
    """
    key = compiled.model.structure_hash
    if key not in _MODULES:
        name = f"{MODULE_PREFIX}{key}_{generator_digest()}"
        path = cache_directory() / "models" / f"{name}.py"
        if not path.exists():
            source = generate_source(compiled)
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                with atomic_destination(path) as temporary:
                    temporary.write_text(source)
            except OSError as error:
                raise unwritable(error) from error
        _MODULES[key] = _import(name, path)
    return _MODULES[key]


_MODULES: dict[str, ModuleType] = {}


def _import(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
