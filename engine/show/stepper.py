"""Backprop one chain-rule application at a time: step records, a trace table, frames.

``backprop_steps(root)`` *is* the backward pass: it drives the same generator
``backward(root)`` runs to the end (``engine.backward_pass``), stopping after every
node to hand back a ``BackpropStep`` saying what happened there: the upstream
gradient dL/d(node), and for each operand the local derivative, the contribution
upstream · local and the operand's grad before and after. Its text is the chain rule
written out with the graph's own names::

    dL/dw1 += dL/dn · ∂n/∂w1 = 0.5 · 2 = 1

Two kinds of derivative, written differently on purpose: ``∂n/∂w1`` is the *local*
derivative of one op (here n = w1·x1, so ∂n/∂w1 = x1), known as soon as the op ran;
``dL/dw1`` is the gradient of the final result L, which the backward pass builds up by
adding one such product for every path from L down to w1.

In Jupyter a step displays as the graph at that moment: the node being processed and
its arrows highlighted, grads not reached yet shown as ``?``, grads still collecting
contributions as ``0.5+...``. ``backprop_table`` lists every step as one row;
``export_backprop_html`` writes all frames into one HTML page. Those two only look:
they run the pass and then put every ``.grad`` back as it was.

Unlabelled Values get generated names so every line can be read against the picture:
the root is ``L``, other results ``n1, n2, …`` and unlabelled inputs ``x1, x2, …``
(numbered operands first; names a label already uses are skipped). Constants, the
numbers written into an op such as the 2 in ``x * 2``, are named by their value; their
grads are computed (backward computes them too) but left out of the text.
"""

from __future__ import annotations

import html
import inspect
import math
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.autodiff import backward_pass, topological_order
from ..core.names import graph_names
from ..core.numbers import check_number as _check_number
from ..core.ops import NARY, Op
from ..core.value import Value
from .draw import (
    DEFAULT_MAX_NODES,
    Overlay,
    ValueGraph,
    draw_dot,
    format_number,
    node_role,
    text_points,
)
from .formula import factor, wrap

__all__ = [
    "BackpropStep",
    "BackpropSteps",
    "BackpropTable",
    "ParentUpdate",
    "backprop_steps",
    "backprop_table",
]

SUM_TERMS_SHOWN = 8  # a longer sum's formula shows its first terms, "…" and its last
PENDING = "?"  # the grad text of a Value backward has not reached yet
# Appended to a grad that still waits for contributions. ASCII on purpose: Graphviz
# sizes text with its own font metrics, which lack "…", so "…" would overflow its box.
PARTIAL = "+..."


class CarriedGradWarning(UserWarning):
    """Leaves held grads from an earlier backward when a pass began: it adds to them."""


@dataclass(frozen=True, eq=False)
class ParentUpdate:
    """What one step added to one operand's grad: ``contribution = upstream * local``."""

    parent: Value
    name: str
    position: int  # which operand of the op: 0 for a, 1 for b, i for the i-th term of a sum
    local: float  # ∂node/∂parent, from the op's ``local`` function
    contribution: float  # what was added to parent.grad
    before: float  # parent.grad before this step
    after: float  # parent.grad after this step
    constant: bool  # a number written into the op (the 2 in x * 2): left out of the text


