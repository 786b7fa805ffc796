"""The op table: every op gradstep knows, each defined exactly once.

An op is its math, written as Python expressions over its operands' numbers (``a``,
``b``; for the n-ary sum ``xs`` in the forward and ``x``, one term, in the
derivative), its output ``out`` and, for an op family such as ``x ** 3``, its number
parameter (``c``). Side by side, as HIPS autograd declares a primitive with its VJP:

* ``forward``: how ``out`` is computed;
* ``derivs``: the local derivative ∂out/∂operand, one expression per operand;
* ``forms``: other ways to write each derivative, shown to learners before the one
  that is computed (``1 - tanh(a)**2`` beside ``1.0 - out * out``); a test checks
  they are equal;
* ``domain``: an optional condition the operands must meet, with a ``hint`` that says
  what to do when it fails (and ``reasons`` for which part of it failed);
* ``branch``: for ops with a kink (relu, abs, step), the condition that picks the side
  of the kink, so gradcheck can tell a kink crossed from a wrong gradient.

Everything else is derived from these strings. ``python -m engine.core.generate``
writes them out as plain Python: each op's backward kernel and local-derivative
function (``kernels.py``) and the Value operators (``operators.py``, which also
attaches each op's kernels), files a test keeps in step with this table. The chain-rule text
(``Op.text``) is printed from the same expressions by ``notation.py``. Ops defined at
run time (``define_op``, in ``define.py``) get the same code, generated when defined.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from .floatmath import NAMES
from .notation import math_text, number_text
from .numbers import check_number

NARY = -1  # the arity of an op over any number of operands (sum)


@dataclass(frozen=True, eq=False)
class Op:
    """One op of the table. See the module docstring for what each field means."""

    name: str
    symbol: str  # how drawings label the op: ×, σ, ^3
    arity: int  # number of Value operands, or NARY
    forward: str
    derivs: tuple[str, ...]
    forms: tuple[tuple[str, ...], ...] = ()  # per operand: other forms of the derivative
    forward_forms: tuple[str, ...] = ()  # other forms of the forward, e.g. σ's 1/(1+e^-a)
    remark: str = ""  # a word of prose after the derivatives, e.g. where they are undefined
    method: str | None = None  # the Value method or operator that applies the op
    reflected: str | None = None  # the operator with the operands swapped, e.g. __radd__
    number_operand: str | None = None  # the op family used when the operand is a number
    domain: str | None = None
    hint: str = ""
    reasons: tuple[tuple[str, str], ...] = ()  # (condition, hint): which part of domain failed
    domain_error: type[Exception] = ValueError  # raised when ``domain`` fails
    branch: str | None = None
    param: str | None = None  # the number parameter of an op family (``c`` in a ** c)
    named: bool = False  # the text starts with the op's name: out = softplus(a) = ...
    code: str = ""  # the op as micrograd's ``_op`` writes it: "+", "*", "ReLU" (else the name)
    title: str = ""  # how error messages name it, e.g. "power ** c" (else the name)
    value: float | None = None  # that parameter, in a member of the family (Op.bind)
    # The code, attached in operators.py from kernels.py (by define.py for define_op).
    forward_fn: Callable[..., float] | None = field(default=None, repr=False)
    local_fn: Callable[..., tuple[float, ...]] | None = field(default=None, repr=False)
    backward: Callable[[Any, float], None] | None = field(default=None, repr=False)
    backward_graph: Callable[[Any, Any], None] | None = field(default=None, repr=False)
    domain_fn: Callable[..., bool] | None = field(default=None, repr=False)
    side_fn: Callable[..., bool] | None = field(default=None, repr=False)
    function: Callable[..., Any] | None = field(default=None, repr=False)  # applies it to Values

    def __post_init__(self) -> None:
        _validate(self)

    # -- what the expressions are over ------------------------------------------------

    @property
    def names(self) -> tuple[str, ...]:
        """The operand names of ``forward``: ``("a", "b")``, ``("a",)``, or ``("xs",)``."""
        return ("xs",) if self.arity == NARY else ("a", "b")[: self.arity]

    @property
    def deriv_names(self) -> tuple[str, ...]:
        """The operand each of ``derivs`` is the derivative for (``x``: any term of a sum)."""
        return ("x",) if self.arity == NARY else self.names

    @property
    def micrograd_op(self) -> str:
        """The op as micrograd's ``Value._op`` string: ``"*"``, ``"tanh"``, ``"**2"``."""
        code = self.code or self.name
        return self._with_param(code, self.value) if self.value is not None else code

    @property
    def heading(self) -> str:
        """The op as error messages name it: ``div``, ``power ** 3``, ``scale (c = 2)``."""
        if self.value is None:
            return self.title or self.name
        if self.title:
            return self._with_param(self.title, self.value)
        return f"{self.name} ({self.param} = {_short(self.value)})"

    @property
    def params(self) -> tuple[float, ...]:
        """The bound parameter as a tuple, ``()`` for an op that has none."""
        return () if self.value is None else (self.value,)

    # -- the op's math on plain numbers (the checked-in kernels, with the parameter) ----

    def evaluate(self, *operands: float) -> float:
        """``out`` for these operand numbers (no domain check: see ``in_domain``)."""
        args = [list(operands)] if self.arity == NARY else operands
        return self.forward_fn(*args, *self._bound())

    def in_domain(self, *operands: float) -> bool:
        """Whether the op is defined at these numbers."""
        return self.domain_fn is None or self.domain_fn(*operands, *self._bound())

    def local(self, out: float, *operands: float) -> tuple[float, ...]:
        """The local derivatives ∂out/∂operand at these numbers, one per operand."""
        return self.local_fn(out, *operands, *self._bound())

    def side(self, *operands: float) -> bool | None:
        """For an op with a kink, which side of it the operands are on; else None."""
        return None if self.side_fn is None else self.side_fn(*operands, *self._bound())

    def _bound(self) -> tuple[float, ...]:
        if self.param is not None and self.value is None:
            raise TypeError(f"{self.name}: bind the parameter first, e.g. op.bind(3)")
        return self.params

    def bind(self, value: float) -> Op:
        """A member of an op family with its number parameter fixed: ``OPS["powc"].bind(3)``."""
        if self.param is None:
            raise TypeError(f"{self.name} has no number parameter to bind")
        if self.value is not None:
            raise TypeError(f"{self!r} is bound already; bind the family, {self.name}, instead")
        key = (self.name, value)
        member = _BOUND.get(key)
        if member is None or member.backward is not self.backward:
            value = check_number(value, f"{self.name}.bind")
            member = _BOUND[key] = replace(
                self, value=value, symbol=self._with_param(self.symbol, value)
            )
        return member

    def _with_param(self, text: str, value: float) -> str:
        """``text`` with the parameter's name, as a whole word, replaced by its value."""
        return re.sub(
            rf"(?<![A-Za-z0-9_]){re.escape(self.param)}(?![A-Za-z0-9_])", _short(value), text
        )

    # -- text ---------------------------------------------------------------------------

    def math(self, expr: str, names: dict[str, str] | None = None) -> str:
        """One of this op's expressions as math, its parameter (if bound) written in."""
        constants = {self.param: self.value} if self.value is not None else None
        return math_text(expr, names, constants)

    def forward_text(self, names: dict[str, str] | None = None) -> str:
        """``tanh(a)``, or with the graph's names, ``tanh(n1)``."""
        return self.math(self.forward, names)

    def derivative_forms(self, position: int, names: dict[str, str] | None = None) -> list[str]:
        """Every written form of ∂out/∂(operand ``position``), the computed one last."""
        i = 0 if self.arity == NARY else position
        exprs = [*(self.forms[i] if i < len(self.forms) else ()), self.derivs[i]]
        texts: list[str] = []
        for expr in exprs:
            text = self.math(expr, names)
            if text not in texts:
                texts.append(text)
        return texts

    @property
    def text(self) -> str:
        """The op and its local derivatives as math: ``out = a·b; ∂out/∂a = b; ∂out/∂b = a``."""
        forward = [self.forward_text(), *(self.math(f) for f in self.forward_forms)]
        if self.named:
            forward.insert(0, f"{self.name}({', '.join(self.names)})")
        clauses = [f"out = {' = '.join(forward)}"]
        for i, name in enumerate(self.deriv_names):
            subscript = "ᵢ" if self.arity == NARY else ""
            clauses.append(f"∂out/∂{name}{subscript} = {' = '.join(self.derivative_forms(i))}")
        return "; ".join(clauses) + (f" ({self.remark})" if self.remark else "")

    def why_outside(self, *operands: float) -> str:
        """What to tell a user whose operands failed the domain (see ``reasons``)."""
        env = {**NAMES, **dict(zip(self.names, operands, strict=False))}
        if self.value is not None:
            env[self.param] = self.value
        for condition, why in self.reasons:
            if eval(condition, env):
                return why
        return self.hint

    def __call__(self, *operands: Any) -> Any:
        """Apply the op to Values or numbers: ``OPS["tanh"](x)`` is ``x.tanh()``."""
        return _APPLY[0](self, *operands)

    def __repr__(self) -> str:
        return f"<op {self.name}{'' if self.value is None else f'({self.value:g})'}>"

    def _attach(self, **code: Callable[..., Any] | None) -> Op:
        """Give the op its code (kernels and applying function); the only mutation it has."""
        for key, fn in code.items():
            object.__setattr__(self, key, fn)
        return self


