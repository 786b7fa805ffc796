"""Train the models lesson 10 loads, and write them to notebooks/data (a few minutes).

    python -m demos.lesson10_states            # rewrites notebooks/data/10_*.json

A lesson must run in seconds, and these trainings take minutes, so the lesson loads
their results instead of training: each model with ``model.save`` (``nn.load`` reads
it back exactly), and the per-epoch training and held-out curves of the overfitting
runs in ``10_curves.json``. The lesson recomputes every number it teaches from the
loaded models (``nn.evaluate``) and checks that the curves end at those numbers, so a
curve cannot belong to another model than the one it is shown with.

* ``10_mlp.json``: MLP(64, [32, 10]) on all 1,438 training digits, 3 epochs, as
  ``python -m demos.digits`` trains it;
* ``10_overfit.json`` and ``10_l2.json``: the same network on only 60 training digits
  for 60 epochs, without and with an L2 penalty: the gap between training and
  held-out loss opens, and L2 closes most of it.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import nn

DATA = Path(__file__).resolve().parent.parent / "notebooks" / "data"
SMALL = 60  # training digits for the overfitting runs
EPOCHS = 60
L2 = 3e-3
LR = 0.2


def split() -> tuple[list, list, list, list]:
    X, y = nn.datasets.digits()
    return nn.datasets.split(X, y, test=0.2, seed=0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m demos.lesson10_states", description=__doc__)
    parser.add_argument("--out", default=str(DATA), help=f"folder (default: {DATA})")
    parser.add_argument("--epochs", type=int, default=EPOCHS, help=f"(default: {EPOCHS})")
    parser.add_argument("--lr", type=float, default=LR, help=f"(default: {LR})")
    parser.add_argument("--l2", type=float, default=L2, help=f"(default: {L2})")
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    X_train, X_test, y_train, y_test = split()
    model = nn.MLP(64, [32, 10], seed=0)
    nn.fit(model, X_train, y_train, loss="cross_entropy", epochs=3, lr=0.5, batch_size=16,
           seed=0, progress=True)  # fmt: skip
    model.save(out / "10_mlp.json")
    curves = {}
    small = (X_train[:SMALL], y_train[:SMALL])
    for name, l2 in (("overfit", 0.0), ("l2", args.l2)):
        train_curve: list[list[float]] = []
        m = nn.MLP(64, [32, 10], seed=0)

        def measure(epoch: int, history: nn.History, m: nn.MLP = m, curve: list = train_curve):
            curve.append(list(nn.evaluate(m, *small, loss="cross_entropy")))

        history = nn.fit(
            m, *small, loss="cross_entropy", epochs=args.epochs, lr=args.lr, batch_size=10,
            l2=l2, seed=0, validation=(X_test, y_test), progress=True, callback=measure,
        )  # fmt: skip
        m.save(out / f"10_{name}.json")
        curves[name] = {
            "l2": l2,
            "lr": args.lr,
            "train_loss": [t[0] for t in train_curve],
            "train_accuracy": [t[1] for t in train_curve],
            "val_loss": history.val_loss,
            "val_accuracy": history.val_accuracy,
        }
        print(name, "train", train_curve[-1], "held out", history.val_loss[-1],
              history.val_accuracy[-1], "lowest held-out loss", min(history.val_loss),
              "at epoch", history.val_loss.index(min(history.val_loss)) + 1)  # fmt: skip
    (out / "10_curves.json").write_text(json.dumps(curves) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
