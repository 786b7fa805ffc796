"""Watching a network learn: ``fit(..., plot=...)`` and ``plot_neurons``.

``fit(model, X, y, plot=True)`` in Jupyter shows one figure that redraws in place as
training goes: the loss (and accuracy) per epoch and, for 2-D inputs, the model's
output over the input plane as a heat map with the data points on top, as
TensorFlow Playground draws it (orange for the negative class, blue for the positive
one, white at the decision threshold, the boundary as a black line). In a script,
``plot="training.gif"`` (or ``.mp4`` when matplotlib has an ffmpeg writer) writes the
same pictures as an animation, a frame per epoch (up to ``MAX_FRAMES``, spread evenly
over training), and prints the path;
``plot=True`` outside a notebook saves the final picture as ``training.png`` and says
so. ``plot=TrainingPlot(...)`` sets how often and how finely.

How often: an animation file is for watching the boundary form, so it gets a frame
for every epoch, or for ``MAX_FRAMES`` (50) epochs spread evenly over a longer training
(``frame_epochs``), whatever the drawing costs. A live figure in a notebook is
redrawn while you wait, so it keeps to a time budget: it is updated only when one more
update, costing what the last one did, keeps all the drawing so far within 20% of the
training time so far, with room left for the last epoch's picture (always drawn).
``every=k`` updates every k epochs instead, in both. The first frame is the model
before training (epoch 0); the last epoch is always drawn.

``plot_neurons(model, X)`` draws every neuron's activation over the input plane, one
small heat map each, a band of rows per layer, as Playground shows its hidden units.
"""

from __future__ import annotations

import io
import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from engine import Value, no_grad
from engine import compile as compile_graph

from . import display
from .checks import float_of
from .display import finish_figure
from .module import Module

__all__ = ["BUDGET", "MAX_FRAMES", "TrainingPlot", "frame_epochs", "plot_neurons"]

BUDGET = 0.2  # the share of training time live redraws may take, when ``every`` is not given
MAX_FRAMES = 50  # an animation file's frames after epoch 0, when ``every`` is not given
# The project's class colours (nn.display): red for positive, blue for negative, the
# heat map running from blue through white to red as TensorFlow Playground's does.
NEGATIVE, POSITIVE = display.NEGATIVE, display.POSITIVE
WRITERS = {".gif": "pillow", ".mp4": "ffmpeg"}


