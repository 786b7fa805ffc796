"""Small datasets in pure Python: two moons, XOR, and the reference articles' toy data.

Every function returns ``(X, y)``: ``X`` a list of input lists, ``y`` a list of
numbers. Randomness comes from a ``random.Random(seed)``, never the global state.
``split(X, y, test=0.2, seed=0)`` holds some examples out, to measure how well a
model does on data it never trained on.

Images: ``digits()`` is the 1,797 handwritten digits (8×8 pixels, 0 to 16 ink) of the
UCI collection, the copy scikit-learn ships, carried in ``nn/data`` (CC BY 4.0, see its
README); each row of ``X`` is one image's 64 pixels, row by row, and ``y`` its digit.

The articles' data:

* ``dinner_parties()``: three friends' parties, guests and bottles of wine drunk
  (3 -> 2, 10 -> 7, 75 -> 50), for the one-parameter model ``bottles = A * guests``.
  Least squares gives A = Σ guests·bottles / Σ guests² = 3826 / 5734 ≈ 0.667.
* ``guest_lists()``: every guest list ``[Agatha, Dahlia, Stiffy]`` (1 = invited) with
  the bottles the article's trained three-neuron ReLU network predicts for it;
  ``guest_list_network()`` is that network typed in (``GUEST_LIST_WEIGHTS``).
* ``concert_neuron()``: the threshold unit deciding whether to go to a concert, with
  weights 1 (money for snacks), 4 (partner can come), 3 (feel like driving) and
  threshold 6.
"""

from __future__ import annotations

import gzip
import itertools
import math
import random
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from .checks import ordered
from .layers import MLP, Neuron

# The article's trained guest-list network: layer 1 has one neuron per row
# (weights for Agatha, Dahlia, Stiffy; then bias), layer 2 combines them.
GUEST_LIST_WEIGHTS: list[list[list[float]]] = [
    [[0.0, 0.0, 1.0], [0.0, 1.5, 0.4], [1.0, 0.0, 0.0]],
    [[0.5, 2.0, -5.0]],
]
GUEST_LIST_BIASES: list[list[float]] = [[0.0, -0.5, 0.0], [1.0]]
GUESTS = ("Agatha", "Dahlia", "Stiffy")


def make_moons(
    n: int = 100, noise: float = 0.1, seed: int | None = 0, signed: bool = False
) -> tuple[list[list[float]], list[float]]:
    """Two interleaving half circles, like scikit-learn's ``make_moons`` (shuffled).

    The upper moon (label 0, or -1 with ``signed=True`` for the hinge loss) is
    ``(cos t, sin t)`` for t evenly spaced over [0, π]; the lower moon (label 1) is
    ``(1 - cos t, 0.5 - sin t)``. Gaussian noise with standard deviation ``noise`` is
    added to every coordinate.
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 2:
        raise ValueError(f"make_moons: n must be an int >= 2, got {n!r}")
    if isinstance(noise, bool) or not isinstance(noise, (int, float)) or not noise >= 0:
        raise ValueError(f"make_moons: noise must be a number >= 0, got {noise!r}")
    rng = random.Random(seed)
    n_upper = n // 2
    n_lower = n - n_upper
    points: list[tuple[list[float], float]] = []
    for count, label in ((n_upper, 0.0), (n_lower, 1.0)):
        for i in range(count):
            t = math.pi * i / (count - 1) if count > 1 else 0.0
            if label == 0.0:
                x, y = math.cos(t), math.sin(t)
            else:
                x, y = 1.0 - math.cos(t), 0.5 - math.sin(t)
            points.append(([x + rng.gauss(0.0, noise), y + rng.gauss(0.0, noise)], label))
    rng.shuffle(points)
    X = [p for p, _ in points]
    labels = [(2.0 * lab - 1.0) if signed else lab for _, lab in points]
    return X, labels


def xor(signed: bool = False) -> tuple[list[list[float]], list[float]]:
    """The four XOR cases: label 1 when exactly one input is 1 (-1/+1 with ``signed``)."""
    X = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
    y = [0.0, 1.0, 1.0, 0.0]
    return X, [2.0 * v - 1.0 for v in y] if signed else y


def dinner_parties() -> tuple[list[float], list[float]]:
    """The article's three parties: guests invited and bottles of wine drunk."""
    return [3.0, 10.0, 75.0], [2.0, 7.0, 50.0]


