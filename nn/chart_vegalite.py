"""A ``Chart`` as a Vega-Lite v5 spec: what JupyterLab draws where matplotlib is missing.

Every mark becomes a layer whose inline data holds the mark's numbers as given (a line's
points in their order, a heat map's cells). Vega-Lite has no contour mark, so contour
lines and decision boundaries are drawn as the segments ``nn.contour`` finds.
"""

from __future__ import annotations

import math
from typing import Any

from .chart import KINDS, Chart, Mark, Panel
from .contour import segments

SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
MIMETYPE = "application/vnd.vegalite.v5+json"
# pixels per inch of the matplotlib figure: a row of panels as wide as a notebook's
# output area (about 800 pixels) for the widest charts the lessons draw (15 inches)
PIXELS = 52
CELL = 22  # pixels per heat-map square; wide enough for "-0.53" when numbers are written in
NUMBERED_CELL = 44
POINT_AREA = 1.5  # Vega-Lite's point size (px²) per matplotlib's (points²), to look alike
DASH = [5, 3]
# a five-pointed star as an SVG path in the unit square, for Vega-Lite's point shape
STAR = (
    "M0,-1L0.29,-0.4L0.95,-0.31L0.48,0.15L0.59,0.81L0,0.5"
    "L-0.59,0.81L-0.48,0.15L-0.95,-0.31L-0.29,-0.4Z"
)


def spec(chart: Chart) -> dict[str, Any]:
    """The whole chart: panels in rows of ``chart.cols``, each with its own key."""
    if not chart.panels:
        raise ValueError("Chart: nothing to draw; add a panel with chart.panel(...)")
    cols = max(1, chart.cols)
    views = [panel_view(chart, p) for p in chart.panels]
    colour = "shared" if chart.colorbar is not None else "independent"
    resolve = {"scale": {"color": colour}, "legend": {"color": colour}}
    rows = [
        {"hconcat": views[i : i + cols], "resolve": resolve} for i in range(0, len(views), cols)
    ]
    top = rows[0] if len(rows) == 1 else {"vconcat": rows, "resolve": resolve}
    return {"$schema": SCHEMA, **top}


def panel_view(chart: Chart, panel: Panel) -> dict[str, Any]:
    """One panel: a layer per mark, sharing the panel's axes and its key."""
    width, height = panel_size(chart, panel)
    keys = Keys(panel, chart.colorbar, (width, height))
    layers = [layer for m in panel.marks for layer in LAYERS[m.kind](m, panel, keys)]
    view: dict[str, Any] = {"width": width, "height": height, "layer": layers}
    if panel.title:
        view["title"] = panel.title
    return view


def panel_size(chart: Chart, panel: Panel) -> tuple[int, int]:
    """Pixels: from the chart's inches; a heat map by its squares; ``equal`` keeps units square."""
    maps = [m for m in panel.marks if m.kind == "heatmap"]
    if maps:
        rows = maps[0].data["rows"]
        cell = NUMBERED_CELL if maps[0].style["numbers"] else CELL
        return cell * len(rows[0]), cell * len(rows)
    width = round(chart.width * panel.width * PIXELS)
    height = round(chart.height * PIXELS)
    if panel.equal:
        (x0, x1), (y0, y1) = extent(panel, "x"), extent(panel, "y")
        if x1 > x0 and y1 > y0:
            height = round(width * (y1 - y0) / (x1 - x0))
    return width, height


def extent(panel: Panel, axis: str) -> tuple[float, float]:
    """The panel's shown range along ``axis``: its limits, or its marks' numbers."""
    limits = panel.xlim if axis == "x" else panel.ylim
    if limits:
        return limits
    values: list[float] = []
    for m in panel.marks:
        if m.kind in ("line", "points"):
            values += m.data[axis]
        elif m.kind in ("regions", "contour"):
            values += m.data[f"{axis}s"]
        elif m.kind == "arrow":
            values += [m.data["start"][axis == "y"], m.data["end"][axis == "y"]]
    return (min(values), max(values)) if values else (0.0, 1.0)


class Keys:
    """The panel's colour key: every labelled mark's label, in order, with its colour."""

    def __init__(self, panel: Panel, colorbar: str | None, size: tuple[int, int]) -> None:
        self.panel, self.colorbar, self.size = panel, colorbar, size
        self.labels: list[str] = []
        self.colours: list[str] = []
        for m in panel.marks:
            names = list(m.data["names"]) if m.kind == "regions" else []
            colours = list(m.data["colours"]) if m.kind == "regions" else []
            for label, colour in zip([*names, m.label], [*colours, m.colour], strict=True):
                if label and label not in self.labels:
                    self.labels.append(label)
                    self.colours.append(colour)

    def colour(self, m: Mark, label: str | None = None) -> dict[str, Any]:
        """The colour encoding: the key's entry for ``label`` (the mark's own by default)."""
        label = label or m.label
        if not label:
            return {"value": m.colour}
        return {
            "field": "series",
            "type": "nominal",
            "title": None,
            # under the panel: a notebook's output area is narrower than it is long
            "legend": {
                "title": None,
                "labelLimit": 400,
                "orient": "bottom",
                "direction": "vertical",
            },
            "scale": {"domain": self.labels, "range": self.colours},
        }

    def axis(self, axis: str, field: str | None = None) -> dict[str, Any]:
        """A quantitative position encoding with the panel's title, scale and range."""
        p = self.panel
        scale: dict[str, Any] = {"zero": False}
        if p.xlog if axis == "x" else p.ylog:
            scale["type"] = "log"
        limits = p.xlim if axis == "x" else p.ylim
        if limits or p.equal:
            scale["domain"], scale["nice"] = list(extent(p, axis)), False
        if axis == "x" and p.flip_x:
            scale["reverse"] = True
        title = p.xlabel if axis == "x" else p.ylabel
        return {
            "field": field or axis,
            "type": "quantitative",
            "scale": scale,
            "title": title or None,
        }


