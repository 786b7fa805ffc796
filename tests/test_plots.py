"""Every plot a lesson or demo draws has a title, axis labels and a key that matches it.

A key that disagrees with its picture misleads a learner (a red marker for students
drawn in green, a decision boundary with no key at all). So every matplotlib figure the
notebooks show and the demos save is read back here, as matplotlib objects (not
pixels), and checked:

* each Axes has a title, an x label and a y label (twin Axes share the title, the x
  label and the legend; each has its own y label);
* a legend names what is drawn: every line, scatter, bar, contour and arrow is either a
  legend entry of its own or has its colour in a legend entry, and every legend entry's
  colour is drawn somewhere (a proxy entry in a colour nothing has is caught);
* one legend entry is one colour: a scatter that paints several colours under one
  label is the notebook 3 bug;
* a picture of numbers (``matshow``, ``imshow``) has a colour bar with its colours.

Unlabelled horizontal or vertical lines at 0 are axes through the origin, not data, and
need no key. The decision-boundary pictures are checked further: the scatter keyed as a
class holds exactly that class's points.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from test_pictures import code_cells, notebook_sources, run_cell, work_in_lesson_folder

import engine
import nn
from engine.core.ops import TABLE

ROOT = Path(__file__).resolve().parent.parent

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.colors import to_rgba, to_rgba_array  # noqa: E402
from matplotlib.contour import ContourSet  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
from matplotlib.text import Annotation  # noqa: E402

Colour = tuple[float, float, float]


def colours(spec: Any) -> set[Colour]:
    """The opaque colours in a matplotlib colour or array of colours (RGB, 3 decimals)."""
    try:
        rows = to_rgba_array(spec)
    except (TypeError, ValueError):
        rows = [to_rgba(spec)]
    return {tuple(round(float(v), 3) for v in row[:3]) for row in rows if row[3] > 0}


@dataclass
class Mark:
    """Something drawn in an Axes: what it is, its label, and its colours."""

    kind: str
    label: str
    colours: set[Colour]

    @property
    def labelled(self) -> bool:
        return bool(self.label) and not self.label.startswith("_")


def line_colours(line: Line2D) -> set[Colour]:
    if line.get_linestyle() in ("None", "", " "):
        return colours(line.get_markerfacecolor())
    return colours(line.get_color())


def is_origin_line(ax: Any, line: Line2D) -> bool:
    """An unlabelled axhline/axvline at 0: the axes through the origin."""
    if line.get_label() and not line.get_label().startswith("_"):
        return False
    xs, ys = list(line.get_xdata()), list(line.get_ydata())
    if line.get_transform() == ax.get_xaxis_transform():  # axvline: x in data, y in axes
        return all(x == 0 for x in xs)
    if line.get_transform() == ax.get_yaxis_transform():  # axhline
        return all(y == 0 for y in ys)
    return False


def marks(ax: Any) -> list[Mark]:
    """What a learner sees drawn in ``ax`` (empty proxy lines for a legend are not drawn)."""
    found = []
    for line in ax.get_lines():
        if line.get_visible() and len(line.get_xdata()) and not is_origin_line(ax, line):
            found.append(Mark("line", line.get_label(), line_colours(line)))
    for collection in ax.collections:
        if not collection.get_visible():
            continue
        if isinstance(collection, ContourSet):
            filled = collection.filled
            spec = collection.get_facecolor() if filled else collection.get_edgecolor()
            found.append(Mark("filled contour" if filled else "contour", "", colours(spec)))
        else:
            spec = collection.get_facecolor()
            if not len(spec):
                spec = collection.get_edgecolor()
            found.append(Mark("scatter", collection.get_label(), colours(spec)))
    for patch in ax.patches:
        if patch.get_visible():
            found.append(Mark("bar", patch.get_label(), colours(patch.get_facecolor())))
    for text in ax.texts:
        if isinstance(text, Annotation) and text.arrow_patch is not None:
            found.append(Mark("arrow", "", colours(text.arrow_patch.get_edgecolor())))
    return found


def handle_colours(handle: Any) -> set[Colour]:
    if isinstance(handle, Line2D):
        return line_colours(handle)
    if isinstance(handle, Patch):
        return colours(handle.get_facecolor())
    return colours(handle.get_facecolor())


def legend_entries(axes: Iterable[Any]) -> dict[str, set[Colour]]:
    """Legend text -> the colours its handle shows, over the legends of ``axes``.

    A figure legend (``fig.legend``) is the key of every Axes in that figure.
    """
    entries: dict[str, set[Colour]] = {}
    axes = list(axes)
    legends = [ax.get_legend() for ax in axes] + list(axes[0].figure.legends if axes else [])
    for legend in legends:
        if legend is None:
            continue
        for text, handle in zip(legend.get_texts(), legend.legend_handles, strict=True):
            entries[text.get_text()] = handle_colours(handle)
    return entries


def twins(ax: Any, among: list[Any]) -> list[Any]:
    """``ax`` and the Axes drawn on top of it (``twinx``/``twiny``): same box, shared axis."""
    box = ax.get_position().bounds
    return [
        other
        for other in among
        if other.get_position().bounds == box
        and (
            other is ax
            or ax.get_shared_x_axes().joined(ax, other)
            or ax.get_shared_y_axes().joined(ax, other)
        )
    ]


def name(ax: Any) -> str:
    return repr(ax.get_title() or ax.get_ylabel() or "untitled Axes")


def figure_problems(fig: Any) -> list[str]:
    """What is missing or wrong in ``fig``'s titles, axis labels and keys."""
    mappables = [m for ax in fig.axes for m in [*ax.images, *ax.collections]]
    colorbars = [m.colorbar for m in mappables if getattr(m, "colorbar", None) is not None]
    colorbar_axes = [bar.ax for bar in colorbars]
    plots = [ax for ax in fig.axes if ax not in colorbar_axes]
    problems: list[str] = []
    done: list[Any] = []
    for ax in plots:
        if ax in done:
            continue
        group = twins(ax, plots)
        done.extend(group)
        problems += group_problems(group, colorbars)
    return list(dict.fromkeys(problems))  # two unkeyed arrows are one problem


