"""Watching a network learn: fit's plot= hook, the animation, the grid, plot_neurons.

No test here times anything (timing on a shared machine is noise): the update rule is
checked as the pure function it is, and demos/bench/live.py prints what plotting costs.
"""

from __future__ import annotations

import sys

import pytest

pytest.importorskip("matplotlib")
PIL = pytest.importorskip("PIL.Image")

import engine  # noqa: E402
import nn  # noqa: E402
from engine import Value  # noqa: E402
from nn import live  # noqa: E402

X, Y = nn.datasets.make_moons(24, noise=0.1, seed=3, signed=True)


def model() -> nn.MLP:
    return nn.MLP(2, [4, 1], seed=0)


def frames(path) -> int:
    with PIL.open(path) as image:
        return image.n_frames


def test_the_animation_has_one_frame_per_update(tmp_path, capsys):
    path = tmp_path / "training.gif"
    plot = nn.TrainingPlot(path, every=3, resolution=8)
    nn.fit(model(), X, Y, loss="hinge", epochs=7, lr=0.3, plot=plot)
    # epoch 0 (before training), epochs 3 and 6, and the last epoch, 7
    assert plot.frames == 4 == frames(path)
    assert capsys.readouterr().out == f"fit: wrote the training animation (4 frames) to {path}\n"


@pytest.mark.parametrize("compiled", [False, True])
def test_a_path_alone_writes_a_frame_per_epoch(tmp_path, capsys, compiled):
    # Files are not held to the time budget of live redraws: 12 epochs, 13 frames.
    path = tmp_path / "t.gif"
    nn.fit(model(), X, Y, loss="hinge", epochs=12, lr=0.3, plot=str(path), compile=compiled)
    shown = capsys.readouterr().out
    assert f"(13 frames) to {path}" in shown
    assert frames(path) == 13


def test_a_long_training_gets_max_frames_spread_evenly(tmp_path):
    plot = nn.TrainingPlot(tmp_path / "long.gif", resolution=4, max_frames=10)
    nn.fit(model(), X, Y, loss="hinge", epochs=35, lr=0.3, plot=plot, progress=False)
    assert plot.drawn_epochs == [0, 4, 7, 10, 14, 18, 21, 24, 28, 32, 35]
    assert frames(tmp_path / "long.gif") == 11


def test_frame_epochs():
    assert live.frame_epochs(12) == set(range(13))
    assert live.MAX_FRAMES == 50
    hundred = sorted(live.frame_epochs(100))
    assert hundred == list(range(0, 101, 2))  # demos.moons --animate: every second epoch
    uneven = sorted(live.frame_epochs(1000, cap=7))
    gaps = [b - a for a, b in zip(uneven, uneven[1:], strict=False)]
    assert uneven[0] == 0 and uneven[-1] == 1000 and len(uneven) == 8
    assert max(gaps) - min(gaps) <= 1  # evenly spread, to the epoch
    assert live.frame_epochs(7, every=3) == {0, 3, 6, 7}
    with pytest.raises(ValueError, match="max_frames must be a positive int"):
        nn.TrainingPlot(max_frames=0)


def test_the_update_rule():
    assert live.due(10, 10, None, 0.0, 0.0, 99.0)  # the last epoch is always drawn
    assert [e for e in range(1, 10) if live.due(e, 10, 4, 0.0, 0.0, 0.0)] == [4, 8]
    assert live.BUDGET == 0.2
    # 0.1 s drawn (the start frame), the next update costs 0.1 s and the last frame will
    # too: 0.3 s in all, within 20% of 1.6 s of training so far, not of 1.4 s.
    assert live.due(3, 10, None, trained=1.6, drawn=0.1, cost=0.1)
    assert not live.due(3, 10, None, trained=1.4, drawn=0.1, cost=0.1)


