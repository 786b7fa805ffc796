"""A picture described once, then drawn by matplotlib or as a Vega-Lite chart.

Lessons describe what to draw (lines, points, bars, a decision boundary, contours,
heat maps) on the panels of a ``Chart``; ``Chart.show`` draws it with matplotlib where
matplotlib is installed and, where it is not (JupyterLite in the browser), hands
JupyterLab a Vega-Lite spec, which it draws itself. ``nn.display.renderer`` makes that
choice, in one place. The numbers drawn are the numbers given: both renderers read the
same marks, and ``Chart.vegalite()`` puts them in the spec's data as they are.

    chart = Chart(cols=2)
    loss = chart.panel(title="training loss", xlabel="epoch", ylabel="loss", ylog=True)
    loss.line(history.epochs, history.loss, label="loss")
    chart.show()
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .checks import float_of

# matplotlib's "tab" colours (its default cycle) and the named colours lessons use, as
# hex, so that a Vega-Lite chart shows the same colours as the matplotlib one.
COLOURS = {
    "tab:blue": "#1f77b4",
    "tab:orange": "#ff7f0e",
    "tab:green": "#2ca02c",
    "tab:red": "#d62728",
    "tab:purple": "#9467bd",
    "tab:brown": "#8c564b",
    "tab:pink": "#e377c2",
    "tab:gray": "#7f7f7f",
    "tab:olive": "#bcbd22",
    "tab:cyan": "#17becf",
    "black": "#000000",
    "gray": "#808080",
    "lightgray": "#d3d3d3",
    "white": "#ffffff",
}
CYCLE = list(COLOURS)[:10]
# every kind of mark, each drawn by a Panel method of its name and by each renderer
KINDS = (
    "line",
    "points",
    "vline",
    "hline",
    "bars",
    "text",
    "arrow",
    "regions",
    "contour",
    "heatmap",
)  # what a mark without a colour gets, in order, per panel


def hex_colour(colour: str) -> str:
    """``colour`` as ``#rrggbb``: a name from COLOURS or already hex."""
    if colour.startswith("#"):
        return colour
    if colour not in COLOURS:
        raise ValueError(
            f"Chart: unknown colour {colour!r}; use one of {', '.join(COLOURS)} or '#rrggbb'"
        )
    return COLOURS[colour]


def numbers(values: Sequence[Any], what: str) -> list[float]:
    """``values`` as plain floats (Values and numpy numbers too), or a clear error."""
    try:
        return [float_of(v) for v in values]
    except (TypeError, ValueError) as error:
        raise TypeError(f"Chart: {what} must be numbers: {error}") from None


def same_length(xs: Sequence[Any], ys: Sequence[Any], what: str) -> None:
    if len(xs) != len(ys):
        raise ValueError(f"Chart.{what}: {len(xs)} x values but {len(ys)} y values")


@dataclass
class Mark:
    """One thing drawn on a panel: its kind, its numbers, and how it looks.

    ``kind`` is one of KINDS; ``data`` holds its numbers (see the Panel method of the
    same name).
    """

    kind: str
    data: dict[str, Any]
    label: str | None = None
    colour: str = "#1f77b4"
    style: dict[str, Any] = field(default_factory=dict)


