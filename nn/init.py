"""How a layer's first weights are drawn: the schemes learners meet, by the names they know.

Every scheme draws each weight as ``uniform(-1, 1) * scale``, one draw per weight in
parameter order, from the randomness source the module was given (``seed=``); biases
start at 0. Only the scale differs:

* ``"uniform"`` (the default): scale 1, micrograd's ``uniform(-1, 1)``;
* ``"nin**-0.5"``: scale ``nin**-0.5``, as LLM101n's micrograd writes it, so a unit's
  weighted sum keeps about the spread of its inputs;
* ``"xavier"`` (or ``"glorot"``): scale √(6 / (nin + nout)), Glorot and Bengio's
  uniform scheme for tanh and sigmoid layers;
* ``"he"`` (or ``"kaiming"``): scale √(6 / nin), He et al.'s uniform scheme for ReLU.

The weight is computed as the product ``uniform(-1, 1) * scale`` exactly, so a model
built here from the same source draws bit for bit the weights another curriculum's
code draws with the same formula.
"""

from __future__ import annotations

import math
from collections.abc import Callable

SCALES: dict[str, Callable[[int, int], float]] = {
    "uniform": lambda nin, nout: 1.0,
    "nin**-0.5": lambda nin, nout: nin**-0.5,
    "xavier": lambda nin, nout: math.sqrt(6.0 / (nin + nout)),
    "glorot": lambda nin, nout: math.sqrt(6.0 / (nin + nout)),
    "he": lambda nin, nout: math.sqrt(6.0 / nin),
    "kaiming": lambda nin, nout: math.sqrt(6.0 / nin),
}


def init_scale(init: object, nin: int, nout: int, where: str) -> float:
    """The scale of ``uniform(-1, 1)`` for scheme ``init`` in a layer of ``nin`` → ``nout``."""
    if not isinstance(init, str) or init not in SCALES:
        raise ValueError(
            f"{where}: unknown init {init!r}; choose one of {', '.join(map(repr, SCALES))} "
            "(uniform(-1, 1) times the scale the name says; see nn.init)"
        )
    return SCALES[init](nin, nout)
