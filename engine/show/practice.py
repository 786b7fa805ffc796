"""Practice mode: do the backward pass by hand, and be told which step went wrong.

``engine.practice(root)`` shows root's graph with the forward values known and the
grads hidden. The learner works out dL/d(node) for every node and hands the numbers
to ``check``; the report says, node by node in backward order, what was expected,
what was given, ``ok`` / ``wrong`` / ``missing``, and for a wrong answer a hint that
names the likely mistake:

* a Value used twice whose contributions were not added up;
* the upstream gradient handed down without the local derivative;
* a sign error;
* a local derivative with the op's input where its output belongs (tanh's ``1 - n²``
  instead of ``1 - o²``);
* a wrong answer carried down from an earlier wrong one (which is named).

Nothing is recomputed here: the expected grads are one run of the backward pass
(``backprop_steps``, the same generator ``backward`` runs), and the hints are built
from its records and the op table's derivative expressions. Looking changes nothing:
every ``.grad`` of the learner's graph is as it was afterwards.
"""

from __future__ import annotations

import ast
import html
import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from ..core.autodiff import topological_order, zero_grad
from ..core.floatmath import NAMES
from ..core.handwritten import refuse_handwritten
from ..core.numbers import check_number
from ..core.ops import NARY
from ..core.value import Value
from .chain import Use, sum_line, uses_by_value
from .draw import (
    DEFAULT_MAX_NODES,
    Overlay,
    ValueGraph,
    draw_dot,
    format_number,
    text_points,
)
from .formula import wrap
from .stepper import backprop_steps, grads_kept, operand_names

__all__ = ["DEFAULT_REL_TOL", "Practice", "PracticeReport", "Verdict", "practice"]

DEFAULT_REL_TOL = 1e-3  # hand arithmetic with four-digit numbers is about this close

# The mistakes a hint can name (``Verdict.mistake``).
CARRIED = "carried"
NOT_SUMMED = "not summed"
NOT_MULTIPLIED = "not multiplied"
INPUT_FOR_OUTPUT = "input for output"
SIGN = "sign"


@dataclass(frozen=True, eq=False)
class Verdict:
    """One node of a checked answer: what was expected, what was given, and why not.

    ``status`` is ``"ok"``, ``"wrong"`` or ``"missing"``; ``mistake`` names the
    diagnosed mistake of a wrong answer (one of ``carried``, ``not summed``, ``not
    multiplied``, ``input for output``, ``sign``), or is None when none fits.
    """

    name: str
    value: Value
    expected: float
    given: float | None
    status: str
    hint: str = ""
    mistake: str | None = None


@dataclass(frozen=True)
class PracticeReport:
    """The verdicts of ``Practice.check``, one per node in backward order."""

    rows: tuple[Verdict, ...]
    root_name: str
    rel_tol: float

    @property
    def ok(self) -> bool:
        """True when every node's answer is right."""
        return all(r.status == "ok" for r in self.rows)

    @property
    def wrong(self) -> list[Verdict]:
        """The rows answered with a wrong number, in backward order."""
        return [r for r in self.rows if r.status == "wrong"]

    @property
    def missing(self) -> list[Verdict]:
        """The rows with no answer given, in backward order."""
        return [r for r in self.rows if r.status == "missing"]

    def __getitem__(self, key: str | Value) -> Verdict:
        for r in self.rows:
            if r.value is key or (isinstance(key, str) and r.name == key):
                return r
        raise KeyError(f"PracticeReport: no row for {key!r}")

    def __str__(self) -> str:
        right = sum(r.status == "ok" for r in self.rows)
        head = f"{right} of {len(self.rows)} right" + (": all correct." if self.ok else ".")
        lines = [head]
        width = max(len(f"d{self.root_name}/d{wrap(r.name)}") for r in self.rows)
        for r in self.rows:
            left = f"d{self.root_name}/d{wrap(r.name)}".ljust(width)
            given = "-" if r.given is None else format_number(r.given)
            if r.status == "ok":
                lines.append(f"  ok       {left} = {given}")
            elif r.status == "missing":
                lines.append(f"  missing  {left}   (no answer given)")
            else:
                lines.append(f"  wrong    {left} = {given}, expected {format_number(r.expected)}")
                if r.hint:
                    lines.append(f"           hint: {r.hint}")
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        colors = {"ok": "#15803d", "wrong": "#b91c1c", "missing": "#92400e"}
        rows = []
        for r in self.rows:
            given = "" if r.given is None else format_number(r.given)
            rows.append(
                f"<tr><td><code>d{html.escape(self.root_name)}/d{html.escape(wrap(r.name))}"
                f"</code></td><td>{html.escape(given)}</td>"
                f'<td style="color:{colors[r.status]}">{r.status}</td>'
                f"<td>{html.escape(r.hint)}</td></tr>"
            )
        return (
            "<table><thead><tr><th>grad</th><th>given</th><th>verdict</th><th>hint</th></tr>"
            f"</thead><tbody>{''.join(rows)}</tbody></table>"
        )


