"""Scopes: tag the Values created inside a block with a name path.

``nn`` wraps each neuron and layer call in ``scope(...)`` so that rendering can draw
the nodes one neuron computed as one cluster; the engine knows nothing about nn.
A tag is a tuple of names, outermost first, shared by every node of the block (no
per-node allocation).
"""

from __future__ import annotations

import weakref

from .ops import NAMESPACE
from .value import Value


class scope:  # noqa: N801 - used as a context manager, named like one
    """Tag every Value created inside the block with ``name`` (nested scopes stack).

    A small class rather than a generator: nn enters one per neuron call, thousands
    of times per training step, and this is the cheap way to do it.
    """

    __slots__ = ("name", "_previous")

    def __init__(self, name: str) -> None:
        if not isinstance(name, str) or not name:
            raise TypeError(f"scope: expected a non-empty str name, got {name!r}")
        self.name = name

    def __enter__(self) -> tuple[str, ...]:
        self._previous = NAMESPACE["_scope"]
        current = NAMESPACE["_scope"] = self._previous + (self.name,)
        return current

    def __exit__(self, *exc: object) -> None:
        NAMESPACE["_scope"] = self._previous


def current_scope() -> tuple[str, ...]:
    """The tag new Values get right now (empty outside any scope)."""
    return NAMESPACE["_scope"]


_ROLES: weakref.WeakKeyDictionary[Value, str] = weakref.WeakKeyDictionary()


def mark(value: Value, role: str) -> Value:
    """Record what a leaf is for (``"parameter"``, ``"input"``), for rendering.

    Kept outside the node (a weak mapping), so Values stay small and a marked Value
    is still freed when nothing else holds it.
    """
    if not isinstance(value, Value):
        raise TypeError(f"mark: expected a Value, got {type(value).__name__}")
    if not isinstance(role, str) or not role:
        raise TypeError(f"mark: role must be a non-empty str, got {role!r}")
    _ROLES[value] = role
    return value


def role_of(value: Value) -> str | None:
    """The role given with ``mark``, or None."""
    return _ROLES.get(value)
