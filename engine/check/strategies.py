"""Hypothesis strategies for property-testing gradients, yours and ours.

``graphs()`` draws random expression graphs over the op table: any op, shared
sub-expressions, nodes reused as operands several times. Each node's operands are
chosen so that the op is inside its domain and away from its edge (x ** 1.5 near 0,
where the slope changes faster than finite differences can follow), away from its kink
(relu, abs, step at 0), and its local derivative and output stay moderate, so finite
differences are a fair judge. A drawn ``RandomGraph`` rebuilds the same expression over any leaves::

    from hypothesis import given
    from engine import Value, gradcheck
    from engine.testing import graphs

    @given(graphs(max_nodes=30))
    def test_my_backward(g):
        gradcheck(g.build, g.inputs)   # g.build: list[Value] -> Value

Ops added to the table are covered automatically: the strategy reads ``OPS``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

try:
    from hypothesis import strategies as st
except ImportError as error:  # hypothesis is a test dependency, not a runtime one
    raise ImportError(
        "engine.testing needs hypothesis, which is in gradstep's test dependency group: in "
        "a clone run your command with `.uv/bin/uv run --group test ...` (see the README's "
        "Start), or `pip install hypothesis`"
    ) from error

from ..core.ops import OPS, Op
from ..core.value import Value, apply

# Bounds that keep finite differences honest: eps = 1e-6 against curvature.
MAX_ABS = 1e3  # |out| of any node
MAX_DERIV = 50.0  # |d out / d operand| of any node
KINK_MARGIN = 1e-2  # distance from a kink, relative to 1 + |input|
EXPONENTS = (2.0, 3.0, -1.0, 0.5, 1.5, -2.0, 0.0, 1.0)


@dataclass(frozen=True)
class Step:
    """One node of a random graph: an op applied to earlier nodes (by index)."""

    op: Op
    operands: tuple[int, ...]


@dataclass(frozen=True)
class RandomGraph:
    """A random expression: ``inputs`` (floats) and the ``steps`` that combine them."""

    inputs: list[float]
    steps: list[Step]

    def build(self, values: Sequence[Value | float]) -> Value:
        """The expression over ``values`` (one per input); returns its root.

        The root adds up every node nothing else used, so every node matters.
        """
        if len(values) != len(self.inputs):
            raise ValueError(f"build: expected {len(self.inputs)} values, got {len(values)}")
        nodes: list[Any] = [v if isinstance(v, Value) else Value(v) for v in values]
        for step in self.steps:
            nodes.append(apply(step.op, *(nodes[i] for i in step.operands)))
        used = {i for step in self.steps for i in step.operands}
        sinks = [n for i, n in enumerate(nodes) if i not in used]
        return sinks[0] if len(sinks) == 1 else apply(OPS["sum"], *sinks)

    @property
    def ops(self) -> list[str]:
        return [step.op.name for step in self.steps]

    def __repr__(self) -> str:
        names = [f"x{i}" for i in range(len(self.inputs))]
        lines = [f"inputs {dict(zip(names, self.inputs, strict=True))}"]
        for step in self.steps:
            args = ", ".join(names[i] for i in step.operands)
            names.append(f"n{len(names) - len(self.inputs)}")
            lines.append(f"{names[-1]} = {step.op!r}({args})")
        return "RandomGraph(" + "; ".join(lines) + ")"


def _forward(op: Op, args: tuple[float, ...]) -> float | None:
    """The op's output on floats, or None when it is outside the safe region."""
    try:
        if not _well_inside_domain(op, args):
            return None
        out = op.evaluate(*args)
        if not abs(out) <= MAX_ABS:
            return None
        local = op.local(out, *args)
    except (ArithmeticError, ValueError):
        return None
    if any(not abs(d) <= MAX_DERIV for d in local):
        return None
    if op.branch is not None and not _away_from_kink(op, args):
        return None
    return out


def _well_inside_domain(op: Op, args: tuple[float, ...]) -> bool:
    """In the domain, and still in it with any one operand moved by the kink margin."""
    if not op.in_domain(*args):
        return False
    for i, x in enumerate(args):
        margin = KINK_MARGIN * (1.0 + abs(x))
        for moved in (x - margin, x + margin):
            if not op.in_domain(*args[:i], moved, *args[i + 1 :]):
                return False
    return True


def _away_from_kink(op: Op, args: tuple[float, ...]) -> bool:
    a = args[0]
    margin = KINK_MARGIN * (1.0 + abs(a))
    return op.side(a - margin) == op.side(a) == op.side(a + margin)


def _candidate_ops(names: Sequence[str] | None) -> list[Op]:
    chosen = [OPS[n] for n in names] if names is not None else list(OPS.values())
    ops: list[Op] = []
    for op in chosen:
        ops.extend(op.bind(c) for c in EXPONENTS) if op.param is not None else ops.append(op)
    return ops


@st.composite
def graphs(
    draw: st.DrawFn,
    max_nodes: int = 20,
    ops: Sequence[str] | None = None,
    min_inputs: int = 1,
    max_inputs: int = 4,
    require: str | None = None,
) -> RandomGraph:
    """A random expression graph over ``ops`` (default: the whole table).

    ``require`` names an op that must appear at least once (each op's own test uses
    it). Inputs are drawn from [-3, 3].
    """
    unknown = [n for n in list(ops or []) + ([require] if require else []) if n not in OPS]
    if unknown:
        raise ValueError(f"graphs: unknown op(s) {unknown}; known: {sorted(OPS)}")
    n_inputs = draw(st.integers(min_inputs, max_inputs))
    inputs = draw(st.lists(st.floats(-3.0, 3.0), min_size=n_inputs, max_size=n_inputs))
    data = list(inputs)
    steps: list[Step] = []
    pool = _candidate_ops(ops)
    required = _candidate_ops([require]) if require else []
    for k in range(draw(st.integers(1, max_nodes))):
        must = required if (require and k == 0) else pool
        step = _draw_step(draw, must, data)
        if step is None:
            continue
        steps.append(step)
        data.append(_forward(step.op, tuple(data[i] for i in step.operands)))
    if require and not any(s.op.name == require for s in steps):
        from hypothesis import assume

        assume(False)
    return RandomGraph(inputs, steps)


def _draw_step(draw: st.DrawFn, pool: list[Op], data: list[float]) -> Step | None:
    """Draw an op and operands that keep the graph in its safe region."""
    op = draw(st.sampled_from(pool))
    n = len(data)
    recent = st.integers(max(0, n - 4), n - 1)  # favour depth over width
    any_node = st.integers(0, n - 1)
    index = st.one_of(recent, any_node)
    arity = draw(st.integers(1, 4)) if op.arity == -1 else op.arity
    for _ in range(8):
        operands = tuple(draw(index) for _ in range(arity))
        if _forward(op, tuple(data[i] for i in operands)) is not None:
            return Step(op, operands)
    return None
