"""A ``Chart`` drawn by matplotlib: the look gradstep's pictures have where it is installed."""

from __future__ import annotations

from typing import Any

from .chart import KINDS, Chart, Mark, Panel
from .display import pyplot


def figure(chart: Chart) -> Any:
    """A pyplot Figure with one Axes per panel, every mark drawn."""
    plt = pyplot("Chart")
    if not chart.panels:
        raise ValueError("Chart: nothing to draw; add a panel with chart.panel(...)")
    cols = max(1, min(chart.cols, len(chart.panels)))
    rows = -(-len(chart.panels) // cols)
    ratios = [p.width for p in chart.panels[:cols]] if rows == 1 else None
    fig, axes = plt.subplots(
        rows,
        cols,
        figsize=(chart.width * (sum(ratios) if ratios else cols), chart.height * rows),
        squeeze=False,
        layout="constrained",
        gridspec_kw={"width_ratios": ratios} if ratios else None,
    )
    image = None
    for i, ax in enumerate(axes.flat):
        if i >= len(chart.panels):
            fig.delaxes(ax)
            continue
        image = draw_panel(ax, chart.panels[i]) or image
    if chart.colorbar is not None and image is not None:
        fig.colorbar(
            image, ax=list(axes.flat[: len(chart.panels)]), label=chart.colorbar, shrink=0.9
        )
    return fig


def draw_panel(ax: Any, panel: Panel) -> Any:
    """Draw the panel's marks and axes; returns the last heat map (for a colour bar)."""
    image = None
    for mark in panel.marks:
        image = DRAW[mark.kind](ax, mark) or image
    ax.set(title=panel.title, xlabel=panel.xlabel, ylabel=panel.ylabel)
    if panel.xlog:
        ax.set_xscale("log")
    if panel.ylog:
        ax.set_yscale("log")
    if panel.xlim:
        ax.set_xlim(*panel.xlim)
    if panel.ylim:
        ax.set_ylim(*panel.ylim)
    if panel.equal:
        ax.set_aspect("equal")
    if panel.flip_x:
        ax.invert_xaxis()
    if any(m.label for m in panel.marks):
        ax.legend(loc=panel.legend, fontsize=8)
    return image


def _line(ax: Any, m: Mark) -> None:
    ax.plot(
        m.data["x"],
        m.data["y"],
        color=m.colour,
        label=m.label,
        lw=m.style["width"],
        ls="--" if m.style["dash"] else "-",
        marker="o" if m.style["dots"] else None,
        ms=4,
    )


def _points(ax: Any, m: Mark) -> None:
    look = {"marker": "*", "edgecolors": "none"} if m.style["star"] else {"edgecolors": "white"}
    xy = m.data["x"], m.data["y"]
    ax.scatter(*xy, s=m.style["size"], color=m.colour, label=m.label, zorder=3, **look)


def _vline(ax: Any, m: Mark) -> None:
    ax.axvline(m.data["x"], color=m.colour, ls=":" if m.style["dash"] else "-", lw=1, label=m.label)


def _hline(ax: Any, m: Mark) -> None:
    ax.axhline(
        m.data["y"], color=m.colour, ls=":" if m.style["dash"] else "-", lw=0.8, label=m.label
    )


def _bars(ax: Any, m: Mark) -> None:
    names, series = m.data["names"], m.data["series"]
    width = 0.8 / len(series)
    shift = (series.index(m.label) - (len(series) - 1) / 2) * width
    bars = ax.bar(
        [i + shift for i in range(len(names))],
        m.data["y"],
        width=width,
        color=m.colour,
        label=m.label,
    )
    if m.style["numbers"]:
        ax.bar_label(bars, fmt="%.1f", fontsize=7)
    ax.set_xticks(range(len(names)), names, fontsize=8)


def _text(ax: Any, m: Mark) -> None:
    ax.annotate(
        m.data["text"],
        (m.data["x"], m.data["y"]),
        textcoords="offset points",
        xytext=(m.style["dx"], m.style["dy"]),
        fontsize=8,
        color=m.colour,
        ha="center" if m.style["dx"] == 0 else "left" if m.style["dx"] > 0 else "right",
        bbox={"facecolor": "white", "edgecolor": "none", "pad": 1, "alpha": 0.8},
    )


def _arrow(ax: Any, m: Mark) -> None:
    ax.annotate(
        "",
        xy=m.data["end"],
        xytext=m.data["start"],
        arrowprops={"arrowstyle": "-|>", "color": m.colour, "lw": 1.3, "shrinkA": 0, "shrinkB": 0},
    )
    if m.label:
        ax.plot([], [], color=m.colour, lw=1.3, label=m.label)  # arrows get no key of their own


def _regions(ax: Any, m: Mark) -> None:
    # z clipped to ±3: a smooth line at 0 without huge values far away squashing the levels
    side = [[max(-3.0, min(3.0, v)) for v in row] for row in m.data["z"]]
    above, below = m.data["colours"]
    ax.contourf(m.data["xs"], m.data["ys"], side, levels=[-3, 0, 3], colors=[below, above])
    ax.contour(m.data["xs"], m.data["ys"], side, levels=[0], colors=m.colour, linewidths=1)
    for name, colour in zip(m.data["names"], m.data["colours"], strict=True):
        ax.fill([], [], color=colour, label=name)  # the key's entries
    if m.label:
        ax.plot([], [], color=m.colour, lw=1, label=m.label)


def _contour(ax: Any, m: Mark) -> None:
    ax.contour(
        m.data["xs"],
        m.data["ys"],
        m.data["z"],
        levels=sorted(m.data["levels"]),
        colors=m.colour,
        linewidths=m.style["width"],
    )
    if m.label:
        ax.plot([], [], color=m.colour, lw=m.style["width"], label=m.label)


def _heatmap(ax: Any, m: Mark) -> Any:
    rows = m.data["rows"]
    image = ax.imshow(
        rows,
        cmap="RdBu_r" if m.style["signed"] else "gray_r",
        vmin=m.data["low"],
        vmax=m.data["high"],
    )
    if m.style["numbers"]:
        for r, row in enumerate(rows):
            for c, v in enumerate(row):
                ax.text(c, r, f"{v:.2f}", ha="center", va="center", fontsize=9)
    numbered = m.style["numbers"]  # a picture of numbers gets its rows and columns counted
    ax.set_xticks(range(len(rows[0])) if numbered and len(rows[0]) > 1 else [])
    ax.set_yticks(range(len(rows)) if numbered and len(rows) > 1 else [])
    ax.tick_params(labelsize=8)
    return image


# the function drawing each kind of mark: _line for "line", and so on
DRAW = {kind: globals()[f"_{kind}"] for kind in KINDS}
