"""Scopes: tag the Values created inside a block with a name path.

``nn`` wraps each neuron and layer call in ``scope(...)`` so that rendering can draw
the nodes one neuron computed as one cluster; the engine knows nothing about nn.
A tag is a tuple of names, outermost first, shared by every node of the block (no
per-node allocation).
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from contextlib import contextmanager

from .ops import NAMESPACE
from .value import Value


@contextmanager
def scope(name: str) -> Iterator[tuple[str, ...]]:
    """Tag every Value created inside the block with ``name`` (nested scopes stack)."""
    if not isinstance(name, str) or not name:
        raise TypeError(f"scope: expected a non-empty str name, got {name!r}")
    previous = NAMESPACE["_scope"]
    NAMESPACE["_scope"] = current = previous + (name,)
    try:
        yield current
    finally:
        NAMESPACE["_scope"] = previous


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
