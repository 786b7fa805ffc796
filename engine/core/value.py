"""Value: a number that remembers how it was computed, so its gradient can be found.

A Value holds four things, as micrograd's does:

* ``data``: the number;
* ``grad``: d(root)/d(this Value), which ``backward()`` fills in (0 until then);
* ``parents``: the Values it was computed from (``_parents``; empty for a leaf);
* ``op``: the op that computed it from them (``_operation``; None for a leaf).

``x * y`` runs ``Value.__mul__`` (written out in ``operators.py``, one short method
per op of the table in ``ops.py``): it multiplies the numbers and returns a new
Value whose op is ``MUL`` and whose parents are ``(x, y)``. Nothing else happens on
the way forward. ``backward()`` (``autodiff.py``) then visits the nodes from the
root down and runs each one's op kernel (``kernels.mul_backward`` for a product),
which adds grad(out) · ∂out/∂operand to each operand's grad: the chain rule.

Read this first, from ``x * y`` to its gradient (about 100 lines):

1. this file: ``Value.__init__`` and ``Value.backward``;
2. ``operators.py``: ``MUL = ...`` at the top and ``__mul__``;
3. ``kernels.py``: ``mul_backward``;
4. ``autodiff.py``: ``backward``, ``backward_order`` and ``visit``.

Comparisons: ``<``, ``<=``, ``>``, ``>=`` compare ``.data`` and return a plain bool
(not recorded in the graph). ``==`` and ``hash`` are by identity, so Values work as
dict keys and set members the way the graph traversal needs; compare numbers with
``a.data == b.data``. ``bool(v)``, ``float(v)`` and ``round(v)`` raise: their answer
would be a guess, or a number cut off from the graph (``math.exp(v)`` would lose the
gradient without a word; ``v.exp()`` keeps it).

NaN and infinity: a Value is always finite. ``Value(nan)`` and ``Value(inf)`` raise
ValueError, and an op whose result would not be finite (``exp(1000)``, ``1e308 * 10``)
raises OverflowError naming the op and its operands. ``.data`` assigned by hand is not
checked, but the next op that reads it is.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import autodiff, operators
from .handwritten import record, set_backward
from .mode import MODE
from .node import Node
from .numbers import check_number
from .operands import constant
from .operators import LOGADDEXP, Operators, logaddexp
from .ops import APPLIER, NARY, Op

_LEAF: tuple[()] = ()  # no operands: the default of micrograd's _children

# Tools outside the core that a Value offers as methods (a step-by-step backward, a
# drawing in Jupyter). The engine package fills this in, so the core imports no tool.
TOOLS: dict[str, Callable[..., Any]] = {}


class Value(Operators):
    """A scalar in a computation graph: ``Value(2.0, label="x")``.

    The operators (``+``, ``*``, ``tanh``, ...) come from ``Operators``; the fields
    are declared in ``node.py`` as ``__slots__``, which keeps a node small (under 200
    bytes) and quick to make. ``Value(data, _children, _op)`` is micrograd's way of
    recording an op by hand (``handwritten.py``).
    """

    __slots__ = ()

    def __init__(self, data: float, _children=_LEAF, _op="", label="", *, _prev=None) -> None:
        self.data = check_number(data, "Value")  # always a finite float
        self.grad = 0.0  # d(root)/d(self), filled in by backward()
        self._operation = None  # a leaf: no op computed it ...
        self._parents = ()  # ... from no operands
        self.scope = MODE.scope  # the nn module it was made in, for drawings
        if _children is not _LEAF or _op or _prev is not None:
            label = record(self, _children, _op, label, _prev)  # micrograd's way of writing an op
        if not isinstance(label, str):
            raise TypeError(f"Value: label must be a str, got {type(label).__name__}")
        self.label = label  # a name for drawings and tables; "" for none

    def backward(self, grad: float = 1.0, create_graph: bool = False) -> None:
        """Backpropagate from this Value: fill in ``.grad`` of every node below it.

        The work is in ``autodiff.backward``: the nodes in reverse topological order,
        each one's op kernel applied once. ``grad`` seeds this Value's own gradient.
        """
        autodiff.backward(self, grad, create_graph)

    def backward_steps(self, grad: float = 1.0) -> Any:
        """Backward one chain-rule step at a time; see ``engine.backprop_steps``."""
        return TOOLS["steps"](self, grad)

    def zero_grad(self) -> None:
        """Set ``.grad`` to 0 on every node of this Value's graph."""
        autodiff.zero_grad(self)

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data!r}, grad={self.grad!r}{label})"

    def _repr_mimebundle_(
        self, include: Any = None, exclude: Any = None, **kwargs: Any
    ) -> dict[str, str]:
        """Jupyter displays a Value as its graph (SVG); large graphs as a short summary."""
        return TOOLS["display"](self, include, exclude)

    def __format__(self, spec: str) -> str:
        return format(self.data, spec) if spec else repr(self)

    def softplus(self) -> Value:
        """ln(1 + e^self), the loss of a logistic output: ``logaddexp(self, 0)``, one op.

        Written that way, no exp overflows for any input, and the derivative the op
        computes, e^(self - out), is σ(self).
        """
        return logaddexp(self, constant(0.0, LOGADDEXP, Value))

    # Leaving the graph without a word would lose the gradient: these raise instead.

    def __float__(self) -> float:
        raise TypeError(_left_the_graph("float(v) (which math.exp, math.log, ... call)", "a float"))

    def __int__(self) -> int:
        raise TypeError(_left_the_graph("int(v)", "an int"))

    def __index__(self) -> int:
        raise TypeError(_left_the_graph("using a Value as an index", "an int"))

    def __round__(self, ndigits: int | None = None) -> Any:
        raise TypeError(_left_the_graph("round(v)", "a rounded number"))

    def __bool__(self) -> bool:
        raise TypeError(
            "the truth value of a Value is ambiguous: compare its number instead, "
            "e.g. `if v.data > 0:` or `if v > 0:`"
        )

    # Comparisons read the numbers and are not recorded; equality is identity.

    def __lt__(self, other: Any) -> bool:
        return self.data < _data_of(other, "<")

    def __le__(self, other: Any) -> bool:
        return self.data <= _data_of(other, "<=")

    def __gt__(self, other: Any) -> bool:
        return self.data > _data_of(other, ">")

    def __ge__(self, other: Any) -> bool:
        return self.data >= _data_of(other, ">=")

    __eq__ = object.__eq__
    __hash__ = object.__hash__

    # micrograd's names, so its lecture and notebooks run unchanged on gradstep.

    @property
    def _op(self) -> str:
        """The op as micrograd writes it: ``"*"``, ``"tanh"``, ``"**2"``; ``""`` for a leaf."""
        return "" if self._operation is None else self._operation.micrograd_op

    @property
    def _prev(self) -> frozenset[Value]:
        """The operands as a set, as micrograd's ``_prev`` (``.parents`` keeps their order)."""
        return frozenset(self._parents)

    @_op.setter
    def _op(self, value: Any) -> None:
        raise AttributeError(_graph_by_hand("_op"))

    @_prev.setter
    def _prev(self, value: Any) -> None:
        raise AttributeError(_graph_by_hand("_prev"))

    @property
    def _backward(self) -> Callable[[], None]:
        """Apply the chain rule at this one node: add grad · ∂self/∂operand to each operand.

        Exactly what backward does when it reaches this node: the op's kernel (a method,
        not a closure stored on the node, so graphs keep having no reference cycles), or,
        for a node made the micrograd way, the closure you assigned (``handwritten.py``).
        A leaf has nothing to pass on.
        """
        op = self._operation
        if op is not None and getattr(op, "handwritten", False) and "_backward" in self.__dict__:
            return self.__dict__["_backward"]
        return self._chain_rule

    @_backward.setter
    def _backward(self, closure: Callable[[], None]) -> None:
        set_backward(self, closure)

    def _chain_rule(self) -> None:
        if self._operation is not None:
            self._operation.backward(self, self.grad)