_BOUND: dict[tuple[str, float], Op] = {}
# ``Op.__call__`` needs ``value.apply``, which needs Value; value.py puts it here, so
# this module does not import value.py (ops come first, Values are built from them).
_APPLY: list[Callable[..., Any]] = []


def _short(value: float) -> str:
    return number_text(float(value))


# -- checking a definition -----------------------------------------------------------


# Names the generated code uses for itself, which a parameter must not take.
_RESERVED = frozenset(
    {
        "a",
        "b",
        "x",
        "xs",
        "out",
        "g",
        "node",
        "op",
        "v",
        "self",
        "other",
        "values",
        "nodes",
        "a_node",
        "b_node",
        "x_node",
        "builtins",
        "math",
    }
)
_NUMBER_FUNCTIONS = frozenset({"int", "float", "abs", "min", "max", "sum"})


def _validate(op: Op) -> None:
    """Reject a malformed definition at once, saying what is missing."""
    where = f"op {op.name!r}"
    if not isinstance(op.name, str) or not op.name.isidentifier():
        raise ValueError(f"op: name must be a Python identifier, got {op.name!r}")
    if op.arity not in (1, 2, NARY):
        raise ValueError(f"{where}: arity must be 1, 2 or NARY (-1), got {op.arity!r}")
    if len(op.derivs) != (1 if op.arity == NARY else op.arity):
        raise ValueError(
            f"{where}: needs one derivative per operand ({len(op.names)}), got {len(op.derivs)}"
        )
    if len(op.forms) > len(op.derivs):
        raise ValueError(f"{where}: forms has more entries than the op has operands")
    if op.method is not None and op.arity == 2 and not op.reflected:
        raise ValueError(
            f"{where}: a binary operator ({op.method}) needs reflected=, the operator with the "
            "operands swapped (e.g. __radd__ for __add__), so that 2 + x works as x + 2 does"
        )
    if not (isinstance(op.domain_error, type) and issubclass(op.domain_error, Exception)):
        raise ValueError(f"{where}: domain_error must be an exception class")
    if op.param is not None and (op.param in _RESERVED or op.param in NAMES):
        raise ValueError(
            f"{where}: the parameter cannot be called {op.param!r}, a name the op's code "
            f"already uses ({', '.join(sorted(_RESERVED))}); call it c, k or p, for example"
        )
    for i, forms in enumerate(op.forms):
        if isinstance(forms, str):
            raise ValueError(
                f"{where}: forms must hold one list of forms per operand, e.g. "
                f"forms=[[{forms!r}]], got forms[{i}] = {forms!r}"
            )
    params = {op.param} if op.param else set()
    known = set(NAMES) | _NUMBER_FUNCTIONS
    operands = set(op.names) | params
    _check_expr(op, "forward", op.forward, operands | known)
    for expr in op.forward_forms:
        _check_expr(op, "forward_forms", expr, operands | known)
    with_out = set(op.deriv_names) | {"out"} | params | known
    for i, expr in enumerate(op.derivs):
        _check_expr(op, f"derivs[{i}]", expr, with_out)
    for i, forms in enumerate(op.forms):
        for expr in forms:
            _check_expr(op, f"forms[{i}]", expr, with_out)
    for label, expr in (("domain", op.domain), ("branch", op.branch)):
        if expr is not None:
            _check_expr(op, label, expr, operands | known)
    for condition, _ in op.reasons:
        _check_expr(op, "reasons", condition, operands | known)


