"""draw_dot: the DOT text it writes (no Graphviz program needed for any test here)."""

from __future__ import annotations

import itertools
import math
import re
import time

import pytest

import engine
from engine import OPS, Value
from engine.show.draw import DEFAULT_MAX_NODES, FILL, ValueGraph, draw_dot, format_number

# --- helpers: read the DOT text back -------------------------------------------------


def node_lines(graph: ValueGraph) -> dict[str, str]:
    """Node id -> its statement, for every node of the DOT text."""
    found = {}
    for line in graph.source.splitlines():
        m = re.match(r"\s*(\w+) \[", line)
        if m and "->" not in line and m.group(1) not in ("graph", "node", "edge"):
            found[m.group(1)] = line
    return found


def edges(graph: ValueGraph) -> list[tuple[str, str, str | None]]:
    """(tail, head, label or None) for every edge, the arrows into an op in operand order.

    In a sideways (LR/RL) layout draw_dot declares a wide op's in-arrows last operand
    first, so that Graphviz stacks them first operand on top; this puts them in order.
    """
    found: list[tuple[str, str, str | None]] = []
    for line in graph.source.splitlines():
        m = re.match(r'\s*(\w+) -> (\w+)(?: \[label=("(?:[^"\\]|\\.)*"|\S+))?', line)
        if m:
            label = m.group(3)
            found.append((m.group(1), m.group(2), label.strip('"') if label else None))
    if not re.search(r"rankdir=(LR|RL)", graph.source):
        return found
    ordered: list[tuple[str, str, str | None]] = []
    for _, run in itertools.groupby(found, key=lambda edge: edge[1]):
        run = list(run)
        wide = run[0][1].endswith("op") and len(run) > 2
        ordered.extend(reversed(run) if wide else run)
    return ordered


def plain_label(line: str) -> str:
    m = re.search(r'\[label=("(?:[^"\\]|\\.)*"|[^ \]]+)', line)
    assert m, line
    return m.group(1).strip('"')


def value_node(graph: ValueGraph, label: str) -> str:
    """The statement of the Value node whose bold title is ``label``."""
    (line,) = [s for s in node_lines(graph).values() if f"<b>{label}</b>" in s]
    return line


def fill_of(line: str) -> str:
    m = re.search(r'bgcolor="([^"]+)"', line) or re.search(r'fillcolor="([^"]+)"', line)
    assert m, line
    return m.group(1)


def small_graph() -> Value:
    """y = tanh(x*w + 1) with x an input and w a parameter, after backward."""
    x = Value(2.0, label="x")
    w = engine.mark(Value(-0.25, label="w"), "parameter")
    y = (x * w + 1.0).tanh()
    y.label = "y"
    y.backward()
    return y


