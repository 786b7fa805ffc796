"""Reverse-mode differentiation: the topological order and the backward pass.

``backward`` is micrograd's backward: the nodes in topological order, their grads
started (each op node's at 0, the root's at the seed), then the order walked in
reverse, applying at each node the chain rule of its op (the op's ``backward``
kernel). ``backward_pass`` is the same pass as a generator that hands over each node
just before its chain rule is applied, so the stepper (``engine.backprop_steps``) can
stop at every node to show what happens there. The order comes from micrograd's
recursive walk (``backward_order``); a graph deeper than Python's recursion limit is
walked by the iterative ``topological_order`` instead, so graphs of any depth (a chain
of a million ops) work under Python's default recursion limit.

Gradient semantics, as in PyTorch: a leaf's ``.grad`` accumulates over backward
calls until you reset it (``zero_grad``). An intermediate node's ``.grad`` is the
gradient of the latest backward pass through it: each pass starts it at 0, so
calling backward twice on the same graph doubles the leaves' grads, exactly.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import NoReturn

from .node import Node
from .numbers import check_number, require_node


def topological_order(root: Node) -> tuple[list[Node], list[Node]]:
    """The graph under ``root``: (non-leaf nodes in topological order, leaves).

    Operands come before the nodes computed from them, so ``reversed(order)`` is the
    order backward visits nodes in.

    Iterative depth-first search. The stack holds only nodes and a ``None`` marker
    per expanded node (no per-node tuples or iterators, which would make the cycle
    collector run during the walk); a node is finished when its marker comes back.
    The leaves are the keys of a dict, so each is kept once, in the order first met.
    """
    require_node(root, "topological_order")
    if not root._parents:
        return [], [root]
    order: list[Node] = []
    leaves: dict[Node, None] = {}
    expanded: set[Node] = set()
    in_progress: list[Node] = []
    stack: list[Node | None] = [root]
    pop, push, expand = stack.pop, stack.append, expanded.add
    while stack:
        node = pop()
        if node is None:
            order.append(in_progress.pop())
        elif node not in expanded:
            expand(node)
            in_progress.append(node)
            push(None)
            for p in node._parents:
                if not p._parents:
                    leaves[p] = None
                elif p not in expanded:
                    push(p)
    return order, list(leaves)


def backward_order(root: Node) -> tuple[list[Node], list[Node]]:
    """``topological_order(root)`` for a backward pass, found faster: micrograd's walk.

    The order is the same; the leaves, each once, may come in another order. It is
    micrograd's ``build_topo``: visit a node's operands, then put the node in the
    order. Two things make it quick. A visited node is marked by ``_VISITED`` in its
    ``.grad`` instead of being added to a set: backward sets every one of those grads
    to 0 right after (``reset_grads``), and a slot is cheaper to write and read than a
    set. And the walk recurses, which Python runs faster than a loop keeping its own
    stack (measured by ``python -m demos.bench.backward``).

    A graph deeper than Python's recursion limit (a long chain) is walked by
    ``topological_order`` instead, as is one whose walk is interrupted; no mark is
    left behind either way.
    """
    if not root._parents:
        return [], [root]
    order: list[Node] = []
    leaves: dict[Node, None] = {}
    try:
        visit(root, order, leaves)
    except BaseException as error:
        order, leaves_met = topological_order(root)  # every node the walk may have marked
        reset_grads(order)
        if not isinstance(error, RecursionError):
            raise
        return order, leaves_met
    return order, list(leaves)


def visit(node: Node, order: list[Node], leaves: dict[Node, None]) -> None:
    """Put ``node``'s unvisited operands in ``order``, then ``node``; mark it visited."""
    node.grad = _VISITED
    for p in reversed(node._parents):  # reversed: topological_order's order
        if not p._parents:
            leaves[p] = None
        elif p.grad is not _VISITED:
            visit(p, order, leaves)
    order.append(node)


class _Visited:
    """The mark ``backward_order`` puts in a visited node's grad: no number, no user's value."""

    def __repr__(self) -> str:
        return "<visited by backward_order>"


_VISITED = _Visited()


def reset_grads(nodes: list[Node]) -> None:
    """Set ``.grad = 0.0`` on each node: how every backward pass starts on the op nodes."""
    for node in nodes:
        node.grad = 0.0