def group_problems(group: list[Any], colorbars: list[Any]) -> list[str]:
    """Problems of one Axes and its twins, which share one key."""
    where = name(group[0])
    problems = []
    if not any(ax.get_title() for ax in group):
        problems.append(f"{where}: no title")
    if not any(ax.get_xlabel() for ax in group):
        problems.append(f"{where}: no x label")
    problems += [f"{name(ax)}: no y label" for ax in group if not ax.get_ylabel()]
    for ax in group:
        for image in ax.images:
            shown = colours(image.cmap(image.norm(image.get_array().ravel())))
            keyed = [bar for bar in colorbars if bar.cmap.name == image.cmap.name]
            if not any(
                (bar.norm.vmin, bar.norm.vmax) == (image.norm.vmin, image.norm.vmax)
                for bar in keyed
            ):
                problems.append(f"{name(ax)}: {len(shown)} colours and no colour bar for them")
    drawn = [mark for ax in group for mark in marks(ax)]
    if not drawn:
        return problems
    entries = legend_entries(group)
    if not entries:
        things = "thing" if len(drawn) == 1 else "things"
        return [*problems, f"{where}: {len(drawn)} {things} drawn and no legend"]
    for mark in drawn:
        if mark.labelled and mark.label in entries:
            if len(mark.colours) > 1:
                problems.append(
                    f"{where}: the {mark.kind} {mark.label!r} paints {len(mark.colours)} "
                    "colours under one legend entry: draw one per colour, each labelled"
                )
            elif entries[mark.label] != mark.colours:
                problems.append(
                    f"{where}: legend entry {mark.label!r} shows {entries[mark.label]}, "
                    f"the {mark.kind} is {mark.colours}"
                )
            continue
        keyed = set().union(*entries.values())
        for colour in sorted(mark.colours - keyed):
            article = "an" if mark.kind[0] in "aeiou" else "a"
            problems.append(f"{where}: {article} {mark.kind} in {colour} has no legend entry")
    shown = set().union(*(mark.colours for mark in drawn))
    for label, entry in entries.items():
        if not entry <= shown:
            problems.append(f"{where}: legend entry {label!r} is in {entry}, drawn nowhere")
    return problems


# ----------------------------------------------------------------------------------
# The checker catches what it is for.


def test_a_complete_plot_passes():
    fig, ax = plt.subplots()
    ax.plot([0, 1], [1, 2], color="tab:blue", label="data")
    ax.axhline(0, color="lightgray")  # the x axis: needs no key
    ax.set(title="t", xlabel="x", ylabel="y")
    ax.legend()
    assert figure_problems(fig) == []
    plt.close(fig)


def test_missing_title_labels_and_legend_are_caught():
    fig, ax = plt.subplots()
    ax.plot([0, 1], [1, 2])
    found = figure_problems(fig)
    plt.close(fig)
    assert any("no title" in p for p in found) and any("no x label" in p for p in found)
    assert any("no y label" in p for p in found) and any("no legend" in p for p in found)


