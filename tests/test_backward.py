"""backward: order, accumulation, seeds, depth, zero_grad."""

import sys
from collections import deque

import pytest
from hypothesis import given, settings

import engine
from engine import Value
from engine.core import autodiff
from engine.testing import graphs


def test_reused_node_gets_the_sum_of_its_contributions():
    a = Value(3.0)
    b = a + a
    c = b + b
    c.backward()
    assert (b.grad, a.grad) == (2.0, 4.0)


def test_backward_twice_accumulates_into_leaves_exactly():
    x, w = Value(0.5), Value(-1.5)
    y = (x * w).tanh() * x
    y.backward()
    once = (x.grad, w.grad, y.parents[0].grad)
    y.backward()
    assert (x.grad, w.grad) == (2 * once[0], 2 * once[1])
    assert y.parents[0].grad == once[2]  # intermediates hold the latest pass only


def test_seed_other_than_one():
    x = Value(2.0)
    y = x * x
    y.backward(grad=0.5)
    assert x.grad == 2.0 and y.grad == 0.5
    with pytest.raises(TypeError, match="backward"):
        y.backward(grad="1")


@given(graphs(max_nodes=40))
@settings(max_examples=50)
def test_seed_scales_every_gradient(g):
    xs = [Value(v) for v in g.inputs]
    g.build(xs).backward()
    ones = [x.grad for x in xs]
    ys = [Value(v) for v in g.inputs]
    g.build(ys).backward(grad=-2.0)
    # Scaling by -2 is exact in floats, except where a product is subnormal (below
    # 2.2e-308), which is rounded on a fixed grid; those may differ by that grid only.
    for y, o in zip(ys, ones, strict=True):
        assert y.grad == -2.0 * o or abs(y.grad + 2.0 * o) < sys.float_info.min


def test_backward_of_a_leaf():
    x = Value(1.0)
    x.backward()
    assert x.grad == 1.0


def test_million_op_chain_under_default_recursion_limit():
    assert sys.getrecursionlimit() <= 10_000
    x = Value(1.0)
    y = x
    for _ in range(1_000_000):
        y = y * 1.0
    y.backward()
    assert x.grad == 1.0


def test_topological_order_puts_operands_first():
    x = Value(1.0)
    a = x * 2
    b = a + x
    c = b * a
    order, leaves = engine.topological_order(c)
    assert order == [a, b, c]
    assert x in leaves and all(v.is_leaf for v in leaves)
    assert len(leaves) == len(set(leaves))


@given(graphs(max_nodes=80))
@settings(max_examples=60)
def test_topological_order_is_valid_and_complete(g):
    root = g.build(g.inputs)
    order, leaves = engine.topological_order(root)
    position = {node: i for i, node in enumerate(order)}
    assert len(position) == len(order)
    for node in order:
        for p in node.parents:
            assert p in position and position[p] < position[node] or p.is_leaf
    reachable, stack = set(), [root]
    while stack:
        n = stack.pop()
        if n not in reachable:
            reachable.add(n)
            stack.extend(n.parents)
    assert reachable == set(order) | set(leaves)


@given(graphs(max_nodes=80))
@settings(max_examples=60)
def test_backward_order_is_topological_order_found_faster(g):
    root = g.build(g.inputs)
    expected_order, expected_leaves = engine.topological_order(root)
    leaf_grads = [leaf.grad for leaf in expected_leaves]
    order, leaves = autodiff.backward_order(root)
    assert order == expected_order  # the same order: the same sums, bit for bit
    assert len(leaves) == len(set(leaves)) and set(leaves) == set(expected_leaves)
    assert [leaf.grad for leaf in expected_leaves] == leaf_grads  # leaves are not marked
    autodiff.reset_grads(order)
    assert all(node.grad == 0.0 for node in order)


@given(graphs(max_nodes=60))
@settings(max_examples=50)
def test_backward_gives_the_steppers_grads_to_the_last_bit(g):
    xs, ys = [Value(v) for v in g.inputs], [Value(v) for v in g.inputs]
    g.build(xs).backward()
    deque(engine.backward_pass(g.build(ys)), maxlen=0)  # the stepper's pass
    assert [x.grad for x in xs] == [y.grad for y in ys]


def test_backward_order_walks_a_graph_deeper_than_the_recursion_limit():
    x = Value(1.0)
    y = x
    for _ in range(sys.getrecursionlimit() * 2):
        y = y * 1.0
    expected = engine.topological_order(y)
    assert autodiff.backward_order(y) == expected
    assert all(node.grad.__class__ is float for node in expected[0])  # no mark left


def test_an_interrupted_backward_order_leaves_no_mark(monkeypatch):
    x = Value(0.5)
    y = x
    for _ in range(20):
        y = (y * 1.5).tanh()
    y.backward()
    visit, calls = autodiff.visit, []

    def interrupted(node, order, leaves):
        calls.append(node)
        if len(calls) == 10:
            raise KeyboardInterrupt
        visit(node, order, leaves)

    monkeypatch.setattr(autodiff, "visit", interrupted)
    with pytest.raises(KeyboardInterrupt):
        y.backward()
    order, _ = engine.topological_order(y)
    assert all(node.grad.__class__ is float for node in order)


def test_an_op_nodes_grad_of_none_does_not_hide_it_from_backward():
    x = Value(2.0)
    a = x * x
    b = a + x
    a.grad = None  # PyTorch's way of clearing a grad, on an intermediate node
    b.backward()
    assert x.grad == 5.0 and a.grad == 1.0


def test_zero_grad_for_a_graph_and_for_a_list():
    x, w = Value(1.0), Value(2.0)
    y = x * w
    y.backward()
    engine.zero_grad(y)
    assert (x.grad, w.grad, y.grad) == (0.0, 0.0, 0.0)
    y.backward()
    engine.zero_grad([x])
    assert (x.grad, w.grad) == (0.0, 1.0)
    y.zero_grad()
    assert w.grad == 0.0
    with pytest.raises(TypeError, match="zero_grad"):
        engine.zero_grad([1.0])


def test_backward_leaves_the_collector_as_it_was():
    import gc

    x = Value(1.0)
    (x * x).backward()
    assert gc.isenabled()
    gc.disable()
    try:
        (x * x).backward()
        assert not gc.isenabled()
    finally:
        gc.enable()
