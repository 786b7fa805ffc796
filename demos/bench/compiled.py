"""Compiled mode, measured: compile cost per op, shuffled training, micrograd's demo step.

Three tables, each timed in this process (medians; on a shared machine timings move by
tens of percent, ratios less):

1. **Compile cost per op** of ``engine.compile(root)`` on graphs of 10k, 100k and 1M
   ops of two kinds: chains ``y = (y * w + 0.001).tanh()`` (three ops a link, a
   constant leaf each), which repeat themselves as training graphs do, and tangles
   (``tangle``), which never do. Seconds per op, peak memory per op while compiling
   (tracemalloc, a second compile), chunks and distinct chunk codes, and the run's
   time per op. Big graphs compile in chunks of 1,000 to 3,750 ops, so the costs per
   op stay flat as the graph grows; chunks that repeat share one compiled code.
2. **Shuffled mini-batch training**: ``nn.fit`` on the two moons, eager and with
   ``compile=True`` (one example's graph traced once, replayed per example), the
   compiled time including its tracing and compiling.
3. **micrograd's demo step** (``MLP(2, [16, 16, 1])`` over 100 two-moons points,
   hinge + 1e-4 L2, zero grads, forward, backward, SGD with micrograd's schedule):
   compiled per example (``nn.steps.compiled_step``, as ``fit`` runs it), compiled
   as one whole graph (``engine.compile(loss)``), eager, micrograd 0.1.0 (the
   peer) and the same step written by hand as float arithmetic (the floor).

``python -m demos.bench.compiled`` prints them (``--quick``: small sizes);
``demos.bench.benchmark`` prints them after its own tables.
"""

from __future__ import annotations

import argparse
import builtins
import gc
import operator
import random
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import engine
import engine.compiler.chunks
import nn
from demos.bench.demo_step import ALPHA, N_POINTS, SIZES, micrograd_step, moons
from engine.compiler.chunks import BIG_GRAPH_CHUNK_OPS, CHUNK_OPS, ChunkedRun

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


def per_example_step(seed: int = 1) -> tuple[Callable[[], float], float]:
    """(the step as ``fit(compile=True)`` runs it, seconds its first call took).

    The first call traces and compiles one example's graph (twice: hinge reads the
    label as a number, so each label has a trace of its own).
    """
    X, y = moons(seed)
    model = nn.MLP(2, SIZES, seed=seed)
    optimizer = nn.SGD(model, lr=1.0, schedule=nn.linear_decay(LR_STEPS))
    replay = nn.steps.compiled_step(model, nn.hinge, optimizer, ALPHA, model.parameters())

    def step() -> float:
        if optimizer.steps == LR_STEPS:
            optimizer.steps = 0
        return replay(X, y)[0]

    start = time.perf_counter()
    step()
    return step, time.perf_counter() - start


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


