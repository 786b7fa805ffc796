"""What compiled code raises: a failed check (the caller then replays eagerly), a changed graph."""

from __future__ import annotations

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