class TrainingPlot:
    """What ``fit(..., plot=...)`` draws, where, and how often.

    ``path``: an animation file (``.gif``; ``.mp4`` with ffmpeg), or None for the
    notebook figure (the final picture in ``training.png`` outside a notebook).
    ``every``: update every that many epochs, or None: a file gets ``frame_epochs``
    (every epoch, up to ``max_frames`` spread evenly), a live figure keeps its updates
    under ``BUDGET`` (20%) of training time. ``resolution``: grid points per side of the
    heat map. ``fps``: frames per second of the animation.

    After training, ``frames`` counts the pictures drawn, and ``train_seconds`` /
    ``update_seconds`` say what training and drawing cost.
    """

    def __init__(
        self,
        path: str | os.PathLike[str] | None = None,
        *,
        every: int | None = None,
        resolution: int = 24,
        fps: float = 5.0,
        max_frames: int = MAX_FRAMES,
    ) -> None:
        if every is not None and (
            isinstance(every, bool) or not isinstance(every, int) or every < 1
        ):
            raise ValueError(f"TrainingPlot: every must be a positive int or None, got {every!r}")
        if isinstance(resolution, bool) or not isinstance(resolution, int) or resolution < 2:
            raise ValueError(f"TrainingPlot: resolution must be an int >= 2, got {resolution!r}")
        if not isinstance(fps, (int, float)) or isinstance(fps, bool) or not fps > 0:
            raise ValueError(f"TrainingPlot: fps must be a positive number, got {fps!r}")
        if isinstance(max_frames, bool) or not isinstance(max_frames, int) or max_frames < 1:
            raise ValueError(f"TrainingPlot: max_frames must be a positive int, got {max_frames!r}")
        self.path = None if path is None else Path(path)
        if self.path is not None and self.path.suffix.lower() not in WRITERS:
            raise ValueError(
                f"TrainingPlot: write the animation to a .gif (or .mp4) file, got "
                f"{os.fspath(path)!r}; plot=True draws in the notebook instead"
            )
        self.every = every
        self.resolution = resolution
        self.fps = float(fps)
        self.max_frames = max_frames
        self.frames = 0
        self.drawn_epochs: list[int] = []
        self.train_seconds = 0.0
        self.update_seconds = 0.0
        self._started = False

    # -- the hook fit calls ---------------------------------------------------------------

    def start(
        self, model: Module, X: list[list[Any]], y: list[Any], epochs: int, loss: Any
    ) -> None:
        """Before the first epoch: set up the figure (and the writer) and draw epoch 0."""
        if self._started:
            raise ValueError(
                "fit(plot=...): this TrainingPlot has been used for a fit already; make a new one"
            )
        self._started = True
        self.model, self.epochs = model, epochs
        self._figure = _Figure(model, X, y, loss, self.resolution)
        self._writer = self._open_writer()
        self._notebook = self.path is None and _in_notebook()
        self._display = None  # the notebook output the figure is shown in, once shown
        self._history = None
        self._file_epochs = frame_epochs(epochs, self.every, self.max_frames)
        # With nowhere to show frames (plot=True in a script), only the end is drawn.
        self._cost = self._draw(0, None) if self._writer or self._notebook else 0.0
        self._mark = time.perf_counter()

    def epoch(self, epoch: int, history: Any) -> None:
        """After each epoch: redraw when ``due`` says so."""
        self.train_seconds += time.perf_counter() - self._mark
        self._history = history
        if self._writer is not None:
            draw = epoch in self._file_epochs
        else:
            draw = self._notebook and due(
                epoch, self.epochs, self.every, self.train_seconds, self.update_seconds, self._cost
            )
        if draw:
            self._cost = self._draw(epoch, history)
        self._mark = time.perf_counter()

    def finish(self) -> None:
        """After the last epoch: write the animation, or say where the picture went."""
        if self._writer is not None:
            self._writer.finish()
            self._writer = None
            print(f"fit: wrote the training animation ({self.frames} frames) to {self.path}")
        elif not self._notebook:  # a script: a window when there is a display, else a file
            self._draw(self.epochs, self._history)
            finish_figure(self._figure.fig, None, "training.png", "fit(plot=True)")

    def close(self) -> None:
        """Always, even after an error: drop the writer; a failed fit writes no file.

        (The pillow writer keeps its frames in memory until ``finish``; an ffmpeg writer's
        process sees its input end.)
        """
        self._writer = None

    # -- drawing --------------------------------------------------------------------------

    def _draw(self, epoch: int, history: Any) -> float:
        begin = time.perf_counter()
        self._figure.update(epoch, history)
        if self._writer is not None:
            self._writer.grab_frame()
        elif self._notebook:
            image = _png(self._figure.fig)
            if self._display is None:
                from IPython.display import display

                self._display = display(image, display_id=True)
            else:
                self._display.update(image)
        self.frames += 1
        self.drawn_epochs.append(epoch)
        cost = time.perf_counter() - begin
        self.update_seconds += cost
        return cost

    def _open_writer(self) -> Any:
        if self.path is None:
            return None
        from matplotlib import animation

        name = WRITERS[self.path.suffix.lower()]
        if not animation.writers.is_available(name):
            raise RuntimeError(
                f"fit(plot={os.fspath(self.path)!r}): matplotlib has no {name} writer here "
                "(an .mp4 needs the ffmpeg program on PATH); write a .gif instead"
            )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        writer = animation.writers[name](fps=self.fps)
        writer.setup(self._figure.fig, os.fspath(self.path), dpi=80)
        return writer


