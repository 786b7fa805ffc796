"""A Value's grad as the chain rule's sum: one term per use, read off a recorded pass.

The backward pass gives a Value one contribution for every op that used it:
``dL/dx = dL/da · ∂a/∂x + dL/db · ∂b/∂x``. The stepper records those contributions
step by step (``BackpropStep.updates``); this module gathers them per Value, so the
practice mode can check a learner's answer against its terms and the HTML pages can
show, for any node, the sum that made its grad.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..core.value import Value
from .draw import format_number
from .formula import factor, wrap
from .stepper import (
    SUM_TERMS_SHOWN,
    BackpropStep,
    ParentUpdate,
    operand_names,
    shown_updates,
)


@dataclass(frozen=True, eq=False)
class Use:
    """One use of a Value by an op: the step at that op and what it added to the Value."""

    step: BackpropStep  # the step at the op's result (the consumer)
    update: ParentUpdate  # what the step added to the Value's grad

    @property
    def consumer(self) -> Value:
        return self.step.node

    @property
    def upstream(self) -> float:
        """dL/d(consumer): the grad the consumer hands down."""
        return self.step.upstream

    @property
    def local(self) -> float:
        """∂consumer/∂value, the op's local derivative."""
        return self.update.local

    @property
    def local_line(self) -> str:
        """``∂o/∂n = 1 - tanh(n)² = 1 - o² = 0.5``: the derivative's forms, from the op."""
        return self.step._local_line(self.update)

    @property
    def forms_line(self) -> str:
        """``∂o/∂n = 1 - tanh(n)² = 1 - o²``: the same without its number."""
        return forms_line(self.step, self.update)

    def term(self) -> str:
        """``dL/dc · ∂c/∂x``: this use's term of the sum, in names."""
        root, node, name = self.step.root_name, wrap(self.step.name), wrap(self.update.name)
        return f"d{root}/d{node} · ∂{node}/∂{name}"

    def numbers(self) -> str:
        """``0.5 · 2``: the term in numbers."""
        return f"{factor(self.upstream)} · {factor(self.local)}"


def forms_line(step: BackpropStep, u: ParentUpdate) -> str:
    """A local derivative's written forms, from the op table, without its number."""
    forms = step.op.derivative_forms(u.position, operand_names(step, u.position))
    return f"∂{wrap(step.name)}/∂{wrap(u.name)} = " + " = ".join(forms)


def forms_lines(step: BackpropStep) -> list[str]:
    """``forms_line`` for each operand a step's text shows (constants left out)."""
    return [forms_line(step, u) for u in shown_updates(step)]


def uses_by_value(steps: Iterable[BackpropStep]) -> dict[Value, list[Use]]:
    """Every Value's uses, in the order the pass reached them (constants included)."""
    found: dict[Value, list[Use]] = {}
    for step in steps:
        for u in step.updates:
            found.setdefault(u.parent, []).append(Use(step, u))
    return found


def sum_line(root_name: str, name: str, uses: list[Use], grad: float) -> str:
    """The chain rule that made ``name``'s grad, one term per use, then its numbers.

    ``dL/dx = dL/da · ∂a/∂x + dL/db · ∂b/∂x = 0.5 · 2 + 1 · 3 = 4``. A Value used
    more than ``SUM_TERMS_SHOWN`` times shows its first terms, ``…`` and its last.
    """
    left = f"d{root_name}/d{wrap(name)}"
    if not uses:
        return f"{left} = {format_number(grad)}  (the seed: backward starts here)"
    shown = uses
    if len(uses) > SUM_TERMS_SHOWN:
        shown = [*uses[:3], None, uses[-1]]
    terms = " + ".join("…" if u is None else u.term() for u in shown)
    numbers = " + ".join("…" if u is None else u.numbers() for u in shown)
    more = f"  ({len(uses)} terms)" if len(uses) > SUM_TERMS_SHOWN else ""
    return f"{left} = {terms} = {numbers} = {format_number(grad)}{more}"
