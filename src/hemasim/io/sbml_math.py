"""Units and expressions of a hemasim model, written as SBML unit definitions and MathML.

Two things differ between a hemasim declaration and an SBML model:

* **Units.** hemasim keeps every symbol in its declared unit (``MTT`` in hours, ``Circ`` in
  1e9/L, time in days) and the compiler folds the conversion factors into the equations.
  SBML tools do no unit conversion: an expression is evaluated with the numbers as they
  stand. The exported math therefore carries the same conversion factors explicitly, as
  numbers with their own SBML units (``24`` converts a rate per hour into a rate per day),
  placed where the unit scale of a subexpression changes: before a sum of terms in different
  units, inside a function or a non-integer power whose argument must be a pure number, and
  where a value is assigned to something in another unit. Every literal number of the
  model's own expressions is marked dimensionless, so libsbml can check every formula's
  dimensions.
* **Syntax.** Expressions are Python-syntax text; they are translated node by node into
  libsbml ``ASTNode`` trees, keeping the structure the model's author wrote.

Unit definitions are built from pint's reading of the unit text (``hemasim.units``): each
component becomes an SBML base unit (litre, gram, second, mole, metre, ...) with a
multiplier, and a numeric prefix such as ``1e9`` is folded into a multiplier. Cell counts are
dimensionless in hemasim and in SBML; the international unit of biological activity (IU),
which SBML has no kind for, is written as dimensionless too (so an ``mIU/mL`` concentration
is a dimensionless amount per millilitre).
"""

from __future__ import annotations

import ast
import math
import re
from collections.abc import Mapping

import libsbml

from hemasim.units import base_factor, parse_unit, ureg

# pint dimensionality of one unit component -> (SBML kind, pint unit it is measured in,
# exponent of the kind per component). Components whose dimension is not listed are
# broken down into SI base units (``_BASE_KINDS``).
_COMPONENT_KINDS: tuple[tuple[str, int, str, int], ...] = (
    ("[length] ** 3", libsbml.UNIT_KIND_LITRE, "liter", 1),
    ("[length] ** 2", libsbml.UNIT_KIND_METRE, "meter", 2),
    ("[length]", libsbml.UNIT_KIND_METRE, "meter", 1),
    ("[mass]", libsbml.UNIT_KIND_GRAM, "gram", 1),
    ("[time]", libsbml.UNIT_KIND_SECOND, "second", 1),
    ("[substance]", libsbml.UNIT_KIND_MOLE, "mole", 1),
    ("[current]", libsbml.UNIT_KIND_AMPERE, "ampere", 1),
    ("[temperature]", libsbml.UNIT_KIND_KELVIN, "kelvin", 1),
    ("[luminosity]", libsbml.UNIT_KIND_CANDELA, "candela", 1),
)
_BASE_KINDS = {
    "meter": libsbml.UNIT_KIND_METRE, "kilogram": libsbml.UNIT_KIND_KILOGRAM,
    "second": libsbml.UNIT_KIND_SECOND, "mole": libsbml.UNIT_KIND_MOLE,
    "ampere": libsbml.UNIT_KIND_AMPERE, "kelvin": libsbml.UNIT_KIND_KELVIN,
    "candela": libsbml.UNIT_KIND_CANDELA,
}
_FUNCTIONS = {
    "exp": libsbml.AST_FUNCTION_EXP,
    "log": libsbml.AST_FUNCTION_LN,  # hemasim's log is the natural logarithm
    "sqrt": libsbml.AST_FUNCTION_ROOT,
    "tanh": libsbml.AST_FUNCTION_TANH,
    "min": libsbml.AST_FUNCTION_MIN,
    "max": libsbml.AST_FUNCTION_MAX,
    "abs": libsbml.AST_FUNCTION_ABS,
}
_UNIT_ARGUMENT = {"exp", "log", "tanh"}
"""Functions whose argument must be a pure number (scale 1)."""


def _rounded(value: float) -> float:
    """``value`` to 15 significant digits: removes binary noise such as 0.0010000000000000002."""
    return float(f"{value:.15g}")


