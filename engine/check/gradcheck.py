"""Check backward's gradients against central finite differences.

``gradcheck(f, inputs)`` evaluates ``f`` at the inputs, backpropagates, and compares
each input's gradient with ``(f(x + eps) - f(x - eps)) / (2 eps)``. The defaults are
PyTorch's for float64: eps 1e-6, atol 1e-5, rtol 1e-3.

A finite difference is only meaningful where the function is smooth. Ops with a kink
(relu, abs, step) declare a ``branch`` in the op table; when the graphs built at
``x + eps`` and ``x - eps`` take different branches (or have different shapes, because
``f`` branches on data in Python), that input is reported as *not differentiable here*
instead of as a failure.

A number in the graph that changes smoothly with an input but is a constant leaf is
the commonest bug of all: a gradient lost through ``.data`` (``Value(x.data ** 2)``,
``x * x.data``). Its derivative never reaches the input, so backward's gradient is
wrong, and gradcheck fails that input with a note naming the likely cause. (A constant
that only *jumps*, taking one value on each side of the point, is Python control flow
choosing between two branches: a kink.)
"""

from __future__ import annotations

import inspect
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from ..core.autodiff import topological_order
from ..core.higher import call_checked, grad
from ..core.numbers import check_number as _check_number
from ..core.ops import OPS
from ..core.value import Value

Function = Callable[[list[Value]], Value]


class GradcheckError(AssertionError):
    """Raised when an analytic gradient disagrees with its finite difference."""

    def __init__(self, report: GradcheckReport) -> None:
        super().__init__(str(report))
        self.report = report


@dataclass(frozen=True)
class GradcheckRow:
    """One input's comparison. ``status`` is "ok", "FAIL", "kink" or "domain"."""

    index: int
    label: str
    value: float
    analytic: float
    numeric: float | None
    abs_err: float | None
    rel_err: float | None
    status: str
    cause: str = ""  # "untracked": a constant of the graph moves with this input


@dataclass(frozen=True)
class GradcheckReport:
    """The per-input comparison table; ``str(report)`` prints it aligned."""

    rows: list[GradcheckRow]
    eps: float
    atol: float
    rtol: float
    notes: list[str] = field(default_factory=list)
    what: str = "gradcheck"  # the check that made it, named in the first line
    noun: str = "input"  # what one row is about: an input, or an entry of the Hessian

    @property
    def ok(self) -> bool:
        """True when no input failed (kinks and domain edges are not failures)."""
        return all(row.status != "FAIL" for row in self.rows)

    @property
    def failures(self) -> list[GradcheckRow]:
        return [row for row in self.rows if row.status == "FAIL"]

    def __str__(self) -> str:
        failed = len(self.failures)
        skipped = sum(row.status in ("kink", "domain") for row in self.rows)
        n, noun, what = len(self.rows), self.noun, self.what
        if failed:
            verb = "disagrees" if failed == 1 else "disagree"
            head = f"{what}: {failed} of {_count(n, noun)} {verb}"
        elif skipped:
            head = (
                f"{what}: no {noun} disagrees; {skipped} of {_count(n, noun)} could not be checked"
            )
        else:
            head = (
                f"{what}: the one {noun} agrees"
                if n == 1
                else f"{what}: all {_count(n, noun)} agree"
            )
        head += f" (eps={self.eps:g}, atol={self.atol:g}, rtol={self.rtol:g})"
        table = [(noun, "label", "value", "analytic", "numeric", "abs err", "rel err", "status")]
        for r in self.rows:
            table.append(
                (
                    str(r.index),
                    r.label or "-",
                    _num(r.value),
                    _num(r.analytic),
                    _num(r.numeric),
                    _num(r.abs_err),
                    _num(r.rel_err),
                    r.status,
                )
            )
        widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
        lines = [head] + [
            "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
            for row in table
        ]
        return "\n".join(lines + [f"note: {n}" for n in self.notes])

    def _repr_html_(self) -> str:
        from html import escape

        return f"<pre>{escape(str(self))}</pre>"


def _count(n: int, noun: str) -> str:
    return f"1 {noun}" if n == 1 else f"{n} {_plural(noun)}"


def _plural(noun: str) -> str:
    return noun[:-1] + "ies" if noun.endswith("y") else noun + "s"


def _num(x: float | None) -> str:
    return "-" if x is None else f"{x:.6g}"