def frame_epochs(epochs: int, every: int | None = None, cap: int = MAX_FRAMES) -> set[int]:
    """The epochs an animation file draws: 0 (before training), then every epoch, or
    ``cap`` epochs spread evenly when there are more (``round(i·epochs/cap)``), or
    every ``every``-th; the last epoch always.

    ``frame_epochs(12)`` is 0 to 12; ``frame_epochs(100, cap=50)`` is 0, 2, 4, ..., 100.
    """
    if every is not None:
        return {*range(0, epochs + 1, every), epochs}
    if epochs <= cap:
        return set(range(epochs + 1))
    return {round(i * epochs / cap) for i in range(cap + 1)}


def due(
    epoch: int, epochs: int, every: int | None, trained: float, drawn: float, cost: float
) -> bool:
    """Whether to redraw after ``epoch``: always after the last; else every ``every``
    epochs, or (``every=None``) when one more update, expected to cost what the last one
    did, keeps all drawing so far within ``BUDGET`` (20%) of the training time so far,
    with room left for the last epoch's picture, which is drawn whatever it costs.
    """
    if epoch == epochs:
        return True
    if every is not None:
        return epoch % every == 0
    return drawn + 2 * cost <= BUDGET * trained


def watch(
    plot: Any, model: Module, X: list[list[Any]], y: list[Any], epochs: int, loss: Any
) -> TrainingPlot:
    """The ``TrainingPlot`` for fit's ``plot=`` argument, started (epoch 0 drawn)."""
    if isinstance(plot, TrainingPlot):
        live = plot
    elif plot is True:
        live = TrainingPlot()
    elif isinstance(plot, (str, os.PathLike)):
        try:
            live = TrainingPlot(plot)
        except ValueError as error:  # the caller wrote fit(plot=path): say so
            raise ValueError(str(error).replace("TrainingPlot:", "fit(plot=...):", 1)) from None
    else:
        raise TypeError(
            "fit: plot must be True (a live figure), a .gif/.mp4 path (an animation) or an "
            f"nn.TrainingPlot, got {plot!r}"
        )
    display.pyplot("fit(plot=...)")
    live.start(model, X, y, epochs, loss)
    return live


