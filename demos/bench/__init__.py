"""Benchmarks: each prints a table of medians against the peer measured in the same run.

``python -m demos.bench.benchmark`` runs them all (``--quick`` for a smoke run); each module
also runs alone (``--help`` says how). BENCHMARKS.md holds the figures and what they mean.
"""
