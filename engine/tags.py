"""Scopes: tag the Values created inside a block with a name path.

``nn`` wraps each neuron and layer call in ``scope(...)`` so that rendering can draw
the nodes one neuron computed as one cluster; the engine knows nothing about nn.
A tag is a tuple of names, outermost first, shared by every node of the block (no
per-node allocation).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from .ops import NAMESPACE


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
