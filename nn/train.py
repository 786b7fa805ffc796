"""The training loop: ``fit`` runs epochs of (mini-)batch gradient descent and keeps a history.

``fit`` checks everything first (the arguments, every row and label), then runs one
step per batch (``nn.steps``: eager, or one example compiled and replayed), records
each epoch in a ``History`` and, after it, the held-out data, the progress bar, the
callback and the live plot. ``evaluate`` measures a model on data without training.

Progress: a tqdm bar over epochs showing the loss (and accuracy), drawn as a notebook
widget in Jupyter when ipywidgets is installed, as text otherwise. ``progress=None``
(the default) shows it only when the output is a terminal or a notebook, so scripts
piped to a file and test runs stay quiet; ``True`` / ``False`` force it.
"""

from __future__ import annotations

import contextlib
import numbers
import random
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import engine
from engine import Value

from . import losses as _losses
from .checks import count, number, ordered, positive, row
from .display import in_notebook as _in_notebook
from .display import is_terminal as _is_terminal
from .history import History
from .module import Module
from .optim import SGD, Optimizer, Schedule
from .steps import LossFn, Step, compiled_step, numbers_of, train_step


def _resolve_loss(loss: str | LossFn) -> LossFn:
    if callable(loss):
        return loss
    if isinstance(loss, str) and loss in _losses.LOSSES:
        return _losses.LOSSES[loss]
    raise ValueError(f"fit: unknown loss {loss!r}; use one of {', '.join(_losses.LOSSES)}")


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
      rel 1e-12; see ``nn.steps.compiled_step``), many times faster. The model must not
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
    _check_model(model)
    loss_fn = _resolve_loss(loss)
    epochs = count(epochs, "epochs", "fit")
    l2 = positive(l2, "l2", "fit", allow_zero=True)
    X, y = _checked_data(model, X, y, loss_fn)
    held_out = _checked_validation(model, validation, loss_fn)
    size = len(X) if batch_size is None else min(count(batch_size, "batch_size", "fit"), len(X))
    optimizer = _optimizer(model, optimizer, lr, weight_decay, schedule)
    correct = _accuracy_rule(accuracy, loss_fn)
    step = _step(model, loss_fn, optimizer, l2, compile)
    batches = _epoch_batches(len(X), size, shuffle, seed)
    history = History(l2=l2)
    live = _live_plot(plot, model, X, y, epochs, loss_fn)
    bar = _progress_bar(epochs, progress)
    try:
        for epoch in range(1, epochs + 1):
            _train_epoch(epoch, next(batches), step, X, y, optimizer, correct, history)
            if held_out is not None:
                _validate(model, held_out, loss_fn, correct, history)
            _report_epoch(epoch, history, bar, callback, live)
        if live is not None:
            live.finish()
    finally:
        if bar is not None:
            bar.close()
        if live is not None:
            live.close()
    return history


def _check_model(model: Any) -> None:
    if not isinstance(model, Module):
        raise TypeError(
            f"fit: model must be an nn module (Neuron, Layer, MLP, ...), got "
            f"{type(model).__name__}; for any other callable write the loop with nn.train_step"
        )


def _optimizer(
    model: Module,
    optimizer: Optimizer | None,
    lr: float,
    weight_decay: float,
    schedule: Schedule | None,
) -> Optimizer:
    """The optimizer given, or plain SGD over the model with fit's lr, decay and schedule."""
    if optimizer is None:
        lr = positive(lr, "lr", "fit")
        weight_decay = positive(weight_decay, "weight_decay", "fit", allow_zero=True)
        return SGD(model, lr=lr, weight_decay=weight_decay, schedule=schedule)
    if not isinstance(optimizer, Optimizer):
        raise TypeError(
            f"fit: optimizer must be an nn optimizer (nn.SGD, nn.Adam, nn.AdamW), got "
            f"{type(optimizer).__name__}"
        )
    return optimizer


def _step(model: Module, loss_fn: LossFn, optimizer: Optimizer, l2: float, compiled: bool) -> Step:
    """One gradient step on a batch, ``step(bx, by) -> (objective, outputs)``."""
    params = model.parameters()
    if compiled:
        return compiled_step(model, loss_fn, optimizer, l2, params)

    def eager(bx: list[Any], by: list[Any]) -> tuple[float, list[Any]]:
        return train_step(model, bx, by, loss_fn, optimizer, l2, params)

    return eager


def _epoch_batches(n: int, size: int, shuffle: bool, seed: int | None) -> Iterator[list[list[int]]]:
    """Each epoch's batches of example indices, the order reshuffled per epoch if asked.

    Full batch (``size == n``) keeps the given order. The shuffle reorders the previous
    epoch's order, one ``random.Random(seed)`` for the whole run, so a seed gives one run.
    """
    rng = random.Random(seed)
    order = list(range(n))
    while True:
        if shuffle and size < n:
            rng.shuffle(order)
        yield [order[start : start + size] for start in range(0, n, size)]


def _train_epoch(
    epoch: int,
    batches: list[list[int]],
    step: Step,
    X: list[list[Any]],
    y: list[Any],
    optimizer: Optimizer,
    correct: Callable[[Any, Any], bool] | None,
    history: History,
) -> None:
    """A step per batch; records the epoch's mean loss, last learning rate and accuracy."""
    total, hits, lr_used = 0.0, 0, optimizer.current_lr
    for batch, indices in enumerate(batches, 1):
        bx, by = [X[i] for i in indices], [y[i] for i in indices]
        lr_used = optimizer.current_lr
        with _step_named(epoch, batch, len(batches)):
            value, outs = step(bx, by)
        total += value * len(indices)
        if correct is not None:
            hits += _hits(outs, by, correct)
    history.loss.append(total / len(X))
    history.lr.append(lr_used)
    if correct is not None:
        history.accuracy.append(hits / len(X))


def _validate(
    model: Module,
    held_out: tuple[list[list[Any]], list[Any]],
    loss_fn: LossFn,
    correct: Callable[[Any, Any], bool] | None,
    history: History,
) -> None:
    """Measure the held-out data after the epoch's last update, into the history."""
    val_loss, val_accuracy = _measured(model, *held_out, loss_fn, correct)
    history.val_loss.append(val_loss)
    if val_accuracy is not None:
        history.val_accuracy.append(val_accuracy)


def _live_plot(
    plot: Any, model: Module, X: list[list[Any]], y: list[Any], epochs: int, loss_fn: LossFn
) -> Any:
    """The figure ``plot=`` asks for (``nn.live``), or None."""
    if plot is False or plot is None:
        return None
    from . import live  # matplotlib is imported only when plotting

    return live.watch(plot, model, X, y, epochs, loss_fn)


def _report_epoch(
    epoch: int,
    history: History,
    bar: Any,
    callback: Callable[[int, History], Any] | None,
    live: Any,
) -> None:
    """After an epoch: the progress bar, the user's callback, the live plot."""
    if bar is not None:
        bar.set_postfix(_bar_stats(history), refresh=False)
        bar.update(1)
    if callback is not None:
        callback(epoch, history)
    if live is not None:
        live.epoch(epoch, history)


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
            f"fit: epoch {epoch}, batch {batch} of {batches}: {str(error).rstrip('.')}. The model "
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
        outs = numbers_of(outputs)
    if correct is None:
        return value, None
    return value, _hits(outs, y, correct) / len(y)


def _hits(outs: list[Any], targets: list[Any], correct: Callable[[Any, Any], bool]) -> int:
    """How many outputs ``correct`` accepts for their targets."""
    return sum(1 for o, t in zip(outs, targets, strict=True) if correct(o, t))


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
