"""Reverse-mode differentiation: topological order, backward, zero_grad, no_grad.

Nothing here recurses, so graphs of any depth (a chain of a million ops) work under
Python's default recursion limit.

Gradient semantics, as in PyTorch: a leaf's ``.grad`` accumulates over backward
calls until you reset it (``zero_grad``). An intermediate node's ``.grad`` is the
gradient of the latest backward pass through it: each pass starts it at 0, so
calling backward twice on the same graph doubles the leaves' grads, exactly.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from .ops import NAMESPACE
from .value import Value, _check_number


def _require_value(x: object, where: str) -> Value:
    if not isinstance(x, Value):
        raise TypeError(f"{where}: expected a Value, got {type(x).__name__} ({x!r})")
    return x


def topological_order(root: Value) -> tuple[list[Value], list[Value]]:
    """The graph under ``root``: (non-leaf nodes in topological order, leaves).

    Operands come before the nodes computed from them, so ``reversed(order)`` is the
    order backward visits nodes in (the stepper and the compiler use the same one).

    Iterative depth-first search. The stack holds only nodes and a ``None`` marker
    per expanded node (no per-node tuples or iterators, which would make the cycle
    collector run during the walk); a node is finished when its marker comes back.
    """
    _require_value(root, "topological_order")
    if not root._parents:
        return [], [root]
    order: list[Value] = []
    leaves: list[Value] = []  # with repeats; deduplicated once at the end, in C
    expanded = set()
    expand = expanded.add
    in_progress: list[Value] = []
    stack: list[Value | None] = [root]
    pop, push, leaf = stack.pop, stack.append, leaves.append
    while stack:
        node = pop()
        if node is None:
            order.append(in_progress.pop())
        elif node not in expanded:
            expand(node)
            in_progress.append(node)
            push(None)
            for p in node._parents:
                if p._parents:
                    if p not in expanded:
                        push(p)
                else:
                    leaf(p)
    return order, list(dict.fromkeys(leaves))


def backward(root: Value, grad: float = 1.0) -> None:
    """Accumulate d(root)/d(node) * grad into ``.grad`` of every node under ``root``."""
    seed = _check_number(grad, "backward(grad=...)")
    with collector_paused():
        order, leaves = topological_order(root)
        _run_backward(root, seed, order)
    _check_finite(leaves)


def _run_backward(root: Value, seed: float, order: list[Value]) -> None:
    for node in order:
        node.grad = 0.0
    root.grad += seed
    try:
        for node in reversed(order):
            node._op.backward(node, node.grad)
    except (ArithmeticError, ValueError) as error:
        raise OverflowError(
            f"backward through {node._op.name} (data {node.data!r}): its local derivative "
            f"is not a finite float ({error}). The grads of this graph are not usable; call "
            "zero_grad() and scale the inputs."
        ) from None


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector inside the block; restore it after.

    gradstep graphs have no reference cycles: reference counting frees every node
    the moment it is unreachable, so the cycle collector can free nothing of ours.
    Left on, it rescans every live node again and again while a big graph is built
    (measured: most of the build time of a million-node graph). backward() uses this
    itself; wrap your own graph building or training steps in it for the same gain.
    Only code that makes reference cycles of its own needs the collector.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _check_finite(leaves: list[Value]) -> None:
    """Report a non-finite gradient; it reaches every leaf above the node that made it."""
    for leaf in leaves:
        g = leaf.grad
        if g - g != 0.0:
            name = f" {leaf.label!r}" if leaf.label else ""
            raise OverflowError(
                f"backward: the gradient of leaf{name} (data {leaf.data!r}) is {g!r}: a local "
                "derivative or the product of derivatives overflowed a float. The grads of "
                "this graph are not usable; call zero_grad() and scale the inputs down."
            )


def zero_grad(roots: Value | Iterable[Value]) -> None:
    """Set ``.grad = 0`` on a graph (pass its root) or on a list of Values."""
    if isinstance(roots, Value):
        order, leaves = topological_order(roots)
        nodes: Iterable[Value] = order + leaves
    else:
        nodes = [_require_value(v, "zero_grad") for v in roots]
    for v in nodes:
        v.grad = 0.0


def nodes(root: Value) -> Iterator[Value]:
    """Every node under ``root``, leaves first, then ops in topological order."""
    order, leaves = topological_order(root)
    yield from leaves
    yield from order


@contextmanager
def no_grad() -> Iterator[None]:
    """Compute plain results without recording a graph (for evaluation and plots).

    Values made inside are leaves: they have data but no parents, so backward from
    them changes nothing, and nothing they touched is kept alive by them.
    """
    previous = NAMESPACE["_record"]
    NAMESPACE["_record"] = False
    try:
        yield
    finally:
        NAMESPACE["_record"] = previous


def is_grad_enabled() -> bool:
    """Whether ops currently record the graph (False inside ``no_grad``)."""
    return NAMESPACE["_record"]