class Practice:
    """A backward pass for the learner to do: see ``engine.practice``."""

    def __init__(self, root: Value, grad: float = 1.0, rel_tol: float = DEFAULT_REL_TOL) -> None:
        if not isinstance(root, Value):
            raise TypeError(
                "practice: expected a Value (the result to backpropagate from, e.g. the "
                f"loss), got {type(root).__name__} ({root!r:.60})"
            )
        self.rel_tol = _tolerance(rel_tol, "practice")
        seed = check_number(grad, "practice(grad=...)")
        refuse_handwritten(
            topological_order(root)[0],
            "practice",
            "practice checks your answers against each op's formula",
        )
        with grads_kept(root):
            zero_grad(root)  # the answers are dL/dx, whatever earlier passes left on leaves
            stepper = backprop_steps(root, seed)
            self.steps = tuple(stepper)
        self.root = root
        self.seed = seed
        self._trace = stepper._trace
        self.root_name = self._trace.root_name
        self.names: dict[Value, str] = dict(self._trace.names)
        self.uses: dict[Value, list[Use]] = uses_by_value(self.steps)
        constants = self._trace.constants
        # The grads asked for, in the order they become final during the pass.
        last = {v: uses[-1].step.index for v, uses in self.uses.items() if v not in constants}
        reading = {v: i for i, v in enumerate(self.names)}
        self.questions: tuple[Value, ...] = tuple(sorted(last, key=lambda v: (last[v], reading[v])))
        self._expected = {v: self.uses[v][-1].update.after for v in self.questions}
        self._expected[root] = seed

    # -- what the learner sees ----------------------------------------------------------

    def expected(self, value: Value) -> float:
        """The right grad of one node (the answer; ``solution()`` gives them all)."""
        return self._expected[value]

    def solution(self) -> dict[str, float]:
        """Every answer, by name, in backward order: what ``check`` compares with."""
        return {self.names[v]: self._expected[v] for v in self.questions}

    def formula(self, value: Value) -> str:
        """How a node was computed (``n = x1·w1 + b``), or what a leaf is."""
        for step in self.steps:
            if step.node is value:
                return step.formula
        return f"{wrap(self.names[value])} (a leaf)"

    def sum_line(self, value: Value) -> str:
        """The chain-rule sum that makes ``value``'s grad, one term per use."""
        return sum_line(
            self.root_name, self.names[value], self.uses.get(value, []), self.expected(value)
        )

    def frame(
        self, given: Mapping[Value, float | None] | None = None, wrong: Any = ()
    ) -> ValueGraph:
        """The graph with the grads hidden (``?``), or showing the learner's numbers.

        ``wrong``: Values whose grad row is shaded, as a check found them.
        """
        base = self._trace.overlay(0)
        grads = dict(base.grads)
        for v, g in (given or {}).items():
            if g is not None:
                grads[v] = format_number(g)
        # Room in the grad column for a typed answer, as wide as "-0.12345".
        width = max(base.number_width, math.ceil(text_points("-0.12345")) + 6)
        overlay: Overlay = replace(base, grads=grads, updated=frozenset(wrong), number_width=width)
        return draw_dot(self.root, overlay=overlay, max_nodes=DEFAULT_MAX_NODES)

    def question_lines(self) -> list[str]:
        """The task, without answers: what is given, then one line per grad to find."""
        name = self.root_name
        lines = [
            f"Backpropagate through {name} by hand. The forward pass is done; "
            f"d{name}/d{name} = {format_number(self.seed)} is given.",
            f"Work out d{name}/d(node) for each node, in this order:",
        ]
        rows = [(f"d{name}/d{wrap(self.names[v])} = ?", self.formula(v), v) for v in self.questions]
        width = max((len(r[0]) for r in rows), default=0)
        for left, formula, v in rows:
            lines.append(f"  {left.ljust(width)}   {formula}, data {format_number(v.data)}")
        return lines

    def __str__(self) -> str:
        lines = self.question_lines()
        lines[0] = f"Practice: {lines[0][0].lower()}{lines[0][1:]}"
        first = self.names[self.questions[0]] if self.questions else "x"
        lines.append(f"Then: p.check({{{first!r}: ..., ...}})")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<Practice: {len(self.questions)} grads to find, from {self.root_name}>"

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        """Jupyter: the practice form (ipywidgets), or the questions and how to get it."""
        from .practice_form import form_or_message

        return form_or_message(self, include, exclude)

    def form(self) -> Any:
        """The practice form as an ipywidgets box: the graph, one input per node, Check."""
        from .practice_form import practice_form

        return practice_form(self)

    # -- checking -----------------------------------------------------------------------

    def check(
        self, answers: Mapping[str | Value, float | None], rel_tol: float | None = None
    ) -> PracticeReport:
        """Compare the learner's grads with the backward pass's; a report per node.

        ``answers`` maps a node's name (its label or the generated name) or the Value
        itself to a number; a node left out (or given None) is ``missing``. An answer
        is right within ``rel_tol`` (default: the Practice's, 1e-3) of the expected grad.
        """
        tol = self.rel_tol if rel_tol is None else _tolerance(rel_tol, "Practice.check")
        given = self._resolve(answers)
        rows = []
        asked = (self.root, *self.questions) if self.root in given else self.questions
        for v in asked:
            expected, g = self._expected[v], given.get(v)
            if g is None:
                rows.append(Verdict(self.names[v], v, expected, None, "missing"))
            elif _close(g, expected, tol):
                rows.append(Verdict(self.names[v], v, expected, g, "ok"))
            else:
                mistake, hint = self._diagnose(v, g, given, tol)
                rows.append(Verdict(self.names[v], v, expected, g, "wrong", hint, mistake))
        return PracticeReport(tuple(rows), self.root_name, tol)

    def _resolve(self, answers: Mapping[str | Value, float | None]) -> dict[Value, float | None]:
        if not isinstance(answers, Mapping):
            raise TypeError(
                "Practice.check: answers must be a dict from a node's name (or the Value) to "
                f"your number, e.g. {{'n': 0.5}}; got {type(answers).__name__}"
            )
        by_name: dict[str, list[Value]] = {}
        for v, name in self.names.items():
            by_name.setdefault(name, []).append(v)
        allowed = set(self.questions) | {self.root}
        resolved: dict[Value, float | None] = {}
        for key, number in answers.items():
            if isinstance(key, Value):
                if key not in allowed:
                    raise ValueError(
                        f"Practice.check: {key!r} is not a node of this graph whose grad is "
                        "asked for (constants' grads are not)"
                    )
                v = key
            elif isinstance(key, str):
                found = [v for v in by_name.get(key, []) if v in allowed]
                if not found:
                    known = ", ".join(self.names[v] for v in self.questions)
                    raise KeyError(
                        f"Practice.check: no node named {key!r} to answer for; the names are "
                        f"{known}"
                    )
                if len(found) > 1:
                    raise KeyError(
                        f"Practice.check: {len(found)} nodes are named {key!r}; pass the Values "
                        "themselves as keys, or give them different labels"
                    )
                v = found[0]
            else:
                raise TypeError(
                    "Practice.check: a key must be a node's name (str) or the Value, got "
                    f"{type(key).__name__} ({key!r:.40})"
                )
            resolved[v] = (
                None
                if number is None
                else check_number(number, f"Practice.check: the answer for {key!r}")
            )
        return resolved

    # -- the diagnoses ------------------------------------------------------------------

    def _diagnose(
        self, v: Value, g: float, given: Mapping[Value, float | None], tol: float
    ) -> tuple[str | None, str]:
        """The likely mistake behind a wrong answer ``g`` for ``v``, and the hint.

        First: does ``g`` follow from the learner's own wrong upstream answers? Then the
        mistakes of ``mistakes(v)``, each a number computed from the right upstream grads.
        The HTML practice page runs the same steps over the same numbers and texts.
        """
        expected = self._expected[v]
        uses = self.uses[v]

        def theirs(use: Use) -> float:
            answer = given.get(use.consumer)
            return use.upstream if answer is None else answer

        wrong_above = [
            c
            for c in dict.fromkeys(u.consumer for u in uses)
            if given.get(c) is not None and not _close(given[c], self._expected[c], tol)
        ]
        if wrong_above and _close(g, math.fsum(theirs(u) * u.local for u in uses), tol):
            template, parts = self.carried_hint(v)
            upstreams = ", ".join(
                parts[c].format(given=format_number(given[c])) for c in wrong_above
            )
            return CARRIED, template.format(upstreams=upstreams)
        for mistake, number, hint in self.mistakes(v):
            if _close(g, number, tol) and not _close(number, expected, tol):
                return mistake, hint
        return None, self.fallback_hint(v)

    def fallback_hint(self, v: Value) -> str:
        """The hint when no known mistake gives the wrong number: the sum and its factors."""
        uses = self.uses[v]
        return f"{self.sum_terms(v)}; check each factor: " + "; ".join(
            u.forms_line for u in uses if not u.update.constant
        )

    def carried_hint(self, v: Value) -> tuple[str, dict[Value, str]]:
        """The hint for an answer that follows from a wrong one above, as templates.

        ``template`` has ``{upstreams}``: the wrong upstream answers, each written by its
        part (``dL/dn = {given} (expected 0.1111)``). Templates, so the HTML page fills
        them in with the learner's numbers as ``check`` does.
        """
        root = self.root_name
        template = (
            f"your d{root}/d{wrap(self.names[v])} follows correctly from your {{upstreams}}, "
            "which is wrong: fix that one first and carry the new number down; the chain "
            "rule here is right"
        )
        parts = {
            c: f"d{root}/d{wrap(self.names[c])} = {{given}} "
            f"(expected {format_number(self._expected[c])})"
            for c in dict.fromkeys(u.consumer for u in self.uses[v])
        }
        return template, parts

    def sum_terms(self, v: Value) -> str:
        """``dL/dx = dL/da · ∂a/∂x + dL/db · ∂b/∂x``: the sum without numbers."""
        uses = self.uses.get(v, [])
        return f"d{self.root_name}/d{wrap(self.names[v])} = " + " + ".join(u.term() for u in uses)

    def mistakes(self, v: Value) -> list[tuple[str, float, str]]:
        """The numbers the known mistakes give for ``v``: (mistake, number, hint), in order.

        A wrong answer close to one of these numbers (and not to the right one) is that
        mistake; the first that fits is the diagnosis.
        """
        uses = self.uses[v]
        ups = [u.upstream for u in uses]
        expected = self._expected[v]
        name = wrap(self.names[v])
        grad = f"d{self.root_name}/d{name}"
        terms = [up * u.local for up, u in zip(ups, uses, strict=True)]
        found: list[tuple[str, float, str]] = []
        if len(uses) > 1:
            where = ", ".join(dict.fromkeys(wrap(u.step.name) for u in uses))
            start = f"{name} is used {len(uses)} times (by {where}), so its grad adds one term "
            start += f"per use: {self.sum_terms(v)}; "
            for i, term in enumerate(terms):
                through = wrap(uses[i].step.name)
                found.append(
                    (
                        NOT_SUMMED,
                        term,
                        start + f"{format_number(term)} is the term through {through} alone",
                    )
                )
            for i in range(1, len(terms) - 1):
                partial = math.fsum(terms[: i + 1])
                found.append(
                    (
                        NOT_SUMMED,
                        partial,
                        start + f"{format_number(partial)} is the first {i + 1} terms only",
                    )
                )
        found.append(
            (
                NOT_MULTIPLIED,
                math.fsum(ups),
                "the upstream grad was handed down without the local derivative: "
                f"{self.sum_terms(v)}, each upstream grad times its op's local derivative ("
                + "; ".join(u.local_line for u in uses)
                + ")",
            )
        )
        for i, use in enumerate(uses):
            for operand, swapped, text in _output_swaps(use):
                number = math.fsum([*terms[:i], ups[i] * swapped, *terms[i + 1 :]])
                node = wrap(use.step.name)
                found.append(
                    (
                        INPUT_FOR_OUTPUT,
                        number,
                        f"∂{node}/∂{name} = {_computed_form(use)} is written with the op's "
                        f"output {node} = {format_number(use.consumer.data)}, not its input "
                        f"{operand} = {format_number(_operand_data(use, operand))}: you seem to "
                        f"have used {text} = {format_number(swapped)}; here ∂{node}/∂{name} = "
                        f"{format_number(use.local)}",
                    )
                )
        if expected != 0.0:
            negative = [u.local_line for u in uses if u.local < 0.0]
            where = (
                "; look at the negative factor: " + "; ".join(negative)
                if negative
                else "; check the sign of each factor of " + self.sum_terms(v)
            )
            found.append(
                (
                    SIGN,
                    -expected,
                    f"the size is right but the sign is not: {grad} is "
                    f"{'negative' if expected < 0 else 'positive'}{where}",
                )
            )
        return found


