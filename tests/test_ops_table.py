"""Every op in the table, property-tested: add an op and these tests cover it."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import engine
from engine import OPS, Value, gradcheck
from engine.core.floatmath import NAMES as NAMESPACE
from engine.testing import graphs

OP_NAMES = sorted(OPS)


@pytest.mark.parametrize("name", OP_NAMES)
def test_every_op_agrees_with_finite_differences(name):
    @settings(max_examples=40)
    @given(graphs(max_nodes=6, require=name))
    def check(g):
        gradcheck(g.build, g.inputs)

    check()


@pytest.mark.parametrize("name", OP_NAMES)
def test_every_op_has_symbol_text_and_one_derivative_per_operand(name):
    op = OPS[name]
    assert op.symbol and op.text and op.forward
    assert len(op.derivs) == (1 if op.arity == -1 else op.arity)
    assert callable(op.local) and callable(op.backward)


@pytest.mark.parametrize("name", OP_NAMES)
@given(data=st.data())
@settings(max_examples=30)
def test_forward_matches_the_table_expression(name, data):
    """The Value operator computes exactly the table's forward expression."""
    g = data.draw(graphs(max_nodes=1, require=name, ops=[name]))
    root = g.build(g.inputs)
    node = next(n for n in engine.nodes(root) if n.op is not None and n.op.name == name)
    env = dict(NAMESPACE)
    args = [p.data for p in node.parents]
    if node.op.arity == -1:
        env["xs"] = args
    else:
        env.update(zip("ab", args, strict=False))
    if node.op.param is not None:
        env[node.op.param] = node.op.value
    assert node.data == eval(node.op.forward, env)


@given(graphs(max_nodes=60, max_inputs=6))
@settings(max_examples=150)
def test_random_graphs_agree_with_finite_differences(g):
    report = gradcheck(g.build, g.inputs)
    assert report.ok


@given(graphs(max_nodes=300, max_inputs=8))
@settings(max_examples=10)
def test_large_random_graphs_agree_with_finite_differences(g):
    assert gradcheck(g.build, g.inputs).ok


def test_local_derivatives_by_hand():
    """A few derivatives worked out on paper, as a second opinion to the table."""
    assert OPS["mul"].local(6.0, 2.0, 3.0) == (3.0, 2.0)
    assert OPS["div"].local(2.0, 6.0, 3.0) == (1 / 3, -2.0 / 3)
    assert OPS["tanh"].local(math.tanh(0.5), 0.5)[0] == pytest.approx(1 - math.tanh(0.5) ** 2)
    assert OPS["relu"].local(0.0, -1.0) == (0.0,)
    assert OPS["step"].local(1.0, 2.0) == (0.0,)
    assert OPS["powc"].bind(3).local(8.0, 2.0) == (12.0,)


def test_powc_is_a_family_bound_per_exponent():
    cube = OPS["powc"].bind(3)
    assert cube is OPS["powc"].bind(3.0)
    assert cube.symbol == "^3" and cube.value == 3.0
    x = Value(-2.0)
    y = x**3
    assert y.op is cube and y.parents == (x,)
    y.backward()
    assert x.grad == 12.0


def test_sum_is_one_wide_node():
    xs = [Value(float(i)) for i in range(100_000)]
    total = engine.sum(xs)
    assert total.op is OPS["sum"] and len(total.parents) == 100_000
    assert total.data == sum(range(100_000))
    total.backward()
    assert all(x.grad == 1.0 for x in xs)


def test_builtin_sum_still_works():
    xs = [Value(1.5), Value(2.5), Value(-1.0)]
    total = sum(xs)
    total.backward()
    assert total.data == 3.0 and [x.grad for x in xs] == [1.0, 1.0, 1.0]


def test_engine_sum_of_nothing_and_of_numbers():
    assert engine.sum([]).data == 0.0
    x = Value(2.0)
    s = engine.sum([x, 3, 4.5])
    assert s.data == 9.5
    s.backward()
    assert x.grad == 1.0
