"""An op's expression, parsed once: the one form every printer of an op starts from.

The op table writes each op's math as Python expressions (``"c * a ** (c - 1.0)"``).
Everything printed from them (math text, the eager kernels, compiled lines, the
graph-of-gradient kernels) starts here: ``parse`` reads the expression, writes in
the numbers of bound parameters (``c = 3`` for ``x ** 3``) and works out what became
constant (``3.0 * a ** 2.0``), so binding and folding exist once. Each printer then
walks the same tree: ``notation.py`` as math, ``python`` and ``factor`` below as code.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping

from .floatmath import NAMES

# Functions whose value on constants is worked out while folding: exact, cheap, and
# clearer folded (``int(3.0)`` is 3). exp, log, ... stay as they are: ``ln(2)`` reads
# better than 0.693, and the code computes the same number either way.
_FOLDED_CALLS = frozenset({"int", "float", "abs", "fabs", "min", "max"})


def parse(
    expr: str, constants: Mapping[str, float] | None = None, boolean: bool = False
) -> ast.expr:
    """``expr`` as a tree, ``constants`` written in and the constant parts worked out.

    With ``boolean`` (a condition, read only for its truth) ``x and True`` becomes
    ``x`` and ``x or True`` becomes ``True``.
    """
    tree = ast.parse(expr.strip(), mode="eval").body
    if constants:
        tree = _Bind(constants).visit(tree)
    return ast.fix_missing_locations(_Fold(boolean).visit(tree))


def number(node: ast.AST) -> float | None:
    """The number a constant node stands for (``2.0``, or ``-2.0`` as a negation), else None."""
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return float(node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = number(node.operand)
        return None if inner is None else -inner
    return None


def is_atom(node: ast.expr) -> bool:
    """Whether ``node`` needs no parentheses as a factor: a name, a number, a call."""
    return isinstance(node, (ast.Name, ast.Constant, ast.Call, ast.Attribute, ast.Subscript))


def python(node: ast.expr, names: Mapping[str, str] | None = None) -> str:
    """The tree as Python source, with ``names`` put in for its variables and functions."""
    if names:
        node = _Rename(names).visit(_copy(node))
    return ast.unparse(node)


def factor(node: ast.expr, names: Mapping[str, str] | None = None) -> str:
    """The tree as the right-hand factor of ``g * ...``: parenthesised unless it is atomic."""
    text = python(node, names)
    return text if is_atom(node) else f"({text})"


def _copy(node: ast.expr) -> ast.expr:
    return ast.parse(ast.unparse(node), mode="eval").body


class _Bind(ast.NodeTransformer):
    def __init__(self, constants: Mapping[str, float]) -> None:
        self.constants = constants

    def visit_Name(self, node: ast.Name) -> ast.expr:  # noqa: N802
        if node.id in self.constants:
            return _constant(float(self.constants[node.id]))
        return node


class _Rename(ast.NodeTransformer):
    def __init__(self, names: Mapping[str, str]) -> None:
        self.names = names

    def visit_Name(self, node: ast.Name) -> ast.Name:  # noqa: N802
        return ast.Name(self.names.get(node.id, node.id), node.ctx)


class _Fold(ast.NodeTransformer):
    """Work out every part whose operands are all numbers, and what that leaves."""

    def __init__(self, boolean: bool) -> None:
        self.boolean = boolean

    def generic_visit(self, node: ast.AST) -> ast.AST:
        node = super().generic_visit(node)
        if isinstance(node, ast.IfExp) and isinstance(node.test, ast.Constant):
            return node.body if node.test.value else node.orelse
        if self.boolean and isinstance(node, ast.BoolOp):
            return _decided(node)
        if isinstance(node, ast.Call):
            operands = node.args if ast.unparse(node.func) in _FOLDED_CALLS else None
        elif isinstance(node, (ast.BinOp, ast.UnaryOp, ast.Compare, ast.BoolOp)):
            operands = [n for n in ast.iter_child_nodes(node) if isinstance(n, ast.expr)]
        else:
            operands = None
        if operands is not None and all(number(n) is not None for n in operands):
            return _evaluated(node)
        return _simplified(node)


def _evaluated(node: ast.expr) -> ast.expr:
    try:
        code = compile(ast.fix_missing_locations(ast.Expression(node)), "<fold>", "eval")
        value = eval(code, dict(NAMES))
    except (ArithmeticError, ValueError):
        return node
    if type(value) not in (bool, int, float) or value - value != 0:
        return node
    return _constant(value)


def _constant(value: float) -> ast.expr:
    """A number as a node; a negative one as a negation, so ``(-2.0) ** a`` keeps its brackets."""
    if type(value) is not bool and (value < 0 or (value == 0 and str(value).startswith("-"))):
        return ast.UnaryOp(ast.USub(), ast.Constant(-value))
    return ast.Constant(value)


def _simplified(node: ast.AST) -> ast.AST:
    """x^1 is x, x^0 is 1, 1·x is x, -1·x is -x: what a number written in leaves."""
    if not isinstance(node, ast.BinOp):
        return node
    left, right = number(node.left), number(node.right)
    if isinstance(node.op, ast.Pow) and right == 1.0:
        return node.left
    if isinstance(node.op, ast.Pow) and right == 0.0:
        return ast.Constant(1.0)
    if isinstance(node.op, ast.Mult):
        for value, other in ((left, node.right), (right, node.left)):
            if value == 1.0:
                return other
            if value == -1.0:
                return ast.UnaryOp(ast.USub(), other)
    return node


def _decided(node: ast.BoolOp) -> ast.expr:
    """An and/or with its constant parts dropped, or the constant that decides it."""
    absorbing = isinstance(node.op, ast.Or)  # True absorbs an `or`, False an `and`
    kept = []
    for value in node.values:
        if isinstance(value, ast.Constant):
            if bool(value.value) == absorbing:
                return ast.Constant(absorbing)
            continue
        kept.append(value)
    if not kept:
        return ast.Constant(not absorbing)
    return kept[0] if len(kept) == 1 else ast.BoolOp(node.op, kept)