def unit_components(text: str) -> list[tuple[int, float, float]]:
    """An SBML reading of a unit: (kind, exponent, multiplier) per base unit.

    ``(multiplier * kind) ** exponent`` multiplied over the list is the unit. ``"1/h"`` gives
    ``[(second, -1, 3600)]``, ``"1e9/L"`` gives ``[(dimensionless, 1, 1e9), (litre, -1, 1)]``;
    a dimensionless unit gives ``[(dimensionless, 1, magnitude)]``.
    """
    quantity = parse_unit(text)
    magnitude = float(quantity.magnitude)
    # per kind: total exponent and the factor f with (component product) = f * kind**exponent
    exponents: dict[int, float] = {}
    factors: dict[int, float] = {}

    def add(kind: int, power: float, factor: float) -> None:
        exponents[kind] = exponents.get(kind, 0.0) + power
        factors[kind] = factors.get(kind, 1.0) * factor

    for name, power in quantity.units._units.items():
        component = ureg.Quantity(1.0, name)
        dimensionality = str(component.dimensionality)
        for dimension, kind, unit, per in _COMPONENT_KINDS:
            if dimensionality == dimension:
                add(kind, per * power, float(component.to(unit).magnitude) ** power)
                break
        else:
            base = component.to_base_units()
            magnitude *= float(base.magnitude) ** power
            for base_name, base_power in base.units._units.items():
                kind = _BASE_KINDS.get(base_name)
                if kind is not None:  # cells, IU and other counts: dimensionless in SBML
                    add(kind, base_power * power, 1.0)
    components = []
    for kind, power in exponents.items():
        if abs(power) <= 1e-12:
            magnitude *= factors[kind]  # e.g. mL/L: the kinds cancel, the factor stays
        else:
            components.append([kind, power, factors[kind] ** (1.0 / power)])
    if not components or abs(magnitude - 1.0) > 1e-12:
        # a numeric prefix (1e9/L, 1e6 cell) stays visible as a dimensionless multiplier
        components.insert(0, [libsbml.UNIT_KIND_DIMENSIONLESS, 1.0, magnitude])
    return [(kind, power, _rounded(multiplier)) for kind, power, multiplier in components]


class UnitTable:
    """The unit definitions of one SBML model, created on first use and shared by text.

    Attributes:
        model: the libsbml model the definitions are added to.
    """

    def __init__(self, model: libsbml.Model):
        self.model = model
        self._by_text: dict[str, str] = {}
        self._by_components: dict[tuple, str] = {}
        self._factors: dict[float, str] = {}

    def unit_id(self, text: str) -> str:
        """Id of the unit definition of ``text`` (hemasim unit text), created if new."""
        text = str(text).strip() or "1"
        if text in self._by_text:
            return self._by_text[text]
        components = unit_components(text)
        key = tuple((kind, round(power, 12), _rounded(multiplier))
                    for kind, power, multiplier in components)
        if key == ((libsbml.UNIT_KIND_DIMENSIONLESS, 1.0, 1.0),):
            identifier = "dimensionless"
        elif key in self._by_components:
            identifier = self._by_components[key]
        else:
            identifier = self._new_id(_unit_id_text(text))
            self._define(identifier, text, components)
            self._by_components[key] = identifier
        self._by_text[text] = identifier
        return identifier

    def factor_id(self, factor: float) -> str:
        """Id of the unit of a conversion factor: dimensionless with multiplier 1/factor.

        A conversion factor is a pure number (24 h/day); giving it the unit ``1/factor``
        keeps the SBML unit of every expression equal to what it means (24 times a rate per
        hour is a rate per day).
        """
        factor = _rounded(factor)
        if factor not in self._factors:
            identifier = self._new_id(f"conversion_{len(self._factors) + 1}")
            self._define(identifier, f"conversion factor {factor:.15g} (a ratio of units)",
                         [(libsbml.UNIT_KIND_DIMENSIONLESS, 1.0, _rounded(1.0 / factor))])
            self._factors[factor] = identifier
        return self._factors[factor]

    def _new_id(self, stem: str) -> str:
        identifier, count = stem, 1
        while self.model.getUnitDefinition(identifier) is not None:
            count += 1
            identifier = f"{stem}_{count}"
        return identifier

    def _define(self, identifier: str, name: str,
                components: list[tuple[int, float, float]]) -> None:
        definition = self.model.createUnitDefinition()
        _check(definition.setId(identifier), identifier)
        definition.setName(name)
        for kind, power, multiplier in components:
            unit = definition.createUnit()
            unit.setKind(kind)
            unit.setExponent(float(power))
            unit.setScale(0)
            unit.setMultiplier(float(multiplier))


