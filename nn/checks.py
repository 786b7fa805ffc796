"""Argument checks shared by the modules, the losses, the optimizer and ``fit``.

One place for what ``nn`` accepts, so that every entry point says the same thing:

* a number is an int or a float (any ``numbers.Real``), never a bool, a str or a
  complex, and always finite: the rule of ``engine.Value``, which does the checking;
* an ordered collection is a list, a tuple (any ``Sequence`` except text) or a NumPy
  array: something with an order and a length. A dict (iterating it gives its keys),
  a set (no order), text, None or a one-shot iterator is refused, and the message says
  what to pass instead.

Errors are TypeError for the wrong kind of thing and ValueError for a wrong length or
value, each starting with where it happened (``"MLP"``, ``"fit: X row 3"``).
"""

from __future__ import annotations

import math
import numbers
import random
from collections.abc import Iterable, Mapping, Sequence, Set
from typing import Any

from engine import Value


def data_of(v: Any) -> Any:
    """A Value's number, or the number itself: for code that takes either.

    Compiled training calls it for every number of every example, so a float, the
    common case, returns before the isinstance check.
    """
    return v if v.__class__ is float else v.data if isinstance(v, Value) else v


def float_of(v: Any) -> float:
    """``data_of`` as a float: a coordinate or a pixel, from a Value or a number."""
    return float(data_of(v))


def number(v: Any, what: str, where: str) -> float:
    """The float ``v`` stands for (a Value counts as its data), or an error naming ``what``.

    ``what`` may be "" when ``where`` already names the number.
    """
    if isinstance(v, Value):
        v = v.data
    try:
        return Value(v).data
    except (TypeError, ValueError) as error:
        place = f"{where}: {what}" if what else where
        nested = _is_collection(v)
        hint = "; one number belongs here (is the data nested one level too deep?)"
        raise type(error)(f"{place}: {error}{hint if nested else ''}") from None


def positive(x: Any, what: str, where: str, allow_zero: bool = False) -> float:
    """A hyperparameter such as a learning rate: a finite number, > 0 (or >= 0)."""
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        raise TypeError(f"{where}: {what} must be a finite number, got {x!r}")
    if not math.isfinite(x):
        raise ValueError(f"{where}: {what} must be a finite number, got {x!r}")
    if x < 0 or (x == 0 and not allow_zero):
        raise ValueError(f"{where}: {what} must be {'>= 0' if allow_zero else '> 0'}, got {x!r}")
    return float(x)


def count(n: Any, what: str, where: str) -> int:
    """A size or a count (``nin``, ``epochs``, ``stride``): an int of at least 1, not a bool."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"{where}: {what} must be a positive int, got {n!r}")
    return n


def random_stream(seed: Any, where: str) -> Any:
    """The source to draw initial weights from: anything with ``uniform(a, b)``.

    ``None`` is Python's global ``random`` (the module has ``uniform``), an int a private
    ``random.Random(seed)``. Any object with micrograd-style ``uniform(a, b)`` is used as
    it is (a ``random.Random``, LLM101n's ``RNG``, NumPy's ``Generator``); one with only
    ``random()`` draws ``a + (b - a) * random()``, the formula of Python's ``uniform``.
    """
    if seed is None:
        return random
    if isinstance(seed, int) and not isinstance(seed, bool):
        return random.Random(seed)
    if callable(getattr(seed, "uniform", None)):
        return seed
    if callable(getattr(seed, "random", None)):
        return _FromRandom(seed)
    raise TypeError(
        f"{where}: seed must be an int, None (Python's global random) or a source of "
        f"randomness with uniform(a, b) or random() (a random.Random, micrograd's RNG), "
        f"got {seed!r}"
    )


class _FromRandom:
    """``uniform(a, b)`` for a source that only has ``random()`` (a float in [0, 1))."""

    def __init__(self, source: Any) -> None:
        self.source = source

    def uniform(self, a: float, b: float) -> float:
        return a + (b - a) * self.source.random()


def ordered(x: Any, what: str, where: str) -> list[Any]:
    """The items of an ordered collection, in order; a TypeError for anything else.

    ``what`` says what was expected, e.g. ``"a list of examples"``.
    """
    if isinstance(x, (list, tuple)) or _is_array(x):
        return list(x)
    if isinstance(x, Sequence) and not isinstance(x, (str, bytes, bytearray)):
        return list(x)
    raise TypeError(f"{where}: expected {what}, got {type(x).__name__}{_hint(x)}")


def row(x: Any, n: int | None, where: str, noun: str = "input") -> list[Any]:
    """One example's ``n`` items (``n=None``: any number): a list, tuple or 1-D array of
    them, or a single number or Value when ``n`` is 1.

    Called once per example on every forward pass, so a list (by far the usual case)
    takes the shortest path: one class test and one length test.
    """
    if x.__class__ is not list:
        x = _as_row(x, n, where, noun)
    if n is not None and len(x) != n:
        raise ValueError(f"{where}: expected {n} {noun}{'s' if n != 1 else ''}, got {len(x)}")
    return x


def _as_row(x: Any, n: int | None, where: str, noun: str) -> list[Any]:
    if isinstance(x, (Value, numbers.Real)) and not isinstance(x, bool):
        return [x]
    if _is_array(x) and x.ndim != 1:
        raise ValueError(
            f"{where}: expected one example (a 1-D row of {noun}s), got a {x.ndim}-D array "
            f"of shape {tuple(x.shape)}; pass one row at a time "
            "(model.predict(X) runs many)"
        )
    count = "" if n is None else f"{n} "
    return ordered(x, f"a list of {count}numbers or Values", where)


def _is_array(x: Any) -> bool:
    """A NumPy array (or anything like one) of at least one dimension, without importing NumPy."""
    ndim = getattr(x, "ndim", None)
    return isinstance(ndim, int) and ndim >= 1 and hasattr(x, "shape") and hasattr(x, "__len__")


def _is_collection(v: Any) -> bool:
    return isinstance(v, (list, tuple)) or _is_array(v)


def _hint(x: Any) -> str:
    """What to pass instead of ``x``, for the kinds of input people try."""
    if isinstance(x, Mapping):
        return (
            "; iterating a dict gives its keys, in no input order: pass a list of the values, "
            "in the order the model expects"
        )
    if isinstance(x, Set):
        return "; a set has no order: pass a list, in the order the model expects"
    if isinstance(x, (str, bytes, bytearray)):
        return "; text is not numbers: convert it first, e.g. [float(v) for v in text.split(',')]"
    if isinstance(x, Iterable):
        return "; pass a list (list(...) of it), so that the order and the length are fixed"
    return ""
