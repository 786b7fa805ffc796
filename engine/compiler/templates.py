"""Op templates: each op's expressions from the table, folded and ready to format.

The compiled code of a node is its op's forward expression with the operands' names
written in (``{0} * {1}``, then ``w1 * x1``), and one chain-rule term per operand
built from the op's derivative expressions. ``template(op)`` prints the op's parsed
expressions (``engine.core.expression``: parameters of a bound family member written
in, constant parts worked out) as those format strings, once per op, and drops domain
conditions that hold for every finite operand.
"""

from __future__ import annotations

import ast
import builtins
import itertools
import re
from dataclasses import dataclass

from ..core.expression import factor, number, parse, python
from ..core.ops import Op

_FIELD = {"a": 0, "xs": 0, "b": 1, "out": 2}  # positions in a template's format()
_FIELDS = {name: f"__gs_{name}__" for name in _FIELD}  # markers, made fields after printing


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
    constants = {op.param: op.value} if op.value is not None else None
    domain = None
    if op.domain is not None:
        tree = parse(op.domain, constants, boolean=True)
        if not _always_true(tree):
            domain = _placeholders(tree)
    forward = _placeholders(parse(op.forward, constants))
    derivs = tuple(_factor(parse(d, constants)) for d in op.derivs)
    t = Template(forward, derivs, domain, _notes(op))
    _TEMPLATES[id(op)] = (op, t)
    return t


def _factor(tree: ast.expr) -> str:
    """A local derivative as a factor of ``grad * factor``; parenthesised if compound."""
    value = number(tree)
    if value in (1.0, -1.0):
        return repr(value)
    return _escaped(factor(tree, _FIELDS))


def _notes(op: Op) -> tuple[str, ...]:
    """Per operand, the op's chain-rule text: ``out = tanh(a); ∂out/∂a = 1 - out²``."""
    head = f"out = {op.forward_text()}"
    return tuple(
        f"{head}; ∂out/∂{name} = {' = '.join(op.derivative_forms(i))}"
        for i, name in enumerate(op.deriv_names)
    )


def _placeholders(tree: ast.expr) -> str:
    """Source of ``tree`` with the operand names turned into format fields."""
    return _escaped(python(tree, _FIELDS))


def _escaped(code: str) -> str:
    """Code with braces doubled for format(), then the operand markers made fields."""
    code = code.replace("{", "{{").replace("}", "}}")
    return re.sub(r"\b__gs_(\w+?)__\b", lambda m: f"{{{_FIELD[m.group(1)]}}}", code)


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
        elif (value := number(t)) is not None:
            constants.add(value)
        else:
            return False
    return True
