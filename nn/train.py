"""The training loop: ``fit`` runs epochs of (mini-)batch gradient descent and keeps a history.

One step (``train_step``) is: forward every example of the batch, the loss (plus an
optional L2 penalty), zero the grads, backward, update. During a step Python's cyclic
garbage collector is paused (``engine.collector_paused()``: ``gc.disable()``, then the
previous state restored): a step allocates
tens of thousands of Values, and each allocation burst triggers collector passes that
rescan every live node. gradstep graphs contain no reference cycles (a node refers only
to its operands), so those passes can never free anything; reference counting frees the
whole graph the moment the step drops it. Pausing is safe and is most of the speed.

Progress: a tqdm bar over epochs showing the loss (and accuracy), drawn as a notebook
widget in Jupyter when ipywidgets is installed, as text otherwise. ``progress=None``
(the default) shows it only when the output is a terminal or a notebook, so scripts
piped to a file and test runs stay quiet; ``True`` / ``False`` force it.
"""

from __future__ import annotations

import contextlib
import math
import numbers
import os
import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import engine
from engine import Value

from . import losses as _losses
from .chart import Chart
from .checks import data_of, number, ordered, positive, row
from .display import finish_figure, pyplot
from .display import in_notebook as _in_notebook
from .display import is_terminal as _is_terminal
from .module import Module
from .optim import SGD, Optimizer, Schedule

LossFn = Callable[[list[Any], list[Any]], Value]


@dataclass
class History:
    """What ``fit`` measured, one entry per epoch.

    ``loss``: the mean over the epoch's batches of the minimised objective (data loss
    plus the L2 term, if any), each measured in the forward pass before that batch's
    update. ``accuracy``: the fraction of the epoch's examples classified correctly in
    those same forward passes (empty when the loss is not a classifier and no
    ``accuracy`` function was given). ``lr``: the learning rate of the epoch's last step.

    With ``fit(..., validation=(X_val, y_val))``: ``val_loss`` and ``val_accuracy``,
    measured on those held-out examples after each epoch's last update, without
    recording a graph. ``val_loss`` is the data loss alone (no L2 term): how well the
    model does on examples it never trained on, which is what the L2 knob is for.
    ``l2``: the L2 coefficient of the run (0: ``loss`` is the data loss alone), so a plot
    can say when ``loss`` and ``val_loss`` measure different things.
    """

    loss: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)
    l2: float = 0.0

    def __len__(self) -> int:
        return len(self.loss)

    @property
    def epochs(self) -> list[int]:
        """Epoch numbers, from 1."""
        return list(range(1, len(self.loss) + 1))

    def __repr__(self) -> str:
        if not self.loss:
            return "History(0 epochs)"
        text = f"History({len(self)} epochs, loss {self.loss[0]:.4g} -> {self.loss[-1]:.4g}"
        if self.accuracy:
            text += f", accuracy {self.accuracy[0]:.1%} -> {self.accuracy[-1]:.1%}"
        if self.val_accuracy:
            text += f", validation accuracy {self.val_accuracy[-1]:.1%}"
        elif self.val_loss:
            text += f", validation loss {self.val_loss[-1]:.4g}"
        return text + ")"

    def chart(self) -> Chart:
        """The loss and, when measured, the accuracy per epoch, as two panels of a Chart.

        ``history.chart().show()`` draws it with matplotlib or, in the browser, as a
        Vega-Lite chart (see ``nn.chart``). Validation numbers are the dashed lines.
        """
        chart = Chart(cols=2, width=4.5, height=3.2)
        loss = chart.panel(title="loss", xlabel="epoch", ylabel="loss")
        loss.line(self.epochs, self.loss, "loss + L2 term" if self.l2 else "loss", "tab:blue")
        if self.val_loss:
            loss.line(self.epochs, self.val_loss, "validation loss", "tab:blue", dash=True)
        if self.accuracy or self.val_accuracy:
            acc = chart.panel(title="accuracy", xlabel="epoch", ylabel="accuracy",
                              ylim=(-0.02, 1.02), legend="lower right")  # fmt: skip
            if self.accuracy:
                acc.line(self.epochs, self.accuracy, "accuracy", "tab:orange")
            if self.val_accuracy:
                acc.line(self.epochs, self.val_accuracy, "validation accuracy", "tab:orange",
                         dash=True)  # fmt: skip
        return chart

    def plot(self, path: str | os.PathLike[str] | None = None, *, ax: Any = None) -> Any:
        """Plot loss (and accuracy, on a second axis) per epoch; returns the matplotlib Axes.

        In a notebook the figure shows under the cell. In a script it is saved to
        ``path`` (``history.plot("loss.png")``); with no path it opens a window when
        there is a display, else it is saved to ``training_history.png`` and the path is
        printed, never silently dropped. With ``ax`` it draws into that Axes and saves
        only when given a path.

        Validation loss and accuracy, when there are any, are the dashed lines in the
        same colours: the gap between a solid and a dashed line is the generalisation gap.
        """
        plt = pyplot("History.plot")
        fig = None
        if ax is None:
            fig, ax = plt.subplots(figsize=(6, 3.5))
        name = "loss + L2 term" if self.l2 else "loss"  # val_loss never has the L2 term
        ax.plot(self.epochs, self.loss, color="tab:blue", label=name)
        if self.val_loss:
            ax.plot(self.epochs, self.val_loss, "--", color="tab:blue", label="validation loss")
        ax.set_xlabel("epoch")
        ax.set_ylabel("loss", color="tab:blue")
        lines = ax.get_lines()
        if self.accuracy or self.val_accuracy:
            acc_ax = ax.twinx()
            if self.accuracy:
                acc_ax.plot(self.epochs, self.accuracy, color="tab:orange", label="accuracy")
            if self.val_accuracy:
                acc_ax.plot(
                    self.epochs,
                    self.val_accuracy,
                    "--",
                    color="tab:orange",
                    label="validation accuracy",
                )
            acc_ax.set_ylabel("accuracy", color="tab:orange")
            acc_ax.set_ylim(-0.02, 1.02)
            lines = lines + acc_ax.get_lines()
        # One legend for both axes, below them, where it hides no line.
        ax.legend(
            lines,
            [line.get_label() for line in lines],
            fontsize="small",
            ncol=2 if len(lines) > 2 else len(lines),
            loc="upper center",
            bbox_to_anchor=(0.5, -0.2),
            frameon=False,
        )
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.set_title("training history")
        if fig is not None or path is not None:
            finish_figure(ax.figure, path, "training_history.png", "History.plot")
        return ax