# The operators build Values; they learn the class here (operators.py cannot import it).
operators.Value = Value


def _left_the_graph(what: str, result: str) -> str:
    return (
        f"{what} would turn the Value into {result} outside the graph, and its gradient "
        "would be lost without a word. To stay in the graph use the Value's own methods "
        "(v.exp(), v.log(), v.tanh(), v ** 2, ...); for an op gradstep lacks (math.sin), "
        "engine.define_op or micrograd's way, Value(data, (v,), 'sin') with a _backward; "
        "for its number, read v.data"
    )


def _graph_by_hand(name: str) -> str:
    return (
        f"{name} is read-only: a node's op and operands are set once, when it is made. "
        "Make it micrograd's way, out = Value(data, (a, b), 'name'), and assign "
        "out._backward; or define the op with engine.define_op"
    )


def _data_of(other: Any, where: str) -> float:
    return other.data if isinstance(other, Node) else check_number(other, where)


def apply(op: Op, *operands: Any) -> Value:
    """Apply an op to operands, exactly as the operators would.

    ``apply(OPS["mul"], x, y)`` is ``x * y``; an op family member applies with its
    parameter (``apply(OPS["powc"].bind(3), x)`` is ``x ** 3``); an n-ary op takes
    its operands as they come (``apply(OPS["sum"], x, y, z)``). Numbers become
    constants, as in the operators.
    """
    if op.param is not None and op.value is None:
        raise TypeError(f"apply: bind {op.name} to its parameter first, e.g. op.bind(3)")
    if op.arity != NARY and len(operands) != op.arity:
        raise TypeError(f"apply: {op.name} takes {op.arity} operand(s), got {len(operands)}")
    if op.function is None:
        raise TypeError(f"apply: {op.name} has no code attached; define ops with define_op")
    values = [v if isinstance(v, Value) else constant(v, op, Value) for v in operands]
    if op.arity == NARY:
        return op.function(values)
    return op.function(*values, *op.params)


APPLIER.append(apply)