def _unit_id_text(text: str) -> str:
    """A readable SBML id for a unit text: ``1e9/L`` -> ``u_1e9_per_L``."""
    text = text.replace("**", "^").replace("/", " per ").replace("^", " pow ")
    text = text.replace("µ", "u").replace("%", "percent").replace(".", "p").replace("-", "m")
    text = re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_")
    return f"u_{text}" if text else "u_dimensionless"


def _check(code: int, what: str) -> None:
    if code != libsbml.LIBSBML_OPERATION_SUCCESS:
        raise ValueError(f"libsbml refused '{what}': {libsbml.OperationReturnValue_toString(code)}")


def _node(node_type: int, *children: libsbml.ASTNode) -> libsbml.ASTNode:
    node = libsbml.ASTNode(node_type)
    for child in children:
        node.addChild(child)
    return node


def number_node(value: float, units: str = "dimensionless") -> libsbml.ASTNode:
    """A MathML number with an SBML unit."""
    if isinstance(value, int) or (float(value).is_integer() and abs(value) < 2**31):
        node = libsbml.ASTNode(libsbml.AST_INTEGER)
        node.setValue(int(value))
    else:
        node = libsbml.ASTNode(libsbml.AST_REAL)
        node.setValue(float(value))
    node.setUnits(units)
    return node


def name_node(name: str) -> libsbml.ASTNode:
    """A reference to a model element by id."""
    node = libsbml.ASTNode(libsbml.AST_NAME)
    node.setName(name)
    return node


def time_node() -> libsbml.ASTNode:
    """The simulation time (MathML csymbol time), in the model's time unit (days)."""
    node = libsbml.ASTNode(libsbml.AST_NAME_TIME)
    node.setName("time")
    return node


def apply(operator: str, *children: libsbml.ASTNode) -> libsbml.ASTNode:
    """An operator node: ``+ - * / ^ >=`` or ``neg``."""
    types = {"+": libsbml.AST_PLUS, "-": libsbml.AST_MINUS, "*": libsbml.AST_TIMES,
             "/": libsbml.AST_DIVIDE, "^": libsbml.AST_POWER, ">=": libsbml.AST_RELATIONAL_GEQ,
             "neg": libsbml.AST_MINUS}
    return _node(types[operator], *children)