def test_one_label_over_two_colours_is_caught():
    """Notebook 3's bug: green and red students under one red legend marker."""
    fig, ax = plt.subplots()
    ax.scatter([1, 2], [0, 1], color=["tab:red", "tab:green"], label="students (1 = passed)")
    ax.set(title="t", xlabel="x", ylabel="y")
    ax.legend()
    found = figure_problems(fig)
    plt.close(fig)
    assert any("paints 2 colours under one legend entry" in p for p in found), found


def test_an_unkeyed_line_and_a_proxy_in_a_wrong_colour_are_caught():
    fig, ax = plt.subplots()
    ax.plot([0, 1], [1, 2], color="tab:blue", label="data")
    ax.axvline(0.5, color="gray", ls=":")  # at 0.5 it means something: it needs a key
    ax.contour([0, 1], [0, 1], [[0, 1], [1, 2]], levels=[1], colors="tab:purple")
    ax.plot([], [], color="tab:green", label="level 1")  # proxy in the wrong colour
    ax.set(title="t", xlabel="x", ylabel="y")
    ax.legend()
    found = figure_problems(fig)
    plt.close(fig)
    gray, purple, green = (next(iter(colours(c))) for c in ["gray", "tab:purple", "tab:green"])
    assert f"'t': a line in {gray} has no legend entry" in found
    assert f"'t': a contour in {purple} has no legend entry" in found
    assert any("'level 1'" in p and str(green) in p and "drawn nowhere" in p for p in found)


def test_twin_axes_share_one_legend_and_a_matrix_needs_a_colour_bar():
    fig, (left, right) = plt.subplots(1, 2)
    left.plot([1, 2], [3, 1], color="tab:blue", label="loss")
    twin = left.twinx()
    twin.plot([1, 2], [0.5, 1], color="tab:orange", label="accuracy")
    left.set(title="history", xlabel="epoch", ylabel="loss")
    twin.set_ylabel("accuracy")
    left.legend(handles=[*left.get_lines(), *twin.get_lines()])  # one legend for both
    right.matshow([[1, -1]], cmap="coolwarm")
    right.set(title="W", xlabel="column", ylabel="row")
    assert figure_problems(fig) == ["'W': 2 colours and no colour bar for them"]
    fig.colorbar(right.images[0], ax=right)
    assert figure_problems(fig) == []
    plt.close(fig)


# ----------------------------------------------------------------------------------
# The notebooks: every figure, where Jupyter would show it.

# Lessons plot through nn.Chart (drawn by matplotlib here), never with matplotlib directly.
PLOTTING_NOTEBOOKS = [p for p in notebook_sources() if ".show()" in p.read_text(encoding="utf-8")]


@pytest.mark.parametrize("source", PLOTTING_NOTEBOOKS, ids=lambda p: p.stem)
def test_every_notebook_plot_has_titles_labels_and_a_matching_legend(source, tmp_path, monkeypatch):
    """Every cell runs; a figure is checked at ``plt.show()`` or, as Jupyter's inline
    backend shows every figure still open, at the end of its cell."""
    import IPython.display

    import nn.display

    shown: list[str] = []
    problems: list[str] = []

    def show(*args: Any, **kwargs: Any) -> None:
        for number in plt.get_fignums():
            shown.append(where)
            problems.extend(f"{where}: {p}" for p in figure_problems(plt.figure(number)))
        plt.close("all")

    monkeypatch.setattr(plt, "show", show)
    monkeypatch.setattr(IPython.display, "display", lambda *objs, **options: None)
    # History.plot() leaves its figure to the notebook, as in Jupyter, instead of a file.
    monkeypatch.setattr(nn.display, "in_notebook", lambda: True)
    work_in_lesson_folder(monkeypatch, tmp_path)
    plt.close("all")  # a fresh kernel has no figures; another test may have left some open
    namespace: dict[str, Any] = {"__name__": "__main__"}
    ops = dict(engine.OPS)  # a notebook may register an op; a fresh kernel has only these:
    built_in = {op.name for op in TABLE}
    for op_name in set(ops) - built_in:
        del engine.OPS[op_name]
    try:
        for i, code in enumerate(code_cells(source)):
            where = f"{source.stem} cell {i}"
            run_cell(code, namespace, f"<{where}>")
            show()
    finally:
        plt.close("all")
        engine.OPS.clear()
        engine.OPS.update(ops)
    assert shown, f"{source.name} shows a chart but no figure was drawn"
    assert problems == [], "\n".join(problems)


# ----------------------------------------------------------------------------------
# The demos: every figure they write, checked as it is written.