def _layer(
    mark: dict[str, Any], rows: list[dict[str, Any]], encoding: dict[str, Any]
) -> dict[str, Any]:
    # clip: nothing drawn outside the axes when a panel's range is set (xlim, ylim)
    return {"mark": {**mark, "clip": True}, "data": {"values": rows}, "encoding": encoding}


def _line(m: Mark, panel: Panel, keys: Keys) -> list[dict[str, Any]]:
    rows = [
        {"x": x, "y": y, "order": i, "series": m.label}
        for i, (x, y) in enumerate(zip(m.data["x"], m.data["y"], strict=True))
    ]
    mark: dict[str, Any] = {"type": "line", "strokeWidth": m.style["width"]}
    if m.style["dash"]:
        mark["strokeDash"] = DASH
    if m.style["dots"]:
        mark["point"] = {"filled": True, "size": 20, "color": m.colour}
    encoding = {
        "x": keys.axis("x"),
        "y": keys.axis("y"),
        "order": {"field": "order"},
        "color": keys.colour(m),
    }
    return [_layer(mark, rows, encoding)]


def _points(m: Mark, panel: Panel, keys: Keys) -> list[dict[str, Any]]:
    rows = [
        {"x": x, "y": y, "series": m.label} for x, y in zip(m.data["x"], m.data["y"], strict=True)
    ]
    mark = {
        "type": "point",
        "filled": True,
        "size": m.style["size"] * POINT_AREA,
        "opacity": 1,
        "shape": STAR if m.style["star"] else "circle",
        "stroke": "white",
        "strokeWidth": 0.5,
    }
    encoding = {"x": keys.axis("x"), "y": keys.axis("y"), "color": keys.colour(m)}
    return [_layer(mark, rows, encoding)]


def _rule(m: Mark, panel: Panel, keys: Keys, axis: str) -> list[dict[str, Any]]:
    mark: dict[str, Any] = {"type": "rule", "strokeWidth": 1}
    if m.style["dash"]:
        mark["strokeDash"] = [2, 2]
    rows = [{axis: m.data[axis], "series": m.label}]
    return [_layer(mark, rows, {axis: keys.axis(axis), "color": keys.colour(m)})]


def _vline(m: Mark, panel: Panel, keys: Keys) -> list[dict[str, Any]]:
    return _rule(m, panel, keys, "x")


def _hline(m: Mark, panel: Panel, keys: Keys) -> list[dict[str, Any]]:
    return _rule(m, panel, keys, "y")


def _bars(m: Mark, panel: Panel, keys: Keys) -> list[dict[str, Any]]:
    rows = [
        {"name": n, "y": y, "series": m.label}
        for n, y in zip(m.data["names"], m.data["y"], strict=True)
    ]
    encoding = {
        "x": {
            "field": "name",
            "type": "nominal",
            "sort": None,
            "title": panel.xlabel or None,
            "axis": {"labelAngle": 0, "labelExpr": "split(datum.label, '\\n')"},
        },
        "xOffset": {"field": "series", "type": "nominal", "sort": m.data["series"]},
        "y": keys.axis("y"),
        "color": keys.colour(m),
    }
    layers = [_layer({"type": "bar"}, rows, encoding)]
    if m.style["numbers"]:
        text = {**encoding, "text": {"field": "y", "type": "quantitative", "format": ".1f"}}
        text.pop("color")
        layers.append(_layer({"type": "text", "dy": -5, "fontSize": 7}, rows, text))
    return layers


def _text(m: Mark, panel: Panel, keys: Keys) -> list[dict[str, Any]]:
    dx = m.style["dx"]
    mark = {
        "type": "text",
        "dx": dx,
        "dy": -m.style["dy"],
        "fontSize": 8,
        "color": m.colour,
        "align": "center" if dx == 0 else "left" if dx > 0 else "right",
    }
    rows = [{"x": m.data["x"], "y": m.data["y"], "text": m.data["text"]}]
    encoding = {"x": keys.axis("x"), "y": keys.axis("y"), "text": {"field": "text"}}
    return [_layer(mark, rows, encoding)]


