"""Big graphs compile in chunks: the same numbers as one function and as eager, bit for bit."""

from __future__ import annotations

import gc
import math
import weakref

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import engine
from engine import Value
from engine.compiler import chunks, compiled
from engine.testing import graphs


@pytest.fixture
def small_chunks(monkeypatch):
    """Chunks of 3 ops, so that small random graphs cross many chunk boundaries."""
    monkeypatch.setattr(chunks, "CHUNK_OPS", 3)
    monkeypatch.setattr(compiled, "CHUNK_OPS", 3)


def eager(g, data, grads, seed):
    leaves = [Value(x) for x in data]
    for leaf, gr in zip(leaves, grads, strict=True):
        leaf.grad = gr
    root = g.build(leaves)
    root.backward(seed)
    return root.data, [leaf.grad for leaf in leaves]


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(g=graphs(max_nodes=30), seed=st.floats(-3, 3), shift=st.floats(-0.3, 0.3))
def test_chunked_graphs_are_eager_bit_for_bit(small_chunks, g, seed, shift):
    leaves = [Value(x, f"x{i}") for i, x in enumerate(g.inputs)]
    root = g.build(leaves)
    graph = engine.compile(root, readable=False)
    if len(graph) > 3:
        assert isinstance(graph._function, chunks.ChunkedRun)
    for leaf in leaves:
        leaf.data += shift
    before = [0.5 * i for i in range(len(leaves))]
    for leaf, gr in zip(leaves, before, strict=True):
        leaf.grad = gr
    try:
        want_value, want_grads = eager(g, [v.data for v in leaves], before, seed)
    except (ArithmeticError, ValueError):
        with pytest.raises((ArithmeticError, ValueError)):
            graph.run(seed)
        return
    assert graph.run(seed) == want_value
    assert [v.grad for v in leaves] == want_grads


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(g=graphs(max_nodes=10), repeats=st.integers(2, 30), seed=st.floats(-2, 2))
def test_a_random_graph_repeated_over_examples_is_eager_bit_for_bit_in_chunks(
    small_chunks, g, repeats, seed
):
    """A random graph applied to many examples (its first input shared, as a parameter).

    Its chunks often share code (a repeat of the example), each reading and writing its
    own slots: every number is still eager's."""

    def build(shared, rows):
        return engine.sum([g.build([shared, *row]) for row in rows])

    rows_data = [[x + 0.01 * r for x in g.inputs[1:]] for r in range(repeats)]
    shared = Value(g.inputs[0], "shared")
    rows = [[Value(x) for x in row] for row in rows_data]
    try:
        root = build(shared, rows)
    except (ArithmeticError, ValueError):
        assume(False)  # a shifted row left the graph's domain (log of a negative, say)
    graph = engine.compile(root, readable=False)
    leaves = [shared, *(v for row in rows for v in row)]
    twin = Value(g.inputs[0])
    twin_rows = [[Value(x) for x in row] for row in rows_data]
    try:
        want = build(twin, twin_rows)
        want.backward(seed)
    except (ArithmeticError, ValueError):
        with pytest.raises((ArithmeticError, ValueError)):
            graph.run(seed)
        return
    assert graph.run(seed) == want.data
    twins = [twin, *(v for row in twin_rows for v in row)]
    assert [v.grad for v in leaves] == [v.grad for v in twins]
    assert isinstance(graph._function, chunks.ChunkedRun) == (len(graph) > 3)


def test_outputs_and_forward_across_chunks(small_chunks):
    x, w = Value(0.3, "x"), Value(0.9, "w")
    y, hidden = x, []
    for _ in range(6):
        y = (y * w + 0.01).tanh()
        hidden.append(y)
    graph = engine.compile(y, outputs=[hidden[1], x], readable=False)
    assert isinstance(graph._function, chunks.ChunkedRun)
    w.data = 0.5
    value = graph.forward()
    fresh_x, fresh_w = Value(0.3), Value(0.5)
    z, fresh_hidden = fresh_x, []
    for _ in range(6):
        z = (z * fresh_w + 0.01).tanh()
        fresh_hidden.append(z)
    assert value == z.data and hidden[1].data == fresh_hidden[1].data and w.grad == 0.0
    assert graph.run() == z.data
    z.backward()
    assert (w.grad, x.grad) == (fresh_w.grad, fresh_x.grad)


def test_a_long_chain_in_default_chunks_is_eager():
    x, w = Value(0.3, "x"), Value(0.9, "w")
    y = x
    with engine.collector_paused():
        for _ in range(1500):  # 4,500 ops: five chunks
            y = (y * w + 0.001).tanh()
    graph = engine.compile(y)
    assert isinstance(graph._function, chunks.ChunkedRun) and len(graph) == 4500
    value = graph.run()
    grads = [leaf.grad for leaf in graph.leaves]
    engine.zero_grad(list(graph.leaves))
    y.backward()
    assert value == y.data and grads == [leaf.grad for leaf in graph.leaves]


