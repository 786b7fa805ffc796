"""micrograd's demo step compiled with ``engine.compile``, against micrograd and plain floats.

The step is the one ``demos/bench_nn.py`` times (``MLP(2, [16, 16, 1])`` over 100
two-moons points, hinge loss + 1e-4 L2, zero grads, forward, backward, SGD with
micrograd's schedule), built with ``nn`` once and traced; every timed step is then
``optimizer.zero_grad(); compiled.run(); optimizer.step()``. Two more rows bracket it:
micrograd 0.1.0 running its demo step (the peer, same data, same run) and the same
step written by hand as float arithmetic (the floor: what Python costs with no
autograd at all).

``demo_graph()``, ``compiled_step()`` and ``float_step()`` are for
``demos/benchmark.py``; ``measure()`` returns the figures; ``python -m
demos.bench_compile`` prints them.
"""

from __future__ import annotations

import argparse
import operator
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

import engine
import nn
from demos.bench_nn import ALPHA, N_POINTS, SIZES, median_seconds, micrograd_step, moons

LR_STEPS = 100  # micrograd's schedule: lr = 1.0 - 0.9 * k / 100


def demo_graph(seed: int = 1) -> tuple[engine.Value, nn.MLP, list[list[engine.Value]]]:
    """The step's graph, built once with nn: (objective, model, input Values).

    The inputs are data Values, so a new batch of the same shape is a ``.data``
    assignment; the compiled graph reads them on every run.
    """
    X, y = moons(seed)
    model = nn.MLP(2, SIZES, seed=seed)
    inputs = [[engine.Value(v, label=f"x.{i}") for i, v in enumerate(row)] for row in X]
    with engine.collector_paused():
        objective = nn.hinge([model(x) for x in inputs], y) + nn.losses.l2(model, ALPHA)
    return objective, model, inputs


def compiled_step(seed: int = 1) -> tuple[Callable[[], float], float, engine.CompiledGraph]:
    """(one compiled training step, seconds ``engine.compile`` took, the compiled graph)."""
    objective, model, _ = demo_graph(seed)
    start = time.perf_counter()
    compiled = engine.compile(objective)
    seconds = time.perf_counter() - start
    optimizer = nn.SGD(model, lr=1.0, schedule=nn.linear_decay(LR_STEPS))

    def step() -> float:
        if optimizer.steps == LR_STEPS:  # keep the schedule in range when timed many times
            optimizer.steps = 0
        optimizer.zero_grad()
        value = compiled.run()
        optimizer.step()
        return value

    return step, seconds, compiled


