"""Backprop exercises, one variant per student: a seeded generator of graphs.

An exercise is a graph *shape*, from a three-op chain to a 2-2-1 MLP with its loss.
``variant(exercise, student)`` fills the shape with numbers drawn from a random
generator seeded by the pair: the same pair always gives the same graph and numbers
(on any machine: ``random.Random`` seeded by a str is fixed by Python's docs), two
students get different numbers for the same shape. Numbers are drawn with one
decimal from the same ranges for everyone and redrawn until the exercise is as fair
for this student as for the next (``fair``): no grad so close to 0 that a sign mistake
cannot be told from the right answer, no local derivative below 0.1 (a saturated tanh
or sigmoid), no grad huge, and every known mistake giving a number the checker tells
apart from the right one.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass

from ..core.value import Value
from ..show.practice import Practice

SMALLEST_GRAD = 0.02  # below this a sign mistake is within the checker's reach of right
SMALLEST_LOCAL = 0.1  # tanh' = 1 - o² is 0.1 at |o| = 0.95
LARGEST_GRAD = 50.0  # hand arithmetic stays in numbers a learner can check
MAX_DRAWS = 1000
VISIBLE = 10  # a mistake's number is this many tolerances from right, or equal


@dataclass(frozen=True)
class Exercise:
    """A graph shape: ``build(rng)`` makes its loss Value from numbers drawn with ``rng``."""

    name: str
    level: int
    summary: str
    build: Callable[[random.Random], Value]


@dataclass(frozen=True)
class Variant:
    """One student's exercise: the graph (``root``) and its ``Practice`` (the checker)."""

    exercise: str
    student: str
    root: Value
    practice: Practice


def number(rng: random.Random, low: float, high: float) -> float:
    """A number with one decimal, low ≤ |x| ≤ high, either sign: easy to write by hand.

    Never ±1: a factor of 1 would hide a forgotten multiplication, and −1 would make
    it look like a sign mistake.
    """
    while True:
        x = round(rng.uniform(low, high), 1)
        if x != 1.0:
            return x * rng.choice((-1.0, 1.0))


def labelled(value: Value, label: str) -> Value:
    value.label = label
    return value


def _chain(rng: random.Random) -> Value:
    a, b = Value(number(rng, 0.5, 3.0), "a"), Value(number(rng, 0.5, 3.0), "b")
    c, f = Value(number(rng, 0.5, 3.0), "c"), Value(number(rng, 0.5, 3.0), "f")
    e = labelled(a * b, "e")
    d = labelled(e + c, "d")
    return labelled(d * f, "L")


def _neuron(rng: random.Random) -> Value:
    x1, w1 = Value(number(rng, 0.5, 2.0), "x1"), Value(number(rng, 0.3, 1.5), "w1")
    x2, w2 = Value(number(rng, 0.5, 2.0), "x2"), Value(number(rng, 0.3, 1.5), "w2")
    b = Value(number(rng, 0.1, 1.0), "b")
    p1, p2 = labelled(x1 * w1, "p1"), labelled(x2 * w2, "p2")
    n = labelled(labelled(p1 + p2, "s") + b, "n")
    return labelled(n.tanh(), "o")


def _shared(rng: random.Random) -> Value:
    """Lesson 9's last exercise: a sigmoid, its squared error, and weight decay."""
    x, y = Value(number(rng, 0.5, 3.0), "x"), Value(round(rng.uniform(0.1, 0.9), 1), "y")
    w, bias = Value(number(rng, 0.3, 1.5), "w"), Value(number(rng, 0.1, 1.0), "bias")
    z = labelled(labelled(w * x, "wx") + bias, "z")
    e = labelled(labelled(z.sigmoid(), "s") - y, "e")
    penalty = labelled(labelled(w * w, "ww") * 0.1, "penalty")
    return labelled(labelled(e**2, "sq") + penalty, "L")


