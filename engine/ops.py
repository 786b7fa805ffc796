"""The op table: every op gradstep knows, each defined exactly once.

An op is written as Python expressions over its operands' data (``a``, ``b``; ``xs``
for the n-ary sum), its output ``out`` and, for ops with a number parameter, ``c``:

* ``forward``: how ``out`` is computed;
* ``derivs``: the local derivative d(out)/d(operand), one expression per operand;
* ``domain``: an optional condition the operands must meet, with a ``hint`` that
  tells the user what to do when it fails;
* ``branch``: for ops with a kink (relu, abs, step), the condition that picks the
  side of the kink, so gradcheck can tell a kink crossed from a wrong gradient.

Everything else is generated from these strings, once, at import: the Value
operators (``value.py`` installs them), the per-op backward kernels, the local
derivative functions the stepper and gradcheck read, the graph symbols, the
chain-rule text and the compiled straight-line code. Adding an op is one entry in
``_TABLE`` plus, if it is a method, nothing else: the property tests iterate over
``OPS``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

# The namespace every generated function runs in. ``_record`` is flipped by
# ``autodiff.no_grad`` and ``_scope`` by ``tags.scope``: reading a global is the
# cheapest way for the hot path to see them.
NAMESPACE: dict[str, Any] = {"_record": True, "_scope": (), "math": math}


def _sigmoid(x: float) -> float:
    """Logistic function, written so neither branch can overflow for any finite x."""
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


NAMESPACE.update(_sigmoid=_sigmoid, _exp=math.exp, _log=math.log, _tanh=math.tanh, _fabs=math.fabs)


@dataclass(frozen=True)
class Op:
    """One op of the table. See the module docstring for what each string means."""

    name: str
    symbol: str
    arity: int  # number of Value operands; -1 for n-ary
    forward: str
    derivs: tuple[str, ...]
    text: str
    method: str | None = None  # Value method or operator implementing it
    reflected: str | None = None  # the operator with the operands swapped, e.g. __radd__
    domain: str | None = None
    hint: str = ""
    branch: str | None = None
    domain_error: type[Exception] = ValueError  # raised when ``domain`` fails
    # (condition, hint) pairs that say which part of a compound domain failed: the
    # first condition true of the rejected operands gives the message, else ``hint``.
    reasons: tuple[tuple[str, str], ...] = ()
    param: str | None = None  # for op families such as pow with a number exponent
    value: float | None = None  # the bound parameter of an op family member
    # Filled in by _build: the generated functions.
    local: Callable[..., tuple[float, ...]] = field(default=None, repr=False, compare=False)
    backward: Callable[[Any, float], None] = field(default=None, repr=False, compare=False)
    side: Callable[..., bool] | None = field(default=None, repr=False, compare=False)

    @property
    def names(self) -> tuple[str, ...]:
        """The operand names used in this op's expressions."""
        return ("a", "b")[: self.arity] if self.arity >= 0 else ("xs",)

    def bind(self, value: float) -> Op:
        """A member of an op family with its number parameter fixed (``x ** 3``)."""
        key = (self.name, value)
        op = _BOUND.get(key)
        if op is None:
            c = repr(float(value))
            sub = _substitute
            # c = 0 and c = 1 have constant derivatives; writing them out keeps 0 ** -1 out.
            derivs = ("0.0",) if value == 0 else ("1.0",) if value == 1 else self.derivs
            op = _build(
                replace(
                    self,
                    symbol=sub(self.symbol, _short(value)),
                    forward=sub(self.forward, c),
                    derivs=tuple(sub(d, c) for d in derivs),
                    text=sub(self.text, _short(value)),
                    domain=sub(self.domain, c),
                    reasons=tuple((sub(cond, c), why) for cond, why in self.reasons),
                    value=float(value),
                )
            )
            _BOUND[key] = op
        return op

    def why_outside(self, *operands: float) -> str:
        """What to tell a user whose operands failed the domain (see ``reasons``)."""
        env = {**NAMESPACE, **dict(zip(self.names, operands, strict=False))}
        for condition, why in self.reasons:
            if eval(condition, env):
                return why
        return self.hint

    def chain_rule(self) -> str:
        """Human text: the op and its local derivatives, e.g. ``out = a * b; dout/da = b``."""
        return self.text

    def __call__(self, *operands: Any) -> Any:
        """Apply the op to Values or numbers: ``OPS["tanh"](x)`` is ``x.tanh()``."""
        from .value import apply

        return apply(self, *operands)

    def __repr__(self) -> str:
        return f"<op {self.name}{'' if self.value is None else f'({self.value:g})'}>"


