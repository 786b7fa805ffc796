"""micrograd's names on gradstep's Value: ``_prev``, ``_op``, ``_backward()``, as its lecture
uses them. micrograd 0.1.0 (the package) has no tanh, so comparisons with it use ReLU."""

from __future__ import annotations

import gc
import math
import random
import weakref

import graphviz
import pytest
from hypothesis import given, settings
from micrograd.engine import Value as MicroValue

import engine
from engine import Value
from engine.testing import graphs


def labelled(cls, data, label):
    v = cls(data)
    v.label = label  # micrograd 0.1.0's Value takes no label; the lecture's does
    return v


def lecture_neuron(cls, activation="tanh"):
    """The lecture's neuron, o = tanh(x1*w1 + x2*w2 + b), labelled as the lecture labels it."""
    x1, x2 = labelled(cls, 2.0, "x1"), labelled(cls, 0.0, "x2")
    w1, w2 = labelled(cls, -3.0, "w1"), labelled(cls, 1.0, "w2")
    b = labelled(cls, 6.8813735870195432, "b")
    x1w1 = x1 * w1
    x1w1.label = "x1*w1"
    x2w2 = x2 * w2
    x2w2.label = "x2*w2"
    x1w1x2w2 = x1w1 + x2w2
    x1w1x2w2.label = "x1*w1 + x2*w2"
    n = x1w1x2w2 + b
    n.label = "n"
    o = getattr(n, activation)()
    o.label = "o"
    return o, [x1, x2, w1, w2, b, x1w1, x2w2, x1w1x2w2, n, o]


def trace(root):
    """The lecture's own graph walk, written the way a learner writes it: over ``_prev``."""
    nodes, edges = set(), set()

    def build(v):
        if v not in nodes:
            nodes.add(v)
            for child in v._prev:
                edges.add((child, v))
                build(child)

    build(root)
    return nodes, edges


def draw_dot(root):
    """The lecture's drawing: one record per Value, one small node per op, named by ``_op``."""
    dot = graphviz.Digraph(format="svg", graph_attr={"rankdir": "LR"})
    nodes, edges = trace(root)
    for n in nodes:
        uid = str(id(n))
        dot.node(name=uid, label=f"{{ {n.label} | data {n.data:.4f} | grad {n.grad:.4f} }}")
        if n._op:
            dot.node(name=uid + n._op, label=n._op)
            dot.edge(uid + n._op, uid)
    for n1, n2 in edges:
        dot.edge(str(id(n1)), str(id(n2)) + n2._op)
    return dot


def test_prev_and_op_read_like_micrograds():
    o, values = lecture_neuron(Value, "relu")
    mo, micro_values = lecture_neuron(MicroValue, "relu")
    for ours, theirs in zip(values, micro_values, strict=True):
        assert ours._op == theirs._op
        assert {p.label for p in ours._prev} == {p.label for p in theirs._prev}
    assert isinstance(o._prev, frozenset)
    with pytest.raises(AttributeError):
        o._prev = set()  # read-only: the graph is changed through ops, not by hand


def test_the_lectures_draw_dot_runs_on_gradstep():
    o, values = lecture_neuron(Value)
    o.backward()
    source = draw_dot(o).source
    for v in values:
        assert f"{v.label} | data {v.data:.4f} | grad {v.grad:.4f}" in source
    assert source.count('label="+"') == 2 and source.count("label=tanh") == 1


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda x: x**2, "**2"),
        (lambda x: x**-1, "**-1"),
        (lambda x: x**0.5, "**0.5"),
        (lambda x: x.relu(), "ReLU"),
        (lambda x: x.exp(), "exp"),
        (lambda x: x * 2, "*"),
        (lambda x: 2 + x, "+"),
        (lambda x: x, ""),
    ],
)
def test_op_strings_match_micrograd(make, expected):
    ours = make(Value(1.5))
    assert ours._op == expected
    if expected in ("**2", "**-1", "**0.5", "ReLU", "*", "+", ""):
        assert make(MicroValue(1.5))._op == expected


def test_backward_by_hand_node_by_node_as_the_lecture_does():
    """o.grad = 1, then _backward() from the output down: the same grads as micrograd's."""
    o, values = lecture_neuron(Value, "relu")
    mo, micro_values = lecture_neuron(MicroValue, "relu")
    for root in (o, mo):
        root.grad = 1.0
    for ours, theirs in zip(reversed(values), reversed(micro_values), strict=True):
        ours._backward()
        theirs._backward()
    for ours, theirs in zip(values, micro_values, strict=True):
        assert ours.data == theirs.data
        assert math.isclose(ours.grad, theirs.grad, rel_tol=1e-15, abs_tol=1e-15), ours.label


@given(graphs(max_nodes=25))
@settings(max_examples=60)
def test_backward_by_hand_in_reverse_topological_order_equals_backward(g):
    leaves = [Value(x) for x in g.inputs]
    root = g.build(leaves)
    order, _ = engine.topological_order(root)
    root.grad = 1.0
    for node in reversed(order):
        node._backward()
    by_hand = [v.grad for v in leaves]
    twins = [Value(x) for x in g.inputs]
    engine.backward(g.build(twins))
    assert by_hand == [v.grad for v in twins]


def test_backward_on_a_leaf_does_nothing():
    x = Value(3.0)
    x.grad = 2.0
    x._backward()
    assert x.grad == 2.0


def test_no_closure_on_the_node_so_no_cycle():
    gc.collect()
    gc.disable()
    try:
        x = Value(random.random())
        y = (x * x).tanh()
        y._backward()
        probe = weakref.ref(y)
        del y
        assert probe() is None
    finally:
        gc.enable()
