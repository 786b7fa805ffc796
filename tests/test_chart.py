"""nn.Chart: one description, drawn by matplotlib or as Vega-Lite, both with the numbers given."""

from __future__ import annotations

import json
import math
import sys

import pytest

import nn
from engine import Value
from nn import display
from nn.chart import COLOURS
from nn.chart_vegalite import MIMETYPE
from nn.contour import segments


def layers(spec: dict, panel: int = 0) -> list[dict]:
    views = spec["hconcat"] if "hconcat" in spec else spec["vconcat"][0]["hconcat"]
    return views[panel]["layer"]


def rows(layer: dict) -> list[dict]:
    return layer["data"]["values"]


def two_panels() -> nn.Chart:
    chart = nn.Chart(cols=2)
    left = chart.panel(title="a", xlabel="x", ylabel="y", ylog=True)
    left.line([3, 1, 2], [0.5, 2.0, Value(4.0)], "zigzag", "tab:orange", dash=True)
    left.points([1.5], [3.0], "one point", "tab:red").vline(2.5, "the middle")
    right = chart.panel(title="b", xlabel="who", ylabel="how many")
    right.bars(["A\n+ B", "C"], {"first": [1.0, 0.0], "second": [2.5, 3.0]}, numbers_on_top=True)
    return chart


# ----------------------------------------------------------------------------------
# The Vega-Lite path: the browser's.


def test_a_line_keeps_its_numbers_in_their_order_and_its_key():
    spec = two_panels().vegalite()
    assert spec["$schema"].endswith("/vega-lite/v5.json")
    line, point, rule = layers(spec)
    assert [(r["x"], r["y"]) for r in sorted(rows(line), key=lambda r: r["order"])] == [
        (3.0, 0.5),
        (1.0, 2.0),
        (2.0, 4.0),
    ]
    assert line["encoding"]["order"] == {"field": "order"}  # drawn in the given order, not by x
    assert line["mark"]["strokeDash"] and line["encoding"]["y"]["scale"]["type"] == "log"
    key = line["encoding"]["color"]["scale"]
    assert key == {
        "domain": ["zigzag", "one point", "the middle"],
        "range": [COLOURS["tab:orange"], COLOURS["tab:red"], COLOURS["gray"]],
    }
    assert rows(point) == [{"x": 1.5, "y": 3.0, "series": "one point"}]
    assert rows(rule) == [{"x": 2.5, "series": "the middle"}] and rule["mark"]["type"] == "rule"


def test_bars_are_grouped_with_their_heights_written_on_top():
    first, first_numbers, second, _ = layers(two_panels().vegalite(), 1)
    assert [(r["name"], r["y"]) for r in rows(first)] == [("A\n+ B", 1.0), ("C", 0.0)]
    assert [r["y"] for r in rows(second)] == [2.5, 3.0]
    assert first["encoding"]["xOffset"]["sort"] == ["first", "second"]
    assert first_numbers["mark"]["type"] == "text"
    assert first_numbers["encoding"]["text"]["format"] == ".1f"


def test_regions_colour_each_cell_by_the_sign_and_draw_the_boundary_where_it_changes():
    xs, ys = [0.0, 1.0, 2.0], [0.0, 1.0]
    z = [[-1.0, 1.0, 3.0], [-3.0, -1.0, 1.0]]  # z = 2x - 2y - 1
    chart = nn.Chart()
    chart.panel(title="t", xlabel="x", ylabel="y").regions(
        xs, ys, z, names=("above", "below"), colours=("#fcbba1", "#c6dbef"), boundary="z = 0"
    )
    cells, boundary = layers(chart.vegalite())
    assert [r["series"] for r in rows(cells)] == [
        "below",
        "above",
        "above",
        "below",
        "below",
        "above",
    ]
    assert rows(cells)[0] == {"x": -0.5, "x2": 0.5, "y": -0.5, "y2": 0.5, "series": "below"}
    for r in rows(boundary):  # every end of the boundary lies on 2x - 2y - 1 = 0
        for x, y in [(r["x"], r["y"]), (r["x2"], r["y2"])]:
            assert math.isclose(2 * x - 2 * y - 1, 0.0, abs_tol=1e-12)
    assert len(rows(boundary)) == 2


def test_contour_segments_lie_on_the_level_of_a_plane():
    xs = [0.1 * i for i in range(11)]
    z = [[x + 2 * y for x in xs] for y in xs]
    found = segments(xs, xs, z, 1.3)
    assert len(found) >= 10
    for a, b in found:
        for x, y in (a, b):
            assert math.isclose(x + 2 * y, 1.3, abs_tol=1e-12)


def test_a_saddle_cell_gives_two_pieces():
    assert len(segments([0.0, 1.0], [0.0, 1.0], [[1.0, -1.0], [-1.0, 1.0]], 0.0)) == 2


def test_a_heatmap_keeps_every_value_in_its_row_and_column():
    chart = nn.Chart(colorbar="value")
    chart.panel(title="W", xlabel="j", ylabel="i").heatmap(
        [[1.0, -2.0], [0.5, 0.0]], -2.0, 2.0, signed=True, numbers_in_cells=True
    )
    squares, numbers = layers(chart.vegalite())
    assert rows(squares) == [
        {"row": 0, "column": 0, "value": 1.0},
        {"row": 0, "column": 1, "value": -2.0},
        {"row": 1, "column": 0, "value": 0.5},
        {"row": 1, "column": 1, "value": 0.0},
    ]
    colour = squares["encoding"]["color"]
    assert colour["scale"]["domain"] == [-2.0, 2.0] and colour["legend"]["title"] == "value"
    assert numbers["encoding"]["text"]["format"] == ".2f"