@dataclass(frozen=True, eq=False)
class BackpropStep:
    """One node of backward: the chain rule applied to each of its operands.

    ``index`` counts from 1 to ``total``. ``upstream`` is dL/d(node), final by the
    time backward reaches the node. ``text`` is the step as chain-rule lines; in
    Jupyter the step shows as the graph at that moment (see ``frame``).
    """

    index: int
    total: int
    node: Value
    name: str
    op: Op
    upstream: float
    updates: tuple[ParentUpdate, ...]
    _trace: _Trace = field(repr=False)  # shared with the other steps; holds no step

    @property
    def root_name(self) -> str:
        """The name of the Value backward started from (``L`` when it has no label)."""
        return self._trace.root_name

    @property
    def formula(self) -> str:
        """How the node was computed, with names: ``n1 = x1 * w1``."""
        return f"{wrap(self.name)} = {self.op.forward_text(operand_names(self))}"

    @property
    def lines(self) -> list[str]:
        """One chain-rule line per operand (constants left out): what was added, and why.

        ``dL/dw1 += dL/dn · ∂n/∂w1 = 0.5 · 2 = 1``; when the operand already had a grad
        the line ends with the running sum: ``, so dL/dx = 0.5 + 1 = 1.5``.
        """
        return [self._line(u) for u in shown_updates(self)]

    @property
    def text(self) -> str:
        """The chain-rule lines of this step, one per line."""
        return "\n".join(self.lines)

    @property
    def local_lines(self) -> list[str]:
        """Where each local derivative comes from, printed from the op's derivative.

        ``∂o/∂n = 1 - tanh(n)² = 1 - o² = 0.5``: the formula with the graph's names,
        then its value.
        """
        return [self._local_line(u) for u in shown_updates(self)]

    @property
    def headline(self) -> str:
        """``step 4 of 5: n1 = x1 * w1``."""
        return f"step {self.index} of {self.total}: {self.formula}"

    def frame(self, **options: Any) -> ValueGraph:
        """The graph after this step: this node highlighted, grads final, partial or ``?``.

        ``options`` are ``draw_dot``'s (``rankdir``, ``edge_derivatives``, ...).
        """
        return self._trace.frame(self.index, **options)

    def _line(self, u: ParentUpdate) -> str:
        root, node, parent = self.root_name, wrap(self.name), wrap(u.name)
        line = (
            f"d{root}/d{parent} += d{root}/d{node} · ∂{node}/∂{parent} = "
            f"{format_number(self.upstream)} · {factor(u.local)} = "
            f"{format_number(u.contribution)}"
        )
        if u.before != 0.0:
            # A leaf that came in with a grad from an earlier pass adds up to x.grad, which
            # is then no longer d(root)/dx alone: the text says which it is.
            total = f"{parent}.grad" if u.parent in self._trace.carried else f"d{root}/d{parent}"
            line += (
                f", so {total} = {format_number(u.before)} + "
                f"{factor(u.contribution)} = {format_number(u.after)}"
            )
        return line

    def _local_line(self, u: ParentUpdate) -> str:
        node, parent = wrap(self.name), wrap(u.name)
        if getattr(self.op, "handwritten", False):
            return (
                f"∂{node}/∂{parent} = {format_number(u.local)} as {self.op.name}'s _backward "
                "applied it; gradstep cannot check it: the op was written the micrograd way, "
                "its math inside the closure. engine.define_op gives the formula"
            )
        forms = self.op.derivative_forms(u.position, operand_names(self, u.position))
        value = format_number(u.local)
        if forms[-1] != value:
            forms.append(value)
        line = " = ".join([f"∂{node}/∂{parent}", *forms])
        if sum(v.parent is u.parent for v in self.updates) > 1:
            where = f"term {u.position + 1}" if self.op.arity == NARY else self.op.names[u.position]
            line += f"   (through {where}: {parent} is used more than once here)"
        return line

    def __str__(self) -> str:
        return "\n".join([self.headline, *("  " + line for line in self.lines)])

    def __repr__(self) -> str:
        return f"<BackpropStep {self.index}/{self.total} {self.formula}>"

    def _repr_html_(self) -> str:
        """Jupyter: the headline, the chain-rule lines and the graph of this moment."""
        return self._trace.frame_html(self.index)


