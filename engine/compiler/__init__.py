"""Compiled graphs: trace a graph once, replay it as generated straight-line Python."""
