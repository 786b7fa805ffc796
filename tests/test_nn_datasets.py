"""nn.datasets: moons, XOR and the reference articles' toy data."""

import math
import random

import pytest

import nn


def test_make_moons_shape_labels_and_reproducibility():
    X, y = nn.datasets.make_moons(101, noise=0.1, seed=4)
    assert len(X) == len(y) == 101 and all(len(p) == 2 for p in X)
    assert sorted(set(y)) == [0.0, 1.0] and y.count(0.0) == 50 and y.count(1.0) == 51
    assert nn.datasets.make_moons(101, noise=0.1, seed=4) == (X, y)
    assert nn.datasets.make_moons(101, noise=0.1, seed=5) != (X, y)
    _, signed = nn.datasets.make_moons(101, noise=0.1, seed=4, signed=True)
    assert signed == [2 * v - 1 for v in y]


def test_make_moons_without_noise_lies_on_the_two_half_circles():
    X, y = nn.datasets.make_moons(40, noise=0.0, seed=0)
    for (a, b), label in zip(X, y, strict=True):
        if label == 0.0:  # upper moon: unit half circle around (0, 0)
            assert math.hypot(a, b) == pytest.approx(1.0) and b >= -1e-12
        else:  # lower moon: unit half circle around (1, 0.5)
            assert math.hypot(a - 1.0, b - 0.5) == pytest.approx(1.0) and b <= 0.5 + 1e-12
    assert y[:10] != sorted(y[:10]) or y[10:20] != sorted(y[10:20])  # shuffled


def test_make_moons_leaves_the_global_random_state_alone():
    random.seed(7)
    state = random.getstate()
    nn.datasets.make_moons(10, seed=1)
    assert random.getstate() == state


@pytest.mark.parametrize(
    "kwargs, message",
    [({"n": 1}, "n must be an int >= 2"), ({"n": 10, "noise": -1}, "noise must be a number >= 0")],
)
def test_make_moons_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        nn.datasets.make_moons(**kwargs)


def test_xor():
    X, y = nn.datasets.xor()
    assert [(a != b) for a, b in X] == [bool(v) for v in y]
    assert nn.datasets.xor(signed=True)[1] == [-1.0, 1.0, 1.0, -1.0]


def test_dinner_parties_from_the_article():
    guests, bottles = nn.datasets.dinner_parties()
    assert guests == [3.0, 10.0, 75.0] and bottles == [2.0, 7.0, 50.0]
    a = sum(g * b for g, b in zip(guests, bottles, strict=True)) / sum(g * g for g in guests)
    assert a == 3826 / 5734


def test_guest_lists_cover_every_party():
    X, bottles = nn.datasets.guest_lists()
    assert len(X) == 8 and len(set(map(tuple, X))) == 8
    table = dict(zip(map(tuple, X), bottles, strict=True))
    assert table[(0.0, 0.0, 0.0)] == 1.0  # nobody comes: a bottle for yourself
    assert table[(0.0, 1.0, 0.0)] == pytest.approx(3.0)  # Dahlia: a couple of bottles more
    assert table[(0.0, 1.0, 1.0)] == pytest.approx(0.5 + 2 * 1.4 + 1)
    assert all(v == 0.0 for k, v in table.items() if k[0] == 1.0)  # Agatha
