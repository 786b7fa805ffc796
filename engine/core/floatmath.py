"""The float functions op expressions may call: ``exp``, ``log``, ``tanh``, ``sigmoid``, ``fabs``.

An op of the table is written as Python expressions over its operands' numbers
(``ops.py``); this module is the vocabulary of those expressions, and ``NAMES`` is
the namespace they are evaluated in.
"""

from __future__ import annotations

import math
from math import exp, fabs, log, tanh
from typing import Any


def sigmoid(x: float) -> float:
    """The logistic function 1/(1+e^-x), written so neither branch overflows for any finite x."""
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


FUNCTIONS: dict[str, Any] = {
    "exp": exp,
    "log": log,
    "tanh": tanh,
    "sigmoid": sigmoid,
    "fabs": fabs,
}

NAMES: dict[str, Any] = {"math": math, **FUNCTIONS}
