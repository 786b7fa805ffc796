"""Losses: each maps a batch of model outputs and targets to one Value, the batch mean.

``outputs`` is a list of Values (a single Value counts as a batch of one); for ``mse``
an output may also be a list of Values (a multi-output model), matched against a list
of targets. Targets are plain numbers.

Each classification loss carries a ``decide`` function (output number -> predicted
label), which ``nn.fit`` uses to report accuracy, and a ``check_labels`` function,
which ``nn.fit`` runs on all the targets before the first update:

* ``hinge``: labels -1 / +1, predicted sign of the score (micrograd's demo);
* ``binary_cross_entropy``: labels 0 / 1, outputs are probabilities (a sigmoid
  output); predicted 1 when p > 0.5;
* ``binary_cross_entropy_with_logits``: labels 0 / 1, outputs are raw scores (a
  linear output); predicted 1 when z > 0. Prefer this one: it is exact for any
  score, where a probability of exactly 0 or 1 (a sigmoid saturates near |z| = 37)
  loses the information the loss needs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import engine
from engine import Value

from .checks import positive
from .module import Module
from .multiclass import cross_entropy

_sum = engine.sum

# The probability clamp of binary_cross_entropy: log(p + EPS) keeps a saturated
# sigmoid output (p exactly 0.0 or 1.0) finite. It shifts the loss by at most ~1e-12.
EPS = 1e-12


def _pairs(outputs: Any, targets: Any, where: str) -> tuple[list[Any], list[Any]]:
    outs = [outputs] if isinstance(outputs, Value) else list(outputs)
    if isinstance(targets, (int, float)) and not isinstance(targets, bool):
        targets = [targets]
    tgts = list(targets)
    if len(outs) != len(tgts):
        raise ValueError(f"{where}: got {len(outs)} outputs but {len(tgts)} targets")
    if not outs:
        raise ValueError(f"{where}: got an empty batch; a mean over nothing is undefined")
    return outs, tgts


def _scalar_outputs(outs: list[Any], where: str) -> None:
    for i, o in enumerate(outs):
        if not isinstance(o, Value):
            raise TypeError(
                f"{where}: output {i} is a {type(o).__name__}, expected one Value per example "
                "(a model with a single output)"
            )


def _labels(tgts: list[Any], allowed: tuple[float, ...], where: str, hint: str) -> list[float]:
    out = []
    for i, t in enumerate(tgts):
        v = t.data if isinstance(t, Value) else t
        if isinstance(v, bool) or not isinstance(v, (int, float)) or float(v) not in allowed:
            raise ValueError(
                f"{where}: target {i} is {t!r}; labels must be "
                f"{' or '.join(f'{a:g}' for a in allowed)}. {hint}"
            )
        out.append(float(v))
    return out


def _mean(terms: list[Value]) -> Value:
    return _sum(terms) * (1.0 / len(terms))


def _classifier(
    decide: Callable[[float], float], labels: tuple[float, ...], hint: str
) -> Callable[[Callable], Callable]:
    """Attach a classification loss's decision rule and its label check.

    The loss checks its batch's labels with ``check_labels``; ``nn.fit`` calls the same
    function on the whole of ``y`` first, so a bad label in the last mini-batch is found
    before any parameter moves.
    """

    def attach(fn: Callable) -> Callable:
        def check_labels(targets: list[Any], where: str = fn.__name__) -> list[float]:
            return _labels(targets, labels, where, hint)

        fn.decide = decide
        fn.check_labels = check_labels
        return fn

    return attach


_SIGNED_HINT = "For 0/1 labels use [2 * y - 1 for y in labels]."
_BINARY_HINT = "For -1/+1 labels use [(y + 1) / 2 for y in labels]."


def mse(outputs: Any, targets: Any) -> Value:
    """Mean squared error: mean of (output - target)² over every output number."""
    where = "mse"
    outs, tgts = _pairs(outputs, targets, where)
    terms = []
    for i, (o, t) in enumerate(zip(outs, tgts, strict=True)):
        if isinstance(o, (Value, int, float)):  # one output number per example
            o, t = [o], [t]
        elif not isinstance(o, Iterable):
            raise TypeError(
                f"{where}: output {i} is a {type(o).__name__}; expected a Value (or a number, "
                "or a list of them for a model with several outputs)"
            )
        else:
            o = list(o)
            t = [t] if isinstance(t, (int, float, Value)) else list(t)
            if len(o) != len(t):
                raise ValueError(f"{where}: example {i} has {len(o)} outputs but {len(t)} targets")
        for oj, tj in zip(o, t, strict=True):
            terms.append((oj - tj) ** 2)
    return _mean(terms)


@_classifier(lambda s: 1.0 if s > 0.0 else -1.0, (-1.0, 1.0), _SIGNED_HINT)
def hinge(outputs: Any, targets: Any) -> Value:
    """Max-margin loss: mean of max(0, 1 - y·score) with labels y = -1 or +1."""
    where = "hinge"
    outs, tgts = _pairs(outputs, targets, where)
    _scalar_outputs(outs, where)
    ys = hinge.check_labels(tgts)
    return _mean([(1.0 - y * o).relu() for o, y in zip(outs, ys, strict=True)])


@_classifier(lambda p: 1.0 if p > 0.5 else 0.0, (0.0, 1.0), _BINARY_HINT)
def binary_cross_entropy(outputs: Any, targets: Any) -> Value:
    """Cross-entropy of probabilities p (a sigmoid output) against labels 0 / 1.

    ``-mean(y·log(p + EPS) + (1 - y)·log(1 - p + EPS))``; see the module docstring for
    why ``binary_cross_entropy_with_logits`` is the better choice.
    """
    where = "binary_cross_entropy"
    outs, tgts = _pairs(outputs, targets, where)
    _scalar_outputs(outs, where)
    ys = binary_cross_entropy.check_labels(tgts)
    terms = []
    for i, (p, y) in enumerate(zip(outs, ys, strict=True)):
        if not 0.0 <= p.data <= 1.0:
            raise ValueError(
                f"{where}: output {i} is {p.data!r}, not a probability in [0, 1]; use a sigmoid "
                "output, or binary_cross_entropy_with_logits for raw scores"
            )
        terms.append((p + EPS).log() if y == 1.0 else (1.0 - p + EPS).log())
    return -_mean(terms)


@_classifier(lambda z: 1.0 if z > 0.0 else 0.0, (0.0, 1.0), _BINARY_HINT)
def binary_cross_entropy_with_logits(outputs: Any, targets: Any) -> Value:
    """Cross-entropy of raw scores z (p = sigmoid(z)) against labels 0 / 1, stable for any z.

    Per example the loss is ``softplus(z) - y·z`` with softplus(z) = log(1 + e^z): that is
    ``softplus(z)`` for y = 0 and ``softplus(-z)`` for y = 1, exact and smooth, with
    derivative sigmoid(z) - y. Softplus is one op of the table (``z.softplus()``, op
    ``logaddexp`` with 0), which picks its formula from the sign of z on every evaluation, so no
    exp overflows and nothing here branches on a score: ``fit(compile=True)`` traces it.
    """
    where = "binary_cross_entropy_with_logits"
    outs, tgts = _pairs(outputs, targets, where)
    _scalar_outputs(outs, where)
    ys = binary_cross_entropy_with_logits.check_labels(tgts)
    return _mean(
        [(-z).softplus() if y == 1.0 else z.softplus() for z, y in zip(outs, ys, strict=True)]
    )


def l2(parameters: Module | Iterable[Value], alpha: float) -> Value:
    """The L2 penalty ``alpha * Σ p²`` (micrograd's demo adds it with alpha = 1e-4).

    ``alpha`` must be finite and >= 0: a negative penalty rewards large weights, and
    the loss runs off to minus infinity.
    """
    alpha = positive(alpha, "alpha", "l2", allow_zero=True)
    params = parameters.parameters() if isinstance(parameters, Module) else list(parameters)
    if not params:
        raise ValueError("l2: got no parameters")
    return _sum([p * p for p in params]) * alpha


bce = binary_cross_entropy
bce_with_logits = binary_cross_entropy_with_logits

LOSSES: dict[str, Callable[..., Value]] = {
    "mse": mse,
    "hinge": hinge,
    "binary_cross_entropy": binary_cross_entropy,
    "bce": binary_cross_entropy,
    "binary_cross_entropy_with_logits": binary_cross_entropy_with_logits,
    "bce_with_logits": binary_cross_entropy_with_logits,
    "cross_entropy": cross_entropy,  # k logits per example, a class index as target
}