EXPECTED_SMALL = """digraph {
\tfontname=Helvetica mclimit=0.01 nodesep=0.2 rankdir=LR ranksep=0.3
\tnode [color="#1f2937" fontcolor="#1f2937" fontname=Helvetica fontsize=11]
\tedge [arrowsize=0.6 color="#64748b" fontname=Helvetica fontsize=10]
\tv0 [label=<<table border="1" cellborder="0" cellspacing="0" cellpadding="2" style="rounded" bgcolor="#dbeafe"><tr><td colspan="2"><b>x</b></td></tr><hr/><tr><td align="left" width="30"><font point-size="10">data</font></td><td align="right" width="42">2</td></tr><tr><td align="left" width="30"><font point-size="10" color="#b45309">grad</font></td><td align="right" width="42"><font color="#b45309">-0.1966</font></td></tr></table>> shape=plain]
\tv1 [label=<<table border="1" cellborder="0" cellspacing="0" cellpadding="2" style="rounded" bgcolor="#dcfce7"><tr><td colspan="2"><b>w</b></td></tr><hr/><tr><td align="left" width="30"><font point-size="10">data</font></td><td align="right" width="42">-0.25</td></tr><tr><td align="left" width="30"><font point-size="10" color="#b45309">grad</font></td><td align="right" width="42"><font color="#b45309">1.573</font></td></tr></table>> shape=plain]
\tv2 [label=<<table border="1" cellborder="0" cellspacing="0" cellpadding="2" style="rounded" bgcolor="#ffffff"><tr><td align="left" width="30"><font point-size="10">data</font></td><td align="right" width="42">-0.5</td></tr><tr><td align="left" width="30"><font point-size="10" color="#b45309">grad</font></td><td align="right" width="42"><font color="#b45309">0.7864</font></td></tr></table>> shape=plain]
\tv2op [label="×" fillcolor="#f8fafc" fontsize=12 height=0.32 margin=0.02 ordering=in shape=circle style=filled width=0.32]
\tv3 [label=1 color="#94a3b8" fillcolor="#f1f5f9" fontsize=10 height=0.25 margin="0.06,0.03" shape=box style="rounded,filled" width=0.3]
\tv4 [label=<<table border="1" cellborder="0" cellspacing="0" cellpadding="2" style="rounded" bgcolor="#ffffff"><tr><td align="left" width="30"><font point-size="10">data</font></td><td align="right" width="42">0.5</td></tr><tr><td align="left" width="30"><font point-size="10" color="#b45309">grad</font></td><td align="right" width="42"><font color="#b45309">0.7864</font></td></tr></table>> shape=plain]
\tv4op [label="+" fillcolor="#f8fafc" fontsize=12 height=0.32 margin=0.02 ordering=in shape=circle style=filled width=0.32]
\tv5 [label=<<table border="1" cellborder="0" cellspacing="0" cellpadding="2" style="rounded" bgcolor="#fde68a"><tr><td colspan="2"><b>y</b></td></tr><hr/><tr><td align="left" width="30"><font point-size="10">data</font></td><td align="right" width="42">0.4621</td></tr><tr><td align="left" width="30"><font point-size="10" color="#b45309">grad</font></td><td align="right" width="42"><font color="#b45309">1</font></td></tr></table>> shape=plain]
\tv5op [label=tanh fillcolor="#f8fafc" fontsize=12 height=0.32 margin=0.02 ordering=in shape=ellipse style=filled width=0.32]
\tv0 -> v2op [label=-0.25 fontcolor="#b45309"]
\tv1 -> v2op [label=2 fontcolor="#b45309"]
\tv2op -> v2
\tv2 -> v4op [label=1 fontcolor="#b45309"]
\tv3 -> v4op [label=1 fontcolor="#b45309"]
\tv4op -> v4
\tv4 -> v5op [label=0.7864 fontcolor="#b45309"]
\tv5op -> v5
\tfontcolor="#b45309" fontsize=10 label="numbers on arrows: the local derivative ∂node/∂operand of the op they enter" labeljust=r labelloc=b
}
"""  # noqa: E501


def test_dot_text_of_a_fixed_small_graph_is_exactly_the_expected_text():
    assert draw_dot(small_graph(), edge_derivatives=True).source == EXPECTED_SMALL


def test_same_graph_built_twice_gives_the_same_dot_text():
    first = draw_dot(small_graph(), edge_derivatives=True).source
    second = draw_dot(small_graph(), edge_derivatives=True).source
    assert first == second
    ids = re.findall(r"^\s*(v\d+) \[", first, re.M)
    assert ids == [f"v{i}" for i in range(len(ids))]  # numbered by traversal, not id()


def test_ids_follow_reading_order_operands_first():
    a, b = Value(1.0, label="a"), Value(2.0, label="b")
    c = b * a  # b is the first operand
    c.label = "c"
    lines = node_lines(draw_dot(c))
    assert "<b>b</b>" in lines["v0"] and "<b>a</b>" in lines["v1"] and "<b>c</b>" in lines["v2"]


# --- numbers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "x, text",
    [
        (0.0, "0"),
        (-0.0, "0"),
        (2.0, "2"),
        (-3.0, "-3"),
        (0.70710678118, "0.7071"),
        (-0.41997434161, "-0.42"),
        (6.88137358702, "6.881"),
        (123456.0, "1.235e5"),
        (-2.5e-7, "-2.5e-7"),
        (1e-20, "1e-20"),
        (1.5e300, "1.5e300"),
    ],
)
def test_format_number_is_short_and_has_no_negative_zero(x, text):
    assert format_number(x) == text


def test_negative_zero_data_and_grad_show_as_0():
    x = Value(-0.0, label="x")
    y = x * 0.0  # grad of x: 0 * 1 -> 0.0; data -0.0 * 0.0 = -0.0
    y.backward()
    x.grad = -0.0
    line = value_node(draw_dot(x * 1.0), "x")
    assert ">-0<" not in line and "-0.0" not in line
    assert re.search(r'width="42">0</td>', line)