def _resolve_loss(loss: str | LossFn) -> LossFn:
    if callable(loss):
        return loss
    if isinstance(loss, str) and loss in _losses.LOSSES:
        return _losses.LOSSES[loss]
    raise ValueError(f"fit: unknown loss {loss!r}; use one of {', '.join(_losses.LOSSES)}")


def train_step(
    model: Callable[[Any], Any],
    X: Sequence[Any],
    y: Sequence[Any],
    loss: LossFn,
    optimizer: Optimizer,
    l2: float = 0.0,
    l2_params: Sequence[Value] | None = None,
) -> tuple[float, list[Any]]:
    """One gradient step on a batch; returns (objective value, the outputs' numbers).

    The objective is ``loss(outputs, y)`` plus ``l2 * Σ p²`` over ``l2_params``
    (default: the optimizer's parameters) when ``l2`` is not 0.
    """
    with engine.collector_paused():
        outputs, objective = _forward(model, X, y, loss, optimizer, l2, l2_params)
        optimizer.zero_grad()
        objective.backward()
        optimizer.step()
        numbers = _numbers(outputs)
        value = objective.data
        del outputs, objective  # free the graph while the collector is still paused
    return value, numbers


def compiled_step(
    model: Callable[[Any], Any],
    loss: LossFn,
    optimizer: Optimizer,
    l2: float,
    l2_params: Sequence[Value],
) -> Callable[[list[Any], list[Any]], tuple[float, list[Any]]]:
    """``train_step(model, bx, by, ...)`` as ``step(bx, by)``, one example compiled and replayed.

    ``engine.compile(example, row)`` traces ``loss([model(x)], [target])`` for one
    example (a graph the size of the model, not of the batch) and the step replays it
    on every example of any batch with seed 1/n, so the parameters accumulate the
    batch mean's gradient. Then the L2 term's gradient, 2·l2·p, added as eager
    backward adds it: two terms ``l2·p`` after every example's. The loss is the mean
    of the examples' losses, as ``sum(...) * (1 / n)`` like ``losses._mean``; so for
    a loss of one term per example (hinge, the cross-entropies, mse of one output)
    every number is eager's, bit for bit: the same terms added in the same order
    (eager backward also visits the examples in order, then the L2 term). For mse of
    k outputs each example's k terms are averaged first: equal within rel 1e-12. A
    loss of your own must be such a mean; the first batch checks it. The code is
    written for speed (``readable=False``: a sum's operands share its gradient
    instead of each getting a copy); ``engine.compile(fn, row)`` shows the readable form.
    """
    compiled: Any = None
    shape: list[int] = []  # inputs per example, and outputs per target (0: one number)

    def example(*numbers: Value) -> tuple[Value, ...]:
        nin, nout = shape
        target: Any = list(numbers[nin:]) if nout else numbers[nin]
        out = model(list(numbers[:nin]))
        flat = [out] if isinstance(out, Value) else list(out)
        return (loss([out], [target]), *flat)

    def step(bx: list[Any], by: list[Any]) -> tuple[float, list[Any]]:
        nonlocal compiled
        rows = [(*map(data_of, x), *_targets(t)) for x, t in zip(bx, by, strict=True)]
        n = len(rows)
        if compiled is None:
            multi = not isinstance(by[0], (Value, numbers.Real))
            shape[:] = [len(bx[0]), len(by[0]) if multi else 0]
            with engine.collector_paused():
                compiled = engine.compile(example, rows[0], readable=False)
            if loss not in _losses.LOSSES.values():
                _check_mean(model, loss, bx, by, compiled.run_many(rows, backward=False))
        with engine.collector_paused():
            optimizer.zero_grad()
            results = compiled.run_many(rows, grad=1.0 / n)
        value = sum([r[0] for r in results]) * (1.0 / n)
        if l2:
            for p in l2_params:
                term = l2 * p.data
                p.grad += term
                p.grad += term
            value = value + sum([p.data * p.data for p in l2_params]) * l2
            if any(p.grad - p.grad != 0.0 for p in l2_params):  # overflowed: eager says why
                return train_step(model, bx, by, loss, optimizer, l2, l2_params)
        optimizer.step()
        outs = [r[1] if len(r) == 2 else list(r[1:]) for r in results]
        return value, outs

    return step


