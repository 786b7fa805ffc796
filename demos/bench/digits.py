"""One training epoch on the 8×8 digits: how long ``nn.fit`` takes, per model and mode.

    python -m demos.bench.digits            # 3 timed epochs per row (a few minutes)
    python -m demos.bench.digits --quick    # 200 digits, 1 timed epoch: a smoke run

An epoch is ``nn.fit`` over the 1,438 training digits of an 80/20 split, shuffled
batches of 16, softmax cross-entropy, as ``python -m demos.digits`` trains them. Each
row is one ``fit`` of 1 + repeats epochs, timed epoch by epoch (``callback``): the
first epoch is shown apart, because in compiled mode it also traces and compiles the
per-example graph (once per class: the target picks which logit the loss reads, so
each digit 0-9 has a graph of its own); the median of the others is the steady cost.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

import nn
from demos.digits import DEFAULTS, build


def epoch_times(kind: str, X: list, y: list, compiled: bool, epochs: int) -> list[float]:
    """Seconds of each epoch of one ``fit``."""
    model = build(kind, seed=0)
    marks = [time.perf_counter()]
    nn.fit(model, X, y, loss="cross_entropy", epochs=epochs, lr=DEFAULTS[kind][1],
           batch_size=16, progress=False, compile=compiled,
           callback=lambda epoch, history: marks.append(time.perf_counter()))  # fmt: skip
    return [b - a for a, b in zip(marks, marks[1:], strict=False)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m demos.bench.digits", description=__doc__)
    parser.add_argument("--repeats", type=int, default=3, help="timed epochs per row")
    parser.add_argument("--quick", action="store_true", help="200 digits, 1 epoch per row")
    args = parser.parse_args(argv)
    X, y = nn.datasets.digits()
    X_train, _, y_train, _ = nn.datasets.split(X, y, test=0.2, seed=0)
    if args.quick:
        X_train, y_train, args.repeats = X_train[:200], y_train[:200], 1
    n = len(X_train)
    print(
        f"one epoch of nn.fit on {n} digits, batches of 16, cross-entropy "
        f"(Python {sys.version.split()[0]}; median of {args.repeats} epochs after the first)"
    )
    print(
        f"{'model':<14}  {'parameters':>10}  {'1st epoch s':>11}  {'s/epoch':>8}  {'ms/digit':>8}"
    )
    for kind in ("mlp", "conv"):
        params = build(kind, 0).num_parameters()
        for mode in ("eager", "compiled"):
            times = epoch_times(kind, X_train, y_train, mode == "compiled", args.repeats + 1)
            t = statistics.median(times[1:])
            print(
                f"{kind + ' ' + mode:<14}  {params:>10}  {times[0]:11.2f}  {t:8.2f}  "
                f"{t / n * 1e3:8.2f}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
