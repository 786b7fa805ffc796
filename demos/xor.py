"""XOR: the four points one neuron cannot separate, and the small network that can.

    python -m demos.xor                  # train both, print truth tables, write ./out/xor.png

XOR is 1 when exactly one of its two inputs is 1. A single neuron draws one straight
line through the plane, and no straight line puts (0, 1) and (1, 0) on one side and
(0, 0) and (1, 1) on the other, so it gets at most 3 of the 4 right. A hidden layer of
four tanh neurons bends the boundary and gets all four. Both are trained with binary
cross-entropy on raw scores. Writes ``xor.png``: the two decision boundaries.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import nn

from . import _plots


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m demos.xor", description=__doc__.split("\n\n")[0]
    )
    _plots.add_out_argument(parser)
    parser.add_argument("--epochs", type=int, default=300, help="epochs to train (default: 300)")
    parser.add_argument("--hidden", type=int, default=4, help="hidden tanh neurons (default: 4)")
    parser.add_argument("--seed", type=int, default=0, help="seed for the weights (default: 0)")
    args = parser.parse_args(argv)
    if args.epochs < 1 or args.hidden < 1:
        parser.error("--epochs and --hidden must be at least 1")
    return args


def truth_table(name: str, model: nn.Module, X: list[list[float]], y: list[float]) -> int:
    """Print the model's answers for the four cases; return how many are right."""
    scores = model.predict(X)
    right = 0
    print(f"\n{name}")
    print("  x0 x1 | XOR | score    answer")
    for x, target, score in zip(X, y, scores, strict=True):
        answer = 1.0 if score > 0 else 0.0
        right += answer == target
        mark = "ok" if answer == target else "WRONG"
        print(f"  {x[0]:2.0f} {x[1]:2.0f} | {target:3.0f} | {score:+7.3f}  {answer:.0f}  {mark}")
    print(f"  {right} of 4 right")
    return right


NAMES = ("XOR = 1", "XOR = 0")


def picture(
    path: Path, models: dict[str, nn.Module], X: list[list[float]], y: list[float]
) -> Path | None:
    plt = _plots.pyplot()
    if plt is None:
        return None
    steps = 50
    grid_x = [-0.5 + 2.0 * i / (steps - 1) for i in range(steps)]
    points = [[a, b] for b in grid_x for a in grid_x]
    fig, axes = plt.subplots(1, len(models), figsize=(5 * len(models), 4.4))
    for ax, (title, model) in zip(axes, models.items(), strict=True):
        _plots.show_regions(ax, grid_x, grid_x, model.predict(points), threshold=0.0)
        _plots.show_points(ax, X, [2 * t - 1 for t in y], NAMES)
        ax.set(title=title, aspect="equal", xlabel="x₀", ylabel="x₁")
    fig.suptitle("XOR: 1 when exactly one input is 1")
    key = _plots.class_key(NAMES, "decision boundary: score = 0")
    fig.legend(handles=key, loc="lower center", ncol=len(key), fontsize=8)
    return _plots.save(fig, path, rect=(0, 0.07, 1, 1))  # room for the legend below


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    out = _plots.out_folder(args.out)
    X, y = nn.datasets.xor()
    single = nn.Neuron(2, activation="linear", seed=args.seed)
    network = nn.MLP(2, [args.hidden, 1], activation="tanh", seed=args.seed)
    options = dict(loss="bce_with_logits", epochs=args.epochs, lr=0.5, progress=False)
    h_single = nn.fit(single, X, y, **options)
    h_network = nn.fit(network, X, y, **options)
    right_single = truth_table(f"one neuron (loss {h_single.loss[-1]:.3f})", single, X, y)
    right_network = truth_table(
        f"MLP(2, [{args.hidden}, 1]), tanh hidden layer (loss {h_network.loss[-1]:.3f})",
        network,
        X,
        y,
    )
    print(f"\none neuron: {right_single}/4 right; with a hidden layer: {right_network}/4 right")
    if abs(h_single.loss[-1] - math.log(2)) < 0.01:
        print(
            "The single neuron's scores are all about 0: a 50/50 guess everywhere, loss "
            "ln 2 ≈ 0.693. Every straight line gets at least one of the four points wrong, "
            "and under cross-entropy the least bad line is no line at all, so its 'answers' "
            "are just the signs of rounding noise."
        )
    path = picture(
        out / "xor.png",
        {"one neuron: one straight line": single, f"{args.hidden} hidden tanh neurons": network},
        X,
        y,
    )
    _plots.report([path])
    return 0


if __name__ == "__main__":
    sys.exit(main())