def saved_figures(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Watch every ``Figure.savefig``: file name -> (its problems, the figure)."""
    from matplotlib.figure import Figure

    figures: dict[str, Any] = {}
    real = Figure.savefig

    def savefig(fig: Any, path: Any, *args: Any, **options: Any) -> Any:
        figures[Path(path).name] = (figure_problems(fig), fig)
        return real(fig, path, *args, **options)

    monkeypatch.setattr(Figure, "savefig", savefig)
    return figures


DEMO_PICTURES = {
    "moons": (
        ["--epochs", "30", "--no-progress"],
        ["moons_decision_boundary.png", "moons_loss.png"],
    ),
    "digits": (
        ["--limit", "200", "--epochs", "1", "--no-progress"],
        [f"digits_{name}.png" for name in ["confusion", "misclassified", "kernels", "history"]],
    ),
    "wine": ([], ["wine.png"]),
    "xor": ([], ["xor.png"]),
}


@pytest.mark.parametrize("demo", sorted(DEMO_PICTURES))
def test_every_demo_plot_has_titles_labels_and_a_matching_legend(demo, tmp_path, monkeypatch):
    import importlib

    args, pictures = DEMO_PICTURES[demo]
    figures = saved_figures(monkeypatch)
    module = importlib.import_module(f"demos.{demo}")
    assert module.main([*args, "--out", str(tmp_path)]) == 0
    assert sorted(figures) == sorted(pictures)
    problems = [f"{png}: {p}" for png, (found, _) in figures.items() for p in found]
    assert problems == [], "\n".join(problems)


def class_scatters(ax: Any) -> dict[str, list[tuple[float, float]]]:
    """Legend label -> the points of the scatter drawn under it."""
    return {
        c.get_label(): sorted(tuple(map(float, p)) for p in c.get_offsets())
        for c in ax.collections
        if not isinstance(c, ContourSet) and not c.get_label().startswith("_")
    }


def test_the_boundary_picture_keys_each_class_with_its_own_points(tmp_path, monkeypatch):
    from demos import _plots

    X = [[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [0.5, 0.2]]
    y = [1.0, -1.0, -1.0, 1.0, -1.0]
    names = ("odd", "even")
    figures = saved_figures(monkeypatch)
    _plots.decision_boundary(
        tmp_path / "b.png", lambda P: [p[0] - p[1] for p in P], X, y, "x₀ − x₁", names
    )
    found, fig = figures["b.png"]
    assert found == []
    (ax,) = fig.axes
    assert class_scatters(ax) == {
        "odd": sorted((a, b) for (a, b), t in zip(X, y, strict=True) if t > 0),
        "even": sorted((a, b) for (a, b), t in zip(X, y, strict=True) if t < 0),
    }
    # Each class's region is keyed in a paler shade of that class's point colour, and
    # the plane is painted in exactly the two region colours.
    entries = legend_entries([ax])
    (filled,) = [c for c in ax.collections if isinstance(c, ContourSet) and c.filled]
    assert colours(filled.get_facecolor()) == (
        entries["where the model answers odd"] | entries["where the model answers even"]
    )
    for name in names:
        (point,) = entries[name]
        (region,) = entries[f"where the model answers {name}"]
        assert max(range(3), key=lambda i: point[i]) == max(range(3), key=lambda i: region[i])
        assert math.dist(region, (1, 1, 1)) < math.dist(point, (1, 1, 1))  # paler
    # The positive side of the score is painted in the positive class's region colour.
    (upper,) = colours(filled.get_facecolor()[-1])  # the level from 0 to 3: score above 0
    assert {upper} == entries["where the model answers odd"]
    plt.close(fig)


def test_both_xor_planes_key_each_xor_value_with_its_own_points(tmp_path, monkeypatch):
    import nn
    from demos import xor

    X, y = nn.datasets.xor()
    figures = saved_figures(monkeypatch)
    assert xor.main(["--epochs", "20", "--out", str(tmp_path)]) == 0
    found, fig = figures["xor.png"]
    assert found == [] and len(fig.axes) == 2
    for ax in fig.axes:
        assert class_scatters(ax) == {
            "XOR = 1": sorted((a, b) for (a, b), t in zip(X, y, strict=True) if t == 1),
            "XOR = 0": sorted((a, b) for (a, b), t in zip(X, y, strict=True) if t == 0),
        }


def test_the_live_training_picture_has_titles_labels_and_a_key(tmp_path):
    """fit(plot=...)'s figure: the heat map keyed (classes, boundary, colour bar), the curves
    keyed; checked on the last frame of a short animation."""
    X, y = nn.datasets.make_moons(40, noise=0.1, seed=1, signed=True)
    watch = nn.TrainingPlot(tmp_path / "training.gif", every=5)
    nn.fit(nn.MLP(2, [8, 1], seed=0), X, y, loss="hinge", epochs=10, lr=0.3, plot=watch)
    assert figure_problems(watch._figure.fig) == []
    legend = watch._figure.map_ax.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["y = 1", "y = -1", "output = 0"]
