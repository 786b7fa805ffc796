"""Benchmarks: each prints its figures as a table, measured in the same run."""