class _Figure:
    """The figure: the heat map (for 2-D inputs and one output) and the curves."""

    def __init__(
        self, model: Module, X: list[list[Any]], y: list[Any], loss: Any, resolution: int
    ) -> None:
        from matplotlib.figure import Figure

        self.model = model
        self.plane = len(X[0]) == 2 and getattr(model, "nout", 1) == 1
        self.fig = Figure(figsize=(10.0, 4.2) if self.plane else (6.0, 3.8))
        # A fixed layout: a layout engine would re-measure every text on every frame.
        self.fig.subplots_adjust(left=0.06, right=0.92, bottom=0.13, top=0.86, wspace=0.4)
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        FigureCanvasAgg(self.fig)
        if self.plane:
            self.map_ax, self.loss_ax = self.fig.subplots(1, 2, width_ratios=[1, 1.1])
            self.grid = Grid(X, resolution)
            self.center = _threshold(loss, y)
            self.span = _span(y, self.center)
            self.image = None
            self._points(X, y)
        else:
            self.loss_ax = self.fig.subplots()
        (self.loss_line,) = self.loss_ax.plot([], [], color="tab:blue", label="loss")
        self.loss_ax.set(xlabel="epoch", ylabel="loss")
        self.loss_ax.set_title("per epoch", fontsize=9)
        self.loss_ax.legend(loc="upper right", fontsize=7)
        self.loss_ax.yaxis.label.set_color("tab:blue")
        self.acc_ax = self.acc_line = None

    def _points(self, X: list[list[Any]], y: list[Any]) -> None:
        """The data on the plane, one colour and one legend entry per side of the threshold."""
        from matplotlib.lines import Line2D

        targets = [float_of(t) for t in y]
        for colour, above in ((POSITIVE, True), (NEGATIVE, False)):
            side = [(x, t) for x, t in zip(X, targets, strict=True) if (t > self.center) == above]
            if not side:
                continue
            values = sorted({t for _, t in side})
            name = f"y = {values[0]:g}" if len(values) == 1 else _side_name(above, self.center)
            self.map_ax.scatter(
                [float_of(x[0]) for x, _ in side],
                [float_of(x[1]) for x, _ in side],
                color=colour,
                edgecolors="white",
                linewidths=1.0,
                s=30,
                zorder=3,
                label=name,
            )
        boundary = Line2D([], [], color="black", lw=1, label=f"output = {self.center:g}")
        self.map_ax.legend(
            handles=[*self.map_ax.collections, boundary], loc="upper right", fontsize=7
        )
        self.map_ax.set(
            xlim=self.grid.xlim, ylim=self.grid.ylim, aspect="equal", xlabel="x₀", ylabel="x₁"
        )
        self.map_ax.set_title("the model's output over the plane", fontsize=9)

    def update(self, epoch: int, history: Any) -> None:
        if self.plane:
            self._update_map()
        losses = list(history.loss) if history is not None else []
        epochs = list(range(1, len(losses) + 1))
        self.loss_line.set_data(epochs, losses)
        if history is not None and history.accuracy:
            if self.acc_ax is None:
                self.acc_ax = self.loss_ax.twinx()
                (self.acc_line,) = self.acc_ax.plot([], [], color="tab:orange", label="accuracy")
                self.acc_ax.set_ylim(-0.02, 1.02)
                self.acc_ax.set_ylabel("accuracy", color="tab:orange")
                lines = [self.loss_line, self.acc_line]
                self.loss_ax.legend(handles=lines, loc="upper right", fontsize=7)
            self.acc_line.set_data(epochs, list(history.accuracy))
        self.loss_ax.relim()
        self.loss_ax.autoscale_view()
        self.loss_ax.set_xlim(0.5, max(2, len(losses)) + 0.5)
        title = f"epoch {epoch}"
        if losses:
            title += f": loss {losses[-1]:.4g}"
            if history.accuracy:
                title += f", accuracy {history.accuracy[-1]:.0%}"
        else:
            title += " (before training)"
        self.fig.suptitle(title)

    def _update_map(self) -> None:
        from matplotlib.colors import LinearSegmentedColormap

        values = self.grid.evaluate(self.model)
        if self.image is None:
            cmap = LinearSegmentedColormap.from_list("playground", [NEGATIVE, "#ffffff", POSITIVE])
            self.image = self.map_ax.imshow(
                values,
                origin="lower",
                extent=(*self.grid.xlim, *self.grid.ylim),
                cmap=cmap,
                vmin=self.center - self.span,
                vmax=self.center + self.span,
                interpolation="bilinear",
                alpha=0.6,  # lighter than the points on top
                zorder=1,
            )
            self.fig.colorbar(self.image, ax=self.map_ax, fraction=0.046, pad=0.03, label="output")
            self.boundary = None
        else:
            self.image.set_data(values)
        if self.boundary is not None:
            self.boundary.remove()
            self.boundary = None
        flat = [v for row in values for v in row]
        if min(flat) < self.center < max(flat):
            self.boundary = self.map_ax.contour(
                self.grid.xs,
                self.grid.ys,
                values,
                levels=[self.center],
                colors="black",
                linewidths=1,
                zorder=2,
            )


def _side_name(above: bool, center: float) -> str:
    return f"y > {center:g}" if above else f"y ≤ {center:g}"


