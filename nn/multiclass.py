"""One answer out of k classes: softmax, log-softmax and cross-entropy, stable for any logits.

A model for k classes outputs k raw scores, the *logits* z₀ … z₍ₖ₋₁₎ (``MLP(nin, [...,
k])``, whose last layer is linear). Softmax turns them into probabilities::

    p_i = e^(z_i) / Σ_j e^(z_j)

and the cross-entropy of an example whose class is t is ``-log p_t``: 0 when the model
puts all its probability on the right class, large when it puts little there.

Written as it reads, e^1000 overflows and e^-1000 is 0, so ``log p_t`` would be
``log 0``. The cure is the log-sum-exp, ``lse(z) = log Σ_j e^(z_j)``: then

    log p_i = z_i - lse(z)        p_i = e^(z_i - lse(z))        loss = lse(z) - z_t

and lse is built from the engine op ``logaddexp(a, b) = log(e^a + e^b)``, which puts
the larger operand in front and only ever takes e to a negative power
(``max(a, b) + log(1 + e^-|a - b|)``). Folding it over the logits gives lse exactly
for logits of ±1000 too, and its derivatives are the softmax weights, each at most 1.
Because the max is inside the op, a compiled graph (``engine.compile``) recomputes it
on every run instead of freezing the one seen when it was traced.

The gradient of the cross-entropy with respect to the logits is ``p - onehot(t)``:
the probabilities, minus 1 at the right class (the test suite checks it).
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

import engine
from engine import Value

from .checks import ordered

_LOGADDEXP = engine.OPS["logaddexp"]


def _logits(values: Any, where: str) -> list[Value]:
    """The scores as Values (numbers become constants), at least one of them."""
    if isinstance(values, (Value, numbers.Real)):
        values = [values]
    zs = ordered(values, "a list of scores (Values or numbers), one per class", where)
    if not zs:
        raise ValueError(f"{where}: got no scores; there must be one per class")
    out = []
    for i, z in enumerate(zs):
        if not isinstance(z, Value):
            if isinstance(z, bool) or not isinstance(z, numbers.Real):
                raise TypeError(
                    f"{where}: score {i} is a {type(z).__name__}, expected a Value or a number"
                    + ("; one example's scores are a flat list" if isinstance(z, list) else "")
                )
            z = Value(float(z))
        out.append(z)
    return out


def logsumexp(values: Sequence[Value | float]) -> Value:
    """``log Σ e^(z_i)`` without overflow: ``logaddexp`` folded over the values."""
    zs = _logits(values, "logsumexp")
    total = zs[0]
    for z in zs[1:]:
        total = _LOGADDEXP(total, z)
    return total


def log_softmax(values: Sequence[Value | float]) -> list[Value]:
    """``log p_i = z_i - lse(z)``: the log-probabilities, exact for any finite scores."""
    zs = _logits(values, "log_softmax")
    lse = logsumexp(zs)
    return [z - lse for z in zs]


def softmax(values: Sequence[Value | float]) -> list[Value]:
    """``p_i = e^(z_i - lse(z))``: probabilities that add up to 1, the largest score's biggest."""
    return [lp.exp() for lp in log_softmax(_logits(values, "softmax"))]


def argmax(values: Sequence[Value | float]) -> int:
    """The index of the largest score (the first one, on a tie): the predicted class."""
    scores = [v.data if isinstance(v, Value) else float(v) for v in values]
    if not scores:
        raise ValueError("argmax: got no scores")
    return max(range(len(scores)), key=scores.__getitem__)


def class_index(target: Any, k: int | None, where: str) -> int:
    """A class label as an int in 0 … k-1 (``3``, ``3.0`` or a NumPy int; not ``True``)."""
    t = target.data if isinstance(target, Value) else target
    ok = isinstance(t, numbers.Real) and not isinstance(t, bool)
    if ok and isinstance(t, numbers.Integral):
        index = int(t)
    elif ok and float(t).is_integer():
        index = int(t)
    else:
        raise TypeError(
            f"{where}: the target must be a class index (an int from 0), got {target!r}"
        )
    if index < 0 or (k is not None and index >= k):
        span = "from 0" if k is None else f"0 to {k - 1}, one per logit ({k} logits)"
        raise ValueError(f"{where}: target {index} is out of range; classes are {span}")
    return index


def cross_entropy(logits: Any, target: Any) -> Value:
    """``-log softmax(logits)[target] = lse(logits) - logits[target]``.

    One example: ``cross_entropy([z0, z1, z2], 2)``. A batch: a list of logit lists and
    a list of class indices, ``cross_entropy([[...], [...]], [2, 0])``, gives the mean
    over the batch (the form ``nn.fit(loss="cross_entropy")`` calls).
    """
    where = "cross_entropy"
    if isinstance(target, (numbers.Real, Value)) and not isinstance(target, bool):
        return _one(logits, target, None, where)
    rows = ordered(logits, "a list of examples' logits (one list of scores each)", where)
    targets = ordered(target, "a list of class indices, one per example", where)
    if len(rows) != len(targets):
        raise ValueError(f"{where}: got {len(rows)} examples' logits but {len(targets)} targets")
    if not rows:
        raise ValueError(f"{where}: got an empty batch; a mean over nothing is undefined")
    if isinstance(rows[0], (Value, numbers.Real)):
        raise TypeError(
            f"{where}: logits is one example's scores but target is a list; give one class "
            "index for one example, or a list of logit lists for a batch"
        )
    k = len(ordered(rows[0], "a list of scores", f"{where}: example 0"))
    terms = [
        _one(z, t, k, f"{where}: example {i}")
        for i, (z, t) in enumerate(zip(rows, targets, strict=True))
    ]
    return engine.sum(terms) * (1.0 / len(terms))


def _one(logits: Any, target: Any, k: int | None, where: str) -> Value:
    zs = _logits(logits, where)
    if k is not None and len(zs) != k:
        raise ValueError(
            f"{where}: got {len(zs)} logits, but example 0 has {k}; every example needs one "
            "score per class"
        )
    if len(zs) < 2:
        raise ValueError(
            f"{where}: got {len(zs)} logit; cross-entropy needs one per class, at least 2 "
            "(for two classes with one score, use bce_with_logits)"
        )
    t = class_index(target, len(zs), where)
    return logsumexp(zs) - zs[t]


def _check_targets(targets: Sequence[Any], k: int | None, where: str) -> list[int]:
    """Every target a class index of a k-output model, checked before ``fit`` starts."""
    if k is not None and k < 2:
        raise ValueError(
            f"{where}: cross_entropy needs a model with one output per class (at least 2), "
            f"this model has {k}; for two classes with one output, use bce_with_logits"
        )
    return [class_index(t, k, f"{where} target {i}") for i, t in enumerate(targets)]


# What nn.fit reads off a classification loss (see nn.losses): the predicted class of
# one example's output numbers, and the check of every target before the first step.
cross_entropy.decide = argmax
cross_entropy.check_targets = _check_targets
