"""What watching training costs: the moons fit with and without ``plot=``, same run.

    python -m demos.bench.live            # micrograd's moons demo, 100 epochs
    python -m demos.bench.live --quick    # a smoke test

Runs interleaved (without, with, without, with, ...) and quotes medians of CPU time
(``process_time``: the fit, the drawing and the GIF encoding all run in this process),
since on a shared machine wall time drifts with the other jobs. The animation goes to a
temporary folder. The targets: drawing takes under 20% of the training time
(``nn.live.BUDGET``), and the whole fit with plotting under twice as long as without.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import nn


def measure(epochs: int, points: int, repeats: int) -> dict[str, list[float]]:
    """CPU seconds per fit without and with ``plot``, and the plot's own accounts."""
    X, y = nn.datasets.make_moons(points, noise=0.1, seed=1, signed=True)
    found: dict[str, list[float]] = {"without": [], "with": [], "share": [], "frames": []}
    with tempfile.TemporaryDirectory() as folder:
        for r in range(repeats):
            for kind in ("without", "with"):
                model = nn.MLP(2, [16, 16, 1], seed=1)
                plot = nn.TrainingPlot(Path(folder) / f"t{r}.gif") if kind == "with" else False
                start = time.process_time()
                nn.fit(model, X, y, loss="hinge", l2=1e-4, epochs=epochs, lr=1.0,
                       schedule=nn.linear_decay(epochs), progress=False, plot=plot)  # fmt: skip
                found[kind].append(time.process_time() - start)
                if plot:
                    found["share"].append(plot.update_seconds / plot.train_seconds)
                    found["frames"].append(plot.frames)
    return found


def table(quick: bool = False) -> str:
    epochs, points, repeats = (10, 20, 1) if quick else (100, 100, 3)
    m = measure(epochs, points, repeats)
    without, with_ = statistics.median(m["without"]), statistics.median(m["with"])
    lines = [
        f"watching training: moons, MLP(2, [16, 16, 1]), {points} points, {epochs} epochs, "
        f"plot=<gif>; CPU time, medians of {repeats} interleaved runs",
        f"{'fit without plot':<28}{without:8.2f} s",
        f"{'fit with plot (animation)':<28}{with_:8.2f} s   {with_ / without:.2f}x (target < 2x)",
        f"{'drawing / training time':<28}{statistics.median(m['share']):8.1%}     "
        f"(target < {nn.live.BUDGET:.0%}); {statistics.median(m['frames']):.0f} frames",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m demos.bench.live", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--quick", action="store_true", help="small sizes (a smoke test)")
    print(table(parser.parse_args(argv).quick))


if __name__ == "__main__":
    main()