def _targets(t: Any) -> list[float]:
    if t.__class__ is float or isinstance(t, (Value, numbers.Real)):
        return [data_of(t)]
    return [*map(data_of, t)]


def _check_mean(
    model: Callable[[Any], Any], loss: LossFn, bx: list[Any], by: list[Any], results: list[Any]
) -> None:
    """Refuse a loss that is not the mean of its examples' losses: replaying examples needs it."""
    with engine.no_grad():
        batch = loss([model(x) for x in bx], by).data
    mean = sum([r[0] for r in results]) / len(results)
    if not math.isclose(batch, mean, rel_tol=1e-9, abs_tol=1e-12):
        raise ValueError(
            f"fit: compile=True replays one example at a time, so the loss of a batch must be "
            f"the mean of its examples' losses (as every built-in loss is); {loss.__name__} of "
            f"the first batch is {batch!r} but the mean of its examples' losses is {mean!r}. "
            "Use compile=False"
        )


def _forward(
    model: Callable[[Any], Any],
    X: Sequence[Any],
    y: Sequence[Any],
    loss: LossFn,
    optimizer: Optimizer,
    l2: float,
    l2_params: Sequence[Value] | None,
) -> tuple[list[Any], Value]:
    """The batch's outputs and the objective: loss plus the optional L2 penalty."""
    outputs = [model(x) for x in X]
    objective = loss(outputs, y)
    if l2:
        params = optimizer.params if l2_params is None else l2_params
        objective = objective + _losses.l2(params, l2)
    return outputs, objective


def _numbers(outputs: list[Any]) -> list[Any]:
    """The outputs' current data (a list per example for multi-output models)."""
    return [o.data if isinstance(o, Value) else [v.data for v in o] for o in outputs]


def _progress_bar(total: int, progress: bool | None) -> Any:
    """tqdm over epochs: a widget in a notebook, a redrawn line in a terminal.

    In a notebook without ipywidgets a text bar would add a line to the cell's output
    at every redraw, so it is drawn only twice, at the start and at the end.
    """
    if progress is None:
        progress = _in_notebook() or _is_terminal()
    if not progress:
        return None
    from tqdm.std import tqdm as text_bar

    options: dict[str, Any] = {"total": total, "desc": "fit", "unit": "epoch", "leave": True}
    if _in_notebook():
        try:
            import ipywidgets  # noqa: F401
            from tqdm.notebook import tqdm as widget_bar
        except ImportError:
            return text_bar(mininterval=float("inf"), **options)
        return widget_bar(**options)
    return text_bar(**options)


