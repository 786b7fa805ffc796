"""Value: construction, operators with numbers on either side, comparisons, memory."""

import gc
import math
import weakref

import pytest

import engine
from engine import Value


def test_fields():
    v = Value(3, label="x")
    assert v.data == 3.0 and type(v.data) is float
    assert v.grad == 0.0 and v.label == "x"
    assert v.op is None and v.parents == () and v.is_leaf


@pytest.mark.parametrize(
    "expr, expected",
    [
        (lambda x: x + 2, 5.0),
        (lambda x: 2 + x, 5.0),
        (lambda x: x - 2, 1.0),
        (lambda x: 2 - x, -1.0),
        (lambda x: x * 2, 6.0),
        (lambda x: 2 * x, 6.0),
        (lambda x: x / 2, 1.5),
        (lambda x: 6 / x, 2.0),
        (lambda x: -x, -3.0),
        (lambda x: x**2, 9.0),
        (lambda x: 2**x, 8.0),
        (lambda x: x ** Value(2.0), 9.0),
        (lambda x: abs(-x), 3.0),
        (lambda x: x.relu(), 3.0),
        (lambda x: x.step(), 1.0),
        (lambda x: x.exp(), math.exp(3)),
        (lambda x: x.log(), math.log(3)),
        (lambda x: x.tanh(), math.tanh(3)),
        (lambda x: x.sigmoid(), 1 / (1 + math.exp(-3))),
        (lambda x: x * 2.5, 7.5),
        (lambda x: 0.5 + x, 3.5),
    ],
)
def test_operators_with_numbers_on_either_side(expr, expected):
    x = Value(3.0)
    out = expr(x)
    assert isinstance(out, Value)
    assert out.data == pytest.approx(expected, rel=1e-15)


def test_constants_are_leaves_in_the_graph():
    x = Value(3.0)
    y = x * 2
    assert y.op.name == "mul" and y.parents[0] is x
    const = y.parents[1]
    assert const.is_leaf and const.data == 2.0 and const.label == ""


def test_comparisons_compare_data_and_identity_is_equality():
    a, b = Value(1.0), Value(2.0)
    assert a < b and b > a and a <= 1 and b >= 2.0 and a < 1.5
    twin = Value(1.0)
    assert a != twin and a == a
    assert len({a, twin, a}) == 2
    assert {a: "a"}[a] == "a"


def test_bool_is_refused_with_a_hint():
    with pytest.raises(TypeError, match=r"v\.data > 0"):
        bool(Value(1.0))


def test_format_and_repr():
    v = Value(2.0, label="w")
    assert f"{v:.2f}" == "2.00"
    assert repr(v) == "Value(data=2.0, grad=0.0, label='w')"
    assert format(v, ".3f") == "2.000" and f"{v}" == repr(v)


@pytest.mark.parametrize(
    "leave",
    [
        float,
        int,
        round,
        math.exp,
        math.log,
        math.tanh,
        lambda v: [1, 2, 3][v],
        lambda v: round(v, 2),
    ],
    ids=["float", "int", "round", "math.exp", "math.log", "math.tanh", "index", "round-2"],
)
def test_a_value_never_silently_leaves_the_graph(leave):
    """float(v) and friends would drop the gradient; they raise and say what to use."""
    v = Value(2.0)
    with pytest.raises(TypeError, match=r"v\.exp\(\).*v\.data"):
        leave(v)


def test_graph_is_freed_by_reference_counting_alone():
    gc.collect()
    gc.disable()
    try:
        x = Value(1.0)
        y = ((x * 2 + 1).tanh() * x).exp()
        y.backward()
        refs = [weakref.ref(y), weakref.ref(y.parents[0])]
        del y
        assert all(r() is None for r in refs)
        assert x.grad != 0.0
    finally:
        gc.enable()


def test_no_reference_cycles_in_a_node():
    x = Value(1.0)
    y = x * x + 1
    assert gc.get_referents(y)  # tracked, but nothing refers back to y
    assert all(r is not y for p in y.parents for r in gc.get_referents(p))


def test_no_grad_records_nothing():
    x = Value(2.0)
    with engine.no_grad():
        assert not engine.is_grad_enabled()
        y = (x * 3).tanh() + engine.sum([x, x])
        assert y.is_leaf and y.op is None
    assert engine.is_grad_enabled()
    z = x * 3
    assert z.parents[0] is x


def test_no_grad_restores_state_after_an_error():
    with pytest.raises(RuntimeError), engine.no_grad():
        raise RuntimeError("boom")
    assert engine.is_grad_enabled()


def test_scopes_tag_new_values():
    with engine.scope("layers.0"):
        with engine.scope("neurons.1"):
            v = Value(1.0) * 2
        w = Value(2.0)
    assert v.scope == ("layers.0", "neurons.1")
    assert w.scope == ("layers.0",)
    assert Value(0.0).scope == ()
    with pytest.raises(TypeError, match="scope"):
        with engine.scope(""):
            pass


def test_roles_are_weak():
    p = Value(1.0)
    engine.mark(p, "parameter")
    assert engine.role_of(p) == "parameter" and engine.role_of(Value(1.0)) is None
    ref = weakref.ref(p)
    del p
    assert ref() is None
    with pytest.raises(TypeError, match="mark"):
        engine.mark(1.0, "parameter")


def test_numpy_broadcasts_over_values():
    np = pytest.importorskip("numpy")
    xs = np.array([Value(1.0), Value(2.0)], dtype=object)
    out = xs * 2.0
    assert [v.data for v in out] == [2.0, 4.0]
    assert (Value(3.0) * np.float64(2.0)).data == 6.0