def chain(ops: int) -> engine.Value:
    """``y = (y * w + 0.001).tanh()`` over and over: a graph of ``ops`` ops that repeats itself."""
    x, w = engine.Value(0.3, "x"), engine.Value(0.9, "w")
    y = x
    with engine.collector_paused():
        for _ in range(ops // 3):
            y = (y * w + 0.001).tanh()
    return y


def tangle(ops: int, seed: int = 1) -> engine.Value:
    """A graph of ``ops`` ops that never repeats itself: the worst case for compiling.

    Each op is drawn at random (a product, a mean, tanh, sigmoid, relu) and reads
    values among the last 64 made, starting from 64 random leaves: the oldest value
    nothing has read yet, and a random one. So every op is read by a later one, and
    the root sums what nothing read (the last value, mostly). Every value stays in
    [-1, 1].
    """
    rng = random.Random(seed)
    values = [engine.Value(rng.uniform(-1.0, 1.0), f"p{i}") for i in range(64)]
    unread = list(range(64))  # indices of values nothing has read, oldest first
    made = 0
    with engine.collector_paused():
        while made < ops - 1:
            n = len(values)
            unread = [i for i in unread if i >= n - 64] if unread[0] < n - 64 else unread
            i = unread.pop(0) if unread else n - rng.randint(1, 64)
            j = n - rng.randint(1, 64)
            a, b = values[i], values[j]
            kind = rng.randrange(5)
            if kind == 0:
                v, made = a * b, made + 1
            elif kind == 1:
                v, made = (a + b) * 0.5, made + 2
            else:
                v, made = (a.tanh, a.sigmoid, a.relu)[kind - 2](), made + 1
            if kind < 2 and j in unread:
                unread.remove(j)
            values.append(v)
            unread.append(n)
        return engine.sum([values[i] for i in unread if i >= 64])


GRAPHS = {"chain": chain, "tangle": tangle}


@dataclass
class CompileCost:
    graph: str  # a name in GRAPHS
    ops: int
    seconds_per_op: float  # wall time
    cpu_per_op: float  # this process's CPU time: less moved by the machine's other load
    bytes_per_op: float  # peak while compiling
    chunks: int
    codes: int  # distinct chunk codes compiled
    run_ns_per_op: float


def compile_cost(graph: str, ops: int, runs: int = 3) -> CompileCost:
    """Time engine.compile on a graph, then its peak memory (a second compile, traced)."""
    root = GRAPHS[graph](ops)
    gc.collect()
    with engine.collector_paused():
        start, cpu = time.perf_counter(), time.process_time()
        compiled = engine.compile(root)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    n = len(compiled)
    run = cpu_medians({"run": compiled.run}, runs)["run"]
    chunked = compiled._function
    chunks, codes = (
        (len(chunked.chunks), chunked.codes) if isinstance(chunked, ChunkedRun) else (1, 1)
    )
    del compiled
    gc.collect()
    tracemalloc.start()
    with engine.collector_paused():
        compiled = engine.compile(root)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    del compiled
    return CompileCost(graph, n, seconds / n, cpu / n, peak / n, chunks, codes, run / n * 1e9)


def compile_table(costs: list[CompileCost]) -> str:
    lines = [
        f"engine.compile(root), chunks of {CHUNK_OPS:,} to {BIG_GRAPH_CHUNK_OPS * 3 // 2:,} ops: "
        "chain = y = (y * w + 0.001).tanh() repeated, tangle = random ops on random operands "
        "(no repeats)",
        f"{'graph':<7} {'ops':>10}  {'compile µs/op':>13}  {'(CPU µs/op)':>11}  "
        f"{'peak bytes/op':>13}  {'chunks (codes)':>14}  {'run CPU ns/op':>13}",
    ]
    for c in costs:
        lines.append(
            f"{c.graph:<7} {c.ops:>10,}  {c.seconds_per_op * 1e6:13.1f}  "
            f"{c.cpu_per_op * 1e6:11.1f}  {c.bytes_per_op:13.0f}  "
            f"{f'{c.chunks} ({c.codes})':>14}  {c.run_ns_per_op:13.0f}"
        )
    return "\n".join(lines)


def cpython_share(graph: str, ops: int) -> tuple[float, float]:
    """(CPU µs per op of engine.compile, of which in CPython's own ``compile()``).

    Times every call of the builtin that ``engine.compiler.chunks`` makes, by giving
    that module a ``builtins`` whose ``compile`` is the builtin timed.
    """
    root = GRAPHS[graph](ops)
    spent = [0.0]

    def timed(*args: Any, **kwargs: Any) -> Any:
        start = time.process_time()
        try:
            return builtins.compile(*args, **kwargs)
        finally:
            spent[0] += time.process_time() - start

    module = engine.compiler.chunks
    gc.collect()
    with engine.collector_paused():
        module.builtins = SimpleNamespace(compile=timed)
        try:
            start = time.process_time()
            n = len(engine.compile(root))
            total = time.process_time() - start
        finally:
            module.builtins = builtins
    return total / n * 1e6, spent[0] / n * 1e6


@dataclass
class Training:
    examples: int
    batch_size: int
    epochs: int
    eager: float  # CPU seconds for the whole fit
    compiled: float  # the same, compile=True, tracing and compiling included
    same_history: bool


def training(epochs: int = 20, batch_size: int = 10, seed: int = 1) -> Training:
    """fit eager and compiled on the demo's data and model, shuffled mini-batches."""
    X, y = moons(seed)
    seconds, histories = [], []
    for compiled in (False, True):
        model = nn.MLP(2, SIZES, seed=seed)
        start = time.process_time()
        history = nn.fit(
            model,
            X,
            y,
            loss="hinge",
            l2=ALPHA,
            lr=1.0,
            epochs=epochs,
            batch_size=batch_size,
            shuffle=True,
            seed=seed,
            progress=False,
            compile=compiled,
        )
        seconds.append(time.process_time() - start)
        histories.append((history.loss, [p.data for p in model.parameters()]))
    return Training(len(X), batch_size, epochs, *seconds, histories[0] == histories[1])


def training_table(t: Training) -> str:
    return "\n".join(
        [
            f"nn.fit, MLP(2, {SIZES}), {t.examples} moons, hinge + {ALPHA:g} L2, batch_size "
            f"{t.batch_size}, shuffled, {t.epochs} epochs",
            f"{'eager':<40}  {t.eager:7.2f} s CPU",
            f"{'compile=True (compiling included)':<40}  {t.compiled:7.2f} s CPU  "
            f"{t.eager / t.compiled:5.1f}x faster",
            "same loss history and parameters, bit for bit: " + ("yes" if t.same_history else "NO"),
        ]
    )


@dataclass
class Figures:
    """Medians from one run; seconds per step unless named otherwise."""

    ops: int  # the whole graph's
    ops_per_example: int
    compile_seconds: float  # the whole graph's
    trace_seconds: float  # per example: the first step, with its tracing and compiling
    per_example: float
    compiled: float
    floor: float
    eager: float
    micrograd: float | None

    def rows(self) -> list[tuple[str, float]]:
        rows = [
            ("gradstep eager (nn.train_step)", self.eager),
            ("gradstep compiled per example (as fit runs it)", self.per_example),
            ("gradstep compiled whole graph (engine.compile)", self.compiled),
            ("hand-written float code (the floor)", self.floor),
        ]
        if self.micrograd is not None:
            rows.insert(0, ("micrograd 0.1.0", self.micrograd))
        return rows


def cpu_medians(steps: dict[str, Callable[[], float]], rounds: int) -> dict[str, float]:
    """Median CPU seconds per call of each step, the steps taking turns round by round.

    CPU time of this process (``time.process_time``): on a shared machine other
    processes' load moves it much less than wall time, and taking turns gives every
    step the same conditions. Each step runs once untimed first.
    """
    times: dict[str, list[float]] = {name: [] for name in steps}
    for step in steps.values():
        step()
    for _ in range(rounds):
        for name, step in steps.items():
            start = time.process_time()
            step()
            times[name].append(time.process_time() - start)
    return {name: statistics.median(ts) for name, ts in times.items()}


def measure(repeats: int = 5, seed: int = 1) -> Figures:
    """Time every row in this process; micrograd is skipped when it is not installed.

    micrograd and eager take turns with the compiled steps; each round runs every
    compiled step several times (it is fast), so that micrograd's slow rounds decide
    how many there are.
    """
    from demos.bench.demo_step import gradstep_step

    example, trace_seconds = per_example_step(seed)
    step, compile_seconds, compiled = compiled_step(seed)
    floor = float_step(seed)
    steps: dict[str, Callable[[], float]] = {"eager": gradstep_step(seed)}
    try:
        import micrograd  # noqa: F401
    except ImportError:
        pass
    else:
        steps["micrograd"] = micrograd_step(seed)
    for name, fast in (("example", example), ("whole", step), ("floor", floor)):
        steps[name] = _times(fast, 10)
    cpu = cpu_medians(steps, repeats)
    X, y = moons(seed)
    per = engine.compile(
        lambda x0, x1, t: nn.hinge([nn.MLP(2, SIZES, seed=seed)([x0, x1])], [t]), [*X[0], y[0]]
    )
    return Figures(
        ops=len(compiled),
        ops_per_example=len(per),
        compile_seconds=compile_seconds,
        trace_seconds=trace_seconds,
        per_example=cpu["example"] / 10,
        compiled=cpu["whole"] / 10,
        floor=cpu["floor"] / 10,
        eager=cpu["eager"],
        micrograd=cpu.get("micrograd"),
    )


def _times(step: Callable[[], float], n: int) -> Callable[[], float]:
    def repeated() -> float:
        for _ in range(n):
            value = step()
        return value

    return repeated


def table(f: Figures) -> str:
    lines = [
        f"micrograd demo step, compiled: MLP(2, {SIZES}), {N_POINTS} moons, hinge + {ALPHA:g} "
        f"L2 (Python {sys.version.split()[0]}; medians of CPU time, the rows taking turns)",
        f"per example: {f.ops_per_example} ops, traced and compiled (two labels) in "
        f"{f.trace_seconds:.2f} s; whole graph: {f.ops:,} ops, engine.compile took "
        f"{f.compile_seconds:.2f} s",
    ]
    width = max(len(name) for name, _ in f.rows())
    lines.append(f"{'':<{width}}  {'ms/step':>8}  {'vs micrograd':>12}  {'vs floor':>8}")
    for name, seconds in f.rows():
        ratio = f"{f.micrograd / seconds:.0f}x" if f.micrograd else "-"
        lines.append(
            f"{name:<{width}}  {seconds * 1e3:8.2f}  {ratio:>12}  {seconds / f.floor:7.1f}x"
        )
    return "\n".join(lines)


def sizes(quick: bool) -> list[int]:
    """Ops of the graphs in the compile-cost table: 10k, 100k and 1M (quick: 3k, 30k)."""
    return [3_000, 30_000] if quick else [10_000, 100_000, 1_000_000]


def report(quick: bool = False, repeats: int = 5) -> str:
    """All three tables, as ``main`` prints them."""
    for make in GRAPHS.values():  # first-use costs (op templates) out of the way
        engine.compile(make(1200), readable=False)
    costs = []
    for graph in GRAPHS:
        for ops in sizes(quick):
            costs.append(compile_cost(graph, ops))
            print(f"measured compile cost, {graph} of {ops:,} ops", file=sys.stderr, flush=True)
    ops = sizes(quick)[1]
    total, inside = cpython_share("tangle", ops)
    share = (
        f"a tangle of {ops:,} ops: {total:.1f} µs/op (CPU) to compile, {inside:.1f} of them "
        "in CPython's own compile()"
    )
    fit = training(epochs=3 if quick else 20)
    figures = measure(1 if quick else repeats)
    return "\n\n".join([compile_table(costs) + "\n" + share, training_table(fit), table(figures)])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="compiled mode: compile cost, training, demo step")
    parser.add_argument("--repeats", type=int, default=5, help="scales the timed steps per row")
    parser.add_argument("--quick", action="store_true", help="small sizes (a smoke test)")
    args = parser.parse_args(argv)
    print(report(args.quick, args.repeats))


if __name__ == "__main__":
    main()
