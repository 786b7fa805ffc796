"""Where a function sampled on a grid crosses a level: line segments, by marching squares.

matplotlib draws contours itself; a Vega-Lite chart has no contour mark, so the chart
draws these segments instead. Each grid cell is looked at alone: where the level lies
between two corners of an edge, the crossing is placed on that edge by linear
interpolation, and the cell's crossings are joined in pairs.
"""

from __future__ import annotations

Point = tuple[float, float]
Segment = tuple[Point, Point]


def crossing(a: Point, b: Point, za: float, zb: float, level: float) -> Point:
    """The point between ``a`` and ``b`` where a straight line from za to zb meets level."""
    t = (level - za) / (zb - za)
    return (a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1]))


def segments(xs: list[float], ys: list[float], z: list[list[float]], level: float) -> list[Segment]:
    """The pieces of the line z = level; ``z[j][i]`` is the value at (xs[i], ys[j])."""
    found: list[Segment] = []
    for j in range(len(ys) - 1):
        for i in range(len(xs) - 1):
            # the corners in order around the cell, so consecutive pairs are its edges
            corners = [(i, j), (i + 1, j), (i + 1, j + 1), (i, j + 1)]
            points = [(xs[c], ys[r]) for c, r in corners]
            values = [z[r][c] for c, r in corners]
            cut = [
                crossing(points[k], points[(k + 1) % 4], values[k], values[(k + 1) % 4], level)
                for k in range(4)
                if (values[k] > level) != (values[(k + 1) % 4] > level)
            ]
            # two crossings: one piece; four (a saddle): two pieces, joined edge by edge
            found.extend((cut[k], cut[k + 1]) for k in range(0, len(cut) - 1, 2))
    return found
