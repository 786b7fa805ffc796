"""The benchmark runs and prints its table (the figures themselves are not asserted:
timing on a shared machine is noise; see BENCHMARKS.md for measured medians)."""

import math
import re
import subprocess
import sys
from pathlib import Path

import pytest

from demos.bench import benchmark


def test_quick_benchmark_prints_a_table_against_micrograd():
    result = subprocess.run(
        [sys.executable, "-m", "demos.bench.benchmark", "--quick"],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    lines = result.stdout.splitlines()
    assert lines[1].startswith("case") and "speed-up" in lines[1]
    assert sum("| micrograd 0.1.0" in line for line in lines) == 3
    assert sum("collector paused" in line for line in lines) == 3
    assert "recursion limit raised" in result.stdout
    step_rows = [line.split()[0] for line in lines if line.strip()]
    for row in ("micrograd", "gradstep", "hand-written"):
        assert row in step_rows
    assert "engine.compile took" in result.stdout
    # compiled mode: compile cost per op for growing graphs, training, the demo step
    head = next(i for i, line in enumerate(lines) if "compile µs/op" in line)
    assert "peak bytes/op" in lines[head] and "run CPU ns/op" in lines[head]
    rows = [line.split() for line in lines[head + 1 : head + 5]]
    assert [(r[0], int(r[1].replace(",", ""))) for r in rows[:2]] == [
        ("chain", 3_000),
        ("chain", 30_000),
    ]
    assert [(r[0], int(r[1].replace(",", "")) // 1000) for r in rows[2:]] == [
        ("tangle", 3),
        ("tangle", 30),
    ]
    assert int(rows[1][6].strip("()")) <= 3  # a chain's chunks share three codes at most
    share = next(line for line in lines if "in CPython's own compile()" in line)
    found = re.findall(r"([\d.]+) µs/op \(CPU\) to compile, ([\d.]+) of them", share)
    assert share.startswith("a tangle of 30,000 ops:") and len(found) == 1
    total, inside = map(float, found[0])
    assert 0 < inside < total
    assert "compile=True (compiling included)" in result.stdout and "x faster" in result.stdout
    assert "same loss history and parameters, bit for bit: yes" in result.stdout
    for row in ("compiled per example (as fit runs it)", "compiled whole graph"):
        assert row in result.stdout
    assert "grad / backward" in result.stdout and "Hessian / one pass" in result.stdout
    assert "watching training" in result.stdout and "drawing / training time" in result.stdout


def test_both_engines_build_the_same_graph_shape():
    from micrograd.engine import Value as MicroValue

    import engine

    ours = benchmark.chain(engine.Value, 50)
    theirs = benchmark.chain(MicroValue, 50)
    assert benchmark.count_nodes(ours) == benchmark.count_nodes(theirs) == 4 * 50 + 1
    assert ours.data == theirs.data


def test_help():
    result = subprocess.run(
        [sys.executable, "-m", "demos.bench.benchmark", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "micrograd" in result.stdout


ROOT = Path(__file__).resolve().parent.parent


def test_every_benchmark_is_in_demos_bench_and_named_where_figures_are_quoted():
    """BENCHMARKS.md lists each benchmark module; the README quotes only existing ones."""
    modules = sorted(p.stem for p in (ROOT / "demos" / "bench").glob("*.py"))
    modules.remove("__init__")
    named = re.compile(r"`demos\.bench\.(\w+)`")
    listed = named.findall((ROOT / "BENCHMARKS.md").read_text(encoding="utf-8"))
    assert sorted(set(listed)) == modules
    quoted = set(named.findall((ROOT / "README.md").read_text(encoding="utf-8")))
    assert quoted and quoted <= set(modules)
    timing = [p.name for p in (ROOT / "demos").glob("*.py") if "bench" in p.stem]
    assert not timing, f"benchmarks belong in demos/bench/: {timing}"


def test_default_and_paused_collector_are_timed_alternately():
    """Both modes see the same machine: repeat by repeat, not one block after the other."""
    import gc

    import engine

    seen = []

    def build():
        seen.append(gc.isenabled())
        return benchmark.chain(engine.Value, 10)

    default, paused = benchmark.measure_modes(build, 3, (False, True))
    assert seen[:6] == [True, False, True, False, True, False]
    assert default.nodes == paused.nodes == 4 * 10 + 1
    assert gc.isenabled()


def test_notebook_timer_runs_a_notebook_and_prints_its_times(tmp_path):
    import nbformat

    from demos.bench import notebooks

    path = tmp_path / "01_tiny.ipynb"
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("total = sum(i * i for i in range(10**6))")]
    nbformat.write(nb, path)
    timing = notebooks.run_one(path)
    assert timing.name == "01_tiny" and timing.wall > 0 and 0 < timing.cpu < 60
    text = notebooks.table([timing, timing])
    assert "01_tiny" in text and "all 2" in text and "target: < 90 s" in text


TWO_TREE_BENCHMARKS = {
    "attributes": (
        "after/before",
        [
            "make a leaf, Value(x) (ns)",
            "make a product node, a * b (ns)",
            "bytes per product node",
            "eager demo step (ms, best of 3 a round)",
        ],
    ),
    "backward": (
        "before/after",
        [
            "demo step: build the graph (ms)",
            "demo step: backward() (ms)",
            "make a leaf, Value(x) (ns)",
            "make a product node, a * b (ns)",
        ],
    ),
}


@pytest.mark.parametrize("name", sorted(TWO_TREE_BENCHMARKS))
def test_a_two_tree_benchmark_compares_two_trees_round_by_round(name):
    ratio_name, titles = TWO_TREE_BENCHMARKS[name]
    result = subprocess.run(
        [sys.executable, "-m", f"demos.bench.{name}", "--before", "HEAD", "--rounds", "1"],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
        cwd=ROOT,
    )
    lines = result.stdout.splitlines()
    assert lines[0].startswith("before = HEAD, after = the working tree; medians of 1 rounds")
    assert lines[1].split()[-1] == ratio_name
    rows = [line.rsplit(None, 3) for line in lines[2:]]
    assert [r[0] for r in rows] == titles
    for _, before, after, ratio in rows:
        measured = {"before": float(before), "after": float(after)}
        top, bottom = (measured[side] for side in ratio_name.split("/"))
        assert math.isclose(top / bottom, float(ratio[:-1]), rel_tol=0.01)