def _check_expr(op: Op, label: str, expr: Any, allowed: set[str]) -> None:
    if not isinstance(expr, str) or not expr.strip():
        raise ValueError(
            f"op {op.name!r}: {label} must be a Python expression string, got {expr!r}"
        )
    try:
        tree = ast.parse(expr.strip(), mode="eval")
    except SyntaxError as error:
        raise ValueError(
            f"op {op.name!r}: {label} is not a Python expression: {expr!r} ({error.msg})"
        ) from None
    used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    unknown = sorted(used - allowed)
    if unknown:
        variables = sorted(allowed - set(NAMES) - _NUMBER_FUNCTIONS)
        functions = sorted(set(NAMES) | _NUMBER_FUNCTIONS)
        raise ValueError(
            f"op {op.name!r}: {label} {expr!r} uses unknown name(s) {', '.join(unknown)}; "
            f"it may use {', '.join(variables)} and the functions {', '.join(functions)}"
        )


# -- the table -------------------------------------------------------------------------

TABLE: tuple[Op, ...] = (
    # Binary arithmetic. Numbers on either side become constant leaf Values.
    Op("add", "+", 2, "a + b", ("1.0", "1.0"), code="+", method="__add__", reflected="__radd__"),
    Op("sub", "−", 2, "a - b", ("1.0", "-1.0"), code="-", method="__sub__", reflected="__rsub__"),
    Op("mul", "×", 2, "a * b", ("b", "a"), code="*", method="__mul__", reflected="__rmul__"),
    Op(
        "div",
        "÷",
        2,
        "a / b",
        ("1.0 / b", "-out / b"),
        forms=((), ("-a / b**2",)),
        code="/",
        method="__truediv__",
        reflected="__rtruediv__",
        domain="b != 0.0",
        domain_error=ZeroDivisionError,
        hint="the divisor must not be zero",
    ),
    Op(
        "pow",
        "^",
        2,
        "a ** b",
        ("b * out / a", "out * log(a)"),
        forms=(("b * a ** (b - 1.0)",), ()),
        code="**",
        method="__pow__",
        reflected="__rpow__",
        number_operand="powc",
        domain="a > 0.0",
        hint="a Value exponent needs a positive base, because ∂out/∂b = out·ln(base); "
        "for a negative or zero base use a number exponent, e.g. x ** 3",
    ),
    # pow with a number exponent: an op family, one member per exponent (Op.bind).
    Op(
        "powc",
        "^c",
        1,
        "a ** c",
        ("c * a ** (c - 1.0) if c != 0.0 else 0.0",),
        domain="a > 0.0 or (a < 0.0 and c == int(c)) or (a == 0.0 and (c == 0.0 or c >= 1.0))",
        hint="a large base, or a base near 0 with a negative exponent, makes the power too large",
        reasons=(
            ("a < 0.0", "a negative base needs an integer exponent (the result would be complex)"),
            ("c < 0.0", "zero cannot be raised to a negative power"),
            ("a == 0.0", "at zero a power between 0 and 1 has an infinite derivative"),
        ),
        param="c",
        code="**c",
        title="power ** c",
    ),
    # Unary.
    Op("neg", "−", 1, "-a", ("-1.0",), method="__neg__"),
    Op(
        "exp",
        "exp",
        1,
        "exp(a)",
        ("out",),
        forms=(("exp(a)",),),
        method="exp",
        hint="exp overflows above a ≈ 709.78; scale the input down",
    ),
    Op(
        "log",
        "log",
        1,
        "log(a)",
        ("1.0 / a",),
        method="log",
        domain="a > 0.0",
        hint="log is defined only for inputs > 0",
    ),
    Op(
        "tanh",
        "tanh",
        1,
        "tanh(a)",
        ("1.0 - out * out",),
        forms=(("1.0 - tanh(a) ** 2",),),
        method="tanh",
    ),
    Op(
        "sigmoid",
        "σ",
        1,
        "sigmoid(a)",
        ("out * (1.0 - out)",),
        forms=(("sigmoid(a) * (1.0 - sigmoid(a))",),),
        forward_forms=("1.0 / (1.0 + exp(-a))",),
        method="sigmoid",
    ),
    Op(
        "relu",
        "ReLU",
        1,
        "a if a > 0.0 else 0.0",
        ("1.0 if a > 0.0 else 0.0",),
        remark="undefined at 0; gradstep uses 0 there",
        code="ReLU",
        method="relu",
        branch="a > 0.0",
    ),
    Op(
        "step",
        "step",
        1,
        "1.0 if a > 0.0 else 0.0",
        ("0.0",),
        remark="flat on both sides; undefined at 0",
        method="step",
        branch="a > 0.0",
    ),
    Op(
        "abs",
        "|·|",
        1,
        "fabs(a)",
        ("1.0 if a > 0.0 else (-1.0 if a < 0.0 else 0.0)",),
        remark="the sign of a; undefined at 0, where gradstep uses 0",
        method="__abs__",
        branch="a > 0.0",
    ),
    # n-ary sum: one wide node instead of a deep chain of additions.
    Op("sum", "Σ", NARY, "sum(xs)", ("1.0",), code="+"),
    # log(e^a + e^b), written so that no exp overflows: the larger operand comes out
    # in front and the exp is of minus a distance. Folded over a list, it is the
    # log-sum-exp of softmax and cross-entropy (nn.log_softmax); with b = 0 it is
    # softplus, log(1 + e^a) (``Value.softplus``). Each derivative is a softmax weight,
    # e^a / (e^a + e^b), computed as e^(a - out), which is at most 1.
    Op(
        "logaddexp",
        "logaddexp",
        2,
        "max(a, b) + log(1.0 + exp(-fabs(a - b)))",
        ("exp(a - out)", "exp(b - out)"),
        forms=(("exp(a) / (exp(a) + exp(b))",), ("exp(b) / (exp(a) + exp(b))",)),
        forward_forms=("log(exp(a) + exp(b))",),
    ),
)


# Each op's code (kernels.py) is attached where the operators are generated: in
# operators.py, ``MUL = OPS["mul"]._attach(backward=kernels.mul_backward, ...)``.
OPS: dict[str, Op] = {op.name: op for op in TABLE}