def practice(root: Value, grad: float = 1.0, rel_tol: float = DEFAULT_REL_TOL) -> Practice:
    """A backward pass for you to do by hand, checked: ``p = practice(loss)``.

    ``print(p)`` (or, in Jupyter, ``p`` alone: a form to fill in) lists the nodes in
    backward order with their forward values; work out each grad and call
    ``p.check({"n": 0.5, ...})``. ``grad`` is the seed (dL/dL). No ``.grad`` of the
    graph changes: the expected numbers come from a backward pass whose grads are
    put back afterwards.
    """
    return Practice(root, grad, rel_tol)


# ----------------------------------------------------------------------------------


def _tolerance(rel_tol: Any, where: str) -> float:
    if isinstance(rel_tol, bool) or not isinstance(rel_tol, (int, float)):
        raise TypeError(f"{where}: rel_tol must be a number such as 1e-3, got {rel_tol!r}")
    if not 0.0 < rel_tol < 1.0:
        raise ValueError(f"{where}: rel_tol must be between 0 and 1 (e.g. 1e-3), got {rel_tol!r}")
    return float(rel_tol)


def _close(a: float, b: float, tol: float) -> bool:
    """Equal within ``tol`` relatively, or within tol·1e-3 near zero (a grad of 0)."""
    return math.isclose(a, b, rel_tol=tol, abs_tol=tol * 1e-3)