def test_the_hook_sees_every_epoch_and_finishes_once(tmp_path):
    calls = []

    class Recording(nn.TrainingPlot):
        def start(self, *args):
            calls.append("start")
            super().start(*args)

        def epoch(self, epoch, history):
            calls.append(("epoch", epoch, len(history)))
            super().epoch(epoch, history)

        def finish(self):
            calls.append("finish")
            super().finish()

        def close(self):
            calls.append("close")
            super().close()

    plot = Recording(tmp_path / "r.gif", every=2, resolution=6)
    nn.fit(model(), X, Y, loss="hinge", epochs=3, lr=0.3, plot=plot)
    assert calls == ["start", ("epoch", 1, 1), ("epoch", 2, 2), ("epoch", 3, 3), "finish", "close"]
    with pytest.raises(ValueError, match="used for a fit already"):
        nn.fit(model(), X, Y, loss="hinge", epochs=1, plot=plot)


def test_the_heat_map_is_the_trained_models_output_and_plotting_changes_no_grad(tmp_path):
    m = model()
    plot = nn.TrainingPlot(tmp_path / "h.gif", every=1, resolution=7)
    history = nn.fit(m, X, Y, loss="hinge", epochs=2, lr=0.3, plot=plot)
    shown = plot._figure.image.get_array()
    grid = live.Grid(X, 7)
    expected = m.predict(grid.points)
    assert [float(v) for row in shown for v in row] == expected  # the last frame's picture
    assert plot._figure.fig._suptitle.get_text() == (
        f"epoch 2: loss {history.loss[-1]:.4g}, accuracy {history.accuracy[-1]:.0%}"
    )
    grads = [p.grad for p in m.parameters()]
    live.Grid(X, 5).evaluate(m)
    assert [p.grad for p in m.parameters()] == grads


def test_the_grid_records_no_graph():
    """A model nn did not write is evaluated by predict, under no_grad; MLPs by a replay."""
    seen = []

    class Bowl(nn.Module):
        nin, nout = 2, 1

        def __init__(self):
            self.w = Value(0.5)

        def parameters(self):
            return [self.w]

        def __call__(self, x):
            seen.append(engine.is_grad_enabled())
            out = self.w * (x[0] * x[0]) + x[1]
            assert not out._parents  # nothing recorded
            return out

    grid = live.Grid(X, 4)
    values = grid.evaluate(Bowl())
    assert seen == [False] * 16
    assert values[1][2] == 0.5 * grid.xs[2] ** 2 + grid.ys[1]
    m = model()
    assert [v for row in grid.evaluate(m) for v in row] == m.predict(grid.points)  # bit for bit
    m.layers[0].neurons[0].w[0].data += 1.0  # the replay reads the parameters as they are now
    assert [v for row in grid.evaluate(m) for v in row] == m.predict(grid.points)