def backward_pass(
    root: Node,
    seed: float = 1.0,
    create_graph: bool = False,
    graph: tuple[list[Node], list[Node]] | None = None,
) -> Iterator[Node]:
    """The backward pass from ``root``, one node at a time, for the stepper.

    The same pass as ``backward``, as a generator: it yields each node an op computed,
    in reverse topological order, just before the chain rule is applied there;
    resuming runs the op's kernel, ``node._operation.backward(node, node.grad)``.
    When it finishes, every leaf grad is checked to be finite.

    With ``create_graph`` it runs each op's ``backward_graph`` kernel instead: the same
    chain rule with Values for numbers, so the grads it leaves are Values whose graphs
    compute them (``engine.grad`` uses this for gradients of gradients). ``graph`` is
    ``topological_order(root)``, for a caller that has it already.
    """
    order, leaves = graph if graph is not None else backward_order(root)
    reset_grads(order)
    root.grad += seed
    for node in reversed(order):
        yield node
        op = node._operation
        try:
            (op.backward_graph if create_graph else op.backward)(node, node.grad)
        except (ArithmeticError, ValueError, TypeError) as error:
            raise_clearer(node, error)
    check_finite(leaves)


def raise_clearer(node: Node, error: Exception) -> NoReturn:
    """Raise ``error``, from the chain rule at ``node``, with what to do about it.

    A number that cannot be computed (ArithmeticError, ValueError) gets a message
    naming the op and the likely cause; a TypeError from an operand's grad of None gets
    one saying how to reset grads; any other TypeError is raised as it is.
    """
    if isinstance(error, TypeError):
        clearer = _none_grad(node)
        if clearer is None:
            raise error
        raise clearer from error
    raise type(error)(
        f"backward through {node._operation.name} (data {node.data!r}): its local derivative "
        f"could not be computed ({error}). Was an operand's .data changed by hand after the "
        "forward pass, or is a derivative too large for a float? The grads of this "
        "graph are not usable; call zero_grad() and rebuild the graph."
    ) from error


def _none_grad(node: Node) -> TypeError | None:
    """The error for an operand whose grad is None (PyTorch's cleared grad), else None."""
    if all(p.grad is not None for p in node._parents):
        return None
    return TypeError(
        f"backward through {node._operation.name}: an operand's grad is None (set by "
        "p.grad = None, as PyTorch clears grads?). gradstep grads are numbers: reset them "
        "with p.grad = 0 or zero_grad() before backward"
    )


def backward(root: Node, grad: float = 1.0, create_graph: bool = False) -> None:
    """Accumulate d(root)/d(node) · grad into ``.grad`` of every node under ``root``.

    micrograd's backward: put the nodes in topological order, start the grads (each
    op node's at 0, the root's at ``grad``), then walk the order in reverse, applying
    at each node the chain rule of its op (its ``backward`` kernel; for a product,
    ``kernels.mul_backward``). ``backward_pass`` is this loop one node at a time.
    ``.grad`` holds numbers; for a gradient that is a graph itself (to differentiate it
    again), ask ``engine.grad(root, inputs, create_graph=True)``.
    """
    require_node(root, "backward")
    if create_graph:
        raise ValueError(
            "backward(create_graph=True): .grad holds plain numbers in gradstep. For "
            "gradients that are Values with graphs of their own (to differentiate again), "
            "use engine.grad(root, inputs, create_graph=True), which returns them"
        )
    seed = check_number(grad, "backward(grad=...)")
    with collector_paused():
        order, leaves = backward_order(root)
        reset_grads(order)
        root.grad += seed
        node = root
        try:
            for node in reversed(order):
                node._operation.backward(node, node.grad)
        except (ArithmeticError, ValueError, TypeError) as error:
            raise_clearer(node, error)
        check_finite(leaves)


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


def check_finite(leaves: list[Node]) -> None:
    """Report a non-finite gradient; it reaches every leaf above the node that made it."""
    for leaf in leaves:
        g = leaf.grad
        if g.__class__ is not float:  # a Value, in a pass that builds the gradient's graph
            g = getattr(g, "data", g)
        if g - g != 0.0:
            name = f" {leaf.label!r}" if leaf.label else ""
            raise OverflowError(
                f"backward: the gradient of leaf{name} (data {leaf.data!r}) is {g!r}: a local "
                "derivative or the product of derivatives overflowed a float. The grads of "
                "this graph are not usable; call zero_grad() and scale the inputs down."
            )


def zero_grad(roots: Node | Iterable[Node]) -> None:
    """Set ``.grad = 0`` on a graph (pass its root) or on a list of Values."""
    if isinstance(roots, Node):
        order, leaves = topological_order(roots)
        nodes: Iterable[Node] = order + leaves
    else:
        nodes = [require_node(v, "zero_grad") for v in roots]
    for v in nodes:
        v.grad = 0.0


def nodes(root: Node) -> Iterator[Node]:
    """Every node under ``root``, leaves first, then ops in topological order."""
    order, leaves = topological_order(root)
    yield from leaves
    yield from order