def test_the_images_share_one_scale_and_a_history_shows_its_numbers():
    chart = nn.images.image_chart([[[0, 8], [16, 4]], [[2, 2], [2, 2]]], ["a", "b"], label="ink")
    spec = chart.vegalite()
    scales = [layers(spec, i)[0]["encoding"]["color"]["scale"]["domain"] for i in (0, 1)]
    assert scales == [[0.0, 16.0], [0.0, 16.0]]
    history = nn.History(loss=[1.0, 0.5], accuracy=[0.5, 1.0], val_loss=[1.1, 0.7])
    spec = history.chart().vegalite()
    loss, val = layers(spec, 0)
    assert [r["y"] for r in rows(loss)] == [1.0, 0.5] and [r["y"] for r in rows(val)] == [1.1, 0.7]
    assert [r["y"] for r in rows(layers(spec, 1)[0])] == [0.5, 1.0]


# ----------------------------------------------------------------------------------
# The matplotlib path: the native lessons'.


@pytest.fixture
def plt():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    yield plt
    plt.close("all")


def test_matplotlib_draws_the_same_numbers(plt):
    fig = two_panels().figure()
    left, right = fig.axes
    line = left.get_lines()[0]
    assert list(line.get_xdata()) == [3.0, 1.0, 2.0] and list(line.get_ydata()) == [0.5, 2.0, 4.0]
    assert line.get_linestyle() == "--" and left.get_yscale() == "log"
    assert [tuple(p) for p in left.collections[0].get_offsets()] == [(1.5, 3.0)]
    assert [t.get_text() for t in left.get_legend().get_texts()] == [
        "zigzag",
        "one point",
        "the middle",
    ]
    heights = [bar.get_height() for bar in right.patches]
    assert heights == [1.0, 0.0, 2.5, 3.0]
    assert [t.get_text() for t in right.get_xticklabels()] == ["A\n+ B", "C"]


def test_matplotlib_draws_a_heatmap_with_its_colour_bar(plt):
    chart = nn.Chart(colorbar="value")
    chart.panel(title="W", xlabel="j", ylabel="i").heatmap([[1.0, -2.0]], -2.0, 2.0, signed=True)
    fig = chart.figure()
    image = fig.axes[0].images[0]
    assert image.get_array().tolist() == [[1.0, -2.0]] and image.get_clim() == (-2.0, 2.0)
    assert fig.axes[1].get_ylabel() == "value"  # the colour bar


# ----------------------------------------------------------------------------------
# Choosing the renderer, and bad input.


def test_the_renderer_is_matplotlib_when_installed_else_vega_lite(monkeypatch):
    monkeypatch.delenv(display.RENDERER_VAR, raising=False)
    pytest.importorskip("matplotlib")
    assert display.renderer() == "matplotlib"
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # as in the browser
    assert display.renderer() == "vega-lite"
    monkeypatch.setenv(display.RENDERER_VAR, "svg")
    with pytest.raises(ValueError, match="GRADSTEP_PLOTS='svg': use one of matplotlib, vega-lite"):
        display.renderer()


def test_without_matplotlib_a_notebook_gets_the_vega_lite_bundle(monkeypatch):
    import IPython.display

    shown = []
    monkeypatch.setenv(display.RENDERER_VAR, "vega-lite")
    monkeypatch.setattr(display, "in_notebook", lambda: True)
    monkeypatch.setattr(IPython.display, "display", lambda obj, raw: shown.append((obj, raw)))
    chart = two_panels()
    chart.show()
    [(bundle, raw)] = shown
    assert raw and bundle[MIMETYPE] == chart.vegalite() and "text/plain" in bundle


def test_without_matplotlib_outside_a_notebook_the_error_says_what_to_do(monkeypatch, tmp_path):
    monkeypatch.setenv(display.RENDERER_VAR, "vega-lite")
    monkeypatch.setattr(display, "in_notebook", lambda: False)
    with pytest.raises(ImportError, match=r"Chart.show: matplotlib is not installed.*\.json"):
        two_panels().show()
    two_panels().show(tmp_path / "chart.json")
    assert json.loads((tmp_path / "chart.json").read_text()) == two_panels().vegalite()


@pytest.mark.parametrize(
    "draw, message",
    [
        (lambda p: p.line([1, 2], [1]), r"Chart.line: 2 x values but 1 y values"),
        (lambda p: p.line([1], [1], colour="teal"), r"unknown colour 'teal'"),
        (lambda p: p.points(["a"], [1]), r"Chart: points x must be numbers"),
        (
            lambda p: p.contour([0, 1], [0], [[1, 2], [3, 4]], [1]),
            r"Chart.contour: z needs 1 rows \(one per y\) of 2 numbers",
        ),
        (lambda p: p.heatmap([[1], [2, 3]], 0, 1), r"Chart.heatmap: the matrix needs rows"),
    ],
)
def test_bad_input_is_named(draw, message):
    panel = nn.Chart().panel()
    exception = TypeError if "must be numbers" in message else ValueError
    with pytest.raises(exception, match=message):
        draw(panel)
    assert panel.marks == []  # nothing half-added


def test_an_empty_chart_says_so():
    with pytest.raises(ValueError, match="nothing to draw"):
        nn.Chart().vegalite()
