"""What compiled code raises: a failed check (the caller then replays eagerly), a changed graph."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..core.node import Node


class Fail(Exception):
    """Raised by generated code when a check fails: the caller then replays eagerly."""


def fail() -> None:
    """``_fail()`` in generated code: a domain or finiteness check failed."""
    raise Fail


class GraphChangedError(RuntimeError):
    """What a compiled graph or function replays is no longer what its code builds."""


def describe(v: Node) -> str:
    """A Value in an error message: its label, or its data when it has none."""
    return repr(v.label) if v.label else f"(unlabelled, data {v.data!r})"


def values_list(values: Iterable[Any], where: str) -> list[Node]:
    """``values`` as a list of Values, or a TypeError that names ``where`` and what to pass."""
    if isinstance(values, Node):
        raise TypeError(
            f"{where}: expected a list of Values, got one Value; pass [{describe(values)}]"
        )
    try:
        chosen = list(values)
    except TypeError:
        raise TypeError(
            f"{where}: expected a list of Values, got {type(values).__name__}"
        ) from None
    for i, v in enumerate(chosen):
        if not isinstance(v, Node):
            raise TypeError(f"{where}: item {i} is {type(v).__name__}, not a Value")
    return chosen