def test_chunked_source_is_written_again_when_asked(small_chunks):
    x = Value(2.0, "x")
    root = x
    for _ in range(6):
        root = ((root * 3.0).tanh() * x + 1.0).exp() * x
    graph = engine.compile(root, readable=False)
    assert graph._source is None  # nothing kept after compiling
    source = graph.source
    run = graph._function
    assert source.startswith(f"# {len(graph)} ops in {len(run.chunks)} chunks of {run.codes} ")
    assert source.count("def chunk(d, g, seed, take, kept, gtake, gslots):") == run.codes
    assert all(f"# chunk {k}: code " in source for k in range(len(run.chunks)))
    assert "    yield" in source
    exec(compile(source.split("\n# code 0")[0], "<header>", "exec"), {})  # comments only


def test_a_graph_that_repeats_itself_compiles_each_distinct_chunk_once():
    """Chunks are cut where the content says, and named by place: repeats share code."""
    x, w = Value(0.3, "x"), Value(0.9, "w")
    y = x
    with engine.collector_paused():
        for _ in range(3000):  # 9,000 ops
            y = (y * w + 0.001).tanh()
    graph = engine.compile(y)
    run = graph._function
    assert len(run.chunks) >= 5 and run.codes <= 3  # first, the repeat, the last
    assert repr(graph) == (
        f"<CompiledGraph: 9000 ops, 3002 leaves, {len(run.chunks)} chunks of {run.codes} "
        "distinct codes>"
    )
    value = graph.run()
    grads = [leaf.grad for leaf in graph.leaves]
    engine.zero_grad(list(graph.leaves))
    y.backward()
    assert value == y.data and grads == [leaf.grad for leaf in graph.leaves]


LINKS = {
    "tanh": lambda y, w: y.tanh(),
    "mul": lambda y, w: y * w,
    "add": lambda y, w: y + 0.001,
    "sigmoid": lambda y, w: y.sigmoid(),
    "relu": lambda y, w: y.relu(),
}


@settings(max_examples=60, deadline=None)
@given(
    pattern=st.lists(st.sampled_from(list(LINKS)), min_size=1, max_size=12),
    repeats=st.integers(1, 60),
    low=st.integers(2, 12),
)
def test_boundaries_cut_every_repeat_alike(pattern, repeats, low):
    """Chunks of low to 1.5·low ops cover the graph; a repeated pattern is cut alike each time.

    Every chunk between the first and the last then holds the same ops, wired the
    same way, so they share one compiled code: at most three codes in all.
    """
    x, w = Value(0.3, "x"), Value(0.9, "w")
    y = x
    for _ in range(repeats):
        for op in pattern:
            y = LINKS[op](y, w)
    order, leaves = engine.topological_order(y)
    starts = chunks.boundaries(order, low)
    ends = [*starts[1:], len(order)]
    spans = list(zip(starts, ends, strict=True))
    assert starts[0] == 0 and all(0 < e - s <= low + low // 2 for s, e in spans)
    assert all(e - s >= low for s, e in zip(starts[:-1], ends[:-1], strict=True))
    if len(pattern) <= low // 2 + 1:  # every window of choices holds each place of the pattern
        middle = {
            tuple(node.op.name for node in order[s:e])
            for s, e in zip(starts[1:-1], ends[1:-1], strict=True)
        }
        assert len(middle) <= 1
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(chunks, "chunk_ops", lambda ops: low)
            run = chunks.compile_chunks(y, order, leaves, [], "<test>")
        assert run.codes <= min(3, len(starts))
        assert run(leaves, [], 1.0, False) == y.data


def test_errors_and_graph_changes_as_in_one_function(small_chunks):
    x, y = Value(1.0, "x"), Value(2.0, "y")
    root = ((x * y).log() * y + x).tanh() * x
    graph = engine.compile(root, readable=False)
    x.data = -1.0
    with pytest.raises(ValueError, match="log"):
        graph.run()
    x.data = math.nan
    with pytest.raises(ValueError, match="not finite|nan"):
        graph.run()
    x.data = 1.0
    root._parents = (root._parents[0], Value(3.0))
    with pytest.raises(engine.GraphChangedError):
        graph.check()


@pytest.mark.parametrize("chunked", [False, True])
def test_no_reference_cycles(monkeypatch, chunked):
    """A compiled graph is freed by reference counting alone (the collector is off)."""
    if chunked:
        monkeypatch.setattr(chunks, "CHUNK_OPS", 3)
        monkeypatch.setattr(compiled, "CHUNK_OPS", 3)
    x = Value(2.0, "x")
    root = ((x * 3.0).tanh() * x + 1.0).exp() * x
    gc.collect()
    gc.disable()
    try:
        graph = engine.compile(root, readable=not chunked)
        graph.run()
        ref = weakref.ref(graph)
        del graph
        assert ref() is None
    finally:
        gc.enable()
