"""Op templates: each op's expressions from the table, folded and ready to format.

The compiled code of a node is its op's forward expression with the operands' names
written in (``{0} * {1}``, then ``w1 * x1``), and one chain-rule term per operand
built from the op's derivative expressions. ``template(op)`` turns the table's
strings into those format strings once per op: parameters of a bound family member
written in, constant parts evaluated (``2.0 - 1.0`` is ``1.0``), and domain conditions
that hold for every finite operand dropped.
"""

from __future__ import annotations

import ast
import builtins
import itertools
import re
from dataclasses import dataclass

from ..core.floatmath import NAMES as NAMESPACE
from ..core.ops import Op

_OPERANDS = ("a", "b", "xs", "out")
_FIELD = {"a": 0, "xs": 0, "b": 1, "out": 2}  # positions in a template's format()


@dataclass(frozen=True)
class Template:
    """An op's code, to ``format(a, b, out)`` (``format(xs, None, out)`` for sum)."""

    forward: str
    derivs: tuple[str, ...]  # a product factor, or "1.0" / "-1.0" (written as + / -)
    domain: str | None  # None when the domain holds for every finite operand
    notes: tuple[str, ...]  # the chain-rule text for each operand's backward line


_TEMPLATES: dict[int, tuple[Op, Template]] = {}  # by id: hashing an Op hashes its strings


def template(op: Op) -> Template:
    cached = _TEMPLATES.get(id(op))
    if cached is not None and cached[0] is op:
        return cached[1]
    domain = None
    if op.domain is not None:
        tree = _fold(_parse(op, op.domain), boolean=True)
        if not _always_true(tree):
            domain = _placeholders(tree)
    forward = _placeholders(_fold(_parse(op, op.forward)))
    t = Template(forward, tuple(_factor(op, d) for d in op.derivs), domain, _notes(op))
    _TEMPLATES[id(op)] = (op, t)
    return t


def _parse(op: Op, expr: str) -> ast.expr:
    """One of the op's expressions, its parameter (in a bound family member) written in."""
    tree = ast.parse(expr, mode="eval").body
    if op.value is None:
        return tree
    param, value = op.param, ast.Constant(op.value)

    class _Bind(ast.NodeTransformer):
        def visit_Name(self, node: ast.Name) -> ast.expr:  # noqa: N802
            return value if node.id == param else node

    return _Bind().visit(tree)


def _factor(op: Op, expr: str) -> str:
    """A local derivative as a factor of ``grad * factor``; parenthesised if compound."""
    tree = _fold(_parse(op, expr))
    if _number(tree) in (1.0, -1.0):
        return repr(_number(tree))
    code = _placeholders(tree)
    simple = (ast.Name, ast.Constant, ast.Call, ast.Attribute, ast.Subscript)
    return code if isinstance(tree, simple) else f"({code})"


def _notes(op: Op) -> tuple[str, ...]:
    """Per operand, the op's chain-rule text: ``out = tanh(a); ∂out/∂a = 1 - out²``."""
    head = f"out = {op.forward_text()}"
    return tuple(
        f"{head}; ∂out/∂{name} = {' = '.join(op.derivative_forms(i))}"
        for i, name in enumerate(op.deriv_names)
    )


def _placeholders(tree: ast.expr) -> str:
    """Source of ``tree`` with the operand names turned into format fields."""
    marked = _Rename().visit(tree)
    code = ast.unparse(marked).replace("{", "{{").replace("}", "}}")
    return re.sub(r"\b__gs_(\w+?)__\b", lambda m: f"{{{_FIELD[m.group(1)]}}}", code)


class _Rename(ast.NodeTransformer):
    def visit_Name(self, node: ast.Name) -> ast.Name:
        if node.id in _OPERANDS:
            return ast.copy_location(ast.Name(f"__gs_{node.id}__", node.ctx), node)
        return node