def test_data_and_grad_rows_can_be_hidden():
    y = small_graph()
    both = value_node(draw_dot(y), "x")
    assert "data" in both and "grad" in both
    no_grad = value_node(draw_dot(y, show_grad=False), "x")
    assert "data" in no_grad and "grad" not in no_grad
    no_data = value_node(draw_dot(y, show_data=False), "x")
    assert "data" not in no_data and "grad" in no_data
    neither = draw_dot(y, show_data=False, show_grad=False)
    assert "data" not in neither.source and "grad" not in neither.source


def test_labels_are_escaped_for_html():
    x = Value(1.0, label="<b>&'\"")
    line = node_lines(draw_dot(x.exp()))["v0"]
    assert "&lt;b&gt;&amp;" in line and "<b><b>" not in line


# --- ops ------------------------------------------------------------------------------


def op_with_operands(op_name: str, leaves: list[Value]) -> Value:
    """Apply the table's op ``op_name`` (powc bound to exponent 3) to ``leaves``."""
    op = OPS[op_name]
    if op.param is not None:
        op = op.bind(3)
    count = len(leaves) if op.arity == -1 else op.arity
    return engine.apply(op, *leaves[:count])


def build(op_name: str) -> Value:
    """One node computed by the op ``op_name`` from labelled leaves in its domain."""
    leaves = [Value(2.0, label="a"), Value(3.0, label="b"), Value(4.0, label="c")]
    return op_with_operands(op_name, leaves)


@pytest.mark.parametrize("op_name", sorted(OPS))
def test_op_nodes_show_the_symbol_from_the_op_table(op_name):
    out = build(op_name)
    graph = draw_dot(out)
    op_lines = [line for node_id, line in node_lines(graph).items() if node_id.endswith("op")]
    assert [plain_label(line) for line in op_lines] == [out.op.symbol]


def test_powc_shows_the_bound_exponent():
    x = Value(2.0, label="x")
    for y, symbol in ((x**3, "^3"), (x**-0.5, "^-0.5")):
        assert y.op.symbol == symbol
        assert plain_label(node_lines(draw_dot(y))["v1op"]) == symbol


def numeric_partial(op_name: str, i: int, h: float = 1e-6) -> float:
    """d(out)/d(operand i) of the op at build()'s point, by central differences."""
    out = build(op_name)
    data = [p.data for p in out.parents]

    def f(shift: float) -> float:
        moved = list(data)
        moved[i] += shift
        return op_with_operands(op_name, [Value(d) for d in moved]).data

    return (f(h) - f(-h)) / (2 * h)


@pytest.mark.parametrize("op_name", sorted(OPS))
def test_edge_labels_are_the_local_derivatives(op_name):
    out = build(op_name)
    graph = draw_dot(out, edge_derivatives=True)
    into_op = [label for tail, head, label in edges(graph) if head.endswith("op")]
    assert len(into_op) == len(out.parents)
    for i, label in enumerate(into_op):
        number = float(label.split(": ")[-1])
        assert math.isclose(number, numeric_partial(op_name, i), rel_tol=1e-3, abs_tol=1e-6)
    assert "local derivative" in graph.source  # the caption says what the numbers are


def test_no_edge_labels_without_edge_derivatives():
    graph = draw_dot(small_graph())
    assert all(label is None for _, _, label in edges(graph))
    assert "local derivative" not in graph.source


@pytest.mark.parametrize("op_name", [name for name, op in sorted(OPS.items()) if op.arity == 2])
def test_operands_are_named_where_their_order_changes_the_result(op_name):
    a, b = Value(2.0, label="a"), Value(3.0, label="b")
    out = engine.apply(OPS[op_name], a, b)
    swapped = engine.apply(OPS[op_name], b, a).data != out.data
    labels = [label for _, head, label in edges(draw_dot(out)) if head.endswith("op")]
    assert labels == (["a", "b"] if swapped else [None, None])


def test_a_value_used_twice_gets_two_edges():
    x = Value(3.0, label="x")
    y = x * x
    y.backward()
    graph = draw_dot(y, edge_derivatives=True)
    assert [(t, h) for t, h, _ in edges(graph)] == [("v0", "v1op"), ("v0", "v1op"), ("v1op", "v1")]


# --- roles and colours ----------------------------------------------------------------


