"""Hypothesis strategies for your own gradient tests: ``from engine.testing import graphs``.

The strategies live in ``engine.check.strategies``, beside gradcheck; this is the
name to import them by.
"""

from .check.strategies import MAX_ABS, RandomGraph, graphs

__all__ = ["MAX_ABS", "RandomGraph", "graphs"]
