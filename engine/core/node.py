"""Node: what every point of a computation graph holds.

A node has its number (``data``), the gradient backward accumulates into it
(``grad``), an optional ``label``, the op that computed it and that op's operands
(``_operation``, ``_parents``; a leaf has neither) and the scope it was made in. Nodes
point only to their operands, never to the nodes computed from them or to
themselves, so a graph has no reference cycles and is freed by reference counting
the moment it goes out of scope.

A node also takes attributes of your own (``p.m = 0``, ``n._vis_color = "red"``), as
micrograd's Values do: they live in a ``__dict__`` that Python makes only when the
first one is set. The slot itself costs a node 32 bytes on CPython 3.11 and an op
about 5% more time to make one (``python -m demos.bench.attributes``; BENCHMARKS.md).

``Value`` (value.py) is a Node you can compute with, and sets these fields; the
graph walks of ``autodiff.py`` need only what is here.
"""

from __future__ import annotations

from typing import Any


class Node:
    """The fields of one graph node; ``__slots__`` keeps each under 200 bytes."""

    __slots__ = (
        "data",
        "grad",
        "label",
        "_operation",
        "_parents",
        "scope",
        "__weakref__",
        "__dict__",  # your own attributes, made on first use
    )

    data: float
    grad: float
    label: str
    _operation: Any  # the Op that computed it (ops.py), None for a leaf
    _parents: tuple[Node, ...]
    scope: tuple[str, ...]

    @property
    def op(self) -> Any:
        """The op that computed this node, or None for a leaf."""
        return self._operation

    @property
    def parents(self) -> tuple[Node, ...]:
        """The op's operands, in order; empty for a leaf."""
        return self._parents

    @property
    def is_leaf(self) -> bool:
        """True for inputs, parameters and constants: nodes no op computed."""
        return not self._parents
