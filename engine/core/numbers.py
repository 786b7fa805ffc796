"""Checking the numbers users hand to gradstep: real, finite floats, or a clear error."""

from __future__ import annotations

import numbers
from typing import Any

from .node import Node


def is_number(x: Any) -> bool:
    """A real number that is not a bool (True is 1 to Python, but never meant as one here)."""
    cls = x.__class__
    return cls is float or cls is int or (isinstance(x, numbers.Real) and cls is not bool)


def check_number(x: Any, where: str) -> float:
    """The float a user-supplied number stands for, or a TypeError/ValueError saying why not."""
    if x.__class__ is float:
        f = x
    elif x.__class__ is int:
        try:
            f = float(x)
        except OverflowError:
            raise ValueError(f"{where}: the int {x} is too large for a float") from None
    elif is_number(x):
        f = float(x)
    else:
        raise TypeError(type_message(x, where))
    if f - f != 0.0:
        raise ValueError(
            f"{where}: got {f!r}; gradstep Values are always finite (NaN and infinity have "
            "no useful gradient). Check the computation that produced this number."
        )
    return f


def type_message(x: Any, where: str) -> str:
    """Why ``x`` is not a number gradstep can use, and what to pass instead."""
    kind = type(x).__name__
    if isinstance(x, Node):
        return (
            f"{where}: got a Value ({x!r}); a Value wraps a plain number. "
            "Use the Value itself, or Value(v.data) for a fresh leaf with its number"
        )
    if hasattr(x, "data") and hasattr(x, "grad"):
        return (
            f"{where}: got a {type(x).__module__}.{kind} ({x!r}), a Value of another engine "
            "(micrograd's?); gradstep's ops combine gradstep Values only. Build the whole "
            "graph with `from engine import Value`, or pass its number, Value(v.data)"
        )
    if isinstance(x, bool):
        return f"{where}: got a bool ({x!r}); pass 1.0 or 0.0 instead"
    if isinstance(x, str):
        return f"{where}: got a str ({x!r}); convert it first, e.g. float({x!r})"
    if isinstance(x, complex):
        return f"{where}: got a complex number ({x!r}); gradstep works with real numbers only"
    return f"{where}: got {kind} ({x!r}); expected an int or a float (or a Value in an op)"


def require_node(x: object, where: str) -> Node:
    """``x`` itself if it is a Value, else a TypeError naming ``where``."""
    if not isinstance(x, Node):
        raise TypeError(f"{where}: expected a Value, got {type(x).__name__} ({x!r})")
    return x
