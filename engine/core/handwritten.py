"""Ops written the micrograd way: ``Value(data, (self,), "sin")`` and a ``_backward`` closure.

micrograd's lecture and its exercises add an op by hand::

    def sin(self):
        out = Value(math.sin(self.data), (self,), "sin")
        def _backward():
            self.grad += math.cos(self.data) * out.grad
        out._backward = _backward
        return out

gradstep records such a node like any other: its parents are the children given,
its op a ``HandWrittenOp`` named by the ``_op`` string, and backward runs the closure
where it would run a table op's kernel. What gradstep cannot know is the closure's
math: it has no formula for the local derivative, so the stepper, the drawings and
practice say "not known" there, and ``engine.compile`` refuses the graph. Defining
the op with ``engine.define_op`` gives it a formula, and with it all of those.

The closure refers to ``out``, so each such node is a reference cycle (as every
micrograd node is): Python's cycle collector frees it, not reference counting.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from .mode import MODE
from .node import Node

DEFINE_OP = (
    "engine.define_op(name, forward, derivs) defines the op with its formula, "
    "e.g. define_op('sin', 'math.sin(a)', ['math.cos(a)'])"
)


class HandWrittenOp:
    """The op of a node made the micrograd way: a name and arity, no formula.

    It answers what the graph tools ask of an op (``ops.py``'s ``Op``) honestly: its
    backward runs the node's own ``_backward`` closure, and every question about its
    math (the local derivative, the forward as a formula) says it is not known.
    """

    value = None  # no bound number parameter, as a table op without a family
    params: tuple[float, ...] = ()
    param = None
    branch = None
    handwritten = True

    def __init__(self, code: str, arity: int) -> None:
        self.code = code
        self.arity = arity
        self.name = code or "op"
        self.symbol = self.name
        self.micrograd_op = code
        self.heading = f"{self.name} (an op written the micrograd way)"
        self.names = tuple(f"x{i + 1}" for i in range(arity)) if arity > 2 else ("a", "b")[:arity]

    def __repr__(self) -> str:
        return f"HandWrittenOp({self.code!r}, arity={self.arity})"

    def backward(self, node: Any, grad: float) -> None:
        """Run the node's ``_backward`` closure (which reads ``node.grad`` itself)."""
        closure = node.__dict__.get("_backward")
        if closure is None:
            raise TypeError(
                f"backward: the node {node!r} was made the micrograd way (op {self.name!r}, "
                f"{self.arity} operand(s)) but has no _backward: assign one (out._backward = "
                f"_backward, a function adding to each operand's grad), or use {DEFINE_OP}"
            )
        closure()

    def backward_graph(self, node: Any, grad: Any) -> None:
        raise TypeError(self.unknown("a gradient as a graph (engine.grad(create_graph=True))"))

    def local(self, out: float, *operands: float) -> tuple[float, ...]:
        raise ValueError(self.unknown("its local derivative"))

    def evaluate(self, *operands: float) -> float:
        raise TypeError(self.unknown("its forward as a formula"))

    def in_domain(self, *operands: float) -> bool:
        return True

    def side(self, *operands: float) -> bool | None:
        return None

    def forward_text(self, names: dict[str, str]) -> str:
        """``sin(x1)``: the op's name over its operands, the only formula known."""
        return f"{self.name}({', '.join(names[n] for n in self.names)})"

    def derivative_forms(self, position: int, names: dict[str, str]) -> list[str]:
        """How the derivative is written: unknown, with where to get a formula."""
        return [f"? (inside {self.name}'s _backward closure; engine.define_op gives a formula)"]

    def unknown(self, what: str) -> str:
        """The sentence every tool gives when it needs this op's math."""
        return (
            f"{self.heading}: gradstep cannot know {what}: the op's math is inside its "
            f"_backward closure. For the full picture, {DEFINE_OP}"
        )


_OPS: dict[tuple[str, int], HandWrittenOp] = {}


def handwritten_op(code: Any, arity: int) -> HandWrittenOp:
    """The op for micrograd's ``_op`` string and this many operands (one per pair, shared)."""
    if not isinstance(code, str):
        raise TypeError(
            f"Value: _op must be a str naming the op (micrograd's 'sin', '*'), got {code!r}"
        )
    op = _OPS.get((code, arity))
    if op is None:
        op = _OPS[code, arity] = HandWrittenOp(code, arity)
    return op


def record(node: Node, children: Any, code: Any, label: Any, prev: Any) -> Any:
    """``Value(data, _children, _op)``: make ``node`` the result of a hand-written op.

    micrograd names the operands ``_children``; LLM101n's Value names them ``_prev``.
    Inside ``no_grad()`` the node stays a leaf, as the table's ops leave theirs. Returns
    the label: ``Value(2.0, "x")``, gradstep's positional label, records nothing.
    """
    if isinstance(children, str) and not (code or label or prev):
        return children
    if prev is not None:
        if children != ():
            raise TypeError("Value: give the operands once, as _children or as _prev")
        children = prev
    parents = children_of(children)
    op = handwritten_op(code, len(parents))
    if parents and MODE.recording:
        node._operation, node._parents = op, parents
    return label


def children_of(children: Any) -> tuple[Node, ...]:
    """micrograd's ``_children``/``_prev`` as the node's parents, checked to be Values."""
    if isinstance(children, (str, bytes)) or not isinstance(children, Iterable):
        raise TypeError(
            "Value: _children must be a tuple of the Values this one was computed from, "
            f"e.g. Value(math.sin(x.data), (x,), 'sin'); got {children!r}"
        )
    parents = tuple(children)
    for p in parents:
        if not isinstance(p, Node):
            raise TypeError(
                f"Value: every one of _children must be a Value, got {p!r}; wrap a number "
                "first (other = other if isinstance(other, Value) else Value(other))"
            )
    return parents


def set_backward(node: Any, closure: Callable[[], None]) -> None:
    """``out._backward = closure``: kept on a node made the micrograd way, refused elsewhere."""
    op = node._operation
    if not callable(closure):
        raise TypeError(f"_backward must be a function of no arguments, got {closure!r}")
    if op is None:
        raise AttributeError(
            "_backward: this Value is a leaf (no operands), so backward never runs a "
            "_backward here. Make the node the micrograd way first, "
            "out = Value(data, (self,), 'name'), then assign out._backward"
        )
    if not getattr(op, "handwritten", False):
        raise AttributeError(
            f"_backward: this Value was computed by gradstep's {op.name} op, whose chain "
            "rule backward runs already (its kernel); a closure here would be ignored. "
            "For an op of your own make the node the micrograd way, "
            f"out = Value(data, (self,), 'name'), or use {DEFINE_OP}"
        )
    node.__dict__["_backward"] = closure


def refuse_handwritten(order: Iterable[Node], where: str, needs: str) -> None:
    """A clear error when a tool that needs every op's formula meets a hand-written op."""
    for node in order:
        op = node._operation
        if getattr(op, "handwritten", False):
            raise TypeError(
                f"{where}: the graph has {op.heading}, and {needs}; gradstep cannot see the "
                f"math inside a _backward closure. Use backward() for this graph, or "
                f"{DEFINE_OP}"
            )