def test_each_role_has_its_own_colour():
    assert len(set(FILL.values())) == len(FILL) == 5


def test_nodes_are_coloured_by_role():
    x = Value(2.0, label="x")
    w = engine.mark(Value(-0.5, label="w"), "parameter")
    h = x * w
    h.label = "h"
    out = (h + 3.0).tanh()
    out.label = "out"
    graph = draw_dot(out)
    assert fill_of(value_node(graph, "x")) == FILL["input"]
    assert fill_of(value_node(graph, "w")) == FILL["parameter"]
    assert fill_of(value_node(graph, "h")) == FILL["intermediate"]
    assert fill_of(value_node(graph, "out")) == FILL["output"]
    (constant,) = [line for line in node_lines(graph).values() if "shape=box" in line]
    assert fill_of(constant) == FILL["constant"] and plain_label(constant) == "3"


def test_a_leaf_marked_input_without_label_is_an_input_not_a_constant():
    x = engine.mark(Value(2.0), "input")
    graph = draw_dot(x.exp())
    assert fill_of(node_lines(graph)["v0"]) == FILL["input"]


def test_a_lone_leaf_is_drawn_as_the_output():
    graph = draw_dot(Value(1.5, label="x"))
    (line,) = node_lines(graph).values()
    assert fill_of(line) == FILL["output"] and "1.5" in line


# --- clusters -------------------------------------------------------------------------


def scoped_graph() -> Value:
    x = Value(1.0, label="x")
    with engine.scope("layers.0"):
        with engine.scope("neurons.0"):
            a = (x * 2.0).tanh()
            a.label = "a"
        with engine.scope("neurons.1"):
            b = (x * -1.0).tanh()
            b.label = "b"
    out = a + b
    out.label = "out"
    return out


def cluster_spans(source: str) -> dict[str, tuple[int, int, int]]:
    """Cluster label -> (depth, first line, last line) from the DOT text's braces."""
    spans, stack, depth = {}, [], 0
    lines = source.splitlines()
    for i, line in enumerate(lines):
        if line.strip().startswith("subgraph cluster_"):
            stack.append((i, depth))
        if line.strip().endswith("{"):
            depth += 1
        if line.strip() == "}":
            depth -= 1
            if stack and stack[-1][1] == depth:
                start, d = stack.pop()
                label = re.search(r"label=(\"[^\"]*\"|\S+)", "\n".join(lines[start : i + 1]))
                spans[label.group(1).strip('"')] = (d, start, i)
    return spans


def line_of(source: str, needle: str) -> int:
    (i,) = [i for i, line in enumerate(source.splitlines()) if needle in line]
    return i


def test_scopes_become_nested_clusters():
    source = draw_dot(scoped_graph()).source
    spans = cluster_spans(source)
    assert set(spans) == {"layers.0", "neurons.0", "neurons.1"}
    outer = spans["layers.0"]
    assert outer[0] == 1 and spans["neurons.0"][0] == spans["neurons.1"][0] == 2
    for inner in ("neurons.0", "neurons.1"):
        assert outer[1] < spans[inner][1] < spans[inner][2] < outer[2]
    a_line, b_line = line_of(source, "<b>a</b>"), line_of(source, "<b>b</b>")
    assert spans["neurons.0"][1] < a_line < spans["neurons.0"][2]
    assert spans["neurons.1"][1] < b_line < spans["neurons.1"][2]
    x_line, out_line = line_of(source, "<b>x</b>"), line_of(source, "<b>out</b>")
    assert not outer[1] < x_line < outer[2] and not outer[1] < out_line < outer[2]


def test_inside_a_cluster_a_label_drops_the_scope_path_the_boxes_show():
    x = Value(1.0, label="x")
    with engine.scope("layers.0"), engine.scope("neurons.2"):
        w = engine.mark(Value(0.5, label="layers.0.neurons.2.w.0"), "parameter")
        other = Value(2.0, label="layers.0.neurons.1.b")  # not this scope's path: kept
        out = x * w + other
    boxed = draw_dot(out).source
    assert "<b>w.0</b>" in boxed and "<b>layers.0.neurons.1.b</b>" in boxed
    flat = draw_dot(out, clusters=False).source
    assert "<b>layers.0.neurons.2.w.0</b>" in flat and "<b>w.0</b>" not in flat


