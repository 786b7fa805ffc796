"""One gradient step on a batch, two ways: eager (``train_step``) and compiled (``compiled_step``).

The eager step is the whole algorithm in five lines: forward every example of the
batch, the objective (the loss, plus an optional L2 penalty), zero the grads,
backward, update. The compiled step does the same arithmetic with one example's
forward and backward traced once (``engine.compile(fn, example_inputs)``) and replayed
for every example, then the very same L2 term as the eager step; ``fit(compile=True)``
runs it.

During a step Python's cyclic garbage collector is paused (``engine.collector_paused()``:
``gc.disable()``, then the previous state restored): a step allocates tens of
thousands of Values, and each allocation burst triggers collector passes that rescan
every live node. gradstep graphs contain no reference cycles (a node refers only to
its operands), so those passes can never free anything; reference counting frees the
whole graph the moment the step drops it. Pausing is safe and is most of the speed.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence
from typing import Any

import engine
from engine import Value

from . import losses
from .checks import data_of
from .optim import Optimizer

LossFn = Callable[[list[Any], list[Any]], Value]
Step = Callable[[list[Any], list[Any]], tuple[float, list[Any]]]


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
        outputs = [model(x) for x in X]
        objective = loss(outputs, y)
        if l2:
            objective = objective + penalty(optimizer, l2, l2_params)
        optimizer.zero_grad()
        objective.backward()
        optimizer.step()
        value = objective.data
        outs = numbers_of(outputs)
        del outputs, objective  # free the graph while the collector is still paused
    return value, outs


def penalty(optimizer: Optimizer, l2: float, l2_params: Sequence[Value] | None) -> Value:
    """The L2 term of the objective, ``l2 * Σ p²`` (over the optimizer's parameters by default)."""
    return losses.l2(optimizer.params if l2_params is None else l2_params, l2)


def numbers_of(outputs: list[Any]) -> list[Any]:
    """The outputs' current data (a list per example for multi-output models)."""
    return [o.data if isinstance(o, Value) else [v.data for v in o] for o in outputs]


def compiled_step(
    model: Callable[[Any], Any],
    loss: LossFn,
    optimizer: Optimizer,
    l2: float,
    l2_params: Sequence[Value],
) -> Step:
    """``train_step(model, bx, by, ...)`` as ``step(bx, by)``, one example compiled and replayed.

    ``engine.compile(example, row)`` traces ``loss([model(x)], [target])`` for one
    example (a graph the size of the model, not of the batch) and the step replays it
    on every example of any batch with seed 1/n, so the parameters accumulate the
    batch mean's gradient. Then the eager step's own L2 term (``penalty``, compiled
    once) runs forward and backward, adding its gradient after every example's, as
    eager backward does. The loss is the mean of the examples' losses,
    ``sum(...) * (1 / n)`` as the built-in losses write it; so for a loss of one term
    per example (hinge, the cross-entropies, mse of one output) every number is
    eager's, bit for bit: the same terms added in the same order. For mse of k outputs
    each example's k terms are averaged first: equal within rel 1e-12. A loss of your
    own must be such a mean; the first batch checks it. The code is written for speed
    (``readable=False``: a sum's operands share its gradient instead of each getting a
    copy); ``engine.compile(fn, row)`` shows the readable form.
    """
    replay = _ExampleReplay(model, loss)
    l2_term: Any = None  # the eager step's L2 term, compiled on the first step

    def step(bx: list[Any], by: list[Any]) -> tuple[float, list[Any]]:
        nonlocal l2_term
        results = replay.run(bx, by, optimizer)
        value = sum([r[0] for r in results]) * (1.0 / len(results))
        if l2:
            if l2_term is None:
                l2_term = engine.compile(penalty(optimizer, l2, l2_params), readable=False)
            try:
                value = value + l2_term.run()  # its gradient added after every example's
            except OverflowError:  # a gradient overflowed: the eager step says where
                return train_step(model, bx, by, loss, optimizer, l2, l2_params)
        optimizer.step()
        return value, [r[1] if len(r) == 2 else list(r[1:]) for r in results]

    return step


class _ExampleReplay:
    """One example's loss and outputs, traced on the first batch and replayed on every row."""

    def __init__(self, model: Callable[[Any], Any], loss: LossFn) -> None:
        self.model, self.loss = model, loss
        self.compiled: Any = None
        self.nin = self.nout = 0  # inputs per example, outputs per target (0: one number)

    def example(self, *numbers: Value) -> tuple[Value, ...]:
        """What is traced: the loss of one example and the model's outputs."""
        target: Any = list(numbers[self.nin :]) if self.nout else numbers[self.nin]
        out = self.model(list(numbers[: self.nin]))
        flat = [out] if isinstance(out, Value) else list(out)
        return (self.loss([out], [target]), *flat)

    def run(self, bx: list[Any], by: list[Any], optimizer: Optimizer) -> list[Any]:
        """Zero the grads, then forward and backward every example with seed 1/n."""
        rows = [(*map(data_of, x), *_target_numbers(t)) for x, t in zip(bx, by, strict=True)]
        if self.compiled is None:
            self._compile(bx, by, rows)
        with engine.collector_paused():
            optimizer.zero_grad()
            return self.compiled.run_many(rows, grad=1.0 / len(rows))

    def _compile(self, bx: list[Any], by: list[Any], rows: list[tuple[float, ...]]) -> None:
        multi = not isinstance(by[0], (Value, numbers.Real))
        self.nin, self.nout = len(bx[0]), len(by[0]) if multi else 0
        with engine.collector_paused():
            self.compiled = engine.compile(self.example, rows[0], readable=False)
        if self.loss not in losses.LOSSES.values():
            self._check_mean(bx, by, self.compiled.run_many(rows, backward=False))

    def _check_mean(self, bx: list[Any], by: list[Any], results: list[Any]) -> None:
        """Refuse a loss that is not the mean of its examples' losses: replaying needs it."""
        with engine.no_grad():
            batch = self.loss([self.model(x) for x in bx], by).data
        mean = sum([r[0] for r in results]) / len(results)
        if not math.isclose(batch, mean, rel_tol=1e-9, abs_tol=1e-12):
            raise ValueError(
                "fit: compile=True replays one example at a time, so the loss of a batch must "
                f"be the mean of its examples' losses (as every built-in loss is); "
                f"{self.loss.__name__} of the first batch is {batch!r} but the mean of its "
                f"examples' losses is {mean!r}. Use compile=False"
            )


def _target_numbers(t: Any) -> list[float]:
    """A target as the numbers the traced example reads: one, or one per output."""
    if t.__class__ is float or isinstance(t, (Value, numbers.Real)):
        return [data_of(t)]
    return [*map(data_of, t)]
