"""Reverse-mode differentiation: the topological order and the one backward pass.

``backward_pass`` is the backward pass, written once. It resets the grads of the
nodes ops computed, seeds the root, and then visits the nodes in reverse topological
order, applying at each the chain rule of its op (the op's ``backward`` kernel). It
is a generator that hands over each node just before its chain rule is applied:
``backward()`` runs it to the end, the stepper (``engine.backprop_steps``) stops at
every node to show what happens there. Nothing here recurses, so graphs of any depth
(a chain of a million ops) work under Python's default recursion limit.

Gradient semantics, as in PyTorch: a leaf's ``.grad`` accumulates over backward
calls until you reset it (``zero_grad``). An intermediate node's ``.grad`` is the
gradient of the latest backward pass through it: each pass starts it at 0, so
calling backward twice on the same graph doubles the leaves' grads, exactly.
"""

from __future__ import annotations

import gc
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

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


def backward_pass(
    root: Node,
    seed: float = 1.0,
    create_graph: bool = False,
    graph: tuple[list[Node], list[Node]] | None = None,
) -> Iterator[Node]:
    """The backward pass from ``root``, one node at a time.

    Yields each node an op computed, in reverse topological order, just before the
    chain rule is applied there: resuming the generator runs the op's kernel,
    ``node._operation.backward(node, node.grad)`` (for a product that is
    ``kernels.mul_backward``), which adds grad(node) · ∂node/∂operand to each operand's
    grad. When it finishes, every leaf grad is checked to be finite.

    With ``create_graph`` it runs each op's ``backward_graph`` kernel instead: the same
    chain rule with Values for numbers, so the grads it leaves are Values whose graphs
    compute them (``engine.grad`` uses this for gradients of gradients). ``graph`` is
    ``topological_order(root)``, for a caller that has it already.
    """
    order, leaves = graph if graph is not None else topological_order(root)
    for node in order:
        node.grad = 0.0
    root.grad += seed
    for node in reversed(order):
        yield node
        op = node._operation
        try:
            (op.backward_graph if create_graph else op.backward)(node, node.grad)
        except (ArithmeticError, ValueError) as error:
            raise type(error)(
                f"backward through {op.name} (data {node.data!r}): its local derivative could "
                f"not be computed ({error}). Was an operand's .data changed by hand after the "
                "forward pass, or is a derivative too large for a float? The grads of this "
                "graph are not usable; call zero_grad() and rebuild the graph."
            ) from error
        except TypeError as error:
            if (clearer := _none_grad(node)) is None:
                raise
            raise clearer from error
    check_finite(leaves)


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

    This is ``backward_pass`` run to the end, with nothing stopping at the nodes.
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
        deque(backward_pass(root, seed), maxlen=0)


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