class Grid:
    """Points over the data's plane (a quarter of its range added on every side)."""

    def __init__(self, X: Sequence[Sequence[Any]], resolution: int) -> None:
        xs = [float_of(x[0]) for x in X]
        ys = [float_of(x[1]) for x in X]
        pad_x = 0.25 * (max(xs) - min(xs)) or 0.5
        pad_y = 0.25 * (max(ys) - min(ys)) or 0.5
        self.xlim = (min(xs) - pad_x, max(xs) + pad_x)
        self.ylim = (min(ys) - pad_y, max(ys) + pad_y)
        n = resolution
        self.xs = [self.xlim[0] + (self.xlim[1] - self.xlim[0]) * i / (n - 1) for i in range(n)]
        self.ys = [self.ylim[0] + (self.ylim[1] - self.ylim[0]) * j / (n - 1) for j in range(n)]
        self.points = [[a, b] for b in self.ys for a in self.xs]

        self._replay: tuple[list[Value], Any, Any] | None = None

    def evaluate(self, model: Any) -> list[list[float]]:
        """The model's output at every point, rows by y, recording no graph.

        nn's own layers (MLP, Layer, Neuron) build the same graph for every input, so
        their forward pass is traced once (``engine.compile``) and replayed per point
        with the point written into two input leaves: about 20x faster than building
        Values (measured: 16 ms against 300 ms for micrograd's MLP on 576 points).
        Any other model is evaluated by ``Module.predict``, under ``engine.no_grad``.
        Either way the parameters' data are read as they are now and no grad changes.
        """
        replay = self._traced(model)
        if replay is None:
            flat = model.predict(self.points)
        else:
            inputs, graph = replay
            flat = []
            for a, b in self.points:
                inputs[0].data, inputs[1].data = a, b
                flat.append(graph.forward())
        n = len(self.xs)
        return [flat[j * n : (j + 1) * n] for j in range(len(self.ys))]

    def _traced(self, model: Any) -> tuple[list[Value], Any] | None:
        from .layers import MLP, Layer, Neuron

        if type(model) not in (MLP, Layer, Neuron) or model.nout != 1:
            return None
        if self._replay is None or self._replay[2] is not model:
            inputs = [Value(0.0), Value(0.0)]
            self._replay = (inputs, compile_graph(model(inputs)), model)
        return self._replay[0], self._replay[1]


PER_ROW = 8  # heat maps per row; a wider layer continues on the next row


