"""Regenerate the pictures in demos/images/ (the README shows neuron.png).

Run from the repository root: ``python demos/make_images.py``. Needs a Graphviz
program: the graphviz-pure package that gradstep depends on is enough.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import engine
from engine import Value

IMAGES = Path(__file__).resolve().parent / "images"


def concert_neuron() -> Value:
    """One tanh neuron with three inputs, after backward.

    The numbers are the concert decision from the articles: no money for snacks (0),
    partner can come (1), happy to drive (1); weights 1, 4, 3; threshold 6, so the
    bias is -6 and the weighted sum is 1.
    """
    x1, x2, x3 = Value(0.0, label="x1"), Value(1.0, label="x2"), Value(1.0, label="x3")
    w1, w2, w3 = Value(1.0, label="w1"), Value(4.0, label="w2"), Value(3.0, label="w3")
    b = Value(-6.0, label="b")
    for p in (w1, w2, w3, b):
        engine.mark(p, "parameter")
    n = x1 * w1 + x2 * w2 + x3 * w3 + b
    n.label = "n"
    out = n.tanh()
    out.label = "out"
    out.backward()
    return out


def make_images(folder: Path = IMAGES) -> list[str]:
    """Write every demo picture into ``folder``; return their paths."""
    return [
        engine.render(concert_neuron(), folder / "neuron.png", edge_derivatives=True, dpi=150),
    ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "folder", nargs="?", type=Path, default=IMAGES, help=f"where to write (default {IMAGES})"
    )
    for path in make_images(parser.parse_args(argv).folder):
        print(path)


if __name__ == "__main__":
    main()