def _checked_data(
    model: Module, X: Any, y: Any, loss_fn: LossFn
) -> tuple[list[list[Any]], list[Any]]:
    """X as rows and y as targets, every one checked before the first update.

    Checked up front because the forward pass finds a bad example only when its batch
    comes: in the last mini-batch, after most parameters have already moved. Rows must
    all have the model's ``nin`` inputs (or, for a module without ``nin``, as many as
    row 0), every value a finite real number; targets must suit the model's ``nout``
    and the loss's labels (``check_labels``: hinge wants -1/+1, the cross-entropies 0/1).
    Returns plain lists of floats (Values are kept as they are, so gradients reach them).
    """
    rows = ordered(X, "X as a list of examples (one list of numbers each)", "fit")
    targets = ordered(y, "y as a list of targets (one per example)", "fit")
    if len(rows) != len(targets):
        raise ValueError(f"fit: X has {len(rows)} examples but y has {len(targets)} targets")
    if not rows:
        raise ValueError("fit: X is empty; there is nothing to train on")
    nin = getattr(model, "nin", None)
    if nin is None:  # a module that does not say: every row as long as the first
        nin = len(row(rows[0], None, "fit: X row 0"))
    xs = [_checked_row(x, nin, f"fit: X row {i}", "input") for i, x in enumerate(rows)]
    nout = getattr(model, "nout", None)
    check_targets = getattr(loss_fn, "check_targets", None)
    if check_targets is not None:  # one class index per example (cross_entropy)
        return xs, check_targets(targets, nout, "fit: y")
    ys = [_checked_target(t, nout, f"fit: y target {i}") for i, t in enumerate(targets)]
    check_labels = getattr(loss_fn, "check_labels", None)
    if check_labels is not None:
        check_labels(ys, f"fit: y: {loss_fn.__name__}")
    return xs, ys


def _checked_row(x: Any, n: int | None, where: str, noun: str) -> list[Any]:
    """One example (or one multi-output target) as a list of n finite numbers or Values."""
    out = []
    for j, v in enumerate(row(x, n, where, noun)):
        f = number(v, f"{noun} {j}", where)  # a Value's data must be finite too
        out.append(v if isinstance(v, Value) else f)
    return out


def _checked_target(t: Any, nout: int | None, where: str) -> Any:
    """One target: one number for a one-output model, else a list of ``nout`` numbers."""
    if nout == 1 or (nout is None and isinstance(t, (Value, numbers.Real))):
        f = number(t, "", where)
        return t if isinstance(t, Value) else f
    return _checked_row(t, nout, where, "output")


# The errors a failing step raises (a diverging model overflows, a loss refuses an
# output). fit names the step in them; each takes a single message, so it can.
_STEP_ERRORS = (ValueError, TypeError, OverflowError, ZeroDivisionError)


def _positive_int(n: Any, what: str) -> int:
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"fit: {what} must be a positive int, got {n!r}")
    return n


