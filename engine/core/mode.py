"""The graph mode: whether ops record the graph, and the scope new Values are tagged with.

Two switches, kept in one small object that every op reads: ``MODE.recording`` is
what ``no_grad()`` turns off, ``MODE.scope`` is what ``scope(name)`` extends (``nn``
wraps each neuron and layer call in one, so drawings can box a neuron's nodes). An op
reads both on every call, so they are plain attributes of a ``__slots__`` object:
the cheapest shared state Python has after a module global.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


class GraphMode:
    """The two switches; ``MODE`` is the one instance."""

    __slots__ = ("recording", "scope")

    def __init__(self) -> None:
        self.recording: bool = True
        self.scope: tuple[str, ...] = ()


MODE = GraphMode()


@contextmanager
def no_grad() -> Iterator[None]:
    """Compute plain results without recording a graph (for evaluation and plots).

    Values made inside are leaves: they have data but no parents, so backward from
    them changes nothing, and nothing they touched is kept alive by them.
    """
    previous = MODE.recording
    MODE.recording = False
    try:
        yield
    finally:
        MODE.recording = previous


def is_grad_enabled() -> bool:
    """Whether ops currently record the graph (False inside ``no_grad``)."""
    return MODE.recording


class scope:  # noqa: N801 - used as a context manager, named like one
    """Tag every Value created inside the block with ``name`` (nested scopes stack).

    A tag is a tuple of names, outermost first, shared by every node of the block (no
    per-node allocation). A small class rather than a generator: nn enters one per
    neuron call, thousands of times per training step, and this is the cheap way.
    """

    __slots__ = ("name", "_previous")

    def __init__(self, name: str) -> None:
        if not isinstance(name, str) or not name:
            raise TypeError(f"scope: expected a non-empty str name, got {name!r}")
        self.name = name

    def __enter__(self) -> tuple[str, ...]:
        self._previous = MODE.scope
        current = MODE.scope = self._previous + (self.name,)
        return current

    def __exit__(self, *exc: object) -> None:
        MODE.scope = self._previous


def current_scope() -> tuple[str, ...]:
    """The tag new Values get right now (empty outside any scope)."""
    return MODE.scope