def gradcheck(
    f: Function,
    inputs: Sequence[float | Value],
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_on_failure: bool = True,
) -> GradcheckReport:
    """Compare backward's gradient of ``f`` with central finite differences.

    ``f`` takes a list of Values (one per input, fresh leaves made here) and returns a
    Value. The grads of any other Values ``f`` uses (say, a model's parameters) are
    restored afterwards, so checking a gradient changes nothing.
    """
    if not callable(f):
        raise TypeError(f"gradcheck: f must be a function of a list of Values, got {f!r}")
    _check_takes_one_list(f)
    points = [
        _check_number(x.data if isinstance(x, Value) else x, "gradcheck input") for x in inputs
    ]
    labels = [x.label if isinstance(x, Value) else "" for x in inputs]
    if not points:
        raise ValueError("gradcheck: inputs is empty; pass at least one number or Value")
    if eps <= 0:
        raise ValueError(f"gradcheck: eps must be > 0, got {eps!r}")
    analytic = _analytic(f, points, labels)
    rows = [
        _compare(f, points, i, labels[i], analytic[i], eps, atol, rtol) for i in range(len(points))
    ]
    notes = []
    untracked = [r.index for r in rows if r.cause == "untracked"]
    if untracked:
        notes.append(
            f"FAIL, input {', '.join(map(str, untracked))}: a number in the graph changes with "
            "this input but is not connected to it (a constant leaf). Its gradient is lost: "
            "was it computed from .data, float() or Value(v.data)? Compute it with Value "
            "ops (v * v, v.exp(), ...) so backward can reach the input."
        )
    if any(r.status == "kink" for r in rows):
        kinked = "/".join(op.name for op in OPS.values() if op.branch is not None)
        notes.append(
            f"kink: a {kinked} (or Python control flow in f) changes branch "
            "within eps of this point, where the derivative is not defined"
        )
    if any(r.status == "domain" for r in rows):
        notes.append("domain: f is not defined at x ± eps for this input")
    report = GradcheckReport(rows, eps, atol, rtol, notes)
    if raise_on_failure and not report.ok:
        raise GradcheckError(report)
    return report


def _call(f: Function, values: list[Value]) -> Value:
    return call_checked(f, values, "gradcheck")


def _analytic(f: Function, points: list[float], labels: list[str]) -> list[float]:
    leaves = [Value(x, label) for x, label in zip(points, labels, strict=True)]
    out = _call(f, leaves)
    _, graph_leaves = topological_order(out)
    saved = [(v, v.grad) for v in graph_leaves]
    try:
        out.backward()
        return [leaf.grad for leaf in leaves]
    finally:
        for v, grad in saved:
            v.grad = grad


def _signature(root: Value, inputs: list[Value]) -> tuple[tuple, tuple[float, ...]]:
    """(the graph's shape with the side of every kink it sits on, its constants' values).

    Two evaluations with equal shapes and constants ran the same straight-line
    computation, so the function is smooth between them. Constants are kept apart:
    one that moves with the input means a dependency the graph does not record.
    """
    order, _ = topological_order(root)
    index: dict[Value, tuple[str, int]] = {v: ("input", i) for i, v in enumerate(inputs)}
    index.update((node, ("node", i)) for i, node in enumerate(order))
    constants: list[float] = []
    shape: list[object] = []
    for node in order:
        op = node._operation
        parents = []
        for p in node._parents:
            if p not in index:
                index[p] = ("constant", len(constants))
                constants.append(p.data)
            parents.append(index[p])
        if op.value is not None:  # a bound parameter (the 3 of x ** 3) is a constant too
            constants.append(op.value)
        shape.append((op.name, tuple(parents), op.side(*(p.data for p in node._parents))))
    if root not in index:  # f returned a leaf of its own: a constant too (Value(x.data ** 2))
        constants.append(root.data)
    return tuple(shape), tuple(constants)


def _evaluate(f: Function, points: list[float]) -> tuple[float, tuple[tuple, tuple[float, ...]]]:
    inputs = [Value(x) for x in points]
    out = _call(f, inputs)
    return out.data, _signature(out, inputs)


def _moves_smoothly(
    low: tuple[float, ...], mid: tuple[float, ...], high: tuple[float, ...]
) -> bool:
    """Whether some constant changes smoothly with the input between x - eps and x + eps.

    Smoothly: almost on a line through the three points (x.data * 2), or, where the line
    is flat, by a tiny amount (x.data ** 2 at 0). A jump (2 on one side, 3 on the other,
    or a third value in the middle) is Python control flow choosing a branch.
    """
    for lo, at, hi in zip(low, mid, high, strict=True):
        if lo == at == hi:
            continue
        slope, bend = abs(hi - lo), abs(hi - 2 * at + lo)
        if slope > 0 and bend <= 0.1 * slope:
            return True
        if slope == 0 and abs(hi - at) <= 1e-6 * (1 + abs(at)):
            return True
    return False