def fit(
    model: Module,
    X: Sequence[Any],
    y: Sequence[Any],
    *,
    loss: str | LossFn = "mse",
    epochs: int = 100,
    lr: float = 0.1,
    batch_size: int | None = None,
    shuffle: bool = True,
    seed: int | None = 0,
    schedule: Schedule | None = None,
    weight_decay: float = 0.0,
    l2: float = 0.0,
    optimizer: Optimizer | None = None,
    accuracy: str | Callable[[Any, Any], bool] | None = "auto",
    progress: bool | None = None,
    callback: Callable[[int, History], Any] | None = None,
    validation: tuple[Sequence[Any], Sequence[Any]] | None = None,
    compile: bool = False,  # noqa: A002 - the name users know from torch.compile
    plot: Any = False,
) -> History:
    """Train ``model`` on ``(X, y)`` by gradient descent; returns the ``History``.

    * ``loss``: a name (``"mse"``, ``"hinge"``, ``"bce"``, ``"bce_with_logits"``,
      ``"cross_entropy"``) or a function ``(outputs, targets) -> Value``. With
      ``cross_entropy`` the model has one output per class and ``y`` holds class
      indices; accuracy is the argmax.
    * ``batch_size=None``: full batch, one step per epoch (examples in the given
      order). Otherwise mini-batches of that size, reshuffled every epoch when
      ``shuffle`` from ``random.Random(seed)``.
    * The optimizer is ``SGD(model, lr, weight_decay, schedule)`` unless ``optimizer``
      is given (then ``lr``, ``weight_decay`` and ``schedule`` are not used). The
      schedule counts steps, not epochs. Frozen parameters are not updated.
    * ``l2``: adds ``l2 * Σ p²`` over the model's parameters to the loss (micrograd's
      demo uses 1e-4).
    * ``accuracy="auto"``: measured when the loss has a ``decide`` rule (hinge, the
      cross-entropies); a function ``(output, target) -> bool`` measures your own;
      ``None`` turns it off.
    * ``callback(epoch, history)`` runs after every epoch (epoch counts from 1).
    * ``validation=(X_val, y_val)``: held-out examples, checked like ``X`` and ``y``
      before the first update and measured after every epoch (``evaluate``) into
      ``history.val_loss`` and ``history.val_accuracy``; they never move a parameter.
    * ``compile=True``: trace one example's forward and backward once
      (``engine.compile(fn, example_inputs)``, a graph the size of the model) and
      replay it for every example of every batch: any ``batch_size``, shuffled or
      not, the same results as eager (bit for bit, but for mse of several outputs:
      rel 1e-12; see ``compiled_step``), many times faster. The model must not
      branch in Python on a Value's ``.data`` (the trace would freeze the branch);
      labels a loss reads as numbers get one trace per label.
    * ``plot=True``: watch it learn. In Jupyter a figure redrawn in place (loss,
      accuracy and, for 2-D inputs, the model's output over the input plane);
      ``plot="training.gif"`` writes an animation; see ``nn.live`` (``nn.TrainingPlot``
      for how often and how finely).

    Nothing half-done: the arguments and the whole dataset are checked before the first
    update (see ``_checked_data``), and a step that fails (an update that would make a
    parameter NaN or infinite, a forward pass that overflows) raises an error naming
    the epoch and batch, with every parameter as it was before that step.
    """
    if not isinstance(model, Module):
        raise TypeError(
            f"fit: model must be an nn module (Neuron, Layer, MLP, ...), got "
            f"{type(model).__name__}; for any other callable write the loop with nn.train_step"
        )
    loss_fn = _resolve_loss(loss)
    epochs = _positive_int(epochs, "epochs")
    l2 = positive(l2, "l2", "fit", allow_zero=True)
    X, y = _checked_data(model, X, y, loss_fn)
    held_out = _checked_validation(model, validation, loss_fn)
    n = len(X)
    size = n if batch_size is None else min(_positive_int(batch_size, "batch_size"), n)
    if optimizer is None:
        lr = positive(lr, "lr", "fit")
        weight_decay = positive(weight_decay, "weight_decay", "fit", allow_zero=True)
        optimizer = SGD(model, lr=lr, weight_decay=weight_decay, schedule=schedule)
    elif not isinstance(optimizer, Optimizer):
        raise TypeError(
            f"fit: optimizer must be an nn optimizer (nn.SGD, nn.Adam, nn.AdamW), got "
            f"{type(optimizer).__name__}"
        )
    correct = _accuracy_rule(accuracy, loss_fn)
    params = model.parameters()
    replay = compiled_step(model, loss_fn, optimizer, l2, params) if compile else None
    rng = random.Random(seed)
    order = list(range(n))
    batches = len(range(0, n, size))
    history = History(l2=l2)
    live = None
    if plot is not False and plot is not None:
        from . import live as _live  # matplotlib is imported only when plotting

        live = _live.watch(plot, model, X, y, epochs, loss_fn)
    bar = _progress_bar(epochs, progress)
    try:
        for epoch in range(1, epochs + 1):
            if shuffle and size < n:
                rng.shuffle(order)
            total_loss = 0.0
            hits = 0
            lr_used = optimizer.current_lr
            for batch, start in enumerate(range(0, n, size), 1):
                idx = order[start : start + size]
                bx = [X[i] for i in idx]
                by = [y[i] for i in idx]
                lr_used = optimizer.current_lr
                with _step_named(epoch, batch, batches):
                    if replay is not None:
                        value, outs = replay(bx, by)
                    else:
                        value, outs = train_step(model, bx, by, loss_fn, optimizer, l2, params)
                total_loss += value * len(idx)
                if correct is not None:
                    hits += sum(1 for o, t in zip(outs, by, strict=True) if correct(o, t))
            history.loss.append(total_loss / n)
            history.lr.append(lr_used)
            if correct is not None:
                history.accuracy.append(hits / n)
            if held_out is not None:
                val_loss, val_accuracy = _measured(model, *held_out, loss_fn, correct)
                history.val_loss.append(val_loss)
                if val_accuracy is not None:
                    history.val_accuracy.append(val_accuracy)
            if bar is not None:
                bar.set_postfix(_bar_stats(history), refresh=False)
                bar.update(1)
            if callback is not None:
                callback(epoch, history)
            if live is not None:
                live.epoch(epoch, history)
        if live is not None:
            live.finish()
    finally:
        if bar is not None:
            bar.close()
        if live is not None:
            live.close()
    return history


