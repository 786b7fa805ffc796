"""Checks for lessons that explain themselves when a learner experiments.

A lesson asserts what it teaches, so that CI fails on a wrong number. A learner who
changes the learning rate to see what happens should not meet a bare
``AssertionError: 0.6673``: the check should say what the lesson expected, what came
out, that the number follows from the settings they changed, and how to get back::

    from nn.lesson import expect

    expect("gradient descent finds A = 3826/5734", abs(A.data - best) < 1e-6,
           got=A.data, expected=best, settings={"lr": 5e-5, "steps": 40})

``settings`` are the values the lesson itself uses (written in the check, so they
survive the learner's edits). Failing, it raises ``LessonCheck``, an AssertionError,
so a test run still fails; the message reads::

    LessonCheck: gradient descent finds A = 3826/5734
      expected: 0.6672...   got: 0.9581...
      This number follows from lr and steps; the lesson uses lr = 5e-05, steps = 40.
      If you changed them, a different number is the experiment's result, not a bug.
      To get back: set them as above and run all cells again.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["LessonCheck", "expect"]


class LessonCheck(AssertionError):
    """A lesson's claim did not hold; the message says what, why, and how to get back."""


def expect(
    claim: str,
    ok: bool,
    *,
    got: Any,
    expected: Any,
    settings: Mapping[str, Any] | None = None,
) -> None:
    """Raise ``LessonCheck`` explaining ``claim`` unless ``ok``.

    ``got`` and ``expected`` are shown as they are (a number, or text such as
    ``"< 0.05"``); ``settings`` are the lesson's own values that the number follows from.
    """
    if ok:
        return
    lines = [claim, f"  expected: {_shown(expected)}   got: {_shown(got)}"]
    if settings:
        names = " and ".join(settings)
        values = ", ".join(f"{k} = {v!r}" for k, v in settings.items())
        lines += [
            f"  This number follows from {names}; the lesson uses {values}.",
            "  If you changed them, a different number is the experiment's result, not a bug.",
            "  To get back: set them as above and run all cells again.",
        ]
    else:
        lines.append("  The lesson's own numbers give this; run all cells again from the top.")
    raise LessonCheck("\n".join(lines))


def _shown(x: Any) -> str:
    if isinstance(x, float):
        return f"{x:.6g}"
    if isinstance(x, (list, tuple)) and all(isinstance(v, float) for v in x):
        return "[" + ", ".join(f"{v:.4g}" for v in x) + "]"
    return str(x)
