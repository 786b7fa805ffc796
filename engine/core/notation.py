"""Math text from an op's Python expressions: ``1.0 - out * out`` reads ``1 - out²``.

Every text a learner reads about an op (its chain rule in the stepper, the comments
of compiled code, graph tooltips) is printed from the expressions that compute it,
never written a second time: this is the math printer of the parsed form
(``expression.py``). ``math_text`` prints one expression, optionally with the graph's
own names put in for the operands::

    math_text("out * (1.0 - out)")               ->  "out·(1 - out)"
    math_text("1.0 - out * out", {"out": "h"})   ->  "1 - h²"

The notation, used the same way everywhere: ``∂out/∂a`` is the *local* derivative
of one op's output with respect to one operand, a number the op alone decides;
``dL/dx`` is the gradient of the final result ``L`` with respect to ``x``, which the
backward pass builds up. ``·`` is multiplication.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping

from .expression import parse

# How function names read in math.
_FUNCTION_NAMES = {
    "exp": "exp",
    "log": "ln",
    "tanh": "tanh",
    "sigmoid": "σ",
    "math.exp": "exp",
    "math.log": "ln",
    "math.tanh": "tanh",
}
_SUPERSCRIPTS = {2: "²", 3: "³"}

# Binding strength: a child binding less tightly than its parent gets parentheses.
_IFEXP, _OR, _AND, _NOT, _COMPARE, _ADD, _MUL, _UNARY, _POW, _ATOM = range(10)
_BINARY = {
    ast.Add: (" + ", _ADD),
    ast.Sub: (" - ", _ADD),
    ast.Mult: ("·", _MUL),
    ast.Div: ("/", _MUL),
    ast.Mod: (" mod ", _MUL),
}
_COMPARISONS = {
    ast.Gt: ">",
    ast.GtE: "≥",
    ast.Lt: "<",
    ast.LtE: "≤",
    ast.Eq: "=",
    ast.NotEq: "≠",
}


def math_text(
    expr: str, names: Mapping[str, str] | None = None, constants: Mapping[str, float] | None = None
) -> str:
    """The expression ``expr`` written as math, with ``names`` substituted for its variables.

    ``constants`` fixes some variables to numbers and works the arithmetic out, so a
    member of an op family reads as itself: ``c * a ** (c - 1.0)`` with c = 3 is ``3·a²``.
    """
    return math_of(parse(expr, constants), names)


def math_of(tree: ast.expr, names: Mapping[str, str] | None = None) -> str:
    """A parsed expression (``expression.parse``) written as math."""
    text, _ = _Printer(names or {}).show(tree)
    return text


def number_text(x: float) -> str:
    """A constant of an expression: ``1.0`` reads ``1``, ``0.5`` stays ``0.5``."""
    if x == int(x) and abs(x) < 1e15:
        return str(int(x))
    return repr(x)


class _Printer:
    def __init__(self, names: Mapping[str, str]) -> None:
        self.names = names

    def show(self, node: ast.expr) -> tuple[str, int]:
        """(text, binding strength) of ``node``."""
        method = getattr(self, f"_{type(node).__name__}", None)
        if method is None:
            return ast.unparse(node), _ATOM
        return method(node)

    def child(self, node: ast.expr, minimum: int) -> str:
        text, strength = self.show(node)
        return f"({text})" if strength < minimum else text

    def _Constant(self, node: ast.Constant) -> tuple[str, int]:  # noqa: N802
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
            return repr(node.value), _ATOM
        text = number_text(float(node.value))
        return text, (_UNARY if text.startswith("-") else _ATOM)

    def _Name(self, node: ast.Name) -> tuple[str, int]:  # noqa: N802
        return self.names.get(node.id, node.id), _ATOM

    def _Attribute(self, node: ast.Attribute) -> tuple[str, int]:  # noqa: N802
        return ast.unparse(node), _ATOM

    def _Call(self, node: ast.Call) -> tuple[str, int]:  # noqa: N802
        func = ast.unparse(node.func)
        args = [self.show(a)[0] for a in node.args]
        if func == "fabs" and len(args) == 1:
            return f"|{args[0]}|", _ATOM
        if func == "sum" and len(node.args) == 1 and isinstance(node.args[0], ast.Name):
            return self._sum_of(node.args[0].id), _ADD
        return f"{_FUNCTION_NAMES.get(func, func)}({', '.join(args)})", _ATOM

    def _sum_of(self, name: str) -> str:
        """``sum(xs)`` as ``x₁ + x₂ + … + xₙ`` (or the terms' own names, when given)."""
        return self.names.get(name, "x₁ + x₂ + … + xₙ")

    def _UnaryOp(self, node: ast.UnaryOp) -> tuple[str, int]:  # noqa: N802
        if isinstance(node.op, ast.USub):
            return f"-{self.child(node.operand, _POW)}", _UNARY
        if isinstance(node.op, ast.Not):
            return f"not {self.child(node.operand, _NOT)}", _NOT
        return ast.unparse(node), _ATOM

    def _BinOp(self, node: ast.BinOp) -> tuple[str, int]:  # noqa: N802
        if isinstance(node.op, ast.Pow):
            base = self.child(node.left, _ATOM)
            exponent = node.right
            if isinstance(exponent, ast.Constant) and exponent.value in _SUPERSCRIPTS:
                return base + _SUPERSCRIPTS[exponent.value], _POW
            return f"{base}^{self.child(exponent, _ATOM)}", _POW
        if isinstance(node.op, ast.Mult) and _same_name(node.left, node.right):
            return self.child(node.left, _ATOM) + "²", _POW
        symbol, strength = _BINARY.get(type(node.op), (None, _ATOM))
        if symbol is None:
            return ast.unparse(node), _ATOM
        left = self.child(node.left, strength)
        # The right operand of - and / needs parentheses at equal strength: a - (b - c).
        right_minimum = strength + 1 if isinstance(node.op, (ast.Sub, ast.Div)) else strength
        return f"{left}{symbol}{self.child(node.right, right_minimum)}", strength

    def _Compare(self, node: ast.Compare) -> tuple[str, int]:  # noqa: N802
        parts = [self.child(node.left, _ADD)]
        for op, right in zip(node.ops, node.comparators, strict=True):
            parts += [_COMPARISONS.get(type(op), ast.unparse(op)), self.child(right, _ADD)]
        return " ".join(parts), _COMPARE

    def _BoolOp(self, node: ast.BoolOp) -> tuple[str, int]:  # noqa: N802
        word, strength = (" and ", _AND) if isinstance(node.op, ast.And) else (" or ", _OR)
        # Nested and/or always get parentheses: few readers know which binds tighter.
        return word.join(self.child(v, _NOT) for v in node.values), strength

    def _IfExp(self, node: ast.IfExp) -> tuple[str, int]:  # noqa: N802
        body = self.child(node.body, _OR)
        test = self.child(node.test, _OR)
        return f"{body} if {test} else {self.child(node.orelse, _IFEXP)}", _IFEXP


def _same_name(left: ast.expr, right: ast.expr) -> bool:
    return isinstance(left, ast.Name) and isinstance(right, ast.Name) and left.id == right.id