class ExpressionWriter:
    """Translates hemasim expression text into MathML with explicit unit conversions.

    Each symbol's *scale* is the factor from its declared unit to coherent SI units
    (``MTT`` in hours: 3600). Translating an expression tracks the scale of every
    subexpression and inserts a conversion factor wherever hemasim's compiler would apply
    one implicitly, so the SBML expression evaluates to the same number as hemasim's.

    Attributes:
        units: the model's unit table (for the factors' units).
        scales: symbol name -> scale of its declared unit.
    """

    def __init__(self, units: UnitTable, symbol_units: Mapping[str, str]):
        self.units = units
        self.scales = {name: base_factor(unit) for name, unit in symbol_units.items()}

    def expression(self, text: str | float, unit: str) -> libsbml.ASTNode:
        """MathML of ``text`` giving its value in ``unit``."""
        node, scale = self.scaled(text)
        return self.convert(node, scale, base_factor(unit))

    def scaled(self, text: str | float) -> tuple[libsbml.ASTNode, float]:
        """MathML of ``text`` as written, and the scale of the unit its value is in."""
        if isinstance(text, int | float):
            return number_node(text), 1.0
        tree = ast.parse(str(text), mode="eval")
        return self._translate(tree.body)

    def convert(self, node: libsbml.ASTNode, scale: float, target: float) -> libsbml.ASTNode:
        """``node`` (a value whose unit has ``scale``) multiplied into a unit of ``target``."""
        factor = scale / target
        if abs(factor - 1.0) <= 1e-12:
            return node
        factor = _rounded(factor)
        return apply("*", number_node(factor, self.units.factor_id(factor)), node)

    def _translate(self, node: ast.AST) -> tuple[libsbml.ASTNode, float]:
        if isinstance(node, ast.Constant):
            return number_node(node.value), 1.0
        if isinstance(node, ast.Name):
            if node.id not in self.scales:
                raise KeyError(f"unknown name '{node.id}' in an exported expression")
            return name_node(node.id), self.scales[node.id]
        if isinstance(node, ast.UnaryOp):
            operand, scale = self._translate(node.operand)
            if isinstance(node.op, ast.UAdd):
                return operand, scale
            return apply("neg", operand), scale
        if isinstance(node, ast.BinOp):
            return self._binary(node)
        if isinstance(node, ast.Call):
            return self._call(node)
        raise ValueError(f"cannot export {type(node).__name__} in an expression")

    def _binary(self, node: ast.BinOp) -> tuple[libsbml.ASTNode, float]:
        left, left_scale = self._translate(node.left)
        if isinstance(node.op, ast.Pow):
            return self._power(left, left_scale, node.right)
        right, right_scale = self._translate(node.right)
        if isinstance(node.op, ast.Mult):
            return apply("*", left, right), left_scale * right_scale
        if isinstance(node.op, ast.Div):
            return apply("/", left, right), left_scale / right_scale
        if isinstance(node.op, ast.Add | ast.Sub):
            # terms of one dimension (the model check guarantees it) in the left term's unit
            right = self.convert(right, right_scale, left_scale)
            return apply("+" if isinstance(node.op, ast.Add) else "-", left, right), left_scale
        raise ValueError(f"cannot export the operator {type(node.op).__name__}")

    def _power(self, base: libsbml.ASTNode, base_scale: float,
               exponent_node: ast.AST) -> tuple[libsbml.ASTNode, float]:
        exponent, exponent_scale = self._translate(exponent_node)
        exponent = self.convert(exponent, exponent_scale, 1.0)
        constant = _constant_value(exponent_node)
        if constant is None:
            # a symbolic exponent needs a pure-number base (model check): bring it to scale 1
            return apply("^", self.convert(base, base_scale, 1.0), exponent), 1.0
        return apply("^", base, exponent), base_scale ** constant

    def _call(self, node: ast.Call) -> tuple[libsbml.ASTNode, float]:
        name = node.func.id if isinstance(node.func, ast.Name) else ""
        if name not in _FUNCTIONS or node.keywords:
            raise ValueError(f"cannot export the function call '{ast.unparse(node)}'")
        arguments = [self._translate(argument) for argument in node.args]
        if name in _UNIT_ARGUMENT:
            children = [self.convert(child, scale, 1.0) for child, scale in arguments]
            return _node(_FUNCTIONS[name], *children), 1.0
        if name == "sqrt":
            (child, scale), = arguments
            return _node(_FUNCTIONS[name], child), math.sqrt(scale)
        first_scale = arguments[0][1]
        children = [self.convert(child, scale, first_scale) for child, scale in arguments]
        return _node(_FUNCTIONS[name], *children), first_scale


def _constant_value(node: ast.AST) -> float | None:
    """The value of a numeric literal (with sign), or None for anything else."""
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        return float(node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        inner = _constant_value(node.operand)
        if inner is not None:
            return -inner if isinstance(node.op, ast.USub) else inner
    return None