def test_plot_true_outside_a_notebook_says_where_the_picture_went(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    nn.fit(model(), X, Y, loss="hinge", epochs=2, lr=0.3, plot=True)
    out = capsys.readouterr().out
    target = tmp_path / "training.png"
    assert f"fit(plot=True): wrote {target} (no display here, so the figure went to a file)" in out
    assert target.read_bytes().startswith(b"\x89PNG")
    assert plot_frames_of_a_script_run(tmp_path) == 1  # nothing drawn until the end


def test_plot_true_in_a_script_with_a_display_still_says_where_the_picture_went(
    tmp_path, monkeypatch, capsys
):
    """fit's figure is drawn without pyplot (no window of its own): it is saved, not lost."""
    from nn import display

    monkeypatch.setattr(display, "has_window", lambda: True)
    monkeypatch.chdir(tmp_path)
    nn.fit(model(), X, Y, loss="hinge", epochs=2, lr=0.3, plot=True)
    target = tmp_path / "training.png"
    assert f"fit(plot=True): wrote {target} (this figure has no window" in capsys.readouterr().out
    assert target.read_bytes().startswith(b"\x89PNG")


def plot_frames_of_a_script_run(tmp_path) -> int:
    plot = nn.TrainingPlot()
    nn.fit(model(), X, Y, loss="hinge", epochs=3, lr=0.3, plot=plot)
    return plot.frames


def test_in_a_notebook_one_figure_updates_in_place(monkeypatch):
    pytest.importorskip("IPython")
    shown = []

    class Handle:
        def update(self, image):
            shown.append(("update", image))

    def display(image, display_id=False):
        shown.append(("display", image, display_id))
        return Handle()

    import IPython.display

    monkeypatch.setattr(live, "_in_notebook", lambda: True)
    monkeypatch.setattr(IPython.display, "display", display)
    plot = nn.TrainingPlot(every=1, resolution=5)
    nn.fit(model(), X, Y, loss="hinge", epochs=3, lr=0.3, plot=plot, progress=False)
    assert [s[0] for s in shown] == ["display", "update", "update", "update"]
    assert shown[0][2] is True  # one output, with an id, updated in place
    assert all(s[1].data.startswith(b"\x89PNG") for s in shown)
    assert plot.frames == 4  # epochs 0, 1, 2, 3


def test_other_inputs_show_the_curves_only(tmp_path):
    X3 = [[*x, 0.0] for x in X]
    plot = nn.TrainingPlot(tmp_path / "c.gif", every=2)
    nn.fit(nn.MLP(3, [3, 1], seed=0), X3, Y, loss="hinge", epochs=2, lr=0.3, plot=plot)
    assert not plot._figure.plane and frames(tmp_path / "c.gif") == 2


def test_an_mp4_without_ffmpeg_is_refused_before_training(tmp_path):
    from matplotlib import animation

    if animation.writers.is_available("ffmpeg"):
        pytest.skip("ffmpeg is installed here")
    m = model()
    before = m.state_dict()
    with pytest.raises(RuntimeError, match="no ffmpeg writer.*write a .gif instead"):
        nn.fit(m, X, Y, loss="hinge", epochs=2, plot=tmp_path / "t.mp4")
    assert m.state_dict() == before


def test_without_matplotlib_plotting_says_how_to_get_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    m = model()
    with pytest.raises(
        ImportError, match=r"fit\(plot=...\): matplotlib is not installed.*--extra plot"
    ):
        nn.fit(m, X, Y, loss="hinge", epochs=1, plot=True)
    with pytest.raises(ImportError, match="plot_neurons: matplotlib is not installed"):
        nn.plot_neurons(m, X)


def test_plot_neurons_draws_every_neuron_by_layer(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    m = nn.MLP(2, [3, 10, 1], seed=0)
    grads = [p.grad for p in m.parameters()]
    fig = nn.plot_neurons(m, X, Y, resolution=6)
    # a script without a display: the picture goes to a file, and says so
    assert f"plot_neurons: wrote {tmp_path / 'neurons.png'}" in capsys.readouterr().out
    nn.plot_neurons(m, X, Y, resolution=6, path=tmp_path / "mine.png")
    assert (tmp_path / "mine.png").read_bytes().startswith(b"\x89PNG")
    maps = [ax for ax in fig.axes if ax.get_visible()]
    assert len(maps) == 3 + 10 + 1
    titles = [ax.get_title() for ax in maps]
    assert titles[:3] == ["layer 0 · 0", "layer 0 · 1", "layer 0 · 2"]
    assert titles[-1] == "output · 0" and "layer 1 · 9" in titles
    # a neuron's picture is its activation: layer 0, neuron 1 at a grid point
    grid = live.Grid(X, 6)
    neuron = m.layers[0].neurons[1]
    picture = maps[1].get_images()[0].get_array()
    assert float(picture[2][3]) == neuron([grid.xs[3], grid.ys[2]]).data
    assert [p.grad for p in m.parameters()] == grads
    with pytest.raises(ValueError, match="needs 2 inputs; this one has 3"):
        nn.plot_neurons(nn.MLP(3, [2, 1], seed=0), [[0.0, 0.0, 0.0]])
