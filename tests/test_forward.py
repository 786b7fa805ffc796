"""Forward mode (engine.Dual, engine.jvp) against reverse mode, on every op."""

from __future__ import annotations

import dataclasses
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import engine
from engine import OPS, Dual, Value, dual_apply, jvp
from engine.core.ops import NARY
from engine.testing import graphs


def reverse(g, inputs):
    """Every input's gradient, by one backward pass."""
    xs = [Value(x) for x in inputs]
    return [d.data for d in engine.grad(g.build(xs), xs)]


@settings(max_examples=150, deadline=None)
@given(graphs(max_nodes=25))
def test_jvp_along_each_input_is_that_inputs_reverse_mode_gradient(g):
    expected = reverse(g, g.inputs)
    value = g.build([Value(x) for x in g.inputs]).data
    for i, want in enumerate(expected):
        seed = [1.0 if j == i else 0.0 for j in range(len(g.inputs))]
        primal, tangent = jvp(g.build, g.inputs, seed)
        assert primal == value  # the same kernels compute the same value, bit for bit
        assert tangent == pytest.approx(want, rel=1e-9, abs=1e-12)


@settings(max_examples=100, deadline=None)
@given(graphs(max_nodes=25), st.data())
def test_jvp_along_any_direction_is_the_gradient_dotted_with_it(g, data):
    v = data.draw(st.lists(st.floats(-2, 2), min_size=len(g.inputs), max_size=len(g.inputs)))
    _, tangent = jvp(g.build, g.inputs, v)
    expected = math.fsum(a * b for a, b in zip(reverse(g, g.inputs), v, strict=True))
    assert tangent == pytest.approx(expected, rel=1e-8, abs=1e-9)


@pytest.mark.parametrize("name", sorted(OPS))
@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_every_op_of_the_table_pushes_its_derivative_forward(name, data):
    g = data.draw(graphs(max_nodes=3, require=name))
    for i, want in enumerate(reverse(g, g.inputs)):
        seed = [1.0 if j == i else 0.0 for j in range(len(g.inputs))]
        assert jvp(g.build, g.inputs, seed)[1] == pytest.approx(want, rel=1e-9, abs=1e-12)


def test_dual_has_every_operator_and_method_that_value_has_from_the_table():
    for op in OPS.values():
        for method in (op.method, op.reflected):
            if method is not None and op.arity != NARY:
                assert callable(getattr(Dual, method)), method


def test_dual_numbers_by_hand():
    x = Dual(3.0, 1.0)  # d/dx at x = 3
    y = x * x + 2 * x - 1 / x
    assert y.primal == 9.0 + 6.0 - 1 / 3
    assert y.tangent == 6.0 + 2.0 + 1 / 9
    # x ** 3 with a number exponent works for a negative base, as Value's does
    c = Dual(-2.0, 1.0) ** 3
    assert (c.primal, c.tangent) == (-8.0, 12.0)
    t = Dual(0.5, 1.0).tanh()
    assert t.tangent == pytest.approx(1 - math.tanh(0.5) ** 2, rel=1e-15)
    # the same numbers as the README's neuron, dy/dx by forward mode
    y = (Dual(2.0, 1.0) * -3.0 + 6.5).tanh()
    assert y.primal == 0.46211715726000974
    assert y.tangent == pytest.approx(-2.359343198897782, rel=1e-15)
    s = dual_apply(OPS["sum"], Dual(1.0, 1.0), Dual(2.0, 2.0), 3.0)
    assert (s.primal, s.tangent) == (6.0, 3.0)
    assert repr(Dual(1.0, 2.0)) == "Dual(1.0, tangent=2.0)"


def test_jvp_changes_no_grad():
    x = Value(2.0)
    x.grad = 5.0

    def f(v):
        return v[0] * x

    assert jvp(f, [3.0], [1.0]) == (6.0, 2.0)
    assert x.grad == 5.0


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: jvp(lambda v: v[0], [1.0, 2.0], [1.0]), ValueError, "tangents has 1 entries"),
        (lambda: jvp(lambda v: v[0], [1.0], 1.0), TypeError, "tangents must be a list"),
        (lambda: jvp(lambda v: v[0], [1.0], [math.nan]), ValueError, "jvp: tangents"),
        (lambda: jvp(lambda v: 3.0, [1.0], [1.0]), TypeError, "jvp: f must return a Value"),
        (lambda: Dual(1.0) * Value(2.0), TypeError, "a Value met a Dual"),
        (lambda: Dual("1"), TypeError, "Dual: primal"),
        (lambda: Dual(-1.0).log(), ValueError, "log"),
        (lambda: Dual(1.0, 1e308) * 10.0, OverflowError, "mul: the tangent overflows"),
        (lambda: dual_apply(OPS["exp"], "x"), TypeError, "exp: expected a Dual or a number"),
        (
            lambda: dual_apply(dataclasses.replace(OPS["exp"], local_fn=None), 1.0),
            TypeError,
            "exp has no local derivatives attached",
        ),
    ],
)
def test_bad_input_is_refused_clearly(call, error, message):
    with pytest.raises(error, match=message):
        call()