class BackpropSteps(Iterator[BackpropStep]):
    """The iterator ``backprop_steps`` returns; ``total`` is the number of steps."""

    def __init__(self, root: Value, grad: float = 1.0, where: str = "backprop_steps") -> None:
        if not isinstance(root, Value):
            raise TypeError(
                f"{where}: expected a Value (the result to backpropagate from, e.g. "
                f"the loss), got {type(root).__name__} ({root!r:.60})"
            )
        seed = _check_number(grad, "backprop_steps(grad=...)")
        order, leaves = topological_order(root)
        self._total = len(order)
        self._done = 0
        # backward's own pass; its first next() resets the results and seeds the root,
        # then it waits at the first node. Each later next() applies one chain rule.
        self._pass = backward_pass(root, seed)
        self._waiting: Value | None = next(self._pass, None)
        self._trace = _Trace(root, order, leaves)
        for note in self._trace._carried_note():
            warnings.warn(
                f"{where}: {note.removeprefix('Note: ')}",
                CarriedGradWarning,
                stacklevel=_outside_engine(),
            )

    @property
    def total(self) -> int:
        """How many steps the pass has: one per Value an op computed."""
        return self._total

    @property
    def names(self) -> dict[Value, str]:
        """The name every Value goes by in the steps' text and frames."""
        return dict(self._trace.names)

    @property
    def steps(self) -> list[BackpropStep]:
        """The steps taken so far."""
        return [self._trace.step(i) for i in range(1, len(self._trace.records) + 1)]

    def __iter__(self) -> BackpropSteps:
        return self

    def __next__(self) -> BackpropStep:
        node = self._waiting
        if node is None:
            raise StopIteration
        self._done += 1
        before = [p.grad for p in node._parents]
        upstream = node.grad
        # Apply this node's chain rule (the op's backward kernel); the pass then waits
        # at the next node, or finishes (checking that every leaf grad is finite).
        self._waiting = next(self._pass, None)
        return self._trace.record(node, self._done, upstream, before)

    def frame(self, index: int = 0, **options: Any) -> ValueGraph:
        """The graph after step ``index`` (0: before the first step, the root seeded)."""
        return self._trace.frame(index, **options)

    def __repr__(self) -> str:
        return f"<BackpropSteps {self._done} of {self.total} done, from {self._trace.root_name}>"


def _outside_engine() -> int:
    """The stacklevel of the first caller outside the engine package: the learner's line."""
    package = Path(__file__).resolve().parent.parent
    here = inspect.currentframe()
    frame, level = (here.f_back if here else None), 1
    del here  # a frame held in its own locals would be a reference cycle
    while frame is not None and Path(frame.f_code.co_filename).resolve().is_relative_to(package):
        frame, level = frame.f_back, level + 1
    return level


def backprop_steps(root: Value, grad: float = 1.0) -> BackpropSteps:
    """Backward from ``root`` one node at a time; each ``next()`` performs one step.

    Creating the iterator starts the pass exactly as ``backward`` does: the grads of
    the Values ops computed are reset to 0, ``root.grad`` gets ``grad`` added, and the
    leaves' grads are kept (they accumulate, as in PyTorch: after ``loss.backward()``
    call ``loss.zero_grad()`` before stepping, or every leaf ends at twice its
    gradient; a ``CarriedGradWarning`` says so when it happens). Each step then applies
    the chain rule at one node, in the order ``backward`` uses, with the same float
    arithmetic, so after the last step every ``.grad`` equals what ``backward`` gives
    (and, as there, a leaf grad that overflowed to inf raises OverflowError)::

        for step in backprop_steps(loss):
            print(step)
    """
    return BackpropSteps(root, grad)


# ----------------------------------------------------------------------------------
# The shared record of one pass: names, uses, the steps so far, and the frames.


@dataclass(frozen=True, eq=False)
class _Record:
    """What the pass did at one node; the trace keeps these, not the steps that point to it."""

    node: Value
    upstream: float
    updates: tuple[ParentUpdate, ...]