def _fold(tree: ast.expr, boolean: bool = False) -> ast.expr:
    """Evaluate the constant parts of an expression (``2.0 - 1.0``, ``3.0 == int(3.0)``).

    Python would evaluate them the same way on every run; folding them keeps the
    generated source short. With ``boolean`` (a domain condition, read only for its
    truth) ``x and True`` becomes ``x`` and ``x or True`` becomes ``True``.
    """
    return ast.fix_missing_locations(_Folder(boolean).visit(tree))


class _Folder(ast.NodeTransformer):
    def __init__(self, boolean: bool) -> None:
        self.boolean = boolean

    def visit(self, node: ast.AST) -> ast.AST:
        node = self.generic_visit(node)
        if isinstance(node, ast.IfExp) and isinstance(node.test, ast.Constant):
            return node.body if node.test.value else node.orelse
        if self.boolean and isinstance(node, ast.BoolOp):
            return _simplify(node)
        if isinstance(node, ast.expr) and not isinstance(node, ast.Constant | ast.Name):
            if not any(isinstance(n, ast.Name) and n.id in _OPERANDS for n in ast.walk(node)):
                return _evaluated(node)
        return node


def _evaluated(node: ast.expr) -> ast.expr:
    try:
        code = builtins.compile(ast.fix_missing_locations(ast.Expression(node)), "<fold>", "eval")
        value = eval(code, dict(NAMESPACE))
    except Exception:  # noqa: BLE001 - leave anything that does not evaluate as it is
        return node
    if type(value) not in (bool, int, float) or value - value != 0:
        return node
    if value < 0 or (value == 0 and str(value).startswith("-")):
        return ast.UnaryOp(ast.USub(), ast.Constant(-value))  # unparses as (-2.0) ** a
    return ast.Constant(value)


def _simplify(node: ast.BoolOp) -> ast.expr:
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


_COMPARE = (ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.Eq, ast.NotEq)


def _always_true(tree: ast.expr) -> bool:
    """Whether a domain condition holds for every finite value of its operands.

    Decided only for conditions built from comparisons of one operand with
    constants, joined by and/or/not: such a condition is constant between the
    constants it mentions, so testing at each constant, between neighbours and
    beyond the ends decides it. Anything else is kept as a check.
    """
    names: set[str] = set()
    constants: set[float] = set()
    if not _piecewise(tree, names, constants):
        return False
    cuts = sorted(constants) or [0.0]
    points = [cuts[0] - 1.0, cuts[-1] + 1.0, *cuts]
    points += [(x + y) / 2 for x, y in itertools.pairwise(cuts)]
    code = builtins.compile(ast.Expression(tree), "<domain>", "eval")
    ordered = sorted(names)
    return all(
        eval(code, {}, dict(zip(ordered, values, strict=True)))
        for values in itertools.product(points, repeat=len(ordered))
    )


def _piecewise(node: ast.expr, names: set[str], constants: set[float]) -> bool:
    """Whether ``node`` only compares single operands with constants (see _always_true)."""
    if isinstance(node, ast.BoolOp):
        return all(_piecewise(v, names, constants) for v in node.values)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return _piecewise(node.operand, names, constants)
    if isinstance(node, ast.Constant):
        return type(node.value) is bool
    if not isinstance(node, ast.Compare) or not all(isinstance(o, _COMPARE) for o in node.ops):
        return False
    terms = [node.left, *node.comparators]
    if sum(isinstance(t, ast.Name) for t in terms) != 1:
        return False
    for t in terms:
        if isinstance(t, ast.Name):
            names.add(t.id)
        elif (number := _number(t)) is not None:
            constants.add(number)
        else:
            return False
    return True


def _number(node: ast.expr) -> float | None:
    """The number a folded constant stands for (``2.0`` or ``-2.0``), else None."""
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return float(node.value)
    if (
        isinstance(node, ast.UnaryOp)
        and isinstance(node.op, ast.USub)
        and isinstance(node.operand, ast.Constant)
        and type(node.operand.value) in (int, float)
    ):
        return -float(node.operand.value)
    return None
