"""micrograd's demo training step, for gradstep and for micrograd 0.1.0, on the same data.

The step: ``MLP(2, [16, 16, 1])`` (ReLU hidden layers, linear output) over 100 two-moons
points (noise 0.1, labels -1/+1), hinge loss + 1e-4 L2 penalty, zero grads, backward,
SGD update with micrograd's learning rate ``1.0 - 0.9 * k / 100``.

``gradstep_step()`` and ``micrograd_step()`` build the model and data once and return
a function that runs one step and returns the loss; ``demos/bench/benchmark.py`` times them.
gradstep's step is ``nn.train_step`` exactly as ``nn.fit`` runs it (cyclic collector
paused: gradstep graphs have no cycles). micrograd runs as its demo does (collector on);
``micrograd_step(pause_gc=True)`` shows how much of its time is the collector.

Run ``python -m demos.bench.demo_step`` for a small table: medians of a few steps each, the
engines taking turns step by step so that both see the same machine load.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable

import engine
import nn

N_POINTS = 100
NOISE = 0.1
SIZES = [16, 16, 1]
ALPHA = 1e-4


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

    X, y = moons(seed)
    state = random.getstate()  # micrograd initialises from the global random module
    random.seed(seed)
    model = MLP(2, SIZES)
    random.setstate(state)
    k = 0

    def step() -> float:
        nonlocal k
        inputs = [list(map(Value, row)) for row in X]
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

    if not pause_gc:
        return step

    def paused_step() -> float:
        with engine.collector_paused():
            return step()

    return paused_step


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


def interleaved_medians(
    steps: dict[str, Callable[[], float]], repeats: int, warmup: int = 1
) -> dict[str, float]:
    """Median seconds per step of each engine, timed in alternation.

    On a shared machine the load changes from second to second; taking turns gives
    every engine the same conditions, so the ratios are fairer than separate runs.
    """
    times: dict[str, list[float]] = {name: [] for name in steps}
    for round_ in range(warmup + repeats):
        for name, step in steps.items():
            start = time.perf_counter()
            step()
            if round_ >= warmup:
                times[name].append(time.perf_counter() - start)
    return {name: statistics.median(ts) for name, ts in times.items()}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="micrograd's demo step: gradstep vs micrograd")
    parser.add_argument(
        "--repeats", type=int, default=7, help="timed steps per engine (default: 7)"
    )
    args = parser.parse_args(argv)
    steps = {"gradstep nn.train_step": gradstep_step()}
    try:
        import micrograd  # noqa: F401
    except ImportError:
        print(
            "micrograd is not installed, so gradstep runs alone; the peer is in the test group: "
            "`.uv/bin/uv run --group test python -m demos.bench.demo_step`"
        )
    else:
        steps["micrograd 0.1.0"] = micrograd_step()
        steps["micrograd 0.1.0, collector paused"] = micrograd_step(pause_gc=True)
    seconds = interleaved_medians(steps, args.repeats)
    peer = seconds.get("micrograd 0.1.0")
    print(
        f"micrograd demo step: MLP(2, {SIZES}), {N_POINTS} moons, hinge + {ALPHA:g} L2, "
        f"forward + backward + SGD (Python {sys.version.split()[0]}, medians, engines "
        "timed in turn)"
    )
    width = max(len(name) for name in seconds)
    print(f"{'engine':<{width}}  {'ms/step':>8}  {'vs micrograd':>12}")
    for name, t in seconds.items():
        ratio = f"{peer / t:.1f}x" if peer else "-"
        print(f"{name:<{width}}  {t * 1e3:8.1f}  {ratio:>12}")


if __name__ == "__main__":
    main()