def _mlp(rng: random.Random) -> Value:
    """A 2-2-1 network (tanh hidden layer, linear output) and its squared error."""
    xs = [Value(number(rng, 0.5, 2.0), f"x{i}") for i in (1, 2)]
    hidden = []
    for j in (1, 2):
        terms = []
        for i, x in enumerate(xs, 1):
            w = Value(number(rng, 0.2, 1.2), f"w{j}{i}")
            terms.append(labelled(w * x, f"w{j}{i}x{i}"))
        b = Value(number(rng, 0.1, 1.0), f"b{j}")
        n = labelled(labelled(terms[0] + terms[1], f"s{j}") + b, f"n{j}")
        hidden.append(labelled(n.tanh(), f"h{j}"))
    vs = [Value(number(rng, 0.3, 1.5), f"v{j}") for j in (1, 2)]
    products = [
        labelled(v * h, f"v{j}h{j}") for j, (v, h) in enumerate(zip(vs, hidden, strict=True), 1)
    ]
    c, y = Value(number(rng, 0.1, 1.0), "c"), Value(number(rng, 0.5, 1.5), "y")
    out = labelled(labelled(products[0] + products[1], "vh") + c, "out")
    e = labelled(out - y, "e")
    return labelled(e**2, "L")


EXERCISES: dict[str, Exercise] = {
    ex.name: ex
    for ex in (
        Exercise("chain", 1, "L = (a·b + c)·f: three ops, every input used once", _chain),
        Exercise("neuron", 2, "o = tanh(x1·w1 + x2·w2 + b): one neuron", _neuron),
        Exercise(
            "shared",
            3,
            "L = (σ(w·x + bias) − y)² + 0.1·w·w: w used three times (lesson 9)",
            _shared,
        ),
        Exercise("mlp", 4, "L = (2-2-1 tanh MLP − y)²: eight weights, three biases", _mlp),
    )
}


def variant(exercise: str, student: str) -> Variant:
    """The exercise ``exercise`` as student ``student`` gets it, the same every time."""
    if exercise not in EXERCISES:
        raise KeyError(
            f"exercises.variant: no exercise {exercise!r}; the exercises are "
            + ", ".join(EXERCISES)
        )
    if not isinstance(student, str) or not student.strip():
        raise ValueError(
            f"exercises.variant: the student id must be a non-empty str, got {student!r}"
        )
    rng = random.Random(f"gradstep exercise {exercise} for {student}")
    for _ in range(MAX_DRAWS):
        root = EXERCISES[exercise].build(rng)
        practice = Practice(root)
        if fair(practice):
            return Variant(exercise, student, root, practice)
    raise RuntimeError(f"exercises.variant: no fair draw for {exercise!r} in {MAX_DRAWS} tries")


def fair(practice: Practice) -> bool:
    """Every grad clear of 0 and not huge, no local derivative near 0, mistakes visible.

    A known mistake must give a number either equal to the right one (adding hands a
    grad down unchanged, so "not multiplied" by 1 is no mistake there) or clearly
    different from it and from the other mistakes' numbers: 1 − n² for 1 − tanh(n)²
    with n = 0.1 is within the checker's tolerance of right, and the grader could not
    tell the student made it.
    """
    grads = practice.solution().values()
    if not all(SMALLEST_GRAD <= abs(g) <= LARGEST_GRAD for g in grads):
        return False
    # A local derivative near 0 (a saturated tanh or sigmoid, a factor near 0) would
    # shrink every grad below it to a number too small to check by hand.
    if not all(abs(u.local) >= SMALLEST_LOCAL for uses in practice.uses.values() for u in uses):
        return False
    tol = VISIBLE * practice.rel_tol
    for v in practice.questions:
        right = practice.expected(v)
        seen: list[tuple[str, float]] = []
        for kind, number, _ in practice.mistakes(v):
            if near(number, right, tol):
                return False
            # Two kinds giving nearly one number (a sign mistake where a weight is −1.0
            # is also "not multiplied"): the diagnosis could not say which was made.
            # Exactly one number is the op's nature (y in s − y: ∂/∂y is always −1).
            if any(k != kind and near(number, n, tol) for k, n in seen):
                return False
            seen.append((kind, number))
    return True


def near(a: float, b: float, tol: float) -> bool:
    """Within ``tol`` of each other, but not equal: a coincidence of the numbers drawn."""
    return math.isclose(a, b, rel_tol=tol) and not math.isclose(a, b, rel_tol=1e-12)