_BOUND: dict[tuple[str, float], Op] = {}


def _short(value: float) -> str:
    return f"{value:g}"


def _substitute(expr: str, c: str) -> str:
    import re

    return re.sub(r"\bc\b", c, expr)


def _compile(src: str, name: str) -> Callable[..., Any]:
    scope: dict[str, Any] = {}
    exec(compile(src, f"<gradstep op {name}>", "exec"), NAMESPACE, scope)
    return scope[name]


def _uses(expr_list: tuple[str, ...], name: str) -> bool:
    import re

    return any(re.search(rf"\b{name}\b", e) for e in expr_list)


def _build(op: Op) -> Op:
    """Generate the op's local-derivative function and backward kernel."""
    if op.arity == -1:
        local = _compile("def local(out, xs):\n    return (1.0,) * len(xs)\n", "local")
        backward = _compile(
            "def backward(node, g):\n    for p in node._parents:\n        p.grad += g\n", "backward"
        )
        side = None
    else:
        args = ", ".join(op.names)
        local = _compile(
            f"def local(out, {args}):\n    return ({', '.join(op.derivs)},)\n", "local"
        )
        lines = ["def backward(node, g):"]
        parents = ", ".join(f"p{n}" for n in op.names)
        lines.append(f"    {parents}, = node._parents")
        for n in op.names:
            if _uses(op.derivs, n):
                lines.append(f"    {n} = p{n}.data")
        if _uses(op.derivs, "out"):
            lines.append("    out = node.data")
        for n, d in zip(op.names, op.derivs, strict=True):
            lines.append(f"    p{n}.grad += g * ({d})")
        backward = _compile("\n".join(lines) + "\n", "backward")
        side = (
            _compile(f"def side({args}):\n    return {op.branch}\n", "side") if op.branch else None
        )
    object.__setattr__(op, "local", local)
    object.__setattr__(op, "backward", backward)
    object.__setattr__(op, "side", side)
    return op


_TABLE = [
    # Binary arithmetic. Numbers on either side become constant leaf Values.
    Op(
        "add",
        "+",
        2,
        "a + b",
        ("1.0", "1.0"),
        "out = a + b; dout/da = 1; dout/db = 1",
        method="__add__",
        reflected="__radd__",
    ),
    Op(
        "sub",
        "−",
        2,
        "a - b",
        ("1.0", "-1.0"),
        "out = a - b; dout/da = 1; dout/db = -1",
        method="__sub__",
        reflected="__rsub__",
    ),
    Op(
        "mul",
        "×",
        2,
        "a * b",
        ("b", "a"),
        "out = a * b; dout/da = b; dout/db = a",
        method="__mul__",
        reflected="__rmul__",
    ),
    Op(
        "div",
        "÷",
        2,
        "a / b",
        ("1.0 / b", "-out / b"),
        "out = a / b; dout/da = 1/b; dout/db = -a/b² = -out/b",
        method="__truediv__",
        reflected="__rtruediv__",
        domain="b != 0.0",
        domain_error=ZeroDivisionError,
        hint="division by zero: the divisor must not be zero",
    ),
    Op(
        "pow",
        "^",
        2,
        "a ** b",
        ("b * out / a", "out * _log(a)"),
        "out = a ** b; dout/da = b·a^(b-1) = b·out/a; dout/db = out·ln(a)",
        method="__pow__",
        reflected="__rpow__",
        domain="a > 0.0",
        hint="a Value exponent needs a positive base, because dout/db = out·ln(base); "
        "for a negative or zero base use a number exponent, e.g. x ** 3",
    ),
    # pow with a number exponent: an op family, one member per exponent (Op.bind).
    Op(
        "powc",
        "^c",
        1,
        "a ** c",
        ("c * a ** (c - 1.0)",),
        "out = a ** c; dout/da = c·a^(c-1)",
        domain="a > 0.0 or (a < 0.0 and c == int(c)) or (a == 0.0 and (c == 0.0 or c >= 1.0))",
        hint="at zero a power between 0 and 1 has an infinite derivative",
        reasons=(
            ("a < 0.0", "a negative base needs an integer exponent (the result would be complex)"),
            ("c < 0.0", "zero cannot be raised to a negative power"),
        ),
        param="c",
    ),
    # Unary.
    Op("neg", "−", 1, "-a", ("-1.0",), "out = -a; dout/da = -1", method="__neg__"),
    Op(
        "exp",
        "exp",
        1,
        "_exp(a)",
        ("out",),
        "out = exp(a); dout/da = exp(a) = out",
        method="exp",
        hint="exp overflows above a ≈ 709.78; scale the input down",
    ),
    Op(
        "log",
        "log",
        1,
        "_log(a)",
        ("1.0 / a",),
        "out = ln(a); dout/da = 1/a",
        method="log",
        domain="a > 0.0",
        hint="log is defined only for inputs > 0",
    ),
    Op(
        "tanh",
        "tanh",
        1,
        "_tanh(a)",
        ("1.0 - out * out",),
        "out = tanh(a); dout/da = 1 - tanh(a)² = 1 - out²",
        method="tanh",
    ),
    Op(
        "sigmoid",
        "σ",
        1,
        "_sigmoid(a)",
        ("out * (1.0 - out)",),
        "out = σ(a) = 1/(1+e^-a); dout/da = σ(a)(1 - σ(a)) = out(1 - out)",
        method="sigmoid",
    ),
    Op(
        "relu",
        "ReLU",
        1,
        "a if a > 0.0 else 0.0",
        ("1.0 if a > 0.0 else 0.0",),
        "out = max(0, a); dout/da = 1 if a > 0 else 0",
        method="relu",
        branch="a > 0.0",
    ),
    Op(
        "step",
        "step",
        1,
        "1.0 if a > 0.0 else 0.0",
        ("0.0",),
        "out = 1 if a > 0 else 0; dout/da = 0 (flat on both sides; undefined at 0)",
        method="step",
        branch="a > 0.0",
    ),
    Op(
        "abs",
        "|·|",
        1,
        "_fabs(a)",
        ("1.0 if a > 0.0 else (-1.0 if a < 0.0 else 0.0)",),
        "out = |a|; dout/da = sign(a)",
        method="__abs__",
        branch="a > 0.0",
    ),
    # n-ary sum: one wide node instead of a deep chain of additions.
    Op("sum", "Σ", -1, "sum(xs)", ("1.0",), "out = x₁ + x₂ + … + xₙ; dout/dxᵢ = 1"),
]