@dataclass
class Panel:
    """One set of axes: a title, axis labels and scales, and the marks drawn on it.

    ``xlog``/``ylog``: logarithmic axes. ``xlim``/``ylim``: the shown range (otherwise
    the data's). ``equal``: one unit is as long across as up (for planes and maps).
    ``flip_x``: the x axis runs right to left. ``width``: relative to the other panels
    of its row. ``legend``: where matplotlib puts the key (Vega-Lite puts it to the right).
    """

    title: str = ""
    xlabel: str = ""
    ylabel: str = ""
    xlog: bool = False
    ylog: bool = False
    xlim: tuple[float, float] | None = None
    ylim: tuple[float, float] | None = None
    equal: bool = False
    flip_x: bool = False
    width: float = 1.0
    legend: str = "best"
    marks: list[Mark] = field(default_factory=list)

    def _colour(self, colour: str | None) -> str:
        if colour is not None:
            return hex_colour(colour)
        used = sum(m.kind in ("line", "points", "bars") and "auto" in m.style for m in self.marks)
        return COLOURS[CYCLE[used % len(CYCLE)]]

    def _add(
        self, kind: str, data: dict[str, Any], label: str | None, colour: str | None, **style: Any
    ) -> Panel:
        if colour is None:
            style["auto"] = True
        self.marks.append(Mark(kind, data, label, self._colour(colour), style))
        return self

    def line(
        self,
        x: Sequence[Any],
        y: Sequence[Any],
        label: str | None = None,
        colour: str | None = None,
        dash: bool = False,
        dots: bool = False,
        width: float = 1.5,
    ) -> Panel:
        """A line through the points (x[i], y[i]); ``dots`` marks each point."""
        same_length(x, y, "line")
        data = {"x": numbers(x, "line x"), "y": numbers(y, "line y")}
        return self._add("line", data, label, colour, dash=dash, dots=dots, width=width)

    def points(
        self,
        x: Sequence[Any],
        y: Sequence[Any],
        label: str | None = None,
        colour: str | None = None,
        size: float = 30,
        star: bool = False,
    ) -> Panel:
        """Dots at (x[i], y[i]) (a star with ``star``), ``size`` in points²."""
        same_length(x, y, "points")
        data = {"x": numbers(x, "points x"), "y": numbers(y, "points y")}
        return self._add("points", data, label, colour, size=size, star=star)

    def vline(
        self, x: Any, label: str | None = None, colour: str = "gray", dash: bool = True
    ) -> Panel:
        """A vertical line across the panel at ``x``."""
        return self._add("vline", {"x": numbers([x], "vline x")[0]}, label, colour, dash=dash)

    def hline(
        self, y: Any, label: str | None = None, colour: str = "lightgray", dash: bool = False
    ) -> Panel:
        """A horizontal line across the panel at ``y``."""
        return self._add("hline", {"y": numbers([y], "hline y")[0]}, label, colour, dash=dash)

    def bars(
        self, names: Sequence[str], heights: dict[str, Sequence[Any]], numbers_on_top: bool = False
    ) -> Panel:
        """Bars for each name along x, one bar per series of ``heights`` side by side.

        ``heights`` maps a series' label to one height per name. ``numbers_on_top``
        writes each height (one decimal) above its bar, so a bar of 0 still shows.
        """
        for label, values in heights.items():
            same_length(names, values, f"bars ({label})")
            data = {
                "names": [str(n) for n in names],
                "y": numbers(values, "bar heights"),
                "series": list(heights),
            }
            self._add("bars", data, label, None, numbers=numbers_on_top)
        return self

    def text(
        self, x: Any, y: Any, text: str, colour: str = "black", dx: float = 0, dy: float = 6
    ) -> Panel:
        """``text`` at (x, y), shifted by (dx, dy) points (up is positive)."""
        data = {"x": numbers([x], "text x")[0], "y": numbers([y], "text y")[0], "text": text}
        return self._add("text", data, None, colour, dx=dx, dy=dy)

    def arrow(
        self,
        start: Sequence[Any],
        end: Sequence[Any],
        label: str | None = None,
        colour: str = "tab:red",
    ) -> Panel:
        """An arrow from ``start`` to ``end``, both (x, y)."""
        data = {"start": numbers(start, "arrow start"), "end": numbers(end, "arrow end")}
        return self._add("arrow", data, label, colour)

    def regions(
        self,
        xs: Sequence[Any],
        ys: Sequence[Any],
        z: Sequence[Sequence[Any]],
        names: tuple[str, str],
        colours: tuple[str, str],
        boundary: str | None = None,
    ) -> Panel:
        """Colour the grid xs × ys by the sign of ``z`` (``z[j][i]`` at (xs[i], ys[j])).

        ``names`` and ``colours`` are for z > 0 and z ≤ 0; ``boundary`` labels the line
        z = 0 between them (drawn black).
        """
        grid = _grid(xs, ys, z, "regions")
        data = {**grid, "names": names, "colours": [hex_colour(c) for c in colours]}
        return self._add("regions", data, boundary, "black")

    def contour(
        self,
        xs: Sequence[Any],
        ys: Sequence[Any],
        z: Sequence[Sequence[Any]],
        levels: Sequence[Any],
        label: str | None = None,
        colour: str = "lightgray",
        width: float = 0.8,
    ) -> Panel:
        """Lines where ``z`` (``z[j][i]`` at (xs[i], ys[j])) equals each of ``levels``."""
        data = {**_grid(xs, ys, z, "contour"), "levels": numbers(levels, "contour levels")}
        return self._add("contour", data, label, colour, width=width)

    def heatmap(
        self,
        matrix: Sequence[Sequence[Any]],
        low: float,
        high: float,
        signed: bool = False,
        numbers_in_cells: bool = False,
    ) -> Panel:
        """A grid of squares, row 0 at the top, coloured from ``low`` to ``high``.

        ``signed``: red for positive, blue for negative, white at 0 (set ``low`` =
        -``high``); otherwise dark for large (ink on paper). ``numbers_in_cells`` writes
        each value (two decimals) in its square.
        """
        rows = [numbers(row, "heatmap values") for row in matrix]
        if not rows or not rows[0] or len({len(r) for r in rows}) != 1:
            raise ValueError("Chart.heatmap: the matrix needs rows of equal, non-zero length")
        data = {"rows": rows, "low": float(low), "high": float(high)}
        return self._add("heatmap", data, None, "black", signed=signed, numbers=numbers_in_cells)


def _grid(
    xs: Sequence[Any], ys: Sequence[Any], z: Sequence[Sequence[Any]], what: str
) -> dict[str, Any]:
    x, y = numbers(xs, f"{what} xs"), numbers(ys, f"{what} ys")
    rows = [numbers(row, f"{what} z") for row in z]
    if len(rows) != len(y) or any(len(r) != len(x) for r in rows):
        raise ValueError(
            f"Chart.{what}: z needs {len(y)} rows (one per y) of {len(x)} numbers (one per x)"
        )
    return {"xs": x, "ys": y, "z": rows}


@dataclass
class Chart:
    """Panels in a grid of ``cols`` columns, each ``width`` × ``height`` inches.

    ``colorbar``: the label of one colour scale shared by every heat map in the chart.
    """

    cols: int = 1
    width: float = 5.0
    height: float = 3.5
    colorbar: str | None = None
    panels: list[Panel] = field(default_factory=list)

    def panel(self, **options: Any) -> Panel:
        """A new panel, after the others (see Panel for the options)."""
        self.panels.append(Panel(**options))
        return self.panels[-1]

    def figure(self) -> Any:
        """The chart as a matplotlib Figure (needs matplotlib)."""
        from .chart_mpl import figure

        return figure(self)

    def vegalite(self) -> dict[str, Any]:
        """The chart as a Vega-Lite v5 spec (a dict ready for JSON)."""
        from .chart_vegalite import spec

        return spec(self)

    def show(self, path: str | os.PathLike[str] | None = None) -> None:
        """Draw it: under the notebook cell, in a window, or to ``path``.

        ``nn.display.show`` picks the renderer; a path ending ``.json`` gets the
        Vega-Lite spec, any other (``.png``, ``.svg``) a matplotlib picture.
        """
        from .display import show

        show(self, path)