@contextlib.contextmanager
def _step_named(epoch: int, batch: int, batches: int) -> Iterator[None]:
    """A failing step's error, re-raised naming its epoch and batch.

    The step's only change to the parameters, the optimizer's step, is all or nothing, so whatever
    failed, the model is as it was before this step, and the message says so.
    """
    try:
        yield
    except _STEP_ERRORS as error:
        if type(error) not in _STEP_ERRORS:
            raise  # a subclass may need other arguments: leave it as it is
        raise type(error)(
            f"fit: epoch {epoch}, batch {batch} of {batches}: {error}. The model "
            "is as it was before this step"
        ) from error


def _bar_stats(history: History) -> dict[str, str]:
    """What the progress bar shows after an epoch: loss, and the accuracies measured."""
    stats = {"loss": f"{history.loss[-1]:.4g}"}
    if history.accuracy:
        stats["acc"] = f"{history.accuracy[-1]:.1%}"
    if history.val_accuracy:
        stats["val_acc"] = f"{history.val_accuracy[-1]:.1%}"
    return stats


def _checked_validation(
    model: Module, validation: Any, loss_fn: LossFn
) -> tuple[list[list[Any]], list[Any]] | None:
    """``validation=(X_val, y_val)`` checked as the training data is, or None."""
    if validation is None:
        return None
    if not isinstance(validation, (tuple, list)) or len(validation) != 2:
        raise TypeError(
            "fit: validation must be a pair (X_val, y_val), e.g. from nn.datasets.split, "
            f"got {type(validation).__name__}"
        )
    try:
        return _checked_data(model, validation[0], validation[1], loss_fn)
    except (TypeError, ValueError) as error:
        raise type(error)("fit: validation: " + str(error).removeprefix("fit: ")) from None


def _measured(
    model: Module,
    X: list[list[Any]],
    y: list[Any],
    loss_fn: LossFn,
    correct: Callable[[Any, Any], bool] | None,
) -> tuple[float, float | None]:
    """(data loss, accuracy or None) of the model on checked data; records no graph."""
    with engine.no_grad(), engine.collector_paused():
        outputs = [model(x) for x in X]
        value = loss_fn(outputs, y).data
        numbers = _numbers(outputs)
    if correct is None:
        return value, None
    return value, sum(1 for o, t in zip(numbers, y, strict=True) if correct(o, t)) / len(y)


def evaluate(
    model: Module,
    X: Sequence[Any],
    y: Sequence[Any],
    *,
    loss: str | LossFn = "mse",
    accuracy: str | Callable[[Any, Any], bool] | None = "auto",
) -> tuple[float, float | None]:
    """``(loss, accuracy)`` of ``model`` on ``(X, y)``, e.g. a held-out test set.

    The same numbers ``fit(validation=(X, y))`` records per epoch: the data loss (no L2
    term) and the accuracy (None when the loss is no classifier), measured without
    recording a graph, so no parameter or ``.grad`` changes.
    """
    if not isinstance(model, Module):
        raise TypeError(f"evaluate: model must be an nn module, got {type(model).__name__}")
    loss_fn = _resolve_loss(loss)
    try:
        X, y = _checked_data(model, X, y, loss_fn)
    except (TypeError, ValueError) as error:
        raise type(error)("evaluate: " + str(error).removeprefix("fit: ")) from None
    return _measured(model, X, y, loss_fn, _accuracy_rule(accuracy, loss_fn))


def _accuracy_rule(
    accuracy: str | Callable[[Any, Any], bool] | None, loss_fn: LossFn
) -> Callable[[Any, Any], bool] | None:
    if accuracy is None:
        return None
    if callable(accuracy):
        return accuracy
    if accuracy != "auto":
        raise ValueError(
            f"fit: accuracy must be 'auto', None or a function (output, target) -> bool, "
            f"got {accuracy!r}"
        )
    decide = getattr(loss_fn, "decide", None)
    if decide is None:
        return None
    if getattr(loss_fn, "check_targets", None) is not None:  # k scores -> a class index
        return lambda out, target: isinstance(out, list) and decide(out) == target
    return lambda out, target: isinstance(out, float) and decide(out) == float(target)
