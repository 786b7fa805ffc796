"""What letting a Value take attributes of its own costs: node creation, the demo step, bytes.

A Value takes attributes a learner's code sets (``p.m = 0``) through a ``__dict__`` slot
that Python fills only when the first one is set. This compares the working tree with
an earlier commit (``--before``, default ``HEAD~1``; pass the last commit whose Node has
no ``__dict__``): both trees run the same measurements in fresh processes, taking turns
round by round so that both see the same machine load, and the table gives medians
and the ratio after/before.

Measured per round: making 100,000 leaves (``Value(x)``), 100,000 products
(``a * b``, the node an op makes), one eager micrograd demo step (``demo_step.py``),
and the bytes one product node takes (``tracemalloc`` over 100,000 of them).

    python -m demos.bench.attributes --before 29abc6a~1 --rounds 7
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tarfile
import tempfile
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
N = 100_000

# Runs inside each tree: prints one JSON line of timings (ns per node, ms per step, bytes).
PROBE = f"""
import gc, json, time, tracemalloc
from engine import Value
from demos.bench.demo_step import gradstep_step

N = {N}
gc.disable()
xs = [float(i % 97) for i in range(N)]
t = time.perf_counter_ns()
leaves = [Value(x) for x in xs]
leaf = (time.perf_counter_ns() - t) / N
a, b = Value(1.5), Value(2.5)
t = time.perf_counter_ns()
made = [a * b for _ in range(N)]
product = (time.perf_counter_ns() - t) / N
del leaves, made
tracemalloc.start(); made = [a * b for _ in range(N)]
size = tracemalloc.get_traced_memory()[0] / N - 8  # less the list's pointer per node
tracemalloc.stop(); del made
gc.enable()
step = gradstep_step()
step()
times = []
for _ in range(3):
    t = time.perf_counter(); step(); times.append((time.perf_counter() - t) * 1e3)
print(json.dumps({{"leaf": leaf, "product": product, "bytes": size, "step": min(times)}}))
"""

ROWS = [
    ("leaf", "make a leaf, Value(x) (ns)"),
    ("product", "make a product node, a * b (ns)"),
    ("bytes", "bytes per product node"),
    ("step", "eager demo step (ms, best of 3 a round)"),
]


def export(rev: str, into: Path) -> Path:
    """The tree of commit ``rev`` unpacked under ``into`` (git archive: no checkout touched)."""
    data = subprocess.run(["git", "archive", rev], cwd=ROOT, capture_output=True, check=True).stdout
    with tarfile.open(fileobj=BytesIO(data)) as tar:
        tar.extractall(into, filter="data")
    return into


def probe(tree: Path, script: str = PROBE) -> dict[str, float]:
    """One fresh process in ``tree`` running ``script``, which prints a JSON line last."""
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=tree, capture_output=True, text=True, check=True
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def compare(before: str, rounds: int, script: str, rows: list[tuple[str, str]], ratio: str) -> None:
    """Run ``script`` in the tree of ``before`` and in the working tree, in turn, and print
    the medians of each of ``rows`` (key, title) and ``ratio``: "after/before" or
    "before/after"."""
    with tempfile.TemporaryDirectory() as tmp:
        trees = {"before": export(before, Path(tmp)), "after": ROOT}
        runs: dict[str, list[dict[str, float]]] = {"before": [], "after": []}
        for _ in range(rounds):
            for name, tree in trees.items():
                runs[name].append(probe(tree, script))
    print(f"before = {before}, after = the working tree; medians of {rounds} rounds")
    print(f"{'measure':42} {'before':>10} {'after':>10} {ratio:>13}")
    for key, title in rows:
        medians = {name: statistics.median(r[key] for r in runs[name]) for name in runs}
        top, bottom = (medians[name] for name in ratio.split("/"))
        print(
            f"{title:42} {medians['before']:10.2f} {medians['after']:10.2f} {top / bottom:12.3f}x"
        )


def compare_cli(
    argv: list[str] | None, description: str, script: str, rows: list[tuple[str, str]], ratio: str
) -> None:
    """The command line of a two-tree benchmark: ``--before REV --rounds N``, then ``compare``."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--before", default="HEAD~1", help="the commit to compare with")
    parser.add_argument("--rounds", type=int, default=7, help="rounds of both trees in turn")
    args = parser.parse_args(argv)
    compare(args.before, args.rounds, script, rows, ratio)


def main(argv: list[str] | None = None) -> None:
    compare_cli(argv, __doc__.splitlines()[0], PROBE, ROWS, "after/before")


if __name__ == "__main__":
    main()