class _Trace:
    """What the steps of one pass share: names, how often each Value is used, the steps."""

    def __init__(self, root: Value, order: list[Value], leaves: list[Value]) -> None:
        self.root = root
        self.total = len(order)
        self.root_grad = root.grad
        self.names = _names(root)
        self.root_name = wrap(self.names[root])
        self.constants = {v for v in leaves if node_role(v, root) == "constant"}
        # Leaves keep grads from earlier passes (they accumulate); the start frame says so.
        self.carried = {
            v: v.grad for v in leaves if v.grad != 0.0 and v is not root and v not in self.constants
        }  # their grads when the pass began
        self.uses: dict[Value, int] = {}
        for node in order:
            for p in node._parents:
                self.uses[p] = self.uses.get(p, 0) + 1
        self.records: list[_Record] = []

    def record(self, node: Value, index: int, upstream: float, before: list[float]) -> BackpropStep:
        """Write down the chain rule the pass just applied at ``node``, operand by operand.

        ``before`` holds the operands' grads before the kernel ran. The contributions
        are upstream · local, the same float products the kernel added, one operand at
        a time (an operand used twice, as in x * x, gets both, in order).
        """
        op = node._operation
        parents = node._parents
        if getattr(op, "handwritten", False):
            local = _applied(parents, before, upstream)
        else:
            local = op.local(node.data, *(p.data for p in parents))
        running = {p: g for p, g in zip(parents, before, strict=True)}
        updates = []
        for position, (p, d) in enumerate(zip(parents, local, strict=True)):
            contribution = upstream * d
            after = running[p] + contribution
            updates.append(
                ParentUpdate(
                    p,
                    self.names[p],
                    position,
                    d,
                    contribution,
                    running[p],
                    after,
                    p in self.constants,
                )
            )
            running[p] = after
        self.records.append(_Record(node, upstream, tuple(updates)))
        return self.step(index)

    def step(self, index: int) -> BackpropStep:
        """Step ``index`` (from 1) as a BackpropStep; made on demand, so the trace holds none."""
        r = self.records[index - 1]
        node = r.node
        return BackpropStep(
            index, self.total, node, self.names[node], node.op, r.upstream, r.updates, self
        )

    def overlay(self, index: int) -> Overlay:
        """The drawing's changes after step ``index``: grads final, partial or ``?``."""
        if not 0 <= index <= len(self.records):
            raise IndexError(
                f"frame: step {index} does not exist yet; steps taken: {len(self.records)} "
                f"of {self.total} (0 is the start, before the first step)"
            )
        received: dict[Value, tuple[int, float]] = {}
        for step in self.records[:index]:
            for u in step.updates:
                count, _ = received.get(u.parent, (0, 0.0))
                received[u.parent] = (count + 1, u.after)
        grads = {self.root: format_number(self.root_grad)}
        for v in self.names:
            if v is self.root:
                continue
            count, after = received.get(v, (0, 0.0))
            if count == 0:
                grads[v] = PENDING
            else:
                partial = count < self.uses.get(v, 0)
                grads[v] = format_number(after) + (PARTIAL if partial else "")
        current = self.records[index - 1] if index else None
        return Overlay(
            # Labels stay draw_dot's (it shortens them inside scope boxes); only the
            # generated names are added.
            names={v: name for v, name in self.names.items() if not v.label},
            grads=grads,
            current=current.node if current else None,
            updated=frozenset(u.parent for u in current.updates) if current else frozenset(),
            number_width=self.number_width(),
        )

    def number_width(self) -> int:
        """A number column wide enough for every grad text of every frame.

        Frames must share one layout, so nodes may not grow as their grads arrive:
        the column is sized once, from the widest text any frame shows (an upper
        bound on Helvetica's widths at 11 points: 0.6 em a character). Only steps
        taken so far are known, so frames drawn mid-pass may be narrower than later ones.
        """
        texts = [format_number(self.root_grad)]
        received: dict[Value, int] = {}
        for step in self.records:
            for u in step.updates:
                received[u.parent] = count = received.get(u.parent, 0) + 1
                partial = count < self.uses[u.parent]
                texts.append(format_number(u.after) + (PARTIAL if partial else ""))
        for v in self.names:
            texts.append(format_number(v.data))
        widest = max(text_points(t) for t in texts)
        return max(42, math.ceil(widest) + 6)

    def frame(self, index: int, **options: Any) -> ValueGraph:
        options.setdefault("max_nodes", DEFAULT_MAX_NODES)
        return draw_dot(self.root, overlay=self.overlay(index), **options)

    def frame_html(self, index: int) -> str:
        """A step (or the start, index 0) as HTML: its text above its graph as SVG."""
        from .dot_exe import GraphvizNotFoundError

        head, lines = self.caption(index)
        try:
            graph = self.frame(index).pipe(format="svg", encoding="utf-8")
        except GraphvizNotFoundError as error:
            graph = f"<pre>(graph not drawn) {html.escape(str(error))}</pre>"
        body = "".join(f"<div>{html.escape(line)}</div>" for line in lines)
        return (
            f'<div><div style="font-weight:bold">{html.escape(head)}</div>'
            f'<div style="font-family:monospace;margin:4px 0 8px 0">{body}</div>'
            f"{_strip_xml_header(graph)}</div>"
        )

    def caption(self, index: int) -> tuple[str, list[str]]:
        """The headline and text lines shown with frame ``index``."""
        if index == 0:
            name = self.root_name
            return (
                f"start: d{name}/d{name} = {format_number(self.root_grad)}",
                [
                    f"Backward starts at {name} with the seed d{name}/d{name} = "
                    f"{format_number(self.root_grad)}; every other grad is still unknown (?).",
                    f"{self.total} steps follow, one per Value an op computed, from {name} "
                    "back to the inputs.",
                    f"Each step adds d{name}/d(node) · ∂node/∂operand to an operand's grad: "
                    "∂ is the local derivative of that one op, d the gradient built up so far.",
                    *self._carried_note(),
                ],
            )
        step = self.step(index)
        return step.headline, step.lines + [f"  ({line})" for line in step.local_lines]

    def _carried_note(self) -> list[str]:
        """A warning line when leaves start with grads left from an earlier pass."""
        if not self.carried:
            return []
        carried = list(self.carried.items())
        shown = ", ".join(f"{wrap(self.names[v])} = {format_number(g)}" for v, g in carried[:3])
        more = f" and {len(self.carried) - 3} more" if len(self.carried) > 3 else ""
        return [
            f"Note: some inputs still hold grads from an earlier backward ({shown}{more}). "
            "Leaves add up their grads over passes, so this pass adds to them and the "
            f"grads it shows are not d{self.root_name}/d(input) alone. To see this pass "
            "alone, call zero_grad() on the result first (y.zero_grad(), or "
            "model.zero_grad()), then step through it."
        ]


