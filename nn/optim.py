"""Gradient descent (plain, with momentum, Adam, AdamW) and learning-rate schedules.

Each optimizer is a few lines on top of the gradients (its ``_update``): backward
fills ``p.grad``, ``step()`` turns the grads into new values. ``SGD`` is ``fit``'s
default; ``SGD(momentum=0.9)``, ``Adam`` and ``AdamW`` keep a little state per
parameter, with PyTorch's names, defaults and formulas.

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


class Optimizer:
    """What every optimizer shares: the checked parameters, the schedule, ``zero_grad``
    and an all-or-nothing ``step``. A subclass writes only ``_update``, the rule."""

    default_weight_decay = 0.0

    def __init__(
        self,
        params: Module | Iterable[Value],
        lr: float,
        weight_decay: float = 0.0,
        schedule: Schedule | None = None,
    ) -> None:
        where = type(self).__name__
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
        self.state: dict[Value, tuple[float, ...]] = {}  # per parameter, for momentum and Adam

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

    def _update(
        self, params: list[Value], lr: float
    ) -> tuple[list[float], list[tuple[float, ...]] | None]:
        """The new values of ``params`` and their new state (None: the rule keeps none)."""
        raise NotImplementedError

    def step(self) -> None:
        """Move every trainable parameter against its gradient, then count the step.

        All or nothing: the new values (and the optimizer's new state) are computed
        first and written only if every value is finite. An update that overflows (too
        large a learning rate, a diverging model) raises, naming the parameter, and
        changes no parameter and no state. This is the one guard against non-finite
        parameters: ``nn.fit``'s eager and compiled steps both end here.
        """
        lr = self.current_lr
        if lr - lr != 0.0:
            raise ValueError(
                f"{type(self).__name__}.step: the schedule gave a learning rate of {lr!r}"
            )
        params = not_frozen(self.params)
        new, state = self._update(params, lr)
        if not all(map(math.isfinite, new)):
            raise self._non_finite(params, new, lr)
        for p, value in zip(params, new, strict=True):
            p.data = value
        if state is not None:
            self.state.update(zip(params, state, strict=True))
        self.steps += 1

    def _non_finite(self, params: list[Value], new: list[float], lr: float) -> ValueError:
        """The error for an update that would leave a parameter NaN or infinite."""
        i = next(i for i, v in enumerate(new) if not math.isfinite(v))
        p = params[i]
        name = p.label or f"parameter {next(j for j, q in enumerate(self.params) if q is p)}"
        return ValueError(
            f"{type(self).__name__}.step: this update would make {name} {new[i]!r} (data "
            f"{p.data!r}, grad {p.grad!r}, lr {lr!r}), so no parameter was changed. Lower the "
            "learning rate, or look for huge values in the data"
        )

    def _options(self) -> str:
        """The constructor's arguments beyond lr that differ from their defaults, for repr."""
        wd = self.weight_decay
        extra = f", weight_decay={wd!r}" if wd != self.default_weight_decay else ""
        sched = f", schedule={self.schedule!r}" if self.schedule is not None else ""
        return extra + sched

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({len(self.params)} parameters, lr={self.lr!r}{self._options()})"
        )


class SGD(Optimizer):
    """Stochastic gradient descent: ``p.data -= lr_k * g``, ``g = p.grad + weight_decay * p.data``.

    Frozen parameters (``module.freeze()``) are skipped, checked at every step.
    ``weight_decay`` adds the gradient of ``weight_decay/2 * Σ p²`` without building
    nodes for it (the same update as an L2 loss term with alpha = weight_decay / 2).

    ``momentum=μ`` (PyTorch's): each parameter keeps a velocity ``b``, ``b = g`` at its
    first step and ``b = μ·b + g`` after, and moves by ``-lr_k · b``. Steps along a
    direction the gradient keeps pointing to grow up to ``1/(1-μ)`` times (10 for 0.9);
    gradients that flip sign cancel out in ``b``.
    """

    def __init__(
        self,
        params: Module | Iterable[Value],
        lr: float = 0.1,
        weight_decay: float = 0.0,
        schedule: Schedule | None = None,
        momentum: float = 0.0,
    ) -> None:
        super().__init__(params, lr, weight_decay, schedule)
        self.momentum = _fraction(momentum, "momentum", "SGD")

    def _update(
        self, params: list[Value], lr: float
    ) -> tuple[list[float], list[tuple[float, ...]] | None]:
        wd = self.weight_decay
        if not self.momentum:  # the plain rule, fit's default: kept to one pass
            if wd:
                return [p.data - lr * (p.grad + wd * p.data) for p in params], None
            return [p.data - lr * p.grad for p in params], None
        grads = [p.grad + wd * p.data for p in params] if wd else [p.grad for p in params]
        mu, state = self.momentum, self.state
        velocity = [
            mu * state[p][0] + g if p in state else g for p, g in zip(params, grads, strict=True)
        ]
        new = [p.data - lr * b for p, b in zip(params, velocity, strict=True)]
        return new, [(b,) for b in velocity]

    def _options(self) -> str:
        mom = f", momentum={self.momentum!r}" if self.momentum else ""
        return super()._options() + mom