def guest_list_network() -> MLP:
    """The article's trained guest-list network: 3 ReLU neurons, then 1 ReLU output."""
    return MLP.from_weights(
        GUEST_LIST_WEIGHTS,
        GUEST_LIST_BIASES,
        activation="relu",
        output_activation="relu",
    )


def guest_lists() -> tuple[list[list[float]], list[float]]:
    """All eight guest lists [Agatha, Dahlia, Stiffy] and the bottles the article's
    trained network predicts for each (computed in plain floats, no graph)."""
    X = [[float(v) for v in bits] for bits in itertools.product((0, 1), repeat=3)]

    def relu(v: float) -> float:
        return v if v > 0.0 else 0.0

    y = []
    for x in X:
        hidden = x
        for rows, biases in zip(GUEST_LIST_WEIGHTS, GUEST_LIST_BIASES, strict=True):
            hidden = [
                relu(sum(w * v for w, v in zip(row, hidden, strict=True)) + b)
                for row, b in zip(rows, biases, strict=True)
            ]
        y.append(hidden[0])
    return X, y


def concert_neuron() -> Neuron:
    """The article's concert decision: step(1·snacks + 4·partner + 3·driving - 6)."""
    return Neuron.from_weights([1.0, 4.0, 3.0], threshold=6.0, activation="step")


def split(
    X: Sequence[Any], y: Sequence[Any], test: float | int = 0.2, seed: int | None = 0
) -> tuple[list[Any], list[Any], list[Any], list[Any]]:
    """``X_train, X_test, y_train, y_test``: a random share ``test`` of the examples held out.

    ``test`` is a fraction in (0, 1), rounded to a whole number of examples (at least
    one on each side), or a count. The four lists come in the order scikit-learn's
    ``train_test_split`` returns them (its shuffle is not reproduced).
    Each example keeps its target; the shuffle comes from ``random.Random(seed)``.
    """
    where = "split"
    rows = ordered(X, "X as a list of examples", where)
    targets = ordered(y, "y as a list of targets, one per example", where)
    n = len(rows)
    if n != len(targets):
        raise ValueError(f"{where}: X has {n} examples but y has {len(targets)} targets")
    if n < 2:
        raise ValueError(f"{where}: needs at least 2 examples to hold some out, got {n}")
    if isinstance(test, bool) or not isinstance(test, (int, float)):
        raise TypeError(f"{where}: test must be a fraction like 0.2 or a count, got {test!r}")
    if isinstance(test, int):
        n_test = test
    elif 0.0 < test < 1.0:
        n_test = min(max(round(test * n), 1), n - 1)
    else:
        raise ValueError(f"{where}: test must be a fraction between 0 and 1, got {test!r}")
    if not 1 <= n_test <= n - 1:
        raise ValueError(
            f"{where}: test={n_test} examples leaves nothing on one side; use 1 to {n - 1}"
        )
    order = list(range(n))
    random.Random(seed).shuffle(order)
    held, kept = order[:n_test], order[n_test:]
    return (
        [rows[i] for i in kept],
        [rows[i] for i in held],
        [targets[i] for i in kept],
        [targets[i] for i in held],
    )


DIGITS_FILE = Path(__file__).resolve().parent / "data" / "digits.csv.gz"


def digits(scale: bool = True) -> tuple[list[list[float]], list[int]]:
    """The 1,797 8×8 handwritten digits: 64 pixels per image (row by row) and the digit 0-9.

    Pixels hold how much ink fell on each of 8×8 squares, 0 to 16; with ``scale`` they
    are divided by 16 (0 to 1), the range a network with weights from [-1, 1] trains
    well on. ``nn.images.as_image(x)`` turns a row back into 8 rows of 8 numbers.
    """
    pixels, labels = _digits_file()
    if scale:
        pixels = [[v / 16.0 for v in row] for row in pixels]
    else:
        pixels = [list(row) for row in pixels]
    return pixels, list(labels)


@lru_cache(maxsize=1)
def _digits_file() -> tuple[tuple[tuple[float, ...], ...], tuple[int, ...]]:
    """The images from gradstep's copy of the UCI digits (``nn/data``, see its README).

    1,797 lines of 65 numbers, the 64 pixels and the digit: the file scikit-learn ships,
    carried here so that the digits need nothing installed (the browser has no
    scikit-learn).
    """
    with gzip.open(DIGITS_FILE, "rt") as lines:
        rows = [[float(v) for v in line.split(",")] for line in lines if line.strip()]
    return tuple(tuple(r[:-1]) for r in rows), tuple(int(r[-1]) for r in rows)
