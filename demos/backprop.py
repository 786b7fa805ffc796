"""Write a web page that steps through backprop in a small neuron, one chain-rule step at a time.

    python -m demos.backprop                    # writes ./out/backprop_neuron.html
    python -m demos.backprop --x1 1 --w1 0.5    # other numbers

The neuron is o = tanh(x1·w1 + x2·w2 + b), by default at x1 = 2, x2 = 0, w1 = -3,
w2 = 1, b = 6.8813735870195432 (so o = 0.7071 and do/dn = 0.5). The page holds every
step of the backward pass as a picture, with Prev / Next buttons, a slider, the arrow
keys and the chain-rule line of each step. It is one self-contained file: open it by
double-click in any browser, offline. The trace table is printed here too.
"""

from __future__ import annotations

import argparse
import sys

import engine
from engine import Value

from . import _plots


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m demos.backprop", description=__doc__.split("\n\n")[0]
    )
    _plots.add_out_argument(parser)
    defaults = {
        "x1": ("input", 2.0),
        "x2": ("input", 0.0),
        "w1": ("weight", -3.0),
        "w2": ("weight", 1.0),
        "b": ("bias", 6.8813735870195432),
    }
    for name, (role, value) in defaults.items():
        parser.add_argument(
            f"--{name}", type=float, default=value, help=f"the {role} {name} (default: {value!r})"
        )
    return parser.parse_args(argv)


def neuron(x1: float, x2: float, w1: float, w2: float, b: float) -> Value:
    """o = tanh(x1·w1 + x2·w2 + b), every intermediate Value labelled."""
    inputs = [Value(x1, "x1"), Value(x2, "x2")]
    weights = [Value(w1, "w1"), Value(w2, "w2")]
    bias = Value(b, "b")
    for p in [*weights, bias]:
        engine.mark(p, "parameter")
    x1w1 = inputs[0] * weights[0]
    x1w1.label = "x1w1"
    x2w2 = inputs[1] * weights[1]
    x2w2.label = "x2w2"
    s = x1w1 + x2w2
    s.label = "s"
    n = s + bias
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return o


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    out = _plots.out_folder(args.out)
    o = neuron(args.x1, args.x2, args.w1, args.w2, args.b)
    print(f"o = tanh(x1·w1 + x2·w2 + b) = {o.data:.4f}\n")
    print(engine.backprop_table(o))
    path = out / "backprop_neuron.html"
    engine.export_backprop_html(o, path, title="Backprop through one neuron, step by step")
    print(f"\nwrote:\n  {path.resolve()}")
    print("open it in a browser and press Next (or the right arrow key) to take each step")
    return 0


if __name__ == "__main__":
    sys.exit(main())