def float_step(seed: int = 1) -> Callable[[], float]:
    """The same step by hand: lists of floats, forward and backward written out.

    The floor for any Python autograd: no graph, no objects beyond the floats.
    Starts from the same weights as ``compiled_step`` (nn's MLP with the same seed).
    """
    X, y = moons(seed)
    model = nn.MLP(2, SIZES, seed=seed)
    layers = [
        ([[w.data for w in n.w] for n in layer.neurons], [n.b.data for n in layer.neurons])
        for layer in model.layers
    ]
    (w1, b1), (w2, b2), (w3, b3) = layers
    scale = 1.0 / len(X)
    mul = operator.mul
    k = 0

    def step() -> float:
        nonlocal k
        g1 = [[0.0, 0.0] for _ in w1]
        gb1 = [0.0] * len(b1)
        g2 = [[0.0] * len(w1) for _ in w2]
        gb2 = [0.0] * len(b2)
        g3 = [0.0] * len(w2)
        gb3 = 0.0
        data_loss = 0.0
        for (x0, x1), target in zip(X, y, strict=True):
            h1 = [max(0.0, a * x0 + c * x1 + b) for (a, c), b in zip(w1, b1, strict=True)]
            z2 = [sum(map(mul, row, h1)) + b for row, b in zip(w2, b2, strict=True)]
            h2 = [max(0.0, z) for z in z2]
            score = sum(map(mul, w3[0], h2)) + b3[0]
            margin = 1.0 - target * score
            if margin <= 0.0:
                continue  # hinge flat: no loss, no gradient from this point
            data_loss += margin
            ds = -target * scale
            gb3 += ds
            g3 = [g + ds * h for g, h in zip(g3, h2, strict=True)]
            dz2 = [ds * w if z > 0.0 else 0.0 for w, z in zip(w3[0], z2, strict=True)]
            dh1 = [0.0] * len(h1)
            for j, d in enumerate(dz2):
                if d:
                    gb2[j] += d
                    row, grow = w2[j], g2[j]
                    for i, h in enumerate(h1):
                        grow[i] += d * h
                        dh1[i] += d * row[i]
            for i, d in enumerate(dh1):
                if d and h1[i] > 0.0:
                    gb1[i] += d
                    g1[i][0] += d * x0
                    g1[i][1] += d * x1
        params = [*w1, b1, *w2, b2, *w3, b3]
        grads = [*g1, gb1, *g2, gb2, g3, [gb3]]
        reg = sum(p * p for row in params for p in row)
        lr = 1.0 - 0.9 * k / LR_STEPS
        k = (k + 1) % LR_STEPS
        for row, grow in zip(params, grads, strict=True):
            for i, p in enumerate(row):
                row[i] = p - lr * (grow[i] + 2.0 * ALPHA * p)
        return data_loss * scale + ALPHA * reg

    return step


@dataclass
class Figures:
    """Medians from one run; seconds per step unless named otherwise."""

    ops: int
    compile_seconds: float
    compiled: float
    floor: float
    eager: float
    micrograd: float | None

    def rows(self) -> list[tuple[str, float]]:
        rows = [
            ("gradstep eager (nn.train_step)", self.eager),
            ("gradstep compiled (engine.compile)", self.compiled),
            ("hand-written float code (the floor)", self.floor),
        ]
        if self.micrograd is not None:
            rows.insert(0, ("micrograd 0.1.0", self.micrograd))
        return rows


def measure(repeats: int = 5, seed: int = 1) -> Figures:
    """Time every row in this process; micrograd is skipped when it is not installed."""
    from demos.bench_nn import gradstep_step

    step, compile_seconds, compiled = compiled_step(seed)
    try:
        import micrograd  # noqa: F401
    except ImportError:
        peer = None
    else:
        peer = median_seconds(micrograd_step(seed), repeats)
    return Figures(
        ops=len(compiled),
        compile_seconds=compile_seconds,
        compiled=median_seconds(step, repeats * 20, warmup=3),
        floor=median_seconds(float_step(seed), repeats * 20, warmup=3),
        eager=median_seconds(gradstep_step(seed), repeats * 2),
        micrograd=peer,
    )


def table(f: Figures) -> str:
    lines = [
        f"micrograd demo step, compiled: MLP(2, {SIZES}), {N_POINTS} moons, hinge + {ALPHA:g} "
        f"L2 (Python {sys.version.split()[0]}, medians)",
        f"traced graph: {f.ops} ops; engine.compile took {f.compile_seconds:.2f} s",
    ]
    width = max(len(name) for name, _ in f.rows())
    lines.append(f"{'':<{width}}  {'ms/step':>8}  {'vs micrograd':>12}  {'vs floor':>8}")
    for name, seconds in f.rows():
        ratio = f"{f.micrograd / seconds:.0f}x" if f.micrograd else "-"
        lines.append(
            f"{name:<{width}}  {seconds * 1e3:8.2f}  {ratio:>12}  {seconds / f.floor:7.1f}x"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="micrograd's demo step, compiled")
    parser.add_argument("--repeats", type=int, default=5, help="scales the timed steps per row")
    args = parser.parse_args(argv)
    print(table(measure(args.repeats)))


if __name__ == "__main__":
    main()
