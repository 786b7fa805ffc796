"""How long each lesson takes to run top to bottom, as the test suite runs it.

Each notebook runs in a fresh Jupyter kernel (nbclient, as nbmake does). Two times per
notebook: the wall-clock seconds from starting the kernel to the last cell, and the CPU
seconds the kernel (and the `dot` programs it ran) spent, read inside the kernel after
the last cell. On a shared machine the wall time grows with the other jobs; the CPU
time mostly does not, so it is the better guide to what a learner on an idle machine
waits. Targets: every notebook under 15 s, all of them under 90 s.

    python -m demos.bench.notebooks            # all lessons
    python -m demos.bench.notebooks 07 11      # the lessons whose names start so
"""

from __future__ import annotations

import argparse
import os
import time
from dataclasses import dataclass
from pathlib import Path

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
# The kernel's own CPU time and its finished children's (the `dot` runs that draw graphs).
KERNEL_CPU = (
    "import resource as _r\n"
    "_u = [_r.getrusage(w) for w in (_r.RUSAGE_SELF, _r.RUSAGE_CHILDREN)]\n"
    "print(f'kernel-cpu {sum(u.ru_utime + u.ru_stime for u in _u):.3f}')"
)
TARGET_EACH, TARGET_ALL = 15.0, 90.0


@dataclass
class Timing:
    name: str
    wall: float
    cpu: float


def run_one(path: Path) -> Timing:
    """Execute the notebook in a fresh kernel, from its own folder; its times."""
    import nbclient
    import nbformat

    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(KERNEL_CPU))
    client = nbclient.NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    start = time.perf_counter()
    client.execute()
    wall = time.perf_counter() - start
    text = "".join(o.get("text", "") for o in nb.cells[-1].outputs if o.output_type == "stream")
    return Timing(path.stem, wall, float(text.split()[-1]))


def table(timings: list[Timing]) -> str:
    lines = [
        f"{'notebook':40} {'wall s':>8} {'kernel CPU s':>13}  (target: each < {TARGET_EACH:g} s)"
    ]
    for t in timings:
        flag = "" if t.wall < TARGET_EACH else "  over the target (wall)"
        lines.append(f"{t.name:40} {t.wall:8.1f} {t.cpu:13.1f}{flag}")
    wall = sum(t.wall for t in timings)
    cpu = sum(t.cpu for t in timings)
    lines.append(
        f"{'all ' + str(len(timings)):40} {wall:8.1f} {cpu:13.1f}  (target: < {TARGET_ALL:g} s)"
    )
    lines.append(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m demos.bench.notebooks", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "prefixes", nargs="*", help="run only notebooks whose names start so (default: all)"
    )
    args = parser.parse_args(argv)
    paths = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    if args.prefixes:
        paths = [p for p in paths if p.name.startswith(tuple(args.prefixes))]
    timings = []
    for path in paths:
        timings.append(run_one(path))
        print(f"ran {path.name}", flush=True)
    print(table(timings))


if __name__ == "__main__":
    main()
