"""Value: a number in a computation graph, and the ops that build the graph.

``x * y`` on Values computes the product and returns a new node that remembers the
op (``mul``) and its operands (``x``, ``y``); that is all forward does. Each
operator below is ordinary Python you can read, step into with a debugger and see
in a traceback. They are written out from the op table (``ops.py``) by
``python -m engine.core.generate`` (the part between the "generated" markers), so
that every op's math lives in one place; a test fails when they are out of step.

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

import builtins
from collections.abc import Callable, Iterable
from typing import Any

from . import autodiff
from .floatmath import exp, fabs, log, sigmoid, tanh
from .mode import MODE
from .node import Node
from .numbers import check_number, is_number, type_message
from .ops import _APPLY, NARY, OPS, Op

# ---- generated: the ops, by the names the code below uses ----
ADD = OPS["add"]
SUB = OPS["sub"]
MUL = OPS["mul"]
DIV = OPS["div"]
POW = OPS["pow"]
POWC = OPS["powc"]
NEG = OPS["neg"]
EXP = OPS["exp"]
LOG = OPS["log"]
TANH = OPS["tanh"]
SIGMOID = OPS["sigmoid"]
RELU = OPS["relu"]
STEP = OPS["step"]
ABS = OPS["abs"]
SUM = OPS["sum"]
LOGADDEXP = OPS["logaddexp"]
LOG1PEXP = OPS["log1pexp"]
# ---- end generated ----

# Tools outside the core that a Value offers as methods (a step-by-step backward, a
# drawing in Jupyter). The engine package fills this in, so the core imports no tool.
TOOLS: dict[str, Callable[..., Any]] = {}


class Value(Node):
    """A scalar in a computation graph: ``Value(2.0, label="x")``."""

    __slots__ = ()

    def __init__(self, data: float, label: str = "") -> None:
        if not isinstance(label, str):
            raise TypeError(f"Value: label must be a str, got {type(label).__name__}")
        super().__init__(check_number(data, "Value"), label)

    def backward(self, grad: float = 1.0, create_graph: bool = False) -> None:
        """Backpropagate from this Value; see ``engine.backward``."""
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

    def _backward(self) -> None:
        """Apply the chain rule at this one node: add grad · ∂self/∂operand to each operand.

        Exactly what backward does when it reaches this node (the op's kernel); a leaf
        has nothing to pass on. A method, not a closure stored on the node, so graphs
        keep having no reference cycles.
        """
        if self._operation is not None:
            self._operation.backward(self, self.grad)

    # ---- generated: the operators ----
    def __add__(self, other: Any) -> Value:
        """``self + other``: out = a + b; ∂out/∂a = 1; ∂out/∂b = 1.

        Backward: ``kernels.add_backward``.
        """
        if other.__class__ is not Value:
            if other.__class__ is float and other - other == 0.0:  # a constant leaf
                number, other = other, _new(Value)
                other.data, other.grad, other.label = number, 0.0, ""
                other._operation, other._parents, other.scope = None, (), MODE.scope
            else:
                other = _operand(other, ADD)
                if other is NotImplemented:
                    return NotImplemented
        a = self.data
        b = other.data
        out = a + b
        if out - out != 0.0:  # inf or nan: it overflowed, or .data was set by hand
            raise _op_error(ADD, (self, other))
        v = _new(Value)
        v.data = out
        v.grad = 0.0
        v.label = ""
        if MODE.recording:
            v._operation = ADD
            v._parents = (self, other)
        else:
            v._operation = None
            v._parents = ()
        v.scope = MODE.scope
        return v

    def __radd__(self, other: Any) -> Value:
        """``other + self``: out = a + b; ∂out/∂a = 1; ∂out/∂b = 1.

        Backward: ``kernels.add_backward``.
        """
        if other.__class__ is not Value:
            if other.__class__ is float and other - other == 0.0:  # a constant leaf
                number, other = other, _new(Value)
                other.data, other.grad, other.label = number, 0.0, ""
                other._operation, other._parents, other.scope = None, (), MODE.scope
            else:
                other = _operand(other, ADD)
                if other is NotImplemented:
                    return NotImplemented
        a = other.data
        b = self.data
        out = a + b
        if out - out != 0.0:  # inf or nan: it overflowed, or .data was set by hand
            raise _op_error(ADD, (other, self))
        v = _new(Value)
        v.data = out
        v.grad = 0.0
        v.label = ""
        if MODE.recording:
            v._operation = ADD
            v._parents = (other, self)
        else:
            v._operation = None
            v._parents = ()
        v.scope = MODE.scope
        return v

    def __sub__(self, other: Any) -> Value:
        """``self - other``: out = a - b; ∂out/∂a = 1; ∂out/∂b = -1.

        Backward: ``kernels.sub_backward``.
        """
        if other.__class__ is not Value:
            if other.__class__ is float and other - other == 0.0:  # a constant leaf
                number, other = other, _new(Value)
                other.data, other.grad, other.label = number, 0.0, ""
                other._operation, other._parents, other.scope = None, (), MODE.scope
            else:
                other = _operand(other, SUB)
                if other is NotImplemented:
                    return NotImplemented
        a = self.data
        b = other.data
        out = a - b
        if out - out != 0.0:  # inf or nan: it overflowed, or .data was set by hand
            raise _op_error(SUB, (self, other))
        v = _new(Value)
        v.data = out
        v.grad = 0.0
        v.label = ""
        if MODE.recording:
            v._operation = SUB
            v._parents = (self, other)
        else:
            v._operation = None
            v._parents = ()
        v.scope = MODE.scope
        return v

    def __rsub__(self, other: Any) -> Value:
        """``other - self``: out = a - b; ∂out/∂a = 1; ∂out/∂b = -1.

        Backward: ``kernels.sub_backward``.
        """
        if other.__class__ is not Value:
            if other.__class__ is float and other - other == 0.0:  # a constant leaf
                number, other = other, _new(Value)
                other.data, other.grad, other.label = number, 0.0, ""
                other._operation, other._parents, other.scope = None, (), MODE.scope
            else:
                other = _operand(other, SUB)
                if other is NotImplemented:
                    return NotImplemented
        a = other.data
        b = self.data
        out = a - b
        if out - out != 0.0:  # inf or nan: it overflowed, or .data was set by hand
            raise _op_error(SUB, (other, self))
        v = _new(Value)
        v.data = out
        v.grad = 0.0
        v.label = ""
        if MODE.recording:
            v._operation = SUB
            v._parents = (other, self)
        else:
            v._operation = None
            v._parents = ()
        v.scope = MODE.scope
        return v

    def __mul__(self, other: Any) -> Value:
        """``self * other``: out = a·b; ∂out/∂a = b; ∂out/∂b = a.

        Backward: ``kernels.mul_backward``.
        """
        if other.__class__ is not Value:
            if other.__class__ is float and other - other == 0.0:  # a constant leaf
                number, other = other, _new(Value)
                other.data, other.grad, other.label = number, 0.0, ""
                other._operation, other._parents, other.scope = None, (), MODE.scope
            else:
                other = _operand(other, MUL)
                if other is NotImplemented:
                    return NotImplemented
        a = self.data
        b = other.data
        out = a * b
        if out - out != 0.0:  # inf or nan: it overflowed, or .data was set by hand
            raise _op_error(MUL, (self, other))
        v = _new(Value)
        v.data = out
        v.grad = 0.0
        v.label = ""
        if MODE.recording:
            v._operation = MUL
            v._parents = (self, other)
        else:
            v._operation = None
            v._parents = ()
        v.scope = MODE.scope
        return v

    def __rmul__(self, other: Any) -> Value:
        """``other * self``: out = a·b; ∂out/∂a = b; ∂out/∂b = a.

        Backward: ``kernels.mul_backward``.
        """
        if other.__class__ is not Value:
            if other.__class__ is float and other - other == 0.0:  # a constant leaf
                number, other = other, _new(Value)
                other.data, other.grad, other.label = number, 0.0, ""
                other._operation, other._parents, other.scope = None, (), MODE.scope
            else:
                other = _operand(other, MUL)
                if other is NotImplemented:
                    return NotImplemented
        a = other.data
        b = self.data
        out = a * b
        if out - out != 0.0:  # inf or nan: it overflowed, or .data was set by hand
            raise _op_error(MUL, (other, self))
        v = _new(Value)
        v.data = out
        v.grad = 0.0
        v.label = ""
        if MODE.recording:
            v._operation = MUL
            v._parents = (other, self)
        else:
            v._operation = None
            v._parents = ()
        v.scope = MODE.scope
        return v

    def __truediv__(self, other: Any) -> Value:
        """``self / other``: out = a/b; ∂out/∂a = 1/b; ∂out/∂b = -out/b.

        Backward: ``kernels.div_backward``.
        """
        if other.__class__ is not Value:
            if other.__class__ is float and other - other == 0.0:  # a constant leaf
                number, other = other, _new(Value)
                other.data, other.grad, other.label = number, 0.0, ""
                other._operation, other._parents, other.scope = None, (), MODE.scope
            else:
                other = _operand(other, DIV)
                if other is NotImplemented:
                    return NotImplemented
        a = self.data
        b = other.data
        if b == 0.0:
            raise _domain_error(DIV, (self, other))
        try:
            out = a / b
        except (ArithmeticError, ValueError):
            raise _op_error(DIV, (self, other)) from None
        if out - out != 0.0:  # inf or nan: it overflowed, or .data was set by hand
            raise _op_error(DIV, (self, other))
        v = _new(Value)
        v.data = out
        v.grad = 0.0
        v.label = ""
        if MODE.recording:
            v._operation = DIV
            v._parents = (self, other)
        else:
            v._operation = None
            v._parents = ()
        v.scope = MODE.scope
        return v

    def __rtruediv__(self, other: Any) -> Value:
        """``other / self``: out = a/b; ∂out/∂a = 1/b; ∂out/∂b = -out/b.

        Backward: ``kernels.div_backward``.
        """
        if other.__class__ is not Value:
            if other.__class__ is float and other - other == 0.0:  # a constant leaf
                number, other = other, _new(Value)
                other.data, other.grad, other.label = number, 0.0, ""
                other._operation, other._parents, other.scope = None, (), MODE.scope
            else:
                other = _operand(other, DIV)
                if other is NotImplemented:
                    return NotImplemented
        a = other.data
        b = self.data
        if b == 0.0:
            raise _domain_error(DIV, (other, self))
        try:
            out = a / b
        except (ArithmeticError, ValueError):
            raise _op_error(DIV, (other, self)) from None
        if out - out != 0.0:  # inf or nan: it overflowed, or .data was set by hand
            raise _op_error(DIV, (other, self))
        v = _new(Value)
        v.data = out
        v.grad = 0.0
        v.label = ""
        if MODE.recording:
            v._operation = DIV
            v._parents = (other, self)
        else:
            v._operation = None
            v._parents = ()
        v.scope = MODE.scope
        return v

    def __pow__(self, other: Any) -> Value:
        """``self ** other``: out = a^b; ∂out/∂a = b·out/a; ∂out/∂b = out·ln(a).

        Backward: ``kernels.pow_backward``.
        """
        if other.__class__ is not Value:
            if is_number(other):
                return powc(self, other)
            other = _operand(other, POW)
            if other is NotImplemented:
                return NotImplemented
        a = self.data
        b = other.data
        if a <= 0.0:
            raise _domain_error(POW, (self, other))
        try:
            out = a**b
        except (ArithmeticError, ValueError):
            raise _op_error(POW, (self, other)) from None
        if out - out != 0.0:  # inf or nan: it overflowed, or .data was set by hand
            raise _op_error(POW, (self, other))
        v = _new(Value)
        v.data = out
        v.grad = 0.0
        v.label = ""
        if MODE.recording:
            v._operation = POW
            v._parents = (self, other)
        else:
            v._operation = None
            v._parents = ()
        v.scope = MODE.scope
        return v

    def __rpow__(self, other: Any) -> Value:
        """``other ** self``: out = a^b; ∂out/∂a = b·out/a; ∂out/∂b = out·ln(a).

        Backward: ``kernels.pow_backward``.
        """
        if other.__class__ is not Value:
            if other.__class__ is float and other - other == 0.0:  # a constant leaf
                number, other = other, _new(Value)
                other.data, other.grad, other.label = number, 0.0, ""
                other._operation, other._parents, other.scope = None, (), MODE.scope
            else:
                other = _operand(other, POW)
                if other is NotImplemented:
                    return NotImplemented
        a = other.data
        b = self.data
        if a <= 0.0:
            raise _domain_error(POW, (other, self))
        try:
            out = a**b
        except (ArithmeticError, ValueError):
            raise _op_error(POW, (other, self)) from None
        if out - out != 0.0:  # inf or nan: it overflowed, or .data was set by hand
            raise _op_error(POW, (other, self))
        v = _new(Value)
        v.data = out
        v.grad = 0.0
        v.label = ""
        if MODE.recording:
            v._operation = POW
            v._parents = (other, self)
        else:
            v._operation = None
            v._parents = ()
        v.scope = MODE.scope
        return v

    def __neg__(self) -> Value:
        """``-self``: out = -a; ∂out/∂a = -1.

        Backward: ``kernels.neg_backward``.
        """
        a = self.data
        out = -a
        if out - out != 0.0:  # inf or nan: it overflowed, or .data was set by hand
            raise _op_error(NEG, (self,))
        v = _new(Value)
        v.data = out
        v.grad = 0.0
        v.label = ""
        if MODE.recording:
            v._operation = NEG
            v._parents = (self,)
        else:
            v._operation = None
            v._parents = ()
        v.scope = MODE.scope
        return v

    def exp(self) -> Value:
        """``self.exp()``: out = exp(a); ∂out/∂a = out.

        Backward: ``kernels.exp_backward``.
        """
        a = self.data
        try:
            out = exp(a)
        except (ArithmeticError, ValueError):
            raise _op_error(EXP, (self,)) from None
        if out - out != 0.0:  # inf or nan: it overflowed, or .data was set by hand
            raise _op_error(EXP, (self,))
        v = _new(Value)
        v.data = out
        v.grad = 0.0
        v.label = ""
        if MODE.recording:
            v._operation = EXP
            v._parents = (self,)
        else:
            v._operation = None
            v._parents = ()
        v.scope = MODE.scope
        return v

    def log(self) -> Value:
        """``self.log()``: out = ln(a); ∂out/∂a = 1/a.

        Backward: ``kernels.log_backward``.
        """
        a = self.data
        if a <= 0.0:
            raise _domain_error(LOG, (self,))
        try:
            out = log(a)
        except (ArithmeticError, ValueError):
            raise _op_error(LOG, (self,)) from None
        if out - out != 0.0:  # inf or nan: it overflowed, or .data was set by hand
            raise _op_error(LOG, (self,))
        v = _new(Value)
        v.data = out
        v.grad = 0.0
        v.label = ""
        if MODE.recording:
            v._operation = LOG
            v._parents = (self,)
        else:
            v._operation = None
            v._parents = ()
        v.scope = MODE.scope
        return v

    def tanh(self) -> Value:
        """``self.tanh()``: out = tanh(a); ∂out/∂a = 1 - out².

        Backward: ``kernels.tanh_backward``.
        """
        a = self.data
        try:
            out = tanh(a)
        except (ArithmeticError, ValueError):
            raise _op_error(TANH, (self,)) from None
        if out - out != 0.0:  # inf or nan: it overflowed, or .data was set by hand
            raise _op_error(TANH, (self,))
        v = _new(Value)
        v.data = out
        v.grad = 0.0
        v.label = ""
        if MODE.recording:
            v._operation = TANH
            v._parents = (self,)
        else:
            v._operation = None
            v._parents = ()
        v.scope = MODE.scope
        return v

    def sigmoid(self) -> Value:
        """``self.sigmoid()``: out = σ(a) = 1/(1 + exp(-a)); ∂out/∂a = out·(1 - out).

        Backward: ``kernels.sigmoid_backward``.
        """
        a = self.data
        try:
            out = sigmoid(a)
        except (ArithmeticError, ValueError):
            raise _op_error(SIGMOID, (self,)) from None
        if out - out != 0.0:  # inf or nan: it overflowed, or .data was set by hand
            raise _op_error(SIGMOID, (self,))
        v = _new(Value)
        v.data = out
        v.grad = 0.0
        v.label = ""
        if MODE.recording:
            v._operation = SIGMOID
            v._parents = (self,)
        else:
            v._operation = None
            v._parents = ()
        v.scope = MODE.scope
        return v

    def relu(self) -> Value:
        """``self.relu()``: out = a if a > 0 else 0; ∂out/∂a = 1 if a > 0 else 0.

        Backward: ``kernels.relu_backward``.
        """
        a = self.data
        out = a if a > 0.0 else 0.0
        if out - out != 0.0 or a - a != 0.0:  # inf or nan: it overflowed, or .data was set by hand
            raise _op_error(RELU, (self,))
        v = _new(Value)
        v.data = out
        v.grad = 0.0
        v.label = ""
        if MODE.recording:
            v._operation = RELU
            v._parents = (self,)
        else:
            v._operation = None
            v._parents = ()
        v.scope = MODE.scope
        return v

    def step(self) -> Value:
        """``self.step()``: out = 1 if a > 0 else 0; ∂out/∂a = 0.

        Backward: ``kernels.step_backward``.
        """
        a = self.data
        out = 1.0 if a > 0.0 else 0.0
        if out - out != 0.0 or a - a != 0.0:  # inf or nan: it overflowed, or .data was set by hand
            raise _op_error(STEP, (self,))
        v = _new(Value)
        v.data = out
        v.grad = 0.0
        v.label = ""
        if MODE.recording:
            v._operation = STEP
            v._parents = (self,)
        else:
            v._operation = None
            v._parents = ()
        v.scope = MODE.scope
        return v

    def __abs__(self) -> Value:
        """``abs(self)``: out = |a|; ∂out/∂a = 1 if a > 0 else -1 if a < 0 else 0.

        Backward: ``kernels.abs_backward``.
        """
        a = self.data
        try:
            out = fabs(a)
        except (ArithmeticError, ValueError):
            raise _op_error(ABS, (self,)) from None
        if out - out != 0.0:  # inf or nan: it overflowed, or .data was set by hand
            raise _op_error(ABS, (self,))
        v = _new(Value)
        v.data = out
        v.grad = 0.0
        v.label = ""
        if MODE.recording:
            v._operation = ABS
            v._parents = (self,)
        else:
            v._operation = None
            v._parents = ()
        v.scope = MODE.scope
        return v

    def softplus(self) -> Value:
        """``self.softplus()``: out = max(a, 0) + ln(1 + exp(-|a|)); ∂out/∂a = σ(a).

        Backward: ``kernels.log1pexp_backward``.
        """
        a = self.data
        try:
            out = max(a, 0.0) + log(1.0 + exp(-fabs(a)))
        except (ArithmeticError, ValueError):
            raise _op_error(LOG1PEXP, (self,)) from None
        if out - out != 0.0:  # inf or nan: it overflowed, or .data was set by hand
            raise _op_error(LOG1PEXP, (self,))
        v = _new(Value)
        v.data = out
        v.grad = 0.0
        v.label = ""
        if MODE.recording:
            v._operation = LOG1PEXP
            v._parents = (self,)
        else:
            v._operation = None
            v._parents = ()
        v.scope = MODE.scope
        return v

    # ---- end generated ----


def _left_the_graph(what: str, result: str) -> str:
    return (
        f"{what} would turn the Value into {result} outside the graph, and its gradient "
        "would be lost without a word. To stay in the graph use the Value's own methods "
        "(v.exp(), v.log(), v.tanh(), v ** 2, ...); for its number, read v.data"
    )


def _data_of(other: Any, where: str) -> float:
    return other.data if isinstance(other, Node) else check_number(other, where)


# A new node without Value.__init__: the ops have checked their result already, and
# skipping the call is a good part of why building a graph is fast.
_new = Value.__new__


def _constant(x: Any, op: Op) -> Value:
    """A number used in an op becomes a constant leaf, drawn as a plain number."""
    v = _new(Value)
    v.data = check_number(x, op.name)
    v.grad = 0.0
    v.label = ""
    v._operation = None
    v._parents = ()
    v.scope = MODE.scope
    return v


def _operand(other: Any, op: Op) -> Any:
    """Turn a non-Value operand into a constant, or decline so NumPy can broadcast."""
    if other.__class__ is float and other - other == 0.0:  # the common case, made quick
        v = _new(Value)
        v.data = other
        v.grad = 0.0
        v.label = ""
        v._operation = None
        v._parents = ()
        v.scope = MODE.scope
        return v
    if other.__class__ is int or is_number(other):
        return _constant(other, op)
    if hasattr(other, "__array_ufunc__"):
        return NotImplemented
    raise TypeError(type_message(other, op.name))


# -- the errors an op raises, naming the op and its operands -----------------------------


def _describe(operands: tuple[Value, ...]) -> str:
    names = "ab" if len(operands) <= 2 else None
    parts = []
    for i, v in enumerate(operands):
        name = names[i] if names else f"x{i + 1}"
        label = f" (label {v.label!r})" if v.label else ""
        parts.append(f"{name} = {v.data!r}{label}")
    return ", ".join(parts)


def _where(op: Op, operands: tuple[Value, ...]) -> str:
    return f"{op.heading} of {_describe(operands)}"


def _domain_error(op: Op, operands: tuple[Value, ...]) -> Exception:
    """The error for operands outside the op's domain (its ``domain`` condition)."""
    if _has_non_finite(operands):
        return _non_finite_error(op, operands)
    why = op.why_outside(*(v.data for v in operands))
    return op.domain_error(f"{_where(op, operands)}: {why}")


def _op_error(op: Op, operands: tuple[Value, ...]) -> Exception:
    """The error for a forward that raised or came out NaN or infinite."""
    if _has_non_finite(operands):
        return _non_finite_error(op, operands)
    hint = f"; {op.hint}" if op.hint else ""
    return OverflowError(f"{_where(op, operands)}: the result overflows a float{hint}")


def _has_non_finite(operands: tuple[Value, ...]) -> bool:
    return any(v.data - v.data != 0.0 for v in operands)


def _non_finite_error(op: Op, operands: tuple[Value, ...]) -> ValueError:
    return ValueError(
        f"{_where(op, operands)}: an operand is not finite (was .data set by hand?); "
        "gradstep Values must stay finite"
    )


# -- applying any op -------------------------------------------------------------------------


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
    values = [v if isinstance(v, Value) else _constant(v, op) for v in operands]
    if op.arity == NARY:
        return op.function(values)
    return op.function(*values, *op.params)


_APPLY.append(apply)


# ---- generated: the ops that are no Value method, and each op's applying function ----
def powc(a_node: Value, c: float) -> Value:
    """``powc(a, c)``: out = a^c; ∂out/∂a = c·a^(c - 1) if c ≠ 0 else 0.

    Backward: ``kernels.powc_backward``.
    """
    c = check_number(c, "powc")
    op = POWC.bind(c)
    a = a_node.data
    if not (a > 0.0 or (a < 0.0 and c == int(c)) or (a == 0.0 and (c == 0.0 or c >= 1.0))):
        raise _domain_error(op, (a_node,))
    try:
        out = a**c
    except (ArithmeticError, ValueError):
        raise _op_error(op, (a_node,)) from None
    if out - out != 0.0 or a - a != 0.0:  # inf or nan: it overflowed, or .data was set by hand
        raise _op_error(op, (a_node,))
    v = _new(Value)
    v.data = out
    v.grad = 0.0
    v.label = ""
    if MODE.recording:
        v._operation = op
        v._parents = (a_node,)
    else:
        v._operation = None
        v._parents = ()
    v.scope = MODE.scope
    return v


def sum(values: Iterable[Any]) -> Value:
    """``sum(values)``: out = x₁ + x₂ + … + xₙ; ∂out/∂x = 1.

    Backward: ``kernels.sum_backward``.
    """
    nodes = tuple(v if v.__class__ is Value else _constant(v, SUM) for v in values)
    if not nodes:
        return _constant(builtins.sum(()), SUM)
    xs = [x.data for x in nodes]
    try:
        out = builtins.sum(xs)
    except (ArithmeticError, ValueError):
        raise _op_error(SUM, nodes) from None
    if out - out != 0.0:  # inf or nan: it overflowed, or .data was set by hand
        raise _op_error(SUM, nodes)
    v = _new(Value)
    v.data = out
    v.grad = 0.0
    v.label = ""
    if MODE.recording:
        v._operation = SUM
        v._parents = nodes
    else:
        v._operation = None
        v._parents = ()
    v.scope = MODE.scope
    return v


def logaddexp(a_node: Value, b_node: Value) -> Value:
    """``logaddexp(...)``: out = max(a, b) + ln(1 + exp(-|a - b|)) = ln(exp(a) + exp(b));
    ∂out/∂a = exp(a - out); ∂out/∂b = exp(b - out).

    Backward: ``kernels.logaddexp_backward``.
    """
    a = a_node.data
    b = b_node.data
    try:
        out = max(a, b) + log(1.0 + exp(-fabs(a - b)))
    except (ArithmeticError, ValueError):
        raise _op_error(LOGADDEXP, (a_node, b_node)) from None
    if out - out != 0.0:  # inf or nan: it overflowed, or .data was set by hand
        raise _op_error(LOGADDEXP, (a_node, b_node))
    v = _new(Value)
    v.data = out
    v.grad = 0.0
    v.label = ""
    if MODE.recording:
        v._operation = LOGADDEXP
        v._parents = (a_node, b_node)
    else:
        v._operation = None
        v._parents = ()
    v.scope = MODE.scope
    return v


ADD._attach(function=Value.__add__)
SUB._attach(function=Value.__sub__)
MUL._attach(function=Value.__mul__)
DIV._attach(function=Value.__truediv__)
POW._attach(function=Value.__pow__)
POWC._attach(function=powc)
NEG._attach(function=Value.__neg__)
EXP._attach(function=Value.exp)
LOG._attach(function=Value.log)
TANH._attach(function=Value.tanh)
SIGMOID._attach(function=Value.sigmoid)
RELU._attach(function=Value.relu)
STEP._attach(function=Value.step)
ABS._attach(function=Value.__abs__)
SUM._attach(function=sum)
LOGADDEXP._attach(function=logaddexp)
LOG1PEXP._attach(function=Value.softplus)
# ---- end generated ----
