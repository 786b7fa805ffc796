"""Check backward's gradients against central finite differences.

``gradcheck(f, inputs)`` evaluates ``f`` at the inputs, backpropagates, and compares
each input's gradient with ``(f(x + eps) - f(x - eps)) / (2 eps)``. The defaults are
PyTorch's for float64: eps 1e-6, atol 1e-5, rtol 1e-3.

A finite difference is only meaningful where the function is smooth. Ops with a kink
(relu, abs, step) declare a ``branch`` in the op table; when the graphs built at
``x + eps`` and ``x - eps`` take different branches (or have different shapes, because
``f`` branches on data in Python), that input is reported as *not differentiable here*
instead of as a failure.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from ..core.autodiff import topological_order
from ..core.numbers import check_number as _check_number
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


@dataclass(frozen=True)
class GradcheckReport:
    """The per-input comparison table; ``str(report)`` prints it aligned."""

    rows: list[GradcheckRow]
    eps: float
    atol: float
    rtol: float
    notes: list[str] = field(default_factory=list)

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
        if failed:
            head = f"gradcheck: {failed} of {len(self.rows)} inputs disagree"
        elif skipped:
            head = (
                f"gradcheck: no input disagrees; {skipped} of {len(self.rows)} could not "
                "be checked here"
            )
        else:
            head = f"gradcheck: all {len(self.rows)} inputs agree"
        head += f" (eps={self.eps:g}, atol={self.atol:g}, rtol={self.rtol:g})"
        table = [("input", "label", "value", "analytic", "numeric", "abs err", "rel err", "status")]
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
    if any(r.status == "kink" for r in rows):
        notes.append(
            "kink: a relu/abs/step (or Python control flow in f) changes branch "
            "within eps of this point, where the derivative is not defined"
        )
    if any(r.status == "domain" for r in rows):
        notes.append("domain: f is not defined at x ± eps for this input")
    report = GradcheckReport(rows, eps, atol, rtol, notes)
    if raise_on_failure and not report.ok:
        raise GradcheckError(report)
    return report


def _call(f: Function, values: list[Value]) -> Value:
    out = f(values)
    if not isinstance(out, Value):
        raise TypeError(f"gradcheck: f must return a Value, got {type(out).__name__} ({out!r})")
    return out


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


def _signature(root: Value, inputs: list[Value]) -> tuple:
    """The graph's shape, its constants and the side of every kink it sits on.

    Two evaluations with equal signatures ran the same straight-line computation,
    so the function is smooth between them.
    """
    order, _ = topological_order(root)
    index = {v: ("input", i) for i, v in enumerate(inputs)}
    index.update((node, ("node", i)) for i, node in enumerate(order))
    parts: list[object] = []
    for node in order:
        op = node._op
        parents = tuple(index.get(p, ("leaf", p.data)) for p in node._parents)
        side = op.side(*(p.data for p in node._parents)) if op.side is not None else None
        parts.append((op.name, op.value, parents, side))
    return tuple(parts)


def _evaluate(f: Function, points: list[float]) -> tuple[float, tuple]:
    inputs = [Value(x) for x in points]
    out = _call(f, inputs)
    return out.data, _signature(out, inputs)


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
    def row(numeric: float | None, status: str) -> GradcheckRow:
        abs_err = None if numeric is None else abs(analytic - numeric)
        rel_err = None if numeric is None else abs_err / max(abs(numeric), 1e-300)
        return GradcheckRow(i, label, points[i], analytic, numeric, abs_err, rel_err, status)

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
    if not sig_high == sig_low == sig_mid:
        return row(numeric, "kink")
    ok = abs(analytic - numeric) <= atol + rtol * abs(numeric)
    return row(numeric, "ok" if ok else "FAIL")
