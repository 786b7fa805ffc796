"""Plain gradient descent and learning-rate schedules.

A schedule is any callable ``schedule(k) -> factor``: step ``k`` (0 for the first
``step()``) uses the learning rate ``lr * schedule(k)``. Three are provided:

* ``constant()``: factor 1;
* ``linear_decay(total, final=0.1)``: from 1 down to ``final`` over ``total`` steps,
  ``1 - (1 - final) * k / total``; with ``lr=1.0, total=100`` this is micrograd's
  demo schedule ``1.0 - 0.9 * k / 100`` to the last bit;
* ``step_decay(every, factor=0.5)``: multiply by ``factor`` every ``every`` steps.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

from engine import Value

from .checks import positive
from .module import Module, not_frozen

Schedule = Callable[[int], float]


class constant:  # noqa: N801 - used like a function, as the other schedules
    """The schedule that keeps the learning rate as given."""

    def __call__(self, k: int) -> float:
        return 1.0

    def __repr__(self) -> str:
        return "constant()"


class linear_decay:  # noqa: N801
    """Factor ``1 - (1 - final) * k / total``: linear from 1 to ``final`` over ``total`` steps.

    After ``total`` steps it stays at ``final``.
    """

    def __init__(self, total: int, final: float = 0.1) -> None:
        if isinstance(total, bool) or not isinstance(total, int) or total < 1:
            raise ValueError(f"linear_decay: total must be a positive int of steps, got {total!r}")
        self.total = total
        self.final = positive(final, "final", "linear_decay", allow_zero=True)
        self._drop = 1.0 - self.final

    def __call__(self, k: int) -> float:
        return 1.0 - self._drop * min(k, self.total) / self.total

    def __repr__(self) -> str:
        return f"linear_decay(total={self.total}, final={self.final!r})"


class step_decay:  # noqa: N801
    """Factor ``factor ** (k // every)``: e.g. halve the learning rate every 50 steps."""

    def __init__(self, every: int, factor: float = 0.5) -> None:
        if isinstance(every, bool) or not isinstance(every, int) or every < 1:
            raise ValueError(f"step_decay: every must be a positive int of steps, got {every!r}")
        self.every = every
        self.factor = positive(factor, "factor", "step_decay")

    def __call__(self, k: int) -> float:
        return self.factor ** (k // self.every)

    def __repr__(self) -> str:
        return f"step_decay(every={self.every}, factor={self.factor!r})"


class SGD:
    """Stochastic gradient descent: ``p.data -= lr_k * (p.grad + weight_decay * p.data)``.

    Frozen parameters (``module.freeze()``) are skipped, checked at every step.
    ``weight_decay`` adds the gradient of ``weight_decay/2 * Σ p²`` without building
    nodes for it (the same update as an L2 loss term with alpha = weight_decay / 2).
    """

    def __init__(
        self,
        params: Module | Iterable[Value],
        lr: float = 0.1,
        weight_decay: float = 0.0,
        schedule: Schedule | None = None,
    ) -> None:
        where = "SGD"
        ps = params.parameters() if isinstance(params, Module) else list(params)
        for i, p in enumerate(ps):
            if not isinstance(p, Value):
                raise TypeError(
                    f"{where}: parameter {i} is a {type(p).__name__}, expected a Value; "
                    "pass model.parameters()"
                )
        if not ps:
            raise ValueError(f"{where}: got no parameters to optimise")
        if len({id(p) for p in ps}) != len(ps):
            raise ValueError(f"{where}: a parameter appears twice; it would be updated twice")
        self.params = ps
        self.lr = positive(lr, "lr", where)
        self.weight_decay = positive(weight_decay, "weight_decay", where, allow_zero=True)
        if schedule is not None and not callable(schedule):
            raise TypeError(f"{where}: schedule must be a callable k -> factor, got {schedule!r}")
        self.schedule = schedule
        self.steps = 0

    @property
    def current_lr(self) -> float:
        """The learning rate the next ``step()`` will use."""
        if self.schedule is None:
            return self.lr
        return self.lr * self.schedule(self.steps)

    def zero_grad(self) -> None:
        """Set every parameter's ``.grad`` to 0 before the next backward pass."""
        for p in self.params:
            p.grad = 0.0

    def step(self) -> None:
        """Move every trainable parameter against its gradient, then count the step.

        All or nothing: the new values are computed first and written only if every one
        is finite. An update that overflows (too large a learning rate, a diverging
        model) raises, naming the parameter, and changes no parameter. This is the one
        guard against non-finite parameters: ``nn.fit``'s eager and compiled steps both
        end here.
        """
        lr = self.current_lr
        if lr - lr != 0.0:
            raise ValueError(f"SGD.step: the schedule gave a learning rate of {lr!r}")
        wd = self.weight_decay
        params = not_frozen(self.params)
        if wd:
            new = [p.data - lr * (p.grad + wd * p.data) for p in params]
        else:
            new = [p.data - lr * p.grad for p in params]
        if not all(map(math.isfinite, new)):
            raise self._non_finite(params, new, lr)
        for p, value in zip(params, new, strict=True):
            p.data = value
        self.steps += 1

    def _non_finite(self, params: list[Value], new: list[float], lr: float) -> ValueError:
        """The error for an update that would leave a parameter NaN or infinite."""
        i = next(i for i, v in enumerate(new) if not math.isfinite(v))
        p = params[i]
        name = p.label or f"parameter {next(j for j, q in enumerate(self.params) if q is p)}"
        return ValueError(
            f"SGD.step: this update would make {name} {new[i]!r} (data {p.data!r}, grad "
            f"{p.grad!r}, lr {lr!r}), so no parameter was changed. Lower the learning rate, "
            "or look for huge values in the data"
        )

    def __repr__(self) -> str:
        extra = f", weight_decay={self.weight_decay!r}" if self.weight_decay else ""
        sched = f", schedule={self.schedule!r}" if self.schedule is not None else ""
        return f"SGD({len(self.params)} parameters, lr={self.lr!r}{extra}{sched})"
