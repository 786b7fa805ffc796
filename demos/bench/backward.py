"""The eager demo step's backward, this tree against a commit: build and backward apart.

The step is micrograd's demo step as ``nn.train_step`` runs it (``demo_step.py``):
``MLP(2, [16, 16, 1])`` over 100 moons points, hinge loss + 1e-4 L2, collector paused.
Each round runs a fresh process in each tree (``--before``, default ``HEAD~1``, unpacked
with ``git archive``; then the working tree), taking turns so that both see the same
machine load. A process builds the step's graph and runs ``backward()`` on it six
times, timing the two apart in CPU time (the best of five, after one untimed), then
makes 100,000 leaves and 100,000 products three times (the best of three: node
creation, which a faster backward must not slow). The table: medians over the
rounds and the ratio before/after (above 1: this tree is faster).

    python -m demos.bench.backward --before main --rounds 11
"""

from __future__ import annotations

from demos.bench.attributes import compare_cli

# Runs inside each tree: prints one JSON line (ms for the step's phases, ns per node).
PROBE = """
import gc, json, time
import engine, nn
from demos.bench.demo_step import ALPHA, SIZES, moons

gc.disable()
X, y = moons(1)
model = nn.MLP(2, SIZES, seed=1)
optimizer = nn.SGD(model, lr=0.01)
build, backward = [], []
for _ in range(6):
    t = time.process_time()
    objective = nn.hinge([model(x) for x in X], y) + nn.losses.l2(optimizer.params, ALPHA)
    t1 = time.process_time()
    optimizer.zero_grad()
    objective.backward()
    t2 = time.process_time()
    build.append((t1 - t) * 1e3)
    backward.append((t2 - t1) * 1e3)
    del objective
N = 100_000
a, b = engine.Value(1.5), engine.Value(2.5)
leaf, product = [], []
for _ in range(3):
    t = time.perf_counter_ns()
    made = [engine.Value(1.5) for _ in range(N)]
    leaf.append((time.perf_counter_ns() - t) / N)
    del made
    t = time.perf_counter_ns()
    made = [a * b for _ in range(N)]
    product.append((time.perf_counter_ns() - t) / N)
    del made
print(json.dumps({"build": min(build[1:]), "backward": min(backward[1:]),
                  "leaf": min(leaf), "product": min(product)}))
"""

ROWS = [
    ("build", "demo step: build the graph (ms)"),
    ("backward", "demo step: backward() (ms)"),
    ("leaf", "make a leaf, Value(x) (ns)"),
    ("product", "make a product node, a * b (ns)"),
]


def main(argv: list[str] | None = None) -> None:
    compare_cli(argv, __doc__.splitlines()[0], PROBE, ROWS, "before/after")


if __name__ == "__main__":
    main()