def _computed_form(use: Use) -> str:
    step, u = use.step, use.update
    i = 0 if step.op.arity == NARY else u.position
    return step.op.math(step.op.derivs[i], operand_names(step, u.position))


def _operand_data(use: Use, operand: str) -> float:
    for u in use.step.updates:
        if wrap(u.name) == operand:
            return u.parent.data
    return use.update.parent.data


def _output_swaps(use: Use) -> list[tuple[str, float, str]]:
    """The op's derivative with an operand put in for ``out``: (operand, number, text).

    ``1 - out²`` (tanh) becomes ``1 - n²``: what a learner writes who takes the op's
    input for its output. Read off the op table's expression, so it holds for any op
    whose derivative is written with ``out`` (exp, tanh, σ, division, user ops).
    """
    step, u = use.step, use.update
    op = step.op
    if op.arity == NARY:
        return []
    expr = op.derivs[u.position]
    if "out" not in {
        n.id for n in ast.walk(ast.parse(expr, mode="eval")) if isinstance(n, ast.Name)
    }:
        return []
    data = [w.parent.data for w in step.updates]
    names = operand_names(step, u.position)
    swaps = []
    for var, number in zip(op.names, data, strict=False):
        env: dict[str, Any] = {**NAMES, **dict(zip(op.names, data, strict=False)), "out": number}
        if op.value is not None:
            env[op.param] = op.value
        try:
            swapped = float(eval(expr, env))  # the op table's own expression
        except (ArithmeticError, ValueError):
            continue
        text = op.math(expr, {**names, "out": names[var]})
        swaps.append((names[var], swapped, text))
    return swaps
