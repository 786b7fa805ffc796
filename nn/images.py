"""Images as numbers: reshaping a row of pixels, printing it as a grid, drawing many at once.

An image is a grid of numbers, one per pixel: an 8×8 digit is 8 rows of 8 ink levels.
A model with plain inputs (``MLP(64, ...)``) reads those 64 numbers as one row;
``nn.Conv2d`` reads them as what they are, channels × rows × columns. These helpers
go between the two and show them. Showing only reads: Values are shown by their
``.data`` and nothing about them changes.
"""

from __future__ import annotations

import math
import numbers
import os
from collections.abc import Sequence
from typing import Any

from engine import Value

from .chart import Chart
from .checks import float_of, ordered
from .display import finish_figure, pyplot


def as_image(row: Sequence[Any], shape: Sequence[int] = (8, 8)) -> list[Any]:
    """A flat row of pixels as nested lists of ``shape``: ``(rows, cols)`` or ``(c, rows, cols)``.

    The pixels are read row by row, as ``nn.datasets.digits`` stores them; the items
    themselves (numbers or Values) are kept, so gradients still reach them.
    """
    where = "as_image"
    pixels = ordered(row, "a flat row of pixels", where)
    dims = [int(d) for d in shape]
    if len(dims) not in (2, 3) or any(d < 1 for d in dims):
        raise ValueError(
            f"{where}: shape must be (rows, cols) or (channels, rows, cols), got {shape}"
        )
    if math.prod(dims) != len(pixels):
        raise ValueError(
            f"{where}: {len(pixels)} pixels cannot fill shape {tuple(dims)} "
            f"({math.prod(dims)} pixels)"
        )
    rows, cols = dims[-2:]
    grids = [
        [pixels[start + r * cols : start + (r + 1) * cols] for r in range(rows)]
        for start in range(0, len(pixels), rows * cols)
    ]
    return grids if len(dims) == 3 else grids[0]


def grid_text(image: Any, decimals: int | None = None) -> str:
    """An image (rows of numbers or Values, or a flat square row) as aligned text.

    Whole numbers print as they are (an 8×8 digit's ink, 0 to 16); others with
    ``decimals`` places (default 2). This is how the reference articles describe an
    image: a grid of numbers.
    """
    grid = _grid(image, "grid_text")
    values = [[float_of(v) for v in row] for row in grid]
    whole = all(v.is_integer() for row in values for v in row)
    places = (0 if whole else 2) if decimals is None else decimals
    texts = [[f"{v:.{places}f}" for v in row] for row in values]
    width = max(len(t) for row in texts for t in row)
    return "\n".join(" ".join(t.rjust(width) for t in row) for row in texts)


def _grid(image: Any, where: str) -> list[list[Any]]:
    """rows × cols, from nested rows, a single-channel image, or a flat square row."""
    items = ordered(image, "an image: rows of numbers (or a flat row of a square's pixels)", where)
    if items and all(isinstance(v, (Value, numbers.Real)) for v in items):
        side = math.isqrt(len(items))
        if side * side != len(items):
            raise ValueError(
                f"{where}: a flat row of {len(items)} pixels is not a square; give it rows, "
                "e.g. nn.images.as_image(row, (rows, cols))"
            )
        return as_image(items, (side, side))
    if len(items) == 1 and items[0] and not isinstance(items[0][0], (Value, numbers.Real)):
        items = list(items[0])  # one channel: channels × rows × cols with channels = 1
    rows = [ordered(r, "a row of numbers", where) for r in items]
    if not rows or len({len(r) for r in rows}) != 1 or not rows[0]:
        raise ValueError(f"{where}: an image needs rows of equal, non-zero length")
    return rows


def draw_images(
    images: Sequence[Any],
    titles: Sequence[str] | None = None,
    cols: int = 8,
    cmap: str = "gray_r",
    centred: bool = False,
    path: str | os.PathLike[str] | None = None,
    size: float = 1.3,
    label: str = "value",
) -> Any:
    """Draw images side by side (digits, kernels, feature maps); returns the Figure.

    ``centred`` uses a red-blue scale with 0 in the middle, for kernels and other
    signed numbers (red positive, blue negative); otherwise ``cmap`` (ink dark on
    white by default). With ``path`` the figure is written there (PNG, SVG, ...); with
    none it shows in a notebook or a window, else goes to ``images.png`` (as
    ``History.plot`` does, see ``nn.display``). All images share one colour scale,
    read off the colour bar labelled ``label``.
    """
    fig = image_figure(images, titles, cols, cmap, centred, size, label)
    finish_figure(fig, path, "images.png", "draw_images")
    return fig


def image_chart(
    images: Sequence[Any],
    titles: Sequence[str] | None = None,
    cols: int = 8,
    centred: bool = False,
    size: float = 1.3,
    label: str = "value",
) -> Chart:
    """Images side by side as a ``Chart`` of heat maps, on one colour scale (``label``).

    What ``draw_images`` draws, for ``.show()`` with matplotlib or, in the browser, as
    Vega-Lite (see ``nn.chart``). ``centred``: red positive, blue negative, white 0.
    """
    grids, low, high = _scaled(images, titles, centred, "image_chart")
    chart = Chart(cols=cols, width=size, height=size, colorbar=label)
    for i, grid in enumerate(grids):
        title = titles[i] if titles is not None else f"image {i}"
        chart.panel(title=title, xlabel="column", ylabel="row").heatmap(grid, low, high, centred)
    return chart


def _scaled(images: Sequence[Any], titles: Sequence[str] | None, centred: bool, who: str
            ) -> tuple[list[list[list[float]]], float, float]:  # fmt: skip
    """The images as grids of floats, and the one colour scale (low, high) they share."""
    grids = [[[float_of(v) for v in row] for row in _grid(img, who)] for img in images]
    if not grids:
        raise ValueError(f"{who}: got no images")
    if titles is not None and len(titles) != len(grids):
        raise ValueError(f"{who}: {len(grids)} images but {len(titles)} titles")
    values = [v for grid in grids for row in grid for v in row]
    if centred:
        high = max(abs(v) for v in values) or 1.0
        return grids, -high, high
    low, high = min(values), max(values)
    return grids, low, high if high > low else low + 1.0


def image_figure(
    images: Sequence[Any],
    titles: Sequence[str] | None = None,
    cols: int = 8,
    cmap: str = "gray_r",
    centred: bool = False,
    size: float = 1.3,
    label: str = "value",
) -> Any:
    """The Figure ``draw_images`` shows, left for the caller to save or change.

    Every image is drawn on one colour scale, which the colour bar (``label``) reads
    off: a darker square is a larger number in every image, not just within its own.
    """
    plt = pyplot("draw_images")
    grids, low, high = _scaled(images, titles, centred, "draw_images")
    cmap = "RdBu_r" if centred else cmap
    cols = max(1, min(cols, len(grids)))
    rows = math.ceil(len(grids) / cols)
    fig, axes = plt.subplots(
        rows,
        cols,
        figsize=(size * cols + 0.8, size * rows + 0.4),
        squeeze=False,
        layout="constrained",
    )
    shown = None
    for i, ax in enumerate(axes.flat):
        if i >= len(grids):
            fig.delaxes(ax)
            continue
        shown = ax.imshow(grids[i], cmap=cmap, vmin=low, vmax=high)
        ax.set_title(titles[i] if titles is not None else f"image {i}", fontsize=8)
        ax.set_xlabel("column", fontsize=6)
        ax.set_ylabel("row", fontsize=6)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.colorbar(shown, ax=list(axes.flat[: len(grids)]), label=label, shrink=0.8)
    return fig
