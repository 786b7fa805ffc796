"""Speed and memory of gradstep against micrograd 0.1.0, measured in the same run.

    python -m demos.bench.benchmark            # the full tables (several minutes)
    python -m demos.bench.benchmark --quick    # small sizes, a smoke test

Five tables. The first: graphs of the engine alone (deep chains, a wide sum). Then
compiled mode (``demos/bench/compiled.py``): what ``engine.compile`` costs per op as
graphs grow to a million ops; shuffled mini-batch training, eager against
``fit(compile=True)``; and micrograd's demo training step (``MLP(2, [16, 16, 1])`` on
100 moons points, hinge + L2, forward, backward, SGD), eager and compiled, against
micrograd and against hand-written float code. The last: gradients as values,
``engine.grad`` against ``backward()`` and the cost of a Hessian (``demos/bench/higher.py``).

Each case builds a graph, backpropagates through it and drops it, repeatedly, as a
user's loop would; the table gives medians over repeats in nanoseconds per graph node
for each phase, the ratio micrograd / gradstep of the totals, and bytes per node
(tracemalloc: the graph with its grads). Both engines see
the same graph shape and the same number of nodes (numbers in ops become constant
leaf nodes in both). micrograd's recursive topological sort needs Python's recursion
limit raised for any chain deeper than about 500 links; the table says when it was.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import engine
from demos.bench import compiled, higher, live

try:
    from micrograd.engine import Value as MicroValue
except ImportError:  # the optional peer: `uv run --group test ...` installs it
    MicroValue = None


@dataclass
class Measurement:
    nodes: int
    build_ns: float  # median per node
    backward_ns: float  # median per node
    free_ns: float  # median per node: dropping the graph (micrograd's cycles linger)
    bytes_per_node: float
    note: str = ""

    @property
    def total_ns(self) -> float:
        return self.build_ns + self.backward_ns + self.free_ns


def chain(value: Callable, n: int):
    """``y = y * 1.0001 + 0.0001``, n times: a graph n links deep."""
    y = value(0.5)
    for _ in range(n):
        y = y * 1.0001 + 0.0001
    return y


def wide_gradstep(n: int) -> engine.Value:
    """The sum of n products, as one n-ary node."""
    xs = [engine.Value(i / n) for i in range(n)]
    return engine.sum(x * x for x in xs)


def wide_micrograd(n: int):
    """The same sum for micrograd, which has only binary +: builtin sum()."""
    xs = [MicroValue(i / n) for i in range(n)]
    return sum(x * x for x in xs)


def count_nodes(root) -> int:
    """Nodes reachable from root, for either engine (iterative: no recursion limit)."""
    seen = {id(root)}
    stack = [root]
    while stack:
        node = stack.pop()
        parents = node._parents if hasattr(node, "_parents") else node._prev
        for p in parents:
            if id(p) not in seen:
                seen.add(id(p))
                stack.append(p)
    return len(seen)


def measure(
    build: Callable[[], object],
    repeats: int,
    paused: bool = False,
    sample: Callable[[], object] | None = None,
) -> Measurement:
    """Medians per node of build, backward and free, as a user's loop runs them.

    Nothing is collected between repeats: a loop that builds, backpropagates and drops
    a graph pays for freeing it, by reference counting (gradstep) or by the cycle
    collector's later passes (micrograd), and those costs land in the timings. Bytes
    per node are measured on ``sample`` when given: a smaller graph of the same shape,
    because tracemalloc makes a million-node build minutes long.
    """
    return measure_modes(build, repeats, (paused,), sample)[0]


def measure_modes(
    build: Callable[[], object],
    repeats: int,
    modes: Sequence[bool],
    sample: Callable[[], object] | None = None,
) -> list[Measurement]:
    """``measure`` for each mode (collector paused or not), their repeats alternated.

    On a shared machine speed swings by 2x over seconds; measured one after the other,
    the second mode would land in a different swing than the first (a quick run once
    showed the paused collector 2x slower that way). Alternating repeat by repeat puts
    both modes in the same conditions, so their ratio means something.
    """
    gc.collect()
    phases: dict[bool, list[tuple[float, float, float]]] = {mode: [] for mode in modes}
    nodes = 0
    for _ in range(repeats):
        for paused in modes:
            with engine.collector_paused() if paused else contextlib.nullcontext():
                t0 = time.perf_counter()
                root = build()
                t1 = time.perf_counter()
                root.backward()
                t2 = time.perf_counter()
                nodes = nodes or count_nodes(root)
                del root
                t3 = time.perf_counter()
            phases[paused].append((t1 - t0, t2 - t1, t3 - t2))
    gc.collect()
    per = 1e9 / nodes
    size = _bytes(sample or build)
    results = []
    for mode in modes:
        build_s, back_s, free_s = (statistics.median(p[i] for p in phases[mode]) for i in range(3))
        results.append(Measurement(nodes, build_s * per, back_s * per, free_s * per, size))
    return results


def _bytes(build: Callable[[], object]) -> float:
    """Bytes a built and backpropagated graph holds, per node (tracemalloc)."""
    gc.collect()
    tracemalloc.start()
    root = build()
    root.backward()
    size = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    nodes = count_nodes(root)
    del root
    gc.collect()
    return size / nodes


def measure_micrograd(case: Case) -> Measurement:
    """micrograd, with the recursion limit raised as far as this graph needs."""
    old = sys.getrecursionlimit()
    needed = case.depth + 1000
    note = ""
    if needed > old:
        sys.setrecursionlimit(needed)
        note = f"recursion limit raised to {needed:,} (at the default {old:,}: RecursionError)"
    try:
        result = measure(case.peer, case.repeats, sample=case.peer_sample)
    finally:
        sys.setrecursionlimit(old)
    result.note = note
    return result


@dataclass
class Case:
    """One graph, built by each engine; ``*_sample`` are smaller twins for memory."""

    name: str
    ours: Callable[[], object]
    peer: Callable[[], object] | None
    repeats: int
    depth: int  # how deep micrograd's recursive sort goes
    ours_sample: Callable[[], object] | None = None
    peer_sample: Callable[[], object] | None = None


def cases(quick: bool) -> list[Case]:
    deep = 10_000 if quick else 1_000_000
    wide = 2_000 if quick else 100_000
    sample = min(deep, 20_000)
    micro = MicroValue is not None
    return [
        Case(
            "chain, N = 1,000",
            lambda: chain(engine.Value, 1_000),
            (lambda: chain(MicroValue, 1_000)) if micro else None,
            5 if quick else 51,
            2_000,
        ),
        Case(
            f"chain, N = {deep:,}",
            lambda: chain(engine.Value, deep),
            (lambda: chain(MicroValue, deep)) if micro else None,
            1 if quick else 3,
            2 * deep,
            lambda: chain(engine.Value, sample),
            lambda: chain(MicroValue, sample),
        ),
        Case(
            f"sum of {wide:,} products",
            lambda: wide_gradstep(wide),
            (lambda: wide_micrograd(wide)) if micro else None,
            7,
            2 * wide,
        ),
    ]


HEAD = (
    "case",
    "engine",
    "nodes",
    "build",
    "backward",
    "free",
    "total ns/node",
    "speed-up",
    "bytes/node",
    "note",
)


def _row(name: str, who: str, m: Measurement, ratio: str) -> tuple[str, ...]:
    return (
        name,
        who,
        f"{m.nodes:,}",
        f"{m.build_ns:.0f}",
        f"{m.backward_ns:.0f}",
        f"{m.free_ns:.0f}",
        f"{m.total_ns:.0f}",
        ratio,
        f"{m.bytes_per_node:.0f}",
        m.note,
    )


def _ratio(peer: Measurement | None, ours: Measurement) -> str:
    """How many times longer micrograd takes for the whole graph (not per node:
    its sum of n terms needs n binary additions where gradstep needs one node)."""
    if peer is None:
        return "-"
    return f"{peer.total_ns * peer.nodes / (ours.total_ns * ours.nodes):.1f}x"


def table(rows: list[tuple[str, Measurement, Measurement, Measurement | None]]) -> str:
    lines = [HEAD]
    for name, ours, paused, peer in rows:
        lines.append(_row(name, "gradstep", ours, _ratio(peer, ours)))
        lines.append(_row("", "gradstep, collector paused", paused, _ratio(peer, paused)))
        if peer:
            lines.append(_row("", "micrograd 0.1.0", peer, "1x"))
    widths = [max(len(r[i]) for r in lines) for i in range(len(HEAD))]
    out = []
    for k, r in enumerate(lines):
        out.append(" | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
        if k == 0:
            out.append("-+-".join("-" * w for w in widths))
    return "\n".join(out)


def run(quick: bool = False) -> list[tuple[str, Measurement, Measurement, Measurement | None]]:
    rows = []
    for case in cases(quick):
        mine, paused = measure_modes(case.ours, case.repeats, (False, True), case.ours_sample)
        paused.note = "safe: gradstep graphs have no cycles"
        theirs = measure_micrograd(case) if case.peer else None
        rows.append((case.name, mine, paused, theirs))
        print(f"measured {case.name}", file=sys.stderr, flush=True)
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m demos.bench.benchmark",
        description="gradstep vs micrograd 0.1.0, build and backward per node, same run.",
    )
    parser.add_argument("--quick", action="store_true", help="small sizes (a smoke test)")
    args = parser.parse_args(argv)
    if MicroValue is None:
        print(
            "micrograd is not installed: measuring gradstep alone. For the comparison run\n"
            "  uv run --group test python -m demos.bench.benchmark",
            file=sys.stderr,
        )
    rows = run(args.quick)
    print(
        f"Python {sys.version.split()[0]}; medians in ns per node; speed-up = micrograd's "
        "time for the whole graph / gradstep's, same run"
    )
    print(table(rows))
    print()
    print(compiled.report(args.quick))
    print()
    print(higher.table(args.quick))
    print()
    print(live.table(args.quick))


if __name__ == "__main__":
    main()
