"""Parsing symbolic expressions and checking their units.

Expressions are text written with Python syntax (``kprol * Prol * (Circ0 / Circ)**gamma``).
Names are checked against the model's symbols before sympy sees them, so a typo is reported
as an unknown name instead of silently becoming a new symbol or a sympy function.
"""

from __future__ import annotations

import ast
import difflib

import pint
import sympy

from hemasim.units import parse_unit, ureg

ALLOWED_FUNCTIONS: dict[str, object] = {
    "exp": sympy.exp,
    "log": sympy.log,
    "sqrt": sympy.sqrt,
    "tanh": sympy.tanh,
    "min": sympy.Min,
    "max": sympy.Max,
    "abs": sympy.Abs,
}
"""Functions a rate or observable expression may call."""

_DIMENSIONLESS_ARGUMENT = {sympy.exp, sympy.log, sympy.tanh}


class ExpressionError(ValueError):
    """An expression that cannot be parsed, names an unknown symbol or has wrong units."""


def suggest(name: str, known: list[str] | tuple[str, ...] | set[str]) -> str:
    """A ``did you mean ...?`` hint for a misspelt name, or an empty string."""
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def names_in(text: str) -> tuple[set[str], set[str]]:
    """The variable names and the called function names in an expression's text."""
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as error:
        raise ExpressionError(f"cannot parse expression '{text}': {error.msg}") from None
    called: set[str] = set()
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name):
                raise ExpressionError(f"only plain function calls are allowed in '{text}'")
            called.add(node.func.id)
        elif isinstance(node, ast.Name):
            names.add(node.id)
        elif not isinstance(
            node,
            ast.Expression | ast.BinOp | ast.UnaryOp | ast.Constant | ast.Load | ast.operator
            | ast.unaryop | ast.Call,
        ):
            raise ExpressionError(
                f"'{text}' uses {type(node).__name__}; only arithmetic and "
                f"{sorted(ALLOWED_FUNCTIONS)} are allowed"
            )
    return names - called, called


def parse_expression(text: str | float, symbols: dict[str, sympy.Symbol]) -> sympy.Expr:
    """Parse expression text into sympy, with every name resolved to ``symbols``.

    Args:
        text: the expression (or a plain number).
        symbols: name -> sympy Symbol for every name the expression may use.

    Raises:
        ExpressionError: on a syntax error, an unknown name or an unknown function.
    """
    if isinstance(text, int | float):
        return sympy.Float(text)
    names, called = names_in(text)
    for name in sorted(names):
        if name not in symbols:
            raise ExpressionError(
                f"unknown name '{name}' in '{text}'{suggest(name, symbols)}"
            )
    for name in sorted(called):
        if name not in ALLOWED_FUNCTIONS:
            raise ExpressionError(
                f"unknown function '{name}' in '{text}'; allowed: {sorted(ALLOWED_FUNCTIONS)}"
            )
    local = dict(symbols)
    local.update(ALLOWED_FUNCTIONS)
    return sympy.sympify(text, locals=local, rational=False)


def _unit_of(expr: sympy.Expr, units: dict[sympy.Symbol, pint.Unit]) -> pint.Unit:
    """The (base) unit an expression evaluates to, checking additions and function arguments."""
    if expr.is_Symbol:
        return units[expr]
    if expr.is_Number:
        return ureg.dimensionless
    if expr.is_Add:
        terms = [_unit_of(arg, units) for arg in expr.args]
        first = terms[0]
        for arg, unit in zip(expr.args[1:], terms[1:], strict=True):
            if ureg.Quantity(1, unit).dimensionality != ureg.Quantity(1, first).dimensionality:
                raise ExpressionError(
                    f"adds '{expr.args[0]}' [{first:~}] to '{arg}' [{unit:~}]"
                )
        return first
    if expr.is_Mul:
        result = ureg.dimensionless
        for arg in expr.args:
            result = result * _unit_of(arg, units)
        return result
    if expr.is_Pow:
        base, exponent = expr.args
        exponent_unit = _unit_of(exponent, units)
        if not ureg.Quantity(1, exponent_unit).dimensionless:
            raise ExpressionError(f"exponent '{exponent}' has unit [{exponent_unit:~}]")
        base_unit = _unit_of(base, units)
        if ureg.Quantity(1, base_unit).dimensionless:
            return ureg.dimensionless
        if not exponent.is_Number:
            raise ExpressionError(
                f"'{base}' [{base_unit:~}] is raised to the non-numeric power '{exponent}'"
            )
        return base_unit ** float(exponent)
    if expr.func in _DIMENSIONLESS_ARGUMENT:
        unit = _unit_of(expr.args[0], units)
        if not ureg.Quantity(1, unit).dimensionless:
            raise ExpressionError(f"{expr.func.__name__}() of '{expr.args[0]}' [{unit:~}]")
        return ureg.dimensionless
    if expr.func in (sympy.Min, sympy.Max, sympy.Abs):
        arg_units = [_unit_of(arg, units) for arg in expr.args]
        first = arg_units[0]
        for arg, unit in zip(expr.args[1:], arg_units[1:], strict=True):
            if ureg.Quantity(1, unit).dimensionality != ureg.Quantity(1, first).dimensionality:
                raise ExpressionError(f"compares '{expr.args[0]}' [{first:~}] with '{arg}'")
        return first
    raise ExpressionError(f"cannot check units of '{expr}'")


def check_unit(expr: sympy.Expr, symbol_units: dict[sympy.Symbol, str], expected: str) -> None:
    """Raise ``ExpressionError`` unless ``expr`` has the dimension of ``expected``.

    Args:
        expr: parsed expression.
        symbol_units: unit text of every symbol in it.
        expected: unit text the expression must be convertible to.
    """
    base_units = {
        symbol: parse_unit(unit).to_base_units().units for symbol, unit in symbol_units.items()
    }
    found = _unit_of(expr, base_units)
    want = parse_unit(expected).to_base_units().units
    if ureg.Quantity(1, found).dimensionality != ureg.Quantity(1, want).dimensionality:
        found_text = f"{ureg.Quantity(1, found).dimensionality}"
        raise ExpressionError(
            f"has dimension {found_text}, expected {ureg.Quantity(1, want).dimensionality} "
            f"(unit '{expected}')"
        )