def _strip_xml_header(svg: str) -> str:
    start = svg.find("<svg")
    return svg[start:] if start >= 0 else svg


def _applied(parents: tuple[Value, ...], before: list[float], upstream: float) -> list[float]:
    """A hand-written op's local derivatives as its closure applied them: Δgrad / upstream.

    The closure ran already; what it added to each operand, over the upstream gradient,
    is the derivative it used (an operand used twice gets it all at its first place).
    """
    first = {}
    for i, p in enumerate(parents):
        first.setdefault(p, i)
    return [
        (p.grad - before[i]) / upstream if first[p] == i and upstream != 0.0 else 0.0
        for i, p in enumerate(parents)
    ]


# ----------------------------------------------------------------------------------
# Names and text.


def _names(root: Value) -> dict[Value, str]:
    """A name for every Value under ``root``: ``engine.core.names.graph_names``, with
    constants named by their value."""
    names = graph_names(root, is_constant=lambda v: node_role(v, root) == "constant")
    for v in names:
        if node_role(v, root) == "constant":
            names[v] = format_number(v.data)
    return names


def operand_names(step: BackpropStep, position: int | None = None) -> dict[str, str]:
    """The graph's names for the variables of the op's expressions (a, b, out, xs, x)."""
    names = {"out": wrap(step.name)}
    terms = [wrap(u.name) for u in step.updates]
    if step.op.arity == NARY:
        if len(terms) > SUM_TERMS_SHOWN:
            names["xs"] = " + ".join([*terms[:3], "…", terms[-1]]) + f"  ({len(terms)} terms)"
        else:
            names["xs"] = " + ".join(terms)
        if position is not None:
            names["x"] = terms[position]
    else:
        names.update(zip(step.op.names, terms, strict=False))
    return names


# ----------------------------------------------------------------------------------
# The trace table.


