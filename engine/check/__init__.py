"""Checking gradients: ``gradcheck`` (finite differences) and hypothesis strategies.

The strategies are imported as ``engine.testing``.
"""
