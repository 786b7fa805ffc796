"""Roles: what a leaf is for (``"parameter"``, ``"input"``), for drawing it.

``nn`` marks its weights and biases as parameters and ``fit`` its data as inputs;
``draw_dot`` colours leaves by role. Scopes, the other tag a node carries, are part of
the graph mode (``engine.core.mode.scope``), since every op reads them.
"""

from __future__ import annotations

import weakref

from ..core.value import Value

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
