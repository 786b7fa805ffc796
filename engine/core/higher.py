"""Gradients as values: ``grad``, and through it second derivatives, ``hessian`` and ``hvp``.

``grad(y, [x])`` is dy/dx, returned rather than accumulated into ``.grad`` (as
``torch.autograd.grad``): no ``.grad`` anywhere changes. With ``create_graph=True``
the backward pass runs with Values for numbers (each op's ``backward_graph`` kernel,
written from the same derivative expressions as everything else), so dy/dx comes back
as a Value with a graph over the inputs: differentiate it again for d²y/dx², and so on
to any order. Such a gradient graph is an ordinary graph: draw it, step through it,
compile it.

ReLU, step and abs have second derivative 0 away from their kink, because their first
derivative is a constant on each side (1 or 0, ±1, 0); at the kink gradstep uses the
same one-sided value as for the first derivative, and ``gradgradcheck`` reports a kink.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from typing import Any

from .autodiff import backward_pass, collector_paused, topological_order
from .mode import MODE
from .numbers import check_number
from .operators import sum as value_sum
from .value import Value

Function = Callable[[list[Value]], Value]


def grad(
    outputs: Value | Sequence[Value], inputs: Value | Sequence[Value], create_graph: bool = False
) -> list[Value]:
    """d(outputs)/d(input) for each input, as Values; no ``.grad`` is changed.

    ``outputs``: a Value, or a list of Values whose sum is differentiated. ``inputs``: a
    Value or a list; any Values of the graph, leaves or intermediate nodes. An input the
    outputs do not depend on gets a constant 0.0. Without ``create_graph`` the results
    are plain leaves; with it they are nodes of a graph over the inputs.
    """
    outs = _values(outputs, "outputs")
    ins = _values(inputs, "inputs")
    if create_graph and not MODE.recording:
        raise RuntimeError(
            "grad(create_graph=True) inside no_grad(): the gradient's graph cannot be "
            "recorded there. Call it outside the no_grad() block."
        )
    root = outs[0] if len(outs) == 1 else value_sum(outs)
    with collector_paused():
        graph = order, leaves = topological_order(root)
        touched = [*order, *leaves, *ins]  # an input outside the graph keeps its 0 below
        saved = [v.grad for v in touched]
        try:
            for v in leaves:
                v.grad = 0.0
            for v in ins:
                v.grad = 0.0
            deque(backward_pass(root, 1.0, create_graph, graph), maxlen=0)
            found = [x.grad for x in ins]
        finally:
            for v, g in zip(touched, saved, strict=True):
                v.grad = g
    return [g if g.__class__ is Value else _number_leaf(g, ins[i]) for i, g in enumerate(found)]


def _number_leaf(g: float, of: Value) -> Value:
    """A plain leaf holding a gradient (made without Value's checks: it is ours, checked here)."""
    if g - g != 0.0:
        raise OverflowError(
            f"grad: the gradient with respect to {of!r} is {g!r}: a local derivative or a "
            "product of them overflowed a float"
        )
    v = Value.__new__(Value)
    v.data, v.grad, v.label = g, 0.0, ""
    v._operation, v._parents, v.scope = None, (), MODE.scope
    return v


def hessian(f: Function, inputs: Sequence[float | Value]) -> list[list[float]]:
    """The matrix of second derivatives of ``f`` at ``inputs``: H[i][j] = d²f/dx_i dx_j.

    ``f`` takes a list of Values (fresh leaves, one per input) and returns a Value, as
    for gradcheck. It costs one pass that builds the gradient's graph, then one backward
    pass over that graph per input.
    """
    xs = _leaves(inputs, "hessian")
    first = grad(call_checked(f, xs, "hessian"), xs, create_graph=True)
    return [[g.data for g in grad(g_i, xs)] for g_i in first]


def hvp(f: Function, inputs: Sequence[float | Value], v: Sequence[float]) -> list[float]:
    """The Hessian of ``f`` at ``inputs`` times the vector ``v``, without the Hessian.

    Computed as the gradient of v · ∇f: one pass to build ∇f's graph, one backward pass
    over v · ∇f, whatever the number of inputs (the Hessian would need one per input).
    """
    xs = _leaves(inputs, "hvp")
    direction = [check_number(c, "hvp: v") for c in v]
    if len(direction) != len(xs):
        raise ValueError(f"hvp: v has {len(direction)} entries but there are {len(xs)} inputs")
    first = grad(call_checked(f, xs, "hvp"), xs, create_graph=True)
    along = value_sum([g * c for g, c in zip(first, direction, strict=True)])
    return [g.data for g in grad(along, xs)]


def _values(x: Any, what: str) -> list[Value]:
    values = [x] if isinstance(x, Value) else list(x) if isinstance(x, (list, tuple)) else None
    if values is None:
        raise TypeError(
            f"grad: {what} must be a Value or a list of Values, got {type(x).__name__} ({x!r:.60})"
        )
    if not values:
        raise ValueError(f"grad: {what} is empty; pass at least one Value")
    for i, v in enumerate(values):
        if not isinstance(v, Value):
            raise TypeError(
                f"grad: {what}[{i}] is a {type(v).__name__} ({v!r:.60}), not a Value; "
                "pass the Values of the graph themselves"
            )
    return values


def _leaves(inputs: Sequence[float | Value], where: str) -> list[Value]:
    if isinstance(inputs, (str, bytes)) or not hasattr(inputs, "__len__"):
        raise TypeError(f"{where}: inputs must be a list of numbers or Values, got {inputs!r:.60}")
    if not inputs:
        raise ValueError(f"{where}: inputs is empty; pass at least one number or Value")
    return [
        Value(x.data, x.label) if isinstance(x, Value) else Value(check_number(x, where))
        for x in inputs
    ]


def call_checked(f: Function, xs: list[Value], where: str) -> Value:
    """``f(xs)``, which must be a Value; else a TypeError naming ``where``."""
    if not callable(f):
        raise TypeError(f"{where}: f must be a function of a list of Values, got {f!r}")
    out = f(xs)
    if not isinstance(out, Value):
        raise TypeError(f"{where}: f must return a Value, got {type(out).__name__} ({out!r:.60})")
    return out
