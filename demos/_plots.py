"""Plot helpers shared by the demos: headless matplotlib, boundaries, curves, the out folder.

The demos run in terminals, in CI and over ssh, where there is no display, so
matplotlib is switched to its file-only Agg backend before pyplot is imported.
matplotlib is an optional dependency (the ``plot`` extra); without it a
demo still trains and prints, and says which pictures it skipped and how to get them.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from nn import display
from nn.live import Grid

MISSING_MATPLOTLIB = f"no PNG pictures were written: {display.MISSING_MATPLOTLIB}"


def pyplot() -> Any:
    """``matplotlib.pyplot`` on the Agg backend, or None when matplotlib is missing."""
    try:
        import matplotlib
    except ImportError:
        return None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def out_folder(path: str | os.PathLike[str]) -> Path:
    """The output folder, created if needed; a clear error when that is impossible."""
    folder = Path(path)
    if folder.exists() and not folder.is_dir():
        raise SystemExit(f"--out {os.fspath(path)!r} is a file; give a folder to write into")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise SystemExit(f"cannot create the output folder {os.fspath(path)!r}: {error}") from None
    return folder


def add_out_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--out",
        default="out",
        metavar="DIR",
        help="the folder to write into, created if missing (default: ./out)",
    )


POSITIVE, NEGATIVE, REGIONS = display.POSITIVE, display.NEGATIVE, display.REGIONS


def show_points(
    ax: Any, X: Sequence[Sequence[float]], y: Sequence[float], names: tuple[str, str]
) -> None:
    """Scatter 2-D points, red for a positive label and blue otherwise, one legend entry each.

    ``names`` are the (positive, negative) class names the legend shows.
    """
    for colour, name, keep in [(POSITIVE, names[0], True), (NEGATIVE, names[1], False)]:
        points = [x for x, label in zip(X, y, strict=True) if (label > 0) == keep]
        ax.scatter([x[0] for x in points], [x[1] for x in points], color=colour,
                   edgecolors="white", s=30, zorder=3, label=name)  # fmt: skip


def show_regions(
    ax: Any, gx: Sequence[float], gy: Sequence[float], scores: Sequence[float], threshold: float
) -> None:
    """Colour the grid ``gx`` × ``gy`` by which side of ``threshold`` its scores fall, and
    draw the line between. ``scores`` run along ``gx`` first, row by row up ``gy``.
    """
    # Scores clipped to ±3 around the threshold: a smooth contour line at the threshold
    # without letting huge scores far away squash the colour levels.
    side = [
        [max(-3.0, min(3.0, scores[j * len(gx) + i] - threshold)) for i in range(len(gx))]
        for j in range(len(gy))
    ]
    ax.contourf(gx, gy, side, levels=[-3, 0, 3], colors=[REGIONS[NEGATIVE], REGIONS[POSITIVE]])
    ax.contour(gx, gy, side, levels=[0], colors="black", linewidths=1)


def class_key(names: tuple[str, str], boundary: str) -> list[Any]:
    """Legend handles for a decision-boundary picture: both classes' points and regions."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    def point(colour: str, name: str) -> Line2D:
        return Line2D([], [], ls="none", marker="o", color=colour, markeredgecolor="white",
                      ms=7, label=name)  # fmt: skip

    return [
        point(POSITIVE, names[0]),
        point(NEGATIVE, names[1]),
        Patch(color=REGIONS[POSITIVE], label=f"where the model answers {names[0]}"),
        Patch(color=REGIONS[NEGATIVE], label=f"where the model answers {names[1]}"),
        Line2D([], [], color="black", lw=1, label=boundary),
    ]


def decision_boundary(
    path: Path,
    predict: Callable[[list[list[float]]], list[float]],
    X: Sequence[Sequence[float]],
    y: Sequence[float],
    title: str,
    names: tuple[str, str] = ("y = +1", "y = −1"),
    threshold: float = 0.0,
    steps: int = 60,
) -> Path | None:
    """Colour the plane by the model's decision (score above ``threshold``); save a PNG.

    ``names`` are the class names of a label above 0 and of the others, for the legend.
    """
    plt = pyplot()
    if plt is None:
        return None
    grid = Grid(X, steps)  # the plane fit(plot=) draws: the data's range and a quarter more
    (x0, x1), (y0, y1), gx, gy = grid.xlim, grid.ylim, grid.xs, grid.ys
    scores = predict(grid.points)
    width = 7.0  # the plane; the legend goes to its right
    height = max(3.0, min(6.0, width * (y1 - y0) / (x1 - x0) + 0.8))
    fig, ax = plt.subplots(figsize=(width + 2.5, height))
    show_regions(ax, gx, gy, scores, threshold)
    show_points(ax, X, y, names)
    ax.set(title=title, aspect="equal", xlabel="x₀", ylabel="x₁")
    ax.legend(handles=class_key(names, f"decision boundary: score = {threshold:g}"),
              loc="upper left", bbox_to_anchor=(1.02, 1), fontsize=8)  # fmt: skip
    return save(fig, path)


def curves(
    path: Path,
    series: dict[str, Sequence[float]],
    title: str,
    xlabel: str = "epoch",
    ylabel: str = "loss",
    log: bool = False,
) -> Path | None:
    """Line plot of named series against 1, 2, 3, ...; save a PNG."""
    plt = pyplot()
    if plt is None:
        return None
    fig, ax = plt.subplots(figsize=(6, 3.8))
    for name, values in series.items():
        ax.plot(range(1, len(values) + 1), values, label=name)
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    if log:
        ax.set_yscale("log")
    ax.legend()
    return save(fig, path)


def history_plot(path: Path, history: Any, title: str) -> Path | None:
    """``nn.History.plot`` (loss, and accuracy on a second axis) saved as a PNG."""
    plt = pyplot()
    if plt is None:
        return None
    fig, ax = plt.subplots(figsize=(6, 3.8))
    history.plot(ax=ax)  # it keys its own lines
    ax.set_title(title)
    return save(fig, path)


def save(fig: Any, path: Path, rect: tuple[float, float, float, float] = (0, 0, 1, 1)) -> Path:
    """Lay out within ``rect``, write the PNG and close the figure (so none stays open).

    ``rect`` (left, bottom, right, top, in figure fractions) is where the Axes go; the
    rest is left for what tight_layout does not place, such as a legend under the figure.
    """
    fig.tight_layout(rect=rect)
    fig.savefig(path, dpi=120, bbox_inches="tight")  # nothing cut off, legends outside too
    pyplot().close(fig)
    return path


def report(paths: Sequence[Path | None]) -> None:
    """Print where the pictures are (absolute paths, so they can be opened directly)."""
    written = [p for p in paths if p is not None]
    if written:
        print("\nwrote:")
        for p in written:
            print(f"  {p.resolve()}")
    if len(written) < len(paths):
        print(MISSING_MATPLOTLIB)
