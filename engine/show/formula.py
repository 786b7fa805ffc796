"""How a chain-rule formula writes a node's name and a number.

The stepper, its table and HTML page, the practice mode and the clickable nodes all
write lines such as ``dL/d(hidden 1) += dL/dn · ∂n/∂(hidden 1) = 0.5 · (-2)``; these
two rules keep every one of them readable the same way: a name that is not a plain
identifier is put in parentheses, and so is a negative number written as a factor.
"""

from __future__ import annotations

import re

from .draw import format_number

_SIMPLE_NAME = re.compile(r"[\w.]+")


def wrap(name: str) -> str:
    """A name safe to write after ``d`` or into a formula: ``(hidden 1)``, ``(-2)``."""
    return name if _SIMPLE_NAME.fullmatch(name) else f"({name})"


def factor(x: float) -> str:
    """A number as the right-hand factor of ``*`` or ``+``: negatives in parentheses."""
    text = format_number(x)
    return f"({text})" if text.startswith("-") else text
