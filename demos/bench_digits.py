"""One training epoch on the 8×8 digits: how long ``nn.fit`` takes, per model and mode.

    python -m demos.bench_digits            # 3 timed epochs per row (a few minutes)
    python -m demos.bench_digits --quick    # 200 digits, 1 epoch: a smoke run

An epoch is ``nn.fit`` over the 1,438 training digits of an 80/20 split, shuffled
batches of 16, softmax cross-entropy, as ``python -m demos.digits`` trains them. The
rows take turns, one epoch each, so they share the machine's load (medians). The
compiled rows run ``fit(compile=True)``; when this ``fit`` cannot compile shuffled
mini-batches, the row says so instead of a time.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable

import nn

from .digits import build


def epoch(kind: str, X: list, y: list, compiled: bool) -> Callable[[], float]:
    """One epoch of the model (built once, trained on), as a function returning seconds."""
    model = build(kind, seed=0)
    lr = 0.5 if kind == "mlp" else 0.3

    def run() -> float:
        start = time.perf_counter()
        nn.fit(model, X, y, loss="cross_entropy", epochs=1, lr=lr, batch_size=16,
               progress=False, compile=compiled)  # fmt: skip
        return time.perf_counter() - start

    return run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m demos.bench_digits", description=__doc__)
    parser.add_argument("--repeats", type=int, default=3, help="timed epochs per row")
    parser.add_argument("--quick", action="store_true", help="200 digits, 1 epoch per row")
    args = parser.parse_args(argv)
    X, y = nn.datasets.digits()
    X_train, _, y_train, _ = nn.datasets.split(X, y, test=0.2, seed=0)
    if args.quick:
        X_train, y_train, args.repeats = X_train[:200], y_train[:200], 1
    rows: dict[str, Callable[[], float]] = {}
    notes: dict[str, str] = {}
    for kind in ("mlp", "conv"):
        for compiled in (False, True):
            name = f"{kind} {'compiled' if compiled else 'eager'}"
            run = epoch(kind, X_train, y_train, compiled)
            try:
                run()  # warm-up, and the compiled rows' trace
            except ValueError as error:
                notes[name] = f"not available: {str(error).split(':')[1].strip()}"
                continue
            rows[name] = run
    times: dict[str, list[float]] = {name: [] for name in rows}
    for _ in range(args.repeats):
        for name, run in rows.items():
            times[name].append(run())
    n = len(X_train)
    print(
        f"one epoch of nn.fit on {n} digits, batches of 16, cross-entropy "
        f"(Python {sys.version.split()[0]}, medians of {args.repeats}, rows in turn)"
    )
    print(f"{'model':<16}  {'parameters':>10}  {'s/epoch':>8}  {'ms/digit':>8}")
    for kind in ("mlp", "conv"):
        params = build(kind, 0).num_parameters()
        for mode in ("eager", "compiled"):
            name = f"{kind} {mode}"
            if name in notes:
                print(f"{name:<16}  {params:>10}  {notes[name]}")
                continue
            t = statistics.median(times[name])
            print(f"{name:<16}  {params:>10}  {t:8.2f}  {t / n * 1e3:8.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