def plot_neurons(
    model: Module,
    X: Sequence[Sequence[Any]],
    y: Sequence[Any] | None = None,
    *,
    resolution: int = 40,
    path: str | os.PathLike[str] | None = None,
) -> Any:
    """Every neuron's activation over the input plane: a small heat map each, by layer.

    A band of rows per layer, top to bottom from the first hidden layer to the output,
    its neurons left to right (``PER_ROW`` to a row), as TensorFlow Playground shows
    its hidden units. ``X`` (2-D inputs) sets the plane and, with labels ``y``, is drawn
    on top. Each map has its own colour scale, white at 0. Evaluated under
    ``engine.no_grad``: no grad changes. Returns the matplotlib Figure (Jupyter shows it).
    ``path`` saves it there; in a script without one it goes to a window when there is a
    display, else to ``neurons.png``, and the path is printed (as ``History.plot`` does).
    """
    plt = display.pyplot("plot_neurons")
    layers = _layers(model)
    if getattr(layers[0], "nin", None) != 2:
        raise ValueError(
            "plot_neurons: the heat maps are over an input plane, so the model needs 2 "
            f"inputs; this one has {getattr(layers[0], 'nin', '?')}"
        )
    rows = list(X)
    if not rows:
        raise ValueError("plot_neurons: X is empty; pass the data whose plane to show")
    grid = Grid(rows, resolution)
    activations = _activations(layers, grid.points)  # [layer][neuron][point]
    bands = [
        (i, start) for i, layer in enumerate(activations) for start in range(0, len(layer), PER_ROW)
    ]
    width = min(PER_ROW, max(len(layer) for layer in activations))
    fig, axes = plt.subplots(
        len(bands), width, figsize=(1.35 * width + 0.3, 1.0 * len(bands) + 0.7), squeeze=False
    )
    fig.subplots_adjust(
        left=0.06,
        right=0.99,
        top=1 - 0.45 / (1.0 * len(bands) + 0.7),
        bottom=0.02,
        hspace=0.45,
        wspace=0.08,
    )
    from matplotlib.colors import LinearSegmentedColormap

    cmap = LinearSegmentedColormap.from_list("playground", [NEGATIVE, "#ffffff", POSITIVE])
    n = len(grid.xs)
    colors = None
    if y is not None:
        center = (min(map(float_of, y)) + max(map(float_of, y))) / 2
        colors = [POSITIVE if float_of(t) > center else NEGATIVE for t in y]
    for band, (i, start) in enumerate(bands):
        last = i == len(activations) - 1 and len(activations) > 1
        for col in range(width):
            ax = axes[band][col]
            ax.set_xticks([])
            ax.set_yticks([])
            j = start + col
            if j >= len(activations[i]):
                ax.set_visible(False)
                continue
            values = activations[i][j]
            span = max(1e-12, max(abs(v) for v in values))
            ax.imshow(
                [values[r * n : (r + 1) * n] for r in range(n)],
                origin="lower",
                extent=(*grid.xlim, *grid.ylim),
                cmap=cmap,
                vmin=-span,
                vmax=span,
                interpolation="bilinear",
            )
            if colors is not None:
                ax.scatter(
                    [float_of(x[0]) for x in rows],
                    [float_of(x[1]) for x in rows],
                    c=colors,
                    s=2,
                    edgecolors="none",
                )
            ax.set_title(f"{'output' if last else f'layer {i}'} · {j}", fontsize=7, pad=2)
    fig.suptitle("each neuron's activation over the input plane (blue < 0 < red)", fontsize=10)
    if path is not None or not display.in_notebook():
        finish_figure(fig, path, "neurons.png", "plot_neurons")
    plt.close(fig)  # returned, not left open: Jupyter shows it once
    return fig


def _layers(model: Any) -> list[Any]:
    """The model's layers, in order (a Layer is one, a Neuron is a layer of one)."""
    if hasattr(model, "layers"):
        return list(model.layers)
    if isinstance(model, Module) and hasattr(model, "nin"):
        return [model]
    raise TypeError(
        f"plot_neurons: expected an nn model (MLP, Layer or Neuron), got {type(model).__name__}"
    )


def _activations(layers: list[Any], points: list[list[float]]) -> list[list[list[float]]]:
    """For each layer, each neuron's output at every point; no graph is recorded."""
    result = [[[] for _ in range(getattr(layer, "nout", 1))] for layer in layers]
    with no_grad():
        for point in points:
            xs: Any = point
            for i, layer in enumerate(layers):
                out = layer(xs)
                outs = [out] if isinstance(out, Value) else list(out)
                for j, o in enumerate(outs):
                    result[i][j].append(o.data)
                xs = outs
    return result


def _threshold(loss: Any, y: Sequence[Any]) -> float:
    """Where the model's output changes class: between the two labels' values.

    A loss on logits (``bce_with_logits``: labels 0/1, outputs any real number) decides at
    0; the others decide half-way between their labels (0 for -1/+1, 0.5 for 0/1).
    """
    from . import losses

    if loss is losses.binary_cross_entropy_with_logits:
        return 0.0
    values = [float_of(t) for t in y]
    return (min(values) + max(values)) / 2


def _span(y: Sequence[Any], center: float) -> float:
    values = [float_of(t) for t in y]
    return max(abs(v - center) for v in values) or 1.0


def _png(fig: Any) -> Any:
    from IPython.display import Image

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=80)
    return Image(data=buffer.getvalue(), format="png")


def _in_notebook() -> bool:
    return display.in_notebook()
