"""micrograd's demo training step, for gradstep and for micrograd 0.1.0, on the same data.

The step: ``MLP(2, [16, 16, 1])`` (ReLU hidden layers, linear output) over 100 two-moons
points (noise 0.1, labels -1/+1), hinge loss + 1e-4 L2 penalty, zero grads, backward,
SGD update with micrograd's learning rate ``1.0 - 0.9 * k / 100``.

``gradstep_step()`` and ``micrograd_step()`` build the model and data once and return
a function that runs one step and returns the loss; ``demos/bench/benchmark.py`` times them.
gradstep's step is ``nn.train_step`` exactly as ``nn.fit`` runs it (cyclic collector
paused: gradstep graphs have no cycles). micrograd runs as its demo does (collector on);
``micrograd_step(pause_gc=True)`` shows how much of its time is the collector.
``gradstep_micrograd_code()`` is micrograd's own demo code run on gradstep's Value and
``nn.MLP`` (builtin ``sum``, collector on), what a learner's micrograd code gets.

Run ``python -m demos.bench.demo_step`` for a small table: each engine runs alone in a
fresh process (so it pays for its own garbage, as its own loop would), the processes
taking turns round by round so that all see the same machine load.
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import engine
import nn

N_POINTS = 100
NOISE = 0.1
SIZES = [16, 16, 1]
ALPHA = 1e-4
ROOT = Path(__file__).resolve().parents[2]


def moons(seed: int = 1) -> tuple[list[list[float]], list[float]]:
    """The shared data: two moons with labels -1/+1."""
    return nn.datasets.make_moons(N_POINTS, NOISE, seed=seed, signed=True)


def gradstep_step(seed: int = 1) -> Callable[[], float]:
    """One micrograd-demo step with gradstep's nn, as ``nn.fit`` runs it."""
    X, y = moons(seed)
    model = nn.MLP(2, SIZES, seed=seed)
    optimizer = nn.SGD(model, lr=1.0, schedule=nn.linear_decay(100))

    def step() -> float:
        if optimizer.steps == 100:  # keep the schedule in its range when timed many times
            optimizer.steps = 0
        loss, _ = nn.train_step(model, X, y, nn.hinge, optimizer, l2=ALPHA)
        return loss

    return step


def micrograd_step(seed: int = 1, pause_gc: bool = False) -> Callable[[], float]:
    """The same step written as micrograd's demo notebook writes it."""
    from micrograd.engine import Value
    from micrograd.nn import MLP

    state = random.getstate()  # micrograd initialises from the global random module
    random.seed(seed)
    model = MLP(2, SIZES)
    random.setstate(state)
    step = micrograd_code_step(Value, model, seed)
    if not pause_gc:
        return step

    def paused_step() -> float:
        with engine.collector_paused():
            return step()

    return paused_step


def gradstep_micrograd_code(seed: int = 1) -> Callable[[], float]:
    """micrograd's demo code run on gradstep's ``Value`` and ``nn.MLP``, collector on.

    The code a learner brings from micrograd: builtin ``sum`` (a chain of binary
    additions), ``model.zero_grad()``, ``p.data -= lr * p.grad``, nothing paused.
    """
    return micrograd_code_step(engine.Value, nn.MLP(2, SIZES, seed=seed), seed)


def micrograd_code_step(value: Callable, model: Callable, seed: int = 1) -> Callable[[], float]:
    """One step of micrograd's demo notebook, for its ``Value`` class and ``MLP``."""
    X, y = moons(seed)
    k = 0

    def step() -> float:
        nonlocal k
        inputs = [list(map(value, row)) for row in X]
        scores = list(map(model, inputs))
        losses = [(1 + -yi * si).relu() for yi, si in zip(y, scores, strict=True)]
        data_loss = sum(losses) * (1.0 / len(losses))
        reg_loss = ALPHA * sum(p * p for p in model.parameters())
        total = data_loss + reg_loss
        model.zero_grad()
        total.backward()
        learning_rate = 1.0 - 0.9 * k / 100
        for p in model.parameters():
            p.data -= learning_rate * p.grad
        k = (k + 1) % 100
        return total.data

    return step


def median_seconds(step: Callable[[], float], repeats: int, warmup: int = 1) -> float:
    """Median wall time of ``repeats`` calls, after ``warmup`` untimed calls."""
    for _ in range(warmup):
        step()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


# Each engine's step, as ``main`` makes it in a process of its own.
ENGINES = {
    "gradstep nn.train_step": "gradstep_step()",
    "gradstep, micrograd's code": "gradstep_micrograd_code()",
    "micrograd 0.1.0": "micrograd_step()",
    "micrograd 0.1.0, collector paused": "micrograd_step(pause_gc=True)",
}


def alone_seconds(step: str, repeats: int) -> float:
    """``median_seconds`` of one engine's step (an ``ENGINES`` value), in a fresh process.

    Alone in its process, an engine pays for its own garbage, as its own training
    loop would: micrograd's nodes are reference cycles, which the collector frees
    during its later steps. Two engines in one process would charge that work to
    whichever one the collector happened to run in.
    """
    code = f"from demos.bench.demo_step import *\nprint(median_seconds({step}, repeats={repeats}))"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    return float(out.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="micrograd's demo step: gradstep vs micrograd")
    parser.add_argument(
        "--repeats", type=int, default=3, help="timed steps per process (default: 3)"
    )
    parser.add_argument(
        "--rounds", type=int, default=5, help="processes per engine, in turn (default: 5)"
    )
    args = parser.parse_args(argv)
    engines = dict(ENGINES)
    try:
        import micrograd  # noqa: F401
    except ImportError:
        print(
            "micrograd is not installed, so gradstep runs alone; the peer is in the test group: "
            "`.uv/bin/uv run --group test python -m demos.bench.demo_step`"
        )
        engines = {name: step for name, step in engines.items() if "micrograd_step" not in step}
    runs: dict[str, list[float]] = {name: [] for name in engines}
    for _ in range(args.rounds):
        for name, step in engines.items():
            runs[name].append(alone_seconds(step, args.repeats))
    seconds = {name: statistics.median(ts) for name, ts in runs.items()}
    peer = seconds.get("micrograd 0.1.0")
    print(
        f"micrograd demo step: MLP(2, {SIZES}), {N_POINTS} moons, hinge + {ALPHA:g} L2, "
        f"forward + backward + SGD (Python {sys.version.split()[0]}; each engine alone in "
        f"a fresh process, the processes in turn; median over {args.rounds} processes of "
        f"each one's median of {args.repeats} steps)"
    )
    width = max(len(name) for name in seconds)
    print(f"{'engine':<{width}}  {'ms/step':>8}  {'vs micrograd':>12}")
    for name, t in seconds.items():
        ratio = f"{peer / t:.1f}x" if peer else "-"
        print(f"{name:<{width}}  {t * 1e3:8.1f}  {ratio:>12}")


if __name__ == "__main__":
    main()