def _compare(
    f: Function,
    points: list[float],
    i: int,
    label: str,
    analytic: float,
    eps: float,
    atol: float,
    rtol: float,
) -> GradcheckRow:
    def row(numeric: float | None, status: str, cause: str = "") -> GradcheckRow:
        abs_err = None if numeric is None else abs(analytic - numeric)
        rel_err = None if numeric is None else abs_err / max(abs(numeric), 1e-300)
        return GradcheckRow(i, label, points[i], analytic, numeric, abs_err, rel_err, status, cause)

    plus, minus = list(points), list(points)
    plus[i] += eps
    minus[i] -= eps
    try:
        high, sig_high = _evaluate(f, plus)
        low, sig_low = _evaluate(f, minus)
    except (ArithmeticError, ValueError):
        return row(None, "domain")
    numeric = (high - low) / (2 * eps)
    _, sig_mid = _evaluate(f, points)
    ok = abs(analytic - numeric) <= atol + rtol * abs(numeric)
    (shape_high, const_high), (shape_low, const_low) = sig_high, sig_low
    shape_mid, const_mid = sig_mid
    if not _sides(shape_high) == _sides(shape_low) == _sides(shape_mid):
        return row(numeric, "kink")  # an op's kink (relu, abs, step) lies within eps
    if not _structure(shape_high) == _structure(shape_low) == _structure(shape_mid):
        # Python control flow in f took another branch within eps: fine if the two
        # sides have the same slope here, not differentiable if not.
        return row(numeric, "ok" if ok else "kink")
    if not shape_high == shape_low == shape_mid:
        return row(numeric, "kink")  # an op's kink (relu, abs, step) lies within eps
    if _moves_smoothly(const_low, const_mid, const_high):
        return row(numeric, "ok") if ok else row(numeric, "FAIL", "untracked")
    if not const_high == const_low == const_mid:
        return row(numeric, "ok" if ok else "kink")  # Python picked another constant
    return row(numeric, "ok" if ok else "FAIL")


def _sides(shape: tuple) -> Counter:
    """How many nodes of each kinked op sit on each side of their kink."""
    return Counter((step[0], step[2]) for step in shape if step[2] is not None)


def _structure(shape: tuple) -> tuple:
    """A graph's shape without the kink sides: what Python control flow decides."""
    return tuple(step[:2] for step in shape)


def _check_takes_one_list(f: Function) -> None:
    """``f(xs)``, not ``f(a, b)``: say so before calling it, not from inside gradcheck."""
    try:
        signature = inspect.signature(f)
    except (TypeError, ValueError):
        return  # a builtin or C function: nothing to inspect, it will be called as is
    try:
        signature.bind(object())
    except TypeError:
        params = ", ".join(signature.parameters) or "none"
        raise TypeError(
            f"gradcheck: f must take one argument, the list of input Values, and return a "
            f"Value; this f takes ({params}). Write it as lambda xs: ... using xs[0], xs[1], ..."
        ) from None


def gradgradcheck(
    f: Function,
    inputs: Sequence[float | Value],
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_on_failure: bool = True,
) -> GradcheckReport:
    """Compare second derivatives with central finite differences of the gradient.

    Entry (i, j) of the table is d²f/dx_i dx_j: the derivative, by backward, of the
    gradient component df/dx_i that ``engine.grad(..., create_graph=True)`` returns as a
    graph, against (df/dx_i(x + eps e_j) - df/dx_i(x - eps e_j)) / (2 eps). This is
    ``gradcheck`` run on each component of the gradient, so kinks, domain edges and
    lost gradients are judged the same way. Raises ``GradcheckError`` on a mismatch.
    """
    if not callable(f):
        raise TypeError(f"gradgradcheck: f must be a function of a list of Values, got {f!r}")
    _check_takes_one_list(f)
    labels = [x.label if isinstance(x, Value) else "" for x in inputs]
    names = [label or f"x{i}" for i, label in enumerate(labels)]
    rows: list[GradcheckRow] = []
    notes: list[str] = []
    for i in range(len(labels)):

        def component(xs: list[Value], i: int = i) -> Value:
            out = _call(f, xs)
            # f's own graph rides along, times 0, so that the kinks f crosses (relu, abs)
            # are seen as kinks; a branch inside a derivative leaves no op to see.
            return grad(out, xs, create_graph=True)[i] + out * 0.0

        report = gradcheck(component, inputs, eps=eps, atol=atol, rtol=rtol, raise_on_failure=False)
        for r in report.rows:
            entry = f"d²f/d{names[i]}d{names[r.index]}"
            rows.append(replace(r, index=len(rows), label=entry))
        notes += [n for n in report.notes if n not in notes]
    result = GradcheckReport(rows, eps, atol, rtol, notes, "gradgradcheck", "entry")
    if raise_on_failure and not result.ok:
        raise GradcheckError(result)
    return result
