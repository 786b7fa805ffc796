"""Higher-order gradients: engine.grad, create_graph, hessian, hvp, gradgradcheck."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import engine
from engine import GradcheckError, Value, grad, gradgradcheck, hessian, hvp
from engine.testing import graphs


def all_grads(root: Value) -> list[float]:
    return [v.grad for v in engine.nodes(root)]


@given(graphs(max_nodes=30), st.floats(-3, 3))
@settings(max_examples=80)
def test_grad_equals_backward_and_changes_no_grad(g, preset):
    leaves = [Value(x) for x in g.inputs]
    root = g.build(leaves)
    for v in engine.nodes(root):
        v.grad = preset  # grads left from anywhere: grad() must leave them exactly so
    before = all_grads(root)
    found = grad(root, leaves)
    assert all_grads(root) == before
    twins = [Value(x) for x in g.inputs]
    engine.backward(g.build(twins))
    assert [v.data for v in found] == [t.grad for t in twins]
    assert all(v.is_leaf for v in found)


@given(graphs(max_nodes=25))
@settings(max_examples=60)
def test_create_graph_gives_the_same_first_derivatives_as_values(g):
    leaves = [Value(x) for x in g.inputs]
    plain = grad(g.build(leaves), leaves)
    graphed = grad(g.build(leaves), leaves, create_graph=True)
    for p, q in zip(plain, graphed, strict=True):
        assert math.isclose(p.data, q.data, rel_tol=1e-12, abs_tol=1e-300)


@given(graphs(max_nodes=12, max_inputs=3))
@settings(max_examples=60)
def test_second_derivatives_agree_with_finite_differences_of_the_gradient(g):
    gradgradcheck(g.build, g.inputs)


SECOND = [
    ("x³", lambda x: x**3, lambda a: 6 * a),
    ("tanh", lambda x: x.tanh(), lambda a: -2 * math.tanh(a) * (1 - math.tanh(a) ** 2)),
    ("σ", lambda x: x.sigmoid(), lambda a: _s(a) * (1 - _s(a)) * (1 - 2 * _s(a))),
    ("exp", lambda x: x.exp(), math.exp),
    ("log", lambda x: x.log(), lambda a: -1 / a**2),
    ("1/x", lambda x: 1 / x, lambda a: 2 / a**3),
    ("x^0.5", lambda x: x**0.5, lambda a: -0.25 * a**-1.5),
    ("2^x", lambda x: 2**x, lambda a: math.log(2) ** 2 * 2**a),
    ("relu", lambda x: x.relu() * 3, lambda a: 0.0),
    ("abs", lambda x: abs(x) * x, lambda a: 2 * math.copysign(1, a)),
    ("step", lambda x: x.step() + x, lambda a: 0.0),
]


def _s(a: float) -> float:
    return 1 / (1 + math.exp(-a))


@pytest.mark.parametrize(("f", "second"), [c[1:] for c in SECOND], ids=[c[0] for c in SECOND])
@pytest.mark.parametrize("at", [0.4, 1.3])
def test_second_derivatives_by_hand(f, second, at):
    x = Value(at)
    (dx,) = grad(f(x), [x], create_graph=True)
    (ddx,) = grad(dx, [x])
    assert math.isclose(ddx.data, second(at), rel_tol=1e-12, abs_tol=1e-12)


def test_third_and_fourth_order():
    x = Value(1.5)
    g = x**4
    for _ in range(4):
        (g,) = grad(g, [x], create_graph=True)
    assert g.data == 24.0  # d⁴/dx⁴ x⁴ = 24, exactly
    (g5,) = grad(g, [x])
    assert g5.data == 0.0


def test_hessian_and_hvp_agree_and_are_symmetric():
    def f(v):
        return (v[0] * v[1]).tanh() + v[0] ** 2 * v[2] + (v[1] * v[2]).exp()

    point = [0.3, -0.8, 0.5]
    h = hessian(f, point)
    assert all(math.isclose(h[i][j], h[j][i], rel_tol=1e-12) for i in range(3) for j in range(3))
    direction = [1.0, -2.0, 0.5]
    expected = [sum(h[i][j] * direction[j] for j in range(3)) for i in range(3)]
    assert all(
        math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-15)
        for a, b in zip(hvp(f, point, direction), expected, strict=True)
    )
    report = gradgradcheck(f, point)
    assert [r.analytic for r in report.rows] == [x for row in h for x in row]


def test_an_intermediate_node_and_an_unrelated_input():
    x, w, other = Value(0.5, "x"), Value(2.0, "w"), Value(9.0, "other")
    n = x * w
    y = n.tanh()
    dn, dother = grad(y, [n, other])
    assert dn.data == 1 - math.tanh(1.0) ** 2 and dother.data == 0.0 and dother.is_leaf


def test_several_outputs_are_summed():
    x = Value(0.5)
    (both,) = grad([x * x, x.exp()], [x])
    assert both.data == 2 * 0.5 + math.exp(0.5)


def test_the_gradient_graph_can_be_drawn_stepped_and_compiled():
    x, w = Value(0.5, "x"), Value(-1.5, "w")
    (dx,) = grad((x * w).tanh() * x, [x], create_graph=True)
    assert "tanh" in engine.draw_dot(dx).source
    steps = list(engine.backprop_steps(dx))
    assert steps and math.isclose(x.grad, grad(dx, [x])[0].data, rel_tol=1e-15)
    engine.zero_grad(dx)
    compiled = engine.compile(dx)
    assert compiled.run() == dx.data
    assert math.isclose(x.grad, grad(dx, [x])[0].data, rel_tol=1e-12)


def test_kinks_are_reported_by_gradgradcheck():
    report = gradgradcheck(lambda v: v[0].relu() * v[0], [0.0])
    assert report.ok and report.rows[0].status == "kink"


def test_a_gradient_graph_that_lost_its_dependency_is_caught():
    """A graph kernel that computed the derivative from .data: right values, no second order."""
    cube = engine.define_op("cube_cut", "a * a * a", ["3.0 * a * a"])
    assert gradgradcheck(lambda v: cube(v[0]), [1.3]).ok

    def cut_kernel(node, g):
        (a,) = node.parents
        a.grad = a.grad + g * (3.0 * a.data * a.data)  # the number, cut off from the graph

    cube._attach(backward_graph=cut_kernel)
    with pytest.raises(GradcheckError, match="gradgradcheck: 1 of 1 entry disagrees") as info:
        gradgradcheck(lambda v: cube(v[0]), [1.3])
    assert info.value.report.rows[0].cause == "untracked"


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: grad(3.0, [Value(1.0)]), TypeError, "outputs must be a Value"),
        (lambda: grad(Value(1.0), []), ValueError, "inputs is empty"),
        (lambda: grad(Value(1.0), [2.0]), TypeError, r"inputs\[0\] is a float"),
        (lambda: Value(1.0).backward(create_graph=True), ValueError, "engine.grad"),
        (lambda: hvp(lambda v: v[0] * v[0], [1.0], [1.0, 2.0]), ValueError, "2 entries"),
        (lambda: hessian(lambda v: 1.0, [1.0]), TypeError, "must return a Value"),
        (lambda: hessian(lambda v: v[0], []), ValueError, "empty"),
    ],
)
def test_bad_arguments(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_create_graph_inside_no_grad_says_where_to_call_it():
    x = Value(1.0)
    y = x * x
    with engine.no_grad(), pytest.raises(RuntimeError, match="outside the no_grad"):
        grad(y, [x], create_graph=True)


def test_an_op_whose_derivative_has_no_value_version_says_so():
    root = engine.define_op("sqrt_user", "math.sqrt(a)", ["0.5 / math.sqrt(a)"], domain="a > 0.0")
    x = Value(4.0)
    assert grad(root(x), [x])[0].data == 0.25
    with pytest.raises(TypeError, match="math.sqrt, which has no Value version"):
        grad(root(x), [x], create_graph=True)


@pytest.mark.parametrize("f", [lambda v: abs(v[0]), lambda v: v[0].relu(), lambda v: v[0].step()])
def test_every_kink_is_a_kink_to_gradgradcheck(f):
    """abs's slope jumps -1, 0, 1 across 0: that is its kink, not a lost gradient."""
    report = gradgradcheck(f, [0.0])
    assert report.ok and report.rows[0].status == "kink"
