"""Forward mode: derivatives pushed forward with the values, as dual numbers.

A dual number is a value and a tangent, ``a + ȧ·ε`` with ``ε² = 0``. Every op maps
its operands' duals to ``out + ṫ·ε`` with ``ṫ = Σ ∂out/∂operand · operand's tangent``:
the op's local derivatives from the op table, the very ones backward multiplies by,
applied in the other direction. Seed an input with tangent 1 and the others with 0,
and the output's tangent is the derivative with respect to that input.

Reverse mode (``backward``) gets the derivative with respect to *every* input in one
pass back from the output; forward mode gets the derivative of *every* output with
respect to *one* direction in one pass forward. A loss of n parameters needs n
forward passes, one backward pass: the reason training uses reverse mode. Forward
mode needs no graph and no memory of the pass, and wins when there are more outputs
than inputs. (JAX's autodidax teaches the two in this order: ``jvp`` first.)

``Dual(3.0, 1.0)`` computes with ``+ - * / **``, ``abs``, ``-`` and every op method a
Value has (``exp``, ``tanh``, ``relu``, ...); ``dual_apply(op, *operands)`` any op of
the table, with its number parameter bound (``OPS["powc"].bind(3)``). ``jvp(f,
inputs, tangents)`` runs a function written for Values (``f(list_of_Values) ->
Value``, as for gradcheck) and pushes the tangents forward through the graph it
recorded, node by node, in duals.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .autodiff import topological_order
from .higher import Function, call_checked, input_leaves
from .mode import no_grad
from .numbers import check_number, is_number
from .ops import NARY, OPS, Op
from .value import Value, apply


class Dual:
    """A number with a tangent: ``primal + tangent·ε``, where ``ε² = 0``."""

    __slots__ = ("primal", "tangent")

    def __init__(self, primal: float, tangent: float = 0.0) -> None:
        self.primal = check_number(primal, "Dual: primal")
        self.tangent = check_number(tangent, "Dual: tangent")

    def __repr__(self) -> str:
        return f"Dual({self.primal!r}, tangent={self.tangent!r})"


def dual_apply(op: Op, *operands: Dual | float) -> Dual:
    """``op`` on duals: the value as Value computes it, the tangent by the chain rule.

    The value comes from the op's own code (under ``no_grad``, so nothing is
    recorded), with Value's checks: an operand outside the domain raises the same
    error as for Values. A number operand is a constant, tangent 0.
    """
    if op.local_fn is None:
        raise TypeError(
            f"dual_apply: {op.name} has no local derivatives attached; define it with define_op"
        )
    duals = [x if isinstance(x, Dual) else _constant(x, op) for x in operands]
    primals = [d.primal for d in duals]
    with no_grad():
        out = apply(op, *primals).data
    derivs = op.local(out, *primals)
    tangent = 0.0
    for d, x in zip(derivs, duals, strict=True):
        if x.tangent:  # skip constants: a 0 tangent adds nothing, even times an inf slope
            tangent += d * x.tangent
    if tangent - tangent != 0.0:
        raise OverflowError(
            f"{op.heading}: the tangent overflows a float (local derivatives {derivs!r}, "
            f"tangents {[x.tangent for x in duals]!r})"
        )
    return Dual(out, tangent)


def _constant(x: Any, op: Op) -> Dual:
    if isinstance(x, Value):
        raise TypeError(
            f"{op.name}: a Value met a Dual; forward mode computes on Duals only. Use "
            "jvp(f, inputs, tangents) to push tangents through a function written for Values"
        )
    if not is_number(x):
        raise TypeError(f"{op.name}: expected a Dual or a number, got {type(x).__name__}")
    return Dual(x, 0.0)


def _binary(op: Op, reflected: bool) -> Any:
    number_op = OPS[op.number_operand] if op.number_operand else None

    def method(self: Dual, other: Any) -> Dual:
        if isinstance(other, Value):
            _constant(other, op)  # raises: say that forward mode computes on Duals
        if not isinstance(other, Dual) and not is_number(other):
            return NotImplemented
        if reflected:
            return dual_apply(op, other, self)
        if number_op is not None and not isinstance(other, Dual):  # x ** 3: powc, any sign of x
            return dual_apply(number_op.bind(other), self)
        return dual_apply(op, self, other)

    return method


def _unary(op: Op) -> Any:
    def method(self: Dual) -> Dual:
        return dual_apply(op, self)

    return method


# Dual gets an operator or method for every op that Value has one for, from the table.
for _op in OPS.values():
    if _op.method is None or _op.arity == NARY:
        continue
    if _op.arity == 1:
        setattr(Dual, _op.method, _unary(_op))
    else:
        setattr(Dual, _op.method, _binary(_op, reflected=False))
        if _op.reflected:
            setattr(Dual, _op.reflected, _binary(_op, reflected=True))


def push_forward(root: Value, tangents: dict[Value, float]) -> Dual:
    """``root`` and its tangent, pushed from the leaves' ``tangents`` through its graph.

    One pass over the graph in topological order, each node's dual from its operands'
    (a leaf not in ``tangents`` is a constant, tangent 0). No ``.grad`` changes.
    """
    order, leaves = topological_order(root)
    duals: dict[Value, Dual] = {leaf: Dual(leaf.data, tangents.get(leaf, 0.0)) for leaf in leaves}
    for node in order:
        duals[node] = dual_apply(node.op, *(duals[p] for p in node.parents))
    return duals[root]


def jvp(
    f: Function, inputs: Sequence[float | Value], tangents: Sequence[float]
) -> tuple[float, float]:
    """``(f(inputs), ∇f · tangents)``: the value and its derivative along ``tangents``.

    JAX's name and order of arguments. ``f`` takes a list of Values (fresh leaves, one
    per input) and returns a Value, as for gradcheck. ``tangents=[0, 1, 0]`` gives
    df/dx1; the whole gradient of n inputs takes n calls, one per input (reverse mode:
    one ``backward``).
    """
    xs = input_leaves(inputs, "jvp")
    if isinstance(tangents, (str, bytes)) or not hasattr(tangents, "__len__"):
        raise TypeError(f"jvp: tangents must be a list of numbers, got {tangents!r:.60}")
    seeds = [check_number(t, "jvp: tangents") for t in tangents]
    if len(seeds) != len(xs):
        raise ValueError(
            f"jvp: tangents has {len(seeds)} entries but there are {len(xs)} inputs; "
            "pass one tangent per input (1 for the input to differentiate by, 0 for the rest)"
        )
    out = push_forward(call_checked(f, xs, "jvp"), dict(zip(xs, seeds, strict=True)))
    return out.primal, out.tangent
