"""Exercises per student, handed out as pages or notebooks, and graded.

``generate``: a backprop exercise as a seeded generator, one variant per (exercise,
student). ``submission``: the small JSON file a student hands in, with a checksum
keyed by the teacher's secret. ``grading``: a folder of submissions checked by the
practice checker (``engine.practice``) into a gradebook. ``python -m engine.exercises
--help`` is the teacher's command line.
"""

from .generate import EXERCISES, Exercise, Variant, variant

__all__ = ["EXERCISES", "Exercise", "Variant", "variant"]
