"""Train a classifier on the two-moons data set and write its pictures.

    python -m demos.moons                 # pictures go to ./out
    python -m demos.moons --out results   # or anywhere else
    python -m demos.moons --animate       # also moons_training.gif: watch it learn

micrograd's demo, run with gradstep: an MLP with two hidden layers of 16 ReLU neurons
learns to tell two interleaving half-moons apart (100 points, hinge loss, L2 1e-4,
learning rate 1.0 decaying linearly to 0.1 over 100 epochs). It prints the final
training accuracy and writes three pictures:

* ``moons_decision_boundary.png``: the plane coloured by the network's answer;
* ``moons_loss.png``: the loss and accuracy, epoch by epoch;
* ``moons_neuron.svg``: the computation graph of one trained neuron (first hidden
  layer, neuron 0) on the first data point, after a backward pass from its output
  alone: inputs, weights, grads.

With ``--animate`` it also writes ``moons_training.gif``: the loss, the accuracy and
the decision boundary as training goes (``nn.fit(..., plot=path)``), updated as
often as keeps drawing under 20% of the training time.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import engine
import nn

from . import _plots


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m demos.moons",
        description=__doc__.split("\n\n")[0],
        epilog="Writes moons_decision_boundary.png, moons_loss.png and moons_neuron.svg.",
    )
    _plots.add_out_argument(parser)
    parser.add_argument("--epochs", type=int, default=100, help="epochs to train (default: 100)")
    parser.add_argument("--points", type=int, default=100, help="data points (default: 100)")
    parser.add_argument(
        "--seed", type=int, default=1, help="seed for data and weights (default: 1)"
    )
    parser.add_argument(
        "--compile",
        action="store_true",
        help="trace the training step once and replay it (engine.compile): same numbers, faster",
    )
    parser.add_argument(
        "--animate",
        action="store_true",
        help="also write moons_training.gif, the boundary and loss as training goes",
    )
    bar = parser.add_mutually_exclusive_group()
    bar.add_argument("--progress", dest="progress", action="store_true", default=None,
                     help="always show the progress bar")  # fmt: skip
    bar.add_argument("--no-progress", dest="progress", action="store_false",
                     help="never show it (default: only in a terminal)")  # fmt: skip
    args = parser.parse_args(argv)
    if args.epochs < 1 or args.points < 4:
        parser.error("--epochs must be at least 1 and --points at least 4")
    return args


def accuracy(model: nn.MLP, X: list[list[float]], y: list[float]) -> float:
    """The fraction of points whose score has the sign of their label."""
    scores = model.predict(X)
    return sum((s > 0) == (label > 0) for s, label in zip(scores, y, strict=True)) / len(y)


def neuron_graph(model: nn.MLP, x: list[float], path: Path) -> Path:
    """Draw one trained neuron on one input, after a backward pass of its own, as SVG.

    Training leaves the grads of its last step on the parameters, and a leaf's grad
    adds up over backward passes, so they are cleared first: then every grad drawn is
    d(out)/d(that number), the upstream grad times the local derivative on its arrows.
    """
    neuron = model.layers[0].neurons[0]
    out = neuron(x)
    out.label = "out"
    engine.zero_grad(out)  # clear what training left, or the picture contradicts its arrows
    out.backward()
    engine.render(out, path, edge_derivatives=True)
    return path


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    out = _plots.out_folder(args.out)
    X, y = nn.datasets.make_moons(args.points, noise=0.1, seed=args.seed, signed=True)
    model = nn.MLP(2, [16, 16, 1], seed=args.seed)
    print(
        f"two moons: {len(X)} points; model {model.sizes} with {model.num_parameters()} parameters"
    )
    history = nn.fit(
        model,
        X,
        y,
        loss="hinge",
        l2=1e-4,
        epochs=args.epochs,
        lr=1.0,
        schedule=nn.linear_decay(args.epochs),
        progress=args.progress,
        compile=args.compile,
        plot=out / "moons_training.gif" if args.animate else False,
    )
    final = accuracy(model, X, y)
    print(f"final loss {history.loss[-1]:.4f}; training accuracy {final:.1%}")
    paths = [
        _plots.decision_boundary(
            out / "moons_decision_boundary.png",
            model.predict,
            X,
            y,
            f"MLP(2, [16, 16, 1]) after {args.epochs} epochs: {final:.0%} correct",
        ),
        _plots.history_plot(
            out / "moons_loss.png", history, "moons: hinge loss + L2, and training accuracy"
        ),
        neuron_graph(model, X[0], out / "moons_neuron.svg"),
    ]
    _plots.report(paths)
    return 0


if __name__ == "__main__":
    sys.exit(main())
