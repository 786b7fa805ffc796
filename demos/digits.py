"""Learn to read handwritten digits (8×8 pixels), and test on digits never trained on.

    python -m demos.digits                 # an MLP 64-32-10, pictures go to ./out
    python -m demos.digits --model conv    # a tiny convolutional network instead
    python -m demos.digits --out results   # or anywhere else

The 1,797 digits (``nn.datasets.digits``, shipped with gradstep) are split into 80% for
training and 20% held out. The network ends in 10 logits, one per digit, trained with
softmax cross-entropy in mini-batches, each example's graph compiled once and replayed
(``fit(compile=True)``; ``--eager`` builds every graph anew, with the same numbers);
the held-out accuracy is measured after every epoch and printed at the end. It writes:

* ``digits_confusion.png``: held-out digits by true digit (rows) and answer (columns);
* ``digits_misclassified.png``: held-out digits the network got wrong, true → answer;
* ``digits_kernels.png``: what the first layer learned, as 8×8 pictures of the first
  16 hidden neurons' 64 weights (MLP), or the 3×3 kernels and, for one held-out
  digit, the feature map of each (conv); red is positive, blue negative;
* ``digits_history.png``: training and held-out loss and accuracy per epoch.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

import nn

from . import _plots

DEFAULTS = {  # model: (epochs, learning rate); batches of 16 from an 80% split
    "mlp": (3, 0.5),
    "conv": (8, 0.3),
}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m demos.digits",
        description=__doc__.split("\n\n")[0],
        epilog="Writes digits_confusion.png, digits_misclassified.png, digits_kernels.png "
        "and digits_history.png.",
    )
    _plots.add_out_argument(parser)
    parser.add_argument("--model", choices=sorted(DEFAULTS), default="mlp",
                        help="mlp: MLP(64, [32, 10]); conv: Conv2d(1, 4, 3) + tanh, "
                        "MaxPool2d(2), Flatten, Layer(36, 10) (default: mlp)")  # fmt: skip
    parser.add_argument("--epochs", type=int, help="epochs (default: 3 mlp, 8 conv)")
    parser.add_argument("--lr", type=float, help="learning rate (default: 0.5 mlp, 0.3 conv)")
    parser.add_argument("--batch-size", type=int, default=16, help="(default: 16)")
    parser.add_argument("--l2", type=float, default=0.0, help="L2 penalty (default: 0)")
    parser.add_argument("--seed", type=int, default=0, help="split and weights (default: 0)")
    parser.add_argument("--limit", type=int, metavar="N",
                        help="train on the first N training digits (a quick look)")  # fmt: skip
    parser.add_argument("--eager", action="store_true",
                        help="build every graph anew instead of replaying one compiled "
                        "example (fit(compile=True)); same numbers, slower")  # fmt: skip
    bar = parser.add_mutually_exclusive_group()
    bar.add_argument("--progress", dest="progress", action="store_true", default=None,
                     help="always show the progress bar")  # fmt: skip
    bar.add_argument("--no-progress", dest="progress", action="store_false",
                     help="never show it (default: only in a terminal)")  # fmt: skip
    args = parser.parse_args(argv)
    epochs, lr = DEFAULTS[args.model]
    args.epochs = epochs if args.epochs is None else args.epochs
    args.lr = lr if args.lr is None else args.lr
    if args.epochs < 1 or args.batch_size < 1 or not args.lr > 0 or args.l2 < 0:
        parser.error("--epochs and --batch-size must be at least 1, --lr > 0, --l2 >= 0")
    if args.limit is not None and args.limit < 1:
        parser.error("--limit must be at least 1")
    return args


def build(kind: str, seed: int) -> nn.Module:
    """The two networks: 64 pixels in, 10 logits out."""
    if kind == "mlp":
        return nn.MLP(64, [32, 10], seed=seed)
    return nn.Sequential(
        nn.Unflatten((1, 8, 8)),
        nn.Conv2d(1, 4, 3, activation="tanh", seed=seed),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Layer(36, 10, activation="linear", seed=seed + 1),
    )


def confusion(answers: list[int], truth: list[int]) -> list[list[int]]:
    """counts[true digit][answer]."""
    counts = [[0] * 10 for _ in range(10)]
    for a, t in zip(answers, truth, strict=True):
        counts[t][a] += 1
    return counts


def confusion_plot(path: Path, counts: list[list[int]], title: str) -> Path | None:
    plt = _plots.pyplot()
    if plt is None:
        return None
    fig, ax = plt.subplots(figsize=(5.6, 4.6))
    fig.colorbar(ax.imshow(counts, cmap="Blues"), ax=ax, label="held-out digits")
    top = max(max(row) for row in counts)
    for t, row in enumerate(counts):
        for a, n in enumerate(row):
            if n:
                color = "white" if n > top / 2 else "black"
                ax.text(a, t, str(n), ha="center", va="center", fontsize=8, color=color)
    ax.set(xticks=range(10), yticks=range(10), xlabel="answer", ylabel="true digit", title=title)
    return _plots.save(fig, path)


def images_plot(path: Path, images: list[Any], **options: Any) -> Path | None:
    if _plots.pyplot() is None or not images:
        return None
    fig = nn.images.image_figure(images, **options)  # laid out already (constrained)
    fig.savefig(path, dpi=120)
    _plots.pyplot().close(fig)
    return path


def first_layer(model: nn.Module, x: list[float]) -> tuple[list[Any], list[str], bool]:
    """Pictures of what the first layer learned: (images, titles, signed)."""
    if isinstance(model, nn.MLP):
        neurons = model.layers[0].neurons[:16]
        pictures = [nn.images.as_image(n.w) for n in neurons]
        return pictures, [f"neuron {j}" for j in range(len(pictures))], True
    conv = model[1]
    image = model[0](x)
    maps = conv(image)
    kernels = conv.kernel_images()
    titles = ["a digit"] + [f"kernel {o}" for o in range(len(kernels))]
    titles += [f"its map {o}" for o in range(len(maps))]
    return image + kernels + maps, titles, True


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    out = _plots.out_folder(args.out)
    try:
        X, y = nn.datasets.digits()
    except ImportError as error:
        raise SystemExit(str(error)) from None
    X_train, X_test, y_train, y_test = nn.datasets.split(X, y, test=0.2, seed=args.seed)
    if args.limit is not None:
        X_train, y_train = X_train[: args.limit], y_train[: args.limit]
    model = build(args.model, args.seed)
    print(
        f"digits: {len(X_train)} to train on, {len(X_test)} held out; {args.model} with "
        f"{model.num_parameters()} parameters; {args.epochs} epochs, batches of "
        f"{args.batch_size}, lr {args.lr:g}"
        + (f", l2 {args.l2:g}" if args.l2 else "")
        + (", eager" if args.eager else ", compiled")
    )
    start = time.perf_counter()
    history = nn.fit(
        model,
        X_train,
        y_train,
        loss="cross_entropy",
        epochs=args.epochs,
        lr=args.lr,
        batch_size=args.batch_size,
        l2=args.l2,
        seed=args.seed,
        validation=(X_test, y_test),
        progress=args.progress,
        compile=not args.eager,
    )
    seconds = time.perf_counter() - start
    answers = [nn.argmax(scores) for scores in model.predict(X_test)]
    test_accuracy = sum(a == t for a, t in zip(answers, y_test, strict=True)) / len(y_test)
    print(
        f"trained in {seconds:.1f} s ({seconds / args.epochs:.1f} s per epoch, with the "
        f"held-out measurement); training accuracy {history.accuracy[-1]:.1%} (during the "
        f"last epoch), test accuracy {test_accuracy:.1%} on {len(y_test)} held-out digits"
    )
    wrong = [i for i, (a, t) in enumerate(zip(answers, y_test, strict=True)) if a != t]
    pictures, titles, signed = first_layer(model, X_test[0])
    paths = [
        confusion_plot(
            out / "digits_confusion.png",
            confusion(answers, y_test),
            f"{len(y_test)} held-out digits: {test_accuracy:.1%} right",
        ),
        images_plot(
            out / "digits_misclassified.png",
            [X_test[i] for i in wrong[:24]],
            titles=[f"{y_test[i]} → {answers[i]}" for i in wrong[:24]],
            label="ink",
        ),
        images_plot(
            out / "digits_kernels.png",
            pictures,
            titles=titles,
            centred=signed,
            label="weight or value (red +, blue −)",
        ),
        _plots.history_plot(
            out / "digits_history.png",
            history,
            f"{args.model}: training (solid) and held-out (dashed)",
        ),
    ]
    _plots.report(paths)
    return 0


if __name__ == "__main__":
    sys.exit(main())
