"""nn.datasets.digits (the UCI 8x8 digits, shipped in nn/data) and nn.images (images as numbers)."""

import sys

import pytest

from engine import Value
from nn import datasets, images


def test_digits_are_scikit_learns_images_from_gradsteps_own_copy():
    sklearn_datasets = pytest.importorskip("sklearn.datasets")
    bunch = sklearn_datasets.load_digits()
    X, y = datasets.digits(scale=False)
    assert len(X) == len(y) == 1797 and all(len(x) == 64 for x in X)
    assert X == bunch.data.tolist() and y == bunch.target.tolist()
    assert sorted(set(y)) == list(range(10))
    scaled, same_y = datasets.digits()
    assert same_y == y
    assert scaled[7] == [v / 16 for v in X[7]] and max(max(x) for x in scaled) == 1.0


def test_digits_need_no_scikit_learn(monkeypatch):
    datasets._digits_file.cache_clear()
    monkeypatch.setitem(sys.modules, "sklearn", None)  # `import sklearn` now fails
    try:
        X, y = datasets.digits(scale=False)
    finally:
        datasets._digits_file.cache_clear()
    assert len(X) == 1797 and y[:10] == list(range(10))
    assert datasets.DIGITS_FILE.parent.name == "data"
    assert "CC BY 4.0" in (datasets.DIGITS_FILE.parent / "README.md").read_text(encoding="utf-8")


def test_a_digit_as_a_grid_of_numbers():
    X, y = datasets.digits(scale=False)
    assert y[0] == 0
    text = images.grid_text(X[0])
    assert text.splitlines()[0] == " 0  0  5 13  9  1  0  0"
    assert text.splitlines()[3] == " 0  4 12  0  0  8  8  0"
    assert images.grid_text(images.as_image(X[0])) == text
    assert images.grid_text([[0.5, -1.0], [Value(0.25), 2.0]]) == " 0.50 -1.00\n 0.25  2.00"


def test_as_image_keeps_the_items_and_reads_row_by_row():
    row = [Value(float(i)) for i in range(12)]
    grid = images.as_image(row, (3, 4))
    assert [[v.data for v in r] for r in grid] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]]
    assert grid[1][2] is row[6]
    two = images.as_image(list(range(8)), (2, 2, 2))
    assert two == [[[0, 1], [2, 3]], [[4, 5], [6, 7]]]


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: images.as_image(list(range(10)), (3, 3)), r"10 pixels cannot fill shape \(3, 3\)"),
        (lambda: images.as_image(list(range(9)), (9,)), "shape must be"),
        (lambda: images.grid_text(list(range(10))), "10 pixels is not a square"),
        (lambda: images.grid_text([[1, 2], [3]]), "rows of equal"),
    ],
)
def test_image_shape_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_draw_images_only_looks(tmp_path):
    pytest.importorskip("matplotlib").use("Agg")
    kernel = [[Value(0.5), Value(-1.0)], [Value(0.0), Value(2.0)]]
    for row in kernel:
        for v in row:
            v.grad = 0.25
    X, y = datasets.digits()
    fig = images.draw_images([*X[:3], kernel], ["0", "1", "2", "k"], path=tmp_path / "d.png")
    assert (tmp_path / "d.png").stat().st_size > 1000
    assert len(fig.axes) == 5  # four images and their colour bar
    assert [[v.data for v in r] for r in kernel] == [[0.5, -1.0], [0.0, 2.0]]
    assert all(v.grad == 0.25 for r in kernel for v in r)
