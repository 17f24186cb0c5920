"""Calculator tools: exact arithmetic, a safe expression evaluator, network sizes, unit conversion.

Arithmetic is exact: numbers are taken as the decimals written (``fractions.Fraction``), so
``multiply(12234585, 48838483920)`` is 597518582790373200 and ``add(0.1, 0.2)`` is 0.3.  A result
is an ``int`` when every operand is a whole number and the exact result is whole (6 / 3 -> 2),
otherwise the nearest ``float`` (7 / 2 -> 3.5, 1 / 3 -> 0.333...).  ``calculate`` parses with
``ast`` and walks the tree itself: only numbers, + - * / // % **, unary +/- and parentheses; never
``eval``.  Sizes are bounded (expression length, exponent, result digits) so no call can hang.
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable
from fractions import Fraction
from typing import Annotated

from .catalog import tool
from .schema import Length, Range
from .units import UnitName, convert, exact
from .validation import ToolError

MAX_BITS = 1400  # ~420 decimal digits for any numerator/denominator, intermediate or final
MAX_EXPRESSION = 300


def _bounded(x: Fraction) -> Fraction:
    if max(abs(x.numerator).bit_length(), x.denominator.bit_length()) > MAX_BITS:
        raise ToolError(f"the result is too large (more than {int(MAX_BITS * math.log10(2))} digits)")
    return x


def _power(base: Fraction, exponent: Fraction) -> Fraction:
    if exponent.denominator == 1:
        e = int(exponent)
        size = max(abs(base.numerator).bit_length(), base.denominator.bit_length())
        if abs(base) not in (0, 1) and abs(e) * (size - 1) > MAX_BITS:
            raise ToolError(f"the power is too large (exponent {e}); at most ~{int(MAX_BITS * 0.30103)} digits")
        if base == 0 and e < 0:
            raise ToolError("zero cannot be raised to a negative power")
        return _bounded(base**e)
    if base < 0:
        raise ToolError("a negative number to a fractional power has no real result")
    try:
        return Fraction(float(base) ** float(exponent))
    except OverflowError:
        raise ToolError("the power is too large for a floating-point number") from None


def _divide(a: Fraction, b: Fraction, op: Callable[[Fraction, Fraction], Fraction]) -> Fraction:
    if b == 0:
        raise ToolError("division by zero")
    return Fraction(op(a, b))


def _result(x: Fraction, operands: list[int | float]) -> int | float:
    whole = all(isinstance(v, int) or float(v).is_integer() for v in operands)
    x = _bounded(x)
    if whole and x.denominator == 1:
        return int(x)
    try:
        return float(x)
    except OverflowError:
        raise ToolError("the result is too large for a floating-point number") from None


@tool(order=10)
def add(a: float, b: float) -> int | float:
    """Add two numbers exactly: a + b.

    Args:
        a: The first number.
        b: The second number.
    """
    return _result(exact(a) + exact(b), [a, b])


@tool(order=20)
def subtract(a: float, b: float) -> int | float:
    """Subtract exactly: a - b.

    Args:
        a: The number to subtract from.
        b: The number to subtract.
    """
    return _result(exact(a) - exact(b), [a, b])


@tool(order=30)
def multiply(a: float, b: float) -> int | float:
    """Multiply two numbers exactly: a * b (whole numbers give an exact whole result).

    Args:
        a: The first factor.
        b: The second factor.
    """
    return _result(exact(a) * exact(b), [a, b])


@tool(order=40)
def divide(a: float, b: float) -> int | float:
    """Divide exactly: a / b (a whole number when it divides evenly, otherwise a decimal).

    Args:
        a: The dividend.
        b: The divisor (not zero).
    """
    return _result(_divide(exact(a), exact(b), operator.truediv), [a, b])


@tool(order=50)
def power(base: float, exponent: float) -> int | float:
    """Raise a number to a power: base ** exponent (whole numbers give an exact whole result).

    Args:
        base: The base.
        exponent: The exponent (results are limited to about 420 digits).
    """
    return _result(_power(exact(base), exact(exponent)), [base, exponent])


_BINARY = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: lambda a, b: _divide(a, b, operator.truediv),
    ast.FloorDiv: lambda a, b: _divide(a, b, operator.floordiv),
    ast.Mod: lambda a, b: _divide(a, b, operator.mod),
    ast.Pow: _power,
}
_UNARY = {ast.UAdd: operator.pos, ast.USub: operator.neg}
_NAMES = {ast.BitXor: "^ (write ** for powers)", ast.BitAnd: "&", ast.BitOr: "|", ast.LShift: "<<",
          ast.RShift: ">>", ast.MatMult: "@", ast.Invert: "~", ast.Not: "not"}


def _evaluate(node: ast.AST, literals: list[int | float]) -> Fraction:
    if isinstance(node, ast.Expression):
        return _evaluate(node.body, literals)
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        if not math.isfinite(node.value):
            raise ToolError("the numbers must be finite")
        literals.append(node.value)
        return exact(node.value)
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        left = _evaluate(node.left, literals)
        right = _evaluate(node.right, literals)
        return _bounded(_BINARY[type(node.op)](left, right))
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        return _UNARY[type(node.op)](_evaluate(node.operand, literals))
    op = getattr(node, "op", None)
    what = _NAMES.get(type(op)) if op is not None else None
    if what is None:
        what = {ast.Name: "names", ast.Call: "function calls", ast.Attribute: "attributes",
                ast.Constant: "that constant", ast.Subscript: "indexing"}.get(type(node), type(node).__name__)
    raise ToolError(f"not allowed in an expression: {what}. Use numbers, + - * / // % ** and parentheses")


@tool(order=60, with_data=True)
def calculate(expression: Annotated[str, Length(1, MAX_EXPRESSION)]) -> int | float:
    """Evaluate an arithmetic expression that combines several operations, exactly (numbers only, not data).

    Args:
        expression: The whole computation, with numbers, + - * / // % ** and parentheses only (no names,
            variables, dates or functions). A percentage p% of x is p / 100 * x; a mean of n numbers is
            their sum in parentheses divided by n.
    """
    text = expression.replace("×", "*").replace("÷", "/").replace("−", "-").strip()
    if len(text) > MAX_EXPRESSION:
        raise ToolError(f"the expression is too long (at most {MAX_EXPRESSION} characters)")
    try:
        tree = ast.parse(text, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        raise ToolError(
            f"could not parse {expression!r}: use numbers, + - * / // % ** and parentheses "
            "(no thousands separators)"
        ) from None
    literals: list[int | float] = []
    return _result(_evaluate(tree, literals), literals)


Width = Annotated[int, Range(1, 10_000_000)]


@tool(order=70)
def dense_network_parameters(
    inputs: Width,
    hidden: Annotated[list[Width], Length(0, 1000)],
    outputs: Width,
    biases: bool = True,
) -> dict:
    """Count the trainable parameters of a fully connected (dense) neural network.

    Args:
        inputs: Number of input features.
        hidden: Width of every hidden layer, one entry per layer: 3 hidden layers of 64 are [64, 64, 64].
        outputs: Number of outputs.
        biases: Whether every layer has a bias per output unit.
    """
    sizes = [inputs, *hidden, outputs]
    layers = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        count = n_in * n_out + (n_out if biases else 0)
        layers.append({"in": n_in, "out": n_out, "parameters": count})
    weights = sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))
    bias_count = sum(sizes[1:]) if biases else 0
    return {"parameters": weights + bias_count, "weights": weights, "biases": bias_count, "layers": layers}


@tool(order=80, with_data=True)
def convert_units(value: float, from_unit: UnitName, to_unit: UnitName, difference: bool = False) -> dict:
    """Convert a value between geoscience units (temperature, precipitation rate, pressure, speed).

    Args:
        value: The value to convert.
        from_unit: The unit of the value.
        to_unit: The unit wanted (the same kind of quantity).
        difference: True when the value is a temperature difference (an anomaly or a trend), so
            no offset is applied (1 K of warming is 1.8 °F).
    """
    result = convert(value, from_unit, to_unit, difference)
    return {"value": float(result), "unit": to_unit, "from_value": value, "from_unit": from_unit}