OPS: dict[str, Op] = {op.name: _build(op) for op in _TABLE}


def define_op(
    name: str,
    forward: str,
    derivs: tuple[str, ...] | list[str],
    *,
    symbol: str | None = None,
    text: str | None = None,
    domain: str | None = None,
    hint: str = "",
    branch: str | None = None,
    register: bool = False,
) -> Op:
    """Define your own op from expressions, exactly as the built-in ones are defined.

    ``forward`` and each of ``derivs`` are Python expressions over the operand data
    ``a`` (and ``b`` for a binary op) and, in ``derivs``, the output ``out``; the
    functions ``math``, ``_exp``, ``_log``, ``_tanh``, ``_sigmoid`` are available. The
    number of ``derivs`` sets the arity (1 or 2). The op is callable on Values::

        softplus = define_op("softplus", "_log(1.0 + _exp(a))", ["_sigmoid(a)"])
        y = softplus(x)

    With ``register=True`` it joins ``OPS``, so ``engine.testing.graphs()`` (and so
    your property tests) cover it. A wrong derivative is exactly what gradcheck finds.
    """
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(f"define_op: name must be an identifier, got {name!r}")
    if register and name in OPS:
        raise ValueError(f"define_op: an op named {name!r} exists already; pick another name")
    derivs = tuple(derivs)
    if len(derivs) not in (1, 2) or not all(isinstance(d, str) for d in derivs):
        raise ValueError("define_op: derivs must be 1 or 2 expression strings, one per operand")
    for label, expr in [
        ("forward", forward),
        ("domain", domain),
        ("branch", branch),
        *((f"derivs[{i}]", d) for i, d in enumerate(derivs)),
    ]:
        if expr is not None:
            try:
                compile(expr, f"<{name} {label}>", "eval")
            except SyntaxError as error:
                raise ValueError(
                    f"define_op {name}: {label} is not a Python expression: {expr!r} ({error.msg})"
                ) from None
    names = ("a", "b")[: len(derivs)]
    default_text = f"out = {name}({', '.join(names)}) = {forward}; " + "; ".join(
        f"dout/d{n} = {d}" for n, d in zip(names, derivs, strict=True)
    )
    op = _build(
        Op(
            name,
            symbol or name,
            len(derivs),
            forward,
            derivs,
            text or default_text,
            domain=domain,
            hint=hint or f"{name} is defined where {domain}",
            branch=branch,
        )
    )
    if register:
        OPS[name] = op
    return op