def _arrow(m: Mark, panel: Panel, keys: Keys) -> list[dict[str, Any]]:
    (x0, y0), (x1, y1) = m.data["start"], m.data["end"]
    width, height = keys.size
    (ex0, ex1), (ey0, ey1) = extent(panel, "x"), extent(panel, "y")
    # the head's turn, clockwise from up, in pixels (x right, y up on the page)
    right = (x1 - x0) * width / ((ex1 - ex0) or 1)
    up = (y1 - y0) * height / ((ey1 - ey0) or 1)
    angle = math.degrees(math.atan2(right, up))
    shaft = [{"x": x0, "y": y0, "x2": x1, "y2": y1, "series": m.label}]
    head = [{"x": x1, "y": y1, "series": m.label}]
    colour = keys.colour(m)
    ends = {
        "x": keys.axis("x"),
        "y": keys.axis("y"),
        "x2": {"field": "x2"},
        "y2": {"field": "y2"},
        "color": colour,
    }
    tip = {
        "type": "point",
        "shape": "triangle-up",
        "filled": True,
        "size": 60,
        "angle": angle,
        "opacity": 1,
    }
    return [
        _layer({"type": "rule", "strokeWidth": 1.3}, shaft, ends),
        _layer(tip, head, {"x": keys.axis("x"), "y": keys.axis("y"), "color": colour}),
    ]


def edges(centres: list[float]) -> list[float]:
    """The borders of cells centred on ``centres``: halfway between neighbours."""
    inner = [(a + b) / 2 for a, b in zip(centres, centres[1:], strict=False)]
    first = centres[0] - (inner[0] - centres[0]) if inner else centres[0] - 0.5
    last = centres[-1] + (centres[-1] - inner[-1]) if inner else centres[-1] + 0.5
    return [first, *inner, last]


def _segments_layer(m: Mark, keys: Keys, pieces: list[Any], width: float) -> dict[str, Any]:
    rows = [{"x": a[0], "y": a[1], "x2": b[0], "y2": b[1], "series": m.label} for a, b in pieces]
    encoding = {
        "x": keys.axis("x"),
        "y": keys.axis("y"),
        "x2": {"field": "x2"},
        "y2": {"field": "y2"},
        "color": keys.colour(m),
    }
    return _layer({"type": "rule", "strokeWidth": width}, rows, encoding)


def _regions(m: Mark, panel: Panel, keys: Keys) -> list[dict[str, Any]]:
    xs, ys, z = m.data["xs"], m.data["ys"], m.data["z"]
    bx, by = edges(xs), edges(ys)
    above, below = m.data["names"]
    cells = [
        {
            "x": bx[i],
            "x2": bx[i + 1],
            "y": by[j],
            "y2": by[j + 1],
            "series": above if z[j][i] > 0 else below,
        }
        for j in range(len(ys))
        for i in range(len(xs))
    ]
    encoding = {
        "x": keys.axis("x"),
        "y": keys.axis("y"),
        "x2": {"field": "x2"},
        "y2": {"field": "y2"},
        "color": keys.colour(m, above),
    }
    boundary = _segments_layer(m, keys, segments(xs, ys, z, 0.0), 1)
    return [_layer({"type": "rect"}, cells, encoding), boundary]


def _contour(m: Mark, panel: Panel, keys: Keys) -> list[dict[str, Any]]:
    xs, ys, z = m.data["xs"], m.data["ys"], m.data["z"]
    pieces = [s for level in m.data["levels"] for s in segments(xs, ys, z, level)]
    return [_segments_layer(m, keys, pieces, m.style["width"])]


def _heatmap(m: Mark, panel: Panel, keys: Keys) -> list[dict[str, Any]]:
    rows = [
        {"row": r, "column": c, "value": v}
        for r, row in enumerate(m.data["rows"])
        for c, v in enumerate(row)
    ]
    scale: dict[str, Any] = {"domain": [m.data["low"], m.data["high"]]}
    scale.update(
        {"scheme": "redblue", "reverse": True} if m.style["signed"] else {"scheme": "greys"}
    )
    axis = None if m.style["numbers"] else {"labels": False, "ticks": False}
    square = {
        "x": {"field": "column", "type": "ordinal", "title": panel.xlabel or None, "axis": axis},
        "y": {"field": "row", "type": "ordinal", "title": panel.ylabel or None, "axis": axis},
    }
    if axis is None:
        for position in square.values():
            position.pop("axis")
    colour = {
        "field": "value",
        "type": "quantitative",
        "scale": scale,
        "legend": {"title": keys.colorbar, "titleLimit": 400} if keys.colorbar else None,
    }
    layers = [_layer({"type": "rect"}, rows, {**square, "color": colour})]
    if m.style["numbers"]:
        text = {**square, "text": {"field": "value", "type": "quantitative", "format": ".2f"}}
        layers.append(_layer({"type": "text", "fontSize": 9}, rows, text))
    return layers


# the function making each kind of mark's layers: _line for "line", and so on
LAYERS = {kind: globals()[f"_{kind}"] for kind in KINDS}