def test_clusters_can_be_turned_off():
    source = draw_dot(scoped_graph(), clusters=False).source
    assert "subgraph" not in source and "neurons.0" not in source


# --- options and errors ---------------------------------------------------------------


@pytest.mark.parametrize("rankdir", ["LR", "TB", "RL", "BT"])
def test_rankdir(rankdir):
    assert f"rankdir={rankdir}" in draw_dot(small_graph(), rankdir=rankdir).source


@pytest.mark.parametrize("bad", [3.0, 2, None, "x", [Value(1.0)], (Value(1.0),)])
def test_draw_dot_of_a_non_value_is_a_type_error_saying_what_is_expected(bad):
    with pytest.raises(TypeError, match=r"draw_dot: expected a Value .* got"):
        draw_dot(bad)


def test_draw_dot_of_a_number_suggests_passing_the_value_not_its_data():
    with pytest.raises(TypeError, match=r"got float \(3.0\); pass the Value itself"):
        draw_dot(3.0)


def test_draw_dot_of_a_list_suggests_drawing_each_or_summing():
    with pytest.raises(TypeError, match="engine.sum"):
        draw_dot([Value(1.0), Value(2.0)])


@pytest.mark.parametrize("bad", ["left", "lr", None])
def test_bad_rankdir(bad):
    with pytest.raises(ValueError, match="rankdir must be one of LR, RL, TB, BT"):
        draw_dot(small_graph(), rankdir=bad)


@pytest.mark.parametrize("bad", [0, -5, 2.5, True, "100"])
def test_bad_max_nodes(bad):
    with pytest.raises(ValueError, match="max_nodes must be a positive int"):
        draw_dot(small_graph(), max_nodes=bad)


# --- large graphs ---------------------------------------------------------------------


def chain(n_adds: int) -> Value:
    """x + c1 + c2 + ... : 2 * n_adds + 1 Values."""
    v = Value(1.0, label="x")
    for i in range(n_adds):
        v = v + float(i)
    return v


def test_a_50000_node_graph_returns_a_summary_promptly():
    big = chain(25_000).tanh()  # 50,002 Values
    start = time.perf_counter()
    graph = draw_dot(big)
    elapsed = time.perf_counter() - start
    assert elapsed < 5.0  # about 0.1 s here; the layout itself would take minutes
    assert graph.summary is not None
    assert "50,002 Values" in graph.summary
    assert f"max_nodes={DEFAULT_MAX_NODES}" in graph.summary
    assert "draw_dot(value, max_nodes=50002)" in graph.summary
    assert "25,000 +" in graph.summary and "1 tanh" in graph.summary
    assert list(node_lines(graph)) == ["summary"]
    assert "50,002 Values" in graph.source


def test_max_nodes_raises_the_limit():
    big = chain(25_000)
    graph = draw_dot(big, max_nodes=50_001)
    assert graph.summary is None
    assert len(node_lines(graph)) == 50_001 + 25_000  # Values and op nodes
    assert draw_dot(big, max_nodes=50_000).summary is not None
    assert draw_dot(big, max_nodes=None).summary is None


def test_the_limit_counts_values():
    y = small_graph()  # x, w, x*w, 1, x*w+1, y
    assert draw_dot(y, max_nodes=6).summary is None
    summary = draw_dot(y, max_nodes=5).summary
    assert summary.startswith("The graph of 'y' is too large to draw: 6 Values")


def test_ops_made_with_define_op_are_drawn_from_their_definition():
    define_op = getattr(engine, "define_op", None)
    if define_op is None:
        pytest.skip("engine.define_op is not available")
    softplus = define_op("softplus", "log(1.0 + exp(a))", ["sigmoid(a)"])
    lopsided = define_op("lopsided", "a - 2.0 * b", ["1.0", "-2.0"], symbol="a−2b")
    x, y = Value(0.5, label="x"), Value(1.5, label="y")
    out = engine.apply(lopsided, engine.apply(softplus, x), y)
    out.backward()
    graph = draw_dot(out, edge_derivatives=True)
    symbols = [plain_label(line) for i, line in node_lines(graph).items() if i.endswith("op")]
    assert symbols == ["softplus", "a−2b"]
    labels = [label for _, head, label in edges(graph) if head.endswith("op")]
    sigmoid = 1 / (1 + math.exp(-0.5))
    assert labels == [format_number(sigmoid), "a: 1", "b: -2"]
