"""Adding up chain-rule terms when gradients are Values (gradients of gradients).

``engine.grad(..., create_graph=True)`` runs the backward pass with Values where the
numbers were, so each gradient is itself a graph. These two helpers keep that graph
to what the math needs: a term ``grad · 1`` is just ``grad``, a zero term adds
nothing, and the first term of a sum starts it instead of being added to 0.
"""

from __future__ import annotations

from typing import Any


def times(upstream: Any, local: Any) -> Any:
    """``upstream · local``, without the multiplication when either is the number 1 (or 0)."""
    if local.__class__ is float or local.__class__ is int:
        if local == 1.0:
            return upstream
        if local == 0.0:
            return 0.0
    if (upstream.__class__ is float or upstream.__class__ is int) and upstream == 1.0:
        return local
    return upstream * local


def add_term(total: Any, term: Any) -> Any:
    """``total + term``, where a zero on either side (nothing yet, or nothing to add) is skipped."""
    if (term.__class__ is float or term.__class__ is int) and term == 0.0:
        return total
    if (total.__class__ is float or total.__class__ is int) and total == 0.0:
        return term
    return total + term
