"""How much wine for the party? Gradient descent on one number, step by step.

    python -m demos.wine                 # train, print the steps, write ./out/wine.png
    python -m demos.wine --guests 12     # and ask how many bottles 12 guests need

Three friends' dinner parties (3, 10 and 75 guests drank 2, 7 and 50 bottles) and the
model ``bottles = A * guests``. Starting from A = 1, each step computes the mean
squared error with Values, calls ``backward()`` for dL/dA, and moves A against it.
A settles at the least-squares answer 3826 / 5734 ≈ 0.667 bottles per guest.
Writes ``wine.png``: the loss valley with the steps taken, and the fitted line.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nn
from engine import Value

from . import _plots


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m demos.wine", description=__doc__.split("\n\n")[0]
    )
    _plots.add_out_argument(parser)
    parser.add_argument("--lr", type=float, default=1e-4, help="learning rate (default: 1e-4)")
    parser.add_argument("--steps", type=int, default=40, help="gradient steps (default: 40)")
    parser.add_argument(
        "--start", type=float, default=1.0, help="the first guess of A (default: 1)"
    )
    parser.add_argument(
        "--guests", type=float, default=12, help="party size to predict for (default: 12)"
    )
    args = parser.parse_args(argv)
    if args.steps < 1 or not args.lr > 0:
        parser.error("--steps must be at least 1 and --lr a positive number")
    return args


def descend(start: float, lr: float, steps: int) -> list[tuple[float, float, float]]:
    """(A, loss, dL/dA) before every step of gradient descent from ``start``."""
    guests, bottles = nn.datasets.dinner_parties()
    A = Value(start, label="A")
    trail = []
    for _ in range(steps):
        loss = nn.mse([A * g for g in guests], bottles)
        A.grad = 0.0
        loss.backward()
        trail.append((A.data, loss.data, A.grad))
        A.data -= lr * A.grad
    trail.append((A.data, nn.mse([A * g for g in guests], bottles).data, float("nan")))
    return trail


def picture(path: Path, trail: list[tuple[float, float, float]], best: float) -> Path | None:
    plt = _plots.pyplot()
    if plt is None:
        return None
    guests, bottles = nn.datasets.dinner_parties()

    def loss(a: float) -> float:
        return sum((a * g - b) ** 2 for g, b in zip(guests, bottles, strict=True)) / len(guests)

    seen = [a for a, _, _ in trail] + [best]
    lo, hi = min(seen), max(seen)
    pad = 0.15 * (hi - lo) or 0.1
    grid = [lo - pad + (hi - lo + 2 * pad) * i / 200 for i in range(201)]
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    left.plot(grid, [loss(a) for a in grid], color="tab:blue", label="the loss for each A")
    left.plot([a for a, _, _ in trail], [v for _, v, _ in trail], "o", color="tab:orange", ms=4,
              label=f"{len(trail) - 1} steps from A = {trail[0][0]:g}")  # fmt: skip
    left.axvline(best, color="gray", ls=":", label=f"best A = {best:.4f}")
    left.set(xlabel="A (bottles per guest)", ylabel="mean squared error", title="the loss valley")
    left.legend()
    right.scatter(guests, bottles, color="tab:red", zorder=3, label="the three parties")
    final = trail[-1][0]
    right.plot([0, 80], [0, 80 * final], color="tab:green", label=f"bottles = {final:.3f} × guests")
    right.set(xlabel="guests", ylabel="bottles", title="the fitted line")
    right.legend()
    return _plots.save(fig, path)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    out = _plots.out_folder(args.out)
    guests, bottles = nn.datasets.dinner_parties()
    best = sum(g * b for g, b in zip(guests, bottles, strict=True)) / sum(g * g for g in guests)
    parties = ", ".join(f"{g:g} -> {b:g}" for g, b in zip(guests, bottles, strict=True))
    print(f"parties (guests -> bottles): {parties}")
    print(f"model: bottles = A * guests; start A = {args.start:g}, learning rate {args.lr:g}\n")
    trail = descend(args.start, args.lr, args.steps)
    print(f"{'step':>4}  {'A':>10}  {'loss':>12}  {'dL/dA':>12}")
    for k, (a, loss, grad) in enumerate(trail[:-1]):
        if k < 5 or k % 10 == 9 or k == len(trail) - 2:
            print(f"{k:4d}  {a:10.6f}  {loss:12.4f}  {grad:12.4f}")
    final = trail[-1][0]
    print(f"\nafter {args.steps} steps: A = {final:.6f}")
    print(f"least squares: A = 3826 / 5734 = {best:.6f} (off by {abs(final - best):.2g})")
    # The loss is a parabola with curvature 2·Σg²/n: a step larger than 2/curvature
    # = n/Σg² overshoots the bottom by more than it started from.
    limit = len(guests) / sum(g * g for g in guests)
    if args.lr >= limit:
        print(
            f"A is swinging away from the answer: a learning rate of {limit:.2g} or more "
            "overshoots by more every step; use a smaller --lr"
        )
    elif abs(final - best) > 1e-3:
        print(f"not there yet: try more --steps, or a larger --lr (below {limit:.2g})")
    print(f"for {args.guests:g} guests buy about {final * args.guests:.1f} bottles")
    _plots.report([picture(out / "wine.png", trail, best)])
    return 0


if __name__ == "__main__":
    sys.exit(main())