@dataclass(frozen=True)
class BackpropTable:
    """Every step of one backward pass, one row each; prints as aligned text.

    ``columns`` and ``rows`` hold the cells as text; ``steps`` the step records;
    ``notes`` come first (grads carried from an earlier pass). In Jupyter it displays
    as an HTML table.
    """

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    steps: tuple[BackpropStep, ...] = field(repr=False)
    notes: tuple[str, ...] = ()

    def __str__(self) -> str:
        table = [self.columns, *self.rows]
        widths = [max(len(row[i]) for row in table) for i in range(len(self.columns))]
        numeric = {0, 3}

        def fmt(row: tuple[str, ...]) -> str:
            cells = [
                cell.rjust(w) if i in numeric else cell.ljust(w)
                for i, (cell, w) in enumerate(zip(row, widths, strict=True))
            ]
            return "  ".join(cells).rstrip()

        rule = "  ".join("-" * w for w in widths)
        return "\n".join([*self.notes, fmt(self.columns), rule, *(fmt(r) for r in self.rows)])

    __repr__ = __str__

    def _repr_html_(self) -> str:
        head = "".join(f"<th style='text-align:left'>{html.escape(c)}</th>" for c in self.columns)
        body = "".join(
            "<tr>"
            + "".join(f"<td style='text-align:left'>{html.escape(c)}</td>" for c in row)
            + "</tr>"
            for row in self.rows
        )
        notes = "".join(f"<p>{html.escape(n)}</p>" for n in self.notes)
        return f"{notes}<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def backprop_table(root: Value, grad: float = 1.0) -> BackpropTable:
    """Run backward from ``root`` step by step and list the steps, one row each.

    Columns: the step number, the node (``n1 = x1 * w1``), its op, the upstream
    gradient dL/d(node), each operand's local derivative ∂node/∂operand, and each
    operand's grad after the step (``+...``: more contributions still to come). The
    pass runs to fill the table, then every ``.grad`` is put back: looking at the
    table changes nothing (``backprop_steps`` is the pass that sets them).
    """
    with grads_kept(root):
        stepper = BackpropSteps(root, grad, where="backprop_table")
        steps = tuple(stepper)
    name = stepper._trace.root_name
    columns = (
        "step",
        "node",
        "op",
        f"d{name}/dnode",
        "local derivatives ∂node/∂operand",
        "operand grads after the step",
    )
    uses = stepper._trace.uses
    received: dict[Value, int] = {}
    rows = []
    for s in steps:
        locals_, afters = [], []
        shown = {id(u) for u in shown_updates(s)}
        for u in s.updates:
            received[u.parent] = received.get(u.parent, 0) + 1
            if id(u) in shown:
                partial = received[u.parent] < uses[u.parent]
                locals_.append(f"{wrap(u.name)}: {format_number(u.local)}")
                afters.append(f"{wrap(u.name)}: {format_number(u.after)}{PARTIAL * partial}")
        op = s.op.name if s.op.value is None else f"{s.op.name}({s.op.value:g})"
        rows.append(
            (
                str(s.index),
                s.formula,
                op,
                format_number(s.upstream),
                ", ".join(locals_),
                ", ".join(afters),
            )
        )
    return BackpropTable(columns, tuple(rows), steps, tuple(stepper._trace._carried_note()))


@contextmanager
def grads_kept(root: Value) -> Iterator[None]:
    """Run a pass for a look only: every ``.grad`` under ``root`` is restored afterwards."""
    if not isinstance(root, Value):
        raise TypeError(
            "backprop_table: expected a Value (the result to backpropagate from, e.g. "
            f"the loss), got {type(root).__name__} ({root!r:.60})"
        )
    order, leaves = topological_order(root)
    saved = [(v, v.grad) for v in (*order, *leaves)]
    try:
        yield
    finally:
        for v, g in saved:
            v.grad = g


def shown_updates(step: BackpropStep) -> list[ParentUpdate]:
    """The updates a step's text shows: constants' grads are left out."""
    return [u for u in step.updates if not u.constant] or list(step.updates)