class Adam(Optimizer):
    """Adam (Kingma and Ba, 2015), with PyTorch's defaults: lr=1e-3, betas=(0.9, 0.999), eps=1e-8.

    Each parameter keeps a running mean of its gradient ``m`` and of its squared gradient
    ``v``; after ``t`` steps of its own::

        m = β1·m + (1-β1)·g            v = β2·v + (1-β2)·g²
        m̂ = m / (1-β1^t)               v̂ = v / (1-β2^t)      (both start at 0: undo that bias)
        p.data -= lr_k · m̂ / (√v̂ + eps)

    so every parameter moves about ``lr`` per step whatever the size of its gradient:
    a layer whose gradients are a thousand times smaller still learns. ``weight_decay``
    is added to the gradient as in SGD (an L2 term); ``AdamW`` decays the weights
    directly instead.
    """

    decoupled = False

    def __init__(
        self,
        params: Module | Iterable[Value],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float | None = None,
        schedule: Schedule | None = None,
    ) -> None:
        """``weight_decay=None``: the class's default, 0 for Adam and 1e-2 for AdamW."""
        if weight_decay is None:
            weight_decay = self.default_weight_decay
        super().__init__(params, lr, weight_decay, schedule)
        where = type(self).__name__
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise TypeError(f"{where}: betas must be a pair (beta1, beta2), got {betas!r}")
        self.betas = (
            _fraction(betas[0], "betas[0]", where),
            _fraction(betas[1], "betas[1]", where),
        )
        self.eps = positive(eps, "eps", where)

    def _update(
        self, params: list[Value], lr: float
    ) -> tuple[list[float], list[tuple[float, ...]] | None]:
        b1, b2 = self.betas
        wd, eps, state = self.weight_decay, self.eps, self.state
        new, states = [], []
        for p in params:
            m, v, t = state.get(p, (0.0, 0.0, 0))
            t += 1
            g = p.grad
            data = p.data
            if self.decoupled:
                data = data * (1.0 - lr * wd)
            elif wd:
                g = g + wd * data
            m = b1 * m + (1.0 - b1) * g
            v = b2 * v + (1.0 - b2) * g * g
            m_hat = m / (1.0 - b1**t)
            v_hat = v / (1.0 - b2**t)
            new.append(data - lr * m_hat / (math.sqrt(v_hat) + eps))
            states.append((m, v, t))
        return new, states

    def _options(self) -> str:
        betas = f", betas={self.betas!r}" if self.betas != (0.9, 0.999) else ""
        eps = f", eps={self.eps!r}" if self.eps != 1e-8 else ""
        return betas + eps + super()._options()


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov and Hutter, 2019), PyTorch's ``AdamW``.

    The weights shrink by ``lr_k · weight_decay`` of themselves at every step,
    ``p.data *= 1 - lr_k·weight_decay``, apart from the gradient's running means, so
    the decay is the same for every parameter however large its gradients are (with
    Adam's L2 form, a parameter with large gradients would barely decay). Default
    ``weight_decay=1e-2``, as PyTorch; the optimizer of LLM101n's micrograd chapter.
    """

    decoupled = True
    default_weight_decay = 1e-2


def _fraction(x: float, what: str, where: str) -> float:
    """A decay rate such as momentum or a beta: a number in [0, 1)."""
    x = positive(x, what, where, allow_zero=True)
    if x >= 1.0:
        raise ValueError(f"{where}: {what} must be < 1 (a fraction kept per step), got {x!r}")
    return x
