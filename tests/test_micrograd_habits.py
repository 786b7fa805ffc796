"""Code written for micrograd runs on gradstep: attributes of your own, ops written the
micrograd way (``Value(data, (self,), 'sin')`` and a ``_backward`` closure), subclasses of
Value, and micrograd-style sources of randomness with named initialisation schemes."""

from __future__ import annotations

import math
import random
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import engine
import nn
from engine import Value
from engine.core.node import Node

# --- ops written as the micrograd exercises ask: a node, then a closure -----------------


def sin(self: Value) -> Value:
    out = Value(math.sin(self.data), (self,), "sin")

    def _backward() -> None:
        self.grad += math.cos(self.data) * out.grad

    out._backward = _backward
    return out


def cos(self: Value) -> Value:
    out = Value(math.cos(self.data), _children=(self,), _op="cos")

    def _backward() -> None:
        self.grad += -math.sin(self.data) * out.grad

    out._backward = _backward
    return out


def hypot(self: Value, other: Value) -> Value:
    """A binary op, with LLM101n's spelling of the operands (``_prev``)."""
    out = Value(math.hypot(self.data, other.data), _prev=(self, other), _op="hypot")

    def _backward() -> None:
        self.grad += self.data / out.data * out.grad
        other.grad += other.data / out.data * out.grad

    out._backward = _backward
    return out


def sin_assigns(self: Value) -> Value:
    """The classic slip: ``=`` instead of ``+=`` (right only when x is used once)."""
    out = Value(math.sin(self.data), (self,), "sin")

    def _backward() -> None:
        self.grad = math.cos(self.data) * out.grad

    out._backward = _backward
    return out


def sin_without_out_grad(self: Value) -> Value:
    """The other slip: the local derivative alone, without ``out.grad``."""
    out = Value(math.sin(self.data), (self,), "sin")

    def _backward() -> None:
        self.grad += math.cos(self.data)

    out._backward = _backward
    return out


SIN = engine.define_op("sin", "math.sin(a)", ["math.cos(a)"])


@given(st.floats(-3, 3), st.floats(-3, 3))
@settings(max_examples=60)
def test_handwritten_ops_give_the_gradients_of_their_math(a, b):
    xs = [Value(a), Value(b)]
    (sin(xs[0] * xs[1]) + cos(xs[0]) * hypot(xs[0], xs[1] + 5)).backward()
    h = math.hypot(a, b + 5)
    expected_a = math.cos(a * b) * b - math.sin(a) * h + math.cos(a) * a / h
    expected_b = math.cos(a * b) * a + math.cos(a) * (b + 5) / h
    assert math.isclose(xs[0].grad, expected_a, rel_tol=1e-9, abs_tol=1e-9)
    assert math.isclose(xs[1].grad, expected_b, rel_tol=1e-9, abs_tol=1e-9)
    # the same sin defined with define_op: the same gradient, to the bit
    ys = [Value(a), Value(b)]
    SIN(ys[0] * ys[1]).backward()
    zs = [Value(a), Value(b)]
    sin(zs[0] * zs[1]).backward()
    assert [y.grad for y in ys] == [z.grad for z in zs]


@pytest.mark.parametrize("point", [[0.3, -1.2], [2.0, 0.5], [-2.5, 1.5]])
def test_gradcheck_passes_correct_handwritten_ops(point):
    report = engine.gradcheck(lambda v: sin(v[0] * v[1]) + cos(v[0]) * hypot(v[0], v[1]), point)
    assert report.ok and len(report.rows) == 2


def test_gradcheck_catches_assign_instead_of_add():
    # x feeds both the sin and the sum, whose share backward adds first: `=` overwrites it.
    with pytest.raises(engine.GradcheckError) as info:
        engine.gradcheck(lambda v: sin_assigns(v[0]) + v[0], [0.7])
    row = info.value.report.rows[0]
    assert math.isclose(row.analytic, math.cos(0.7), rel_tol=1e-12)
    assert math.isclose(row.numeric, math.cos(0.7) + 1, rel_tol=1e-6)


def test_gradcheck_catches_a_closure_that_forgets_out_grad():
    with pytest.raises(engine.GradcheckError) as info:
        engine.gradcheck(lambda v: sin_without_out_grad(v[0]) * 4, [0.7])
    row = info.value.report.rows[0]
    assert math.isclose(row.analytic, math.cos(0.7), rel_tol=1e-12)
    assert math.isclose(row.numeric, 4 * math.cos(0.7), rel_tol=1e-6)


def test_exercise_cells_as_methods_on_a_subclass_and_on_value_itself():
    class MyValue(Value):
        sin = sin
        cos = cos

    x = MyValue(0.4, label="x")
    y = x.sin() * x.cos()  # sin(2x) / 2
    y.backward()
    assert math.isclose(x.grad, math.cos(0.8), rel_tol=1e-12)
    Value.sin_by_hand = sin  # a learner's notebook cell patching the class
    try:
        z = Value(0.4)
        z.sin_by_hand().backward()
        assert z.grad == math.cos(0.4)
    finally:
        del Value.sin_by_hand


def test_the_handwritten_node_reads_like_micrograds():
    x = Value(0.5, label="x")
    y = sin(x)
    assert y._op == "sin" and y._prev == frozenset({x}) and y.parents == (x,)
    assert y.op.name == "sin" and not y.is_leaf
    assert Value(2.0, "a").label == "a"  # gradstep's positional label still works
    assert Value(2.0, (), "", "a").label == "a"
    assert Value(1.0, [x, x], "twice").parents == (x, x)


def test_calling_backward_by_hand_runs_the_closure():
    x = Value(0.5)
    y = sin(x)
    assert y._backward.__name__ == "_backward"
    y.grad = 2.0
    y._backward()
    assert x.grad == 2.0 * math.cos(0.5)


def test_no_grad_leaves_a_handwritten_result_a_leaf():
    x = Value(0.5)
    with engine.no_grad():
        y = Value(math.sin(x.data), (x,), "sin")
    assert y.is_leaf and y._op == ""


def test_drawn_with_its_op_name_and_an_unknown_local_derivative():
    x = Value(0.5, label="x")
    y = sin(x * 2)
    y.backward()
    source = engine.draw_dot(y, edge_derivatives=True).source
    assert "sin" in source
    assert 'label="?"' in source


def test_the_stepper_says_what_the_closure_applied_and_that_it_cannot_check_it():
    x = Value(0.5, label="x")
    L = sin(x * 2) * 3
    steps = list(L.backward_steps())
    step = steps[1]
    assert step.formula.endswith("= sin(n1)")
    assert step.updates[0].local == math.cos(1.0)
    (line,) = step.local_lines
    assert "cannot check it" in line and "engine.define_op" in line
    assert x.grad == 3 * math.cos(1.0) * 2
    assert "sin" in str(engine.backprop_table(L))


def test_practice_and_compile_refuse_with_the_way_to_define_the_op():
    x = Value(0.5, label="x")
    L = sin(x) * 3
    for call in (
        lambda: engine.practice(L),
        lambda: engine.compile(L),
        lambda: engine.compile(lambda a: sin(a) * 3, [0.5]),
    ):
        with pytest.raises(TypeError, match=r"micrograd way.*define_op"):
            call()


def test_gradient_as_a_graph_needs_define_op():
    x = Value(0.5)
    with pytest.raises(TypeError, match="define_op"):
        engine.grad(sin(x), [x], create_graph=True)


def test_a_missing_closure_is_an_error_naming_define_op():
    x = Value(0.5)
    y = Value(math.sin(x.data), (x,), "sin") * 2
    with pytest.raises(TypeError, match=r"no _backward.*define_op"):
        y.backward()


@pytest.mark.parametrize(
    "make, words",
    [
        (lambda x: x * 2, "mul op"),  # a table op's node: its kernel runs already
        (lambda x: x, "leaf"),
    ],
)
def test_a_closure_where_backward_would_ignore_it_is_refused(make, words):
    node = make(Value(0.5))
    with pytest.raises(AttributeError, match=words):
        node._backward = lambda: None


def test_cycles_of_handwritten_nodes_are_collected():
    import gc
    import weakref

    y = sin(Value(0.5))
    probe = weakref.ref(y)
    del y
    gc.collect()
    assert probe() is None


# --- attributes of your own ---------------------------------------------------------------


def test_attributes_of_your_own_as_adamw_and_a_drawing_helper_set_them():
    ps = [Value(0.5), Value(-1.5)]
    for p in ps:
        p.m, p.v = 0, 0
        p._vis_color = "lightgreen"
    loss = ps[0] * ps[1]
    loss.backward()
    for p in ps:  # an AdamW step as LLM101n writes it, grads kept as ints when zeroed
        assert p.grad is not None
        p.m = 0.9 * p.m + 0.1 * p.grad
        p.v = 0.95 * p.v + 0.05 * p.grad**2
        p.data -= 0.1 * (p.m / 0.1) / ((p.v / 0.05) ** 0.5 + 1e-8)
        p.grad = 0
    # Adam's first step moves each weight by about lr against its gradient's sign
    assert math.isclose(ps[0].data, 0.5 + 0.1, rel_tol=1e-7)
    assert math.isclose(ps[1].data, -1.5 - 0.1, rel_tol=1e-7)
    assert ps[0].__dict__ == {
        "m": 0.9 * 0 + 0.1 * -1.5,
        "v": 0.05 * 2.25,
        "_vis_color": "lightgreen",
    }
    again = ps[0] * ps[1]  # int grads from zero_grad: backward adds to them
    again.backward()
    assert ps[0].grad == ps[1].data and type(ps[0].grad) is float


def test_the_fields_stay_slots_and_a_node_grows_only_by_the_dict_pointer():
    v = Value(1.0)
    v.data, v.grad, v.label = 2.0, 1.0, "x"
    assert v.__dict__ == {}
    bare = type("Bare", (), {"__slots__": [s for s in Node.__slots__ if s != "__dict__"]})
    grown = sys.getsizeof(Value(1.0)) - sys.getsizeof(bare())
    # One pointer, plus on CPython 3.11+ the managed-dict pre-header (two pointers in all).
    assert 0 < grown <= 2 * 8


def test_a_grad_set_to_none_gets_a_message_that_says_to_reset_it():
    x = Value(1.0)
    y = x * 2
    x.grad = None
    with pytest.raises(TypeError, match=r"grad is None.*zero_grad"):
        y.backward()


# --- subclasses ---------------------------------------------------------------------------


class Tagged(Value):
    """A learner's subclass with a constructor of its own."""

    def __init__(self, data: float, tag: str = "") -> None:
        super().__init__(data)
        self.tag = tag


@pytest.mark.parametrize(
    "make, expected",
    [
        (lambda a, b: a * b, 6.0),
        (lambda a, b: b * a, 6.0),
        (lambda a, b: b - a, 1.0),
        (lambda a, b: a / b, 2 / 3),
        (lambda a, b: b**a, 9.0),
        (lambda a, b: 2 * a, 4.0),
        (lambda a, b: engine.sum([a, a, b]), 7.0),
        (lambda a, b: engine.apply(engine.OPS["mul"], b, a), 6.0),
        (lambda a, b: sum([a, b]), 5.0),
    ],
)
def test_subclass_instances_are_operands_on_either_side(make, expected):
    a, b = Tagged(2.0, "t"), Value(3.0)
    out = make(a, b)
    assert math.isclose(out.data, expected)
    out.backward()
    assert a.grad != 0.0


def test_a_value_of_another_engine_is_named_as_such():
    class OtherValue:  # micrograd's shape: data and grad, its own class
        def __init__(self, data: float) -> None:
            self.data, self.grad = data, 0

    with pytest.raises(TypeError, match=r"another engine.*from engine import Value"):
        Value(1.0) * OtherValue(2.0)


# --- randomness sources and initialisation schemes ------------------------------------------


class XorShift:
    """A micrograd-style source: a generator of its own with ``random()`` and ``uniform``."""

    def __init__(self, seed: int) -> None:
        self.state = seed

    def random(self) -> float:
        self.state = (self.state * 6364136223846793005 + 1442695040888963407) % 2**64
        return (self.state >> 11) / 2**53

    def uniform(self, a: float, b: float) -> float:
        return a + (b - a) * self.random()


class OnlyRandom:
    def __init__(self, seed: int) -> None:
        self.inner = XorShift(seed)

    def random(self) -> float:
        return self.inner.random()


# The scale of uniform(-1, 1) in the two layers of MLP(3, [4, 2]): 3 → 4, then 4 → 2.
SCALES = {
    "uniform": (1.0, 1.0),
    "nin**-0.5": (3**-0.5, 4**-0.5),
    "xavier": (math.sqrt(6 / 7), math.sqrt(6 / 6)),
    "glorot": (math.sqrt(6 / 7), math.sqrt(6 / 6)),
    "he": (math.sqrt(6 / 3), math.sqrt(6 / 4)),
    "kaiming": (math.sqrt(6 / 3), math.sqrt(6 / 4)),
}


@pytest.mark.parametrize("init", list(SCALES))
@pytest.mark.parametrize("source", [XorShift, OnlyRandom])
def test_mlp_draws_from_any_source_with_the_named_scale(init, source):
    model = nn.MLP(3, [4, 2], seed=source(7), init=init)
    twin = XorShift(7)
    expected = []
    for (nin, nout), scale in zip([(3, 4), (4, 2)], SCALES[init], strict=True):
        for _ in range(nout):
            expected += [twin.uniform(-1, 1) * scale for _ in range(nin)]
            expected.append(0.0)
    assert [p.data for p in model.parameters()] == expected


def test_layer_and_neuron_take_a_source_and_an_init():
    n = nn.Neuron(4, seed=XorShift(3), init="nin**-0.5")
    twin = XorShift(3)
    assert [w.data for w in n.w] == [twin.uniform(-1, 1) * 4**-0.5 for _ in range(4)]
    layer = nn.Layer(4, 5, seed=XorShift(3), init="xavier")
    bound = math.sqrt(6 / 9)
    assert all(abs(p.data) <= bound for p in layer.parameters())


def test_the_default_initialisation_is_unchanged():
    drawn = random.Random(11)
    expected = []
    for nin, nout in [(2, 3), (3, 1)]:
        for _ in range(nout):
            expected += [drawn.uniform(-1.0, 1.0) for _ in range(nin)] + [0.0]
    assert [p.data for p in nn.MLP(2, [3, 1], seed=11).parameters()] == expected


@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda: nn.MLP(2, [3, 1], init="lecun"), ValueError, r"unknown init 'lecun'.*'he'"),
        (lambda: nn.Layer(2, 3, init="Xavier"), ValueError, "unknown init"),
        (lambda: nn.MLP(2, [3, 1], seed="x"), TypeError, r"uniform\(a, b\) or random\(\)"),
    ],
)
def test_bad_sources_and_schemes_say_what_is_accepted(call, error, words):
    with pytest.raises(error, match=words):
        call()


def test_the_stepper_page_says_the_derivative_is_inside_the_closure(tmp_path):
    x = Value(0.5, label="x")
    L = sin(x * 2) * 3
    page = tmp_path / "steps.html"
    engine.export_backprop_html(L, page)
    text = page.read_text(encoding="utf-8")
    assert "? (inside sin's _backward closure; engine.define_op gives a formula)" in text
    assert x.grad == 0.0  # the page only looks


# --- a course's whole training script: its own engine against gradstep ---------------------


class ClosureValue:
    """A Value written the micrograd way (a closure per node), as courses hand it out."""

    def __init__(self, data, _prev=(), _op=""):
        self.data, self.grad, self._prev, self._op = data, 0, _prev, _op
        self._backward = lambda: None

    def _node(self, data, parents, locals_):
        out = ClosureValue(data, parents)

        def _backward():
            for p, d in zip(parents, locals_, strict=True):
                p.grad += d * out.grad

        out._backward = _backward
        return out

    def __add__(self, other):
        other = other if isinstance(other, ClosureValue) else ClosureValue(other)
        return self._node(self.data + other.data, (self, other), (1.0, 1.0))

    def __mul__(self, other):
        other = other if isinstance(other, ClosureValue) else ClosureValue(other)
        return self._node(self.data * other.data, (self, other), (other.data, self.data))

    def __pow__(self, k):
        return self._node(self.data**k, (self,), (k * self.data ** (k - 1),))

    def tanh(self):
        t = math.tanh(self.data)
        return self._node(t, (self,), (1 - t**2,))

    def exp(self):
        e = math.exp(self.data)
        return self._node(e, (self,), (e,))

    def log(self):
        return self._node(math.log(self.data), (self,), (1 / self.data,))

    __radd__ = __add__
    __rmul__ = __mul__

    def __neg__(self):
        return self * -1.0

    def __truediv__(self, other):
        return self * other**-1

    def backward(self):
        order, seen, stack = [], set(), [(self, False)]
        while stack:
            v, done = stack.pop()
            if done:
                order.append(v)
            elif v not in seen:
                seen.add(v)
                stack.append((v, True))
                stack.extend((p, False) for p in v._prev)
        self.grad = 1
        for v in reversed(order):
            v._backward()


def course_losses(value_cls, model, params, data):
    """A course's loop: cross-entropy over 3 classes, AdamW keeping m and v on each parameter."""
    for p in params:
        p.m, p.v = 0, 0
        p._vis_color = "lightgreen"
    losses = []
    for t in range(1, 6):
        total = value_cls(0.0)
        for x, y in data:
            ex = [z.exp() for z in model(x)]
            denom = sum(ex)
            total = total + -(ex[y] / denom).log()
        loss = total * (1.0 / len(data))
        loss.backward()
        for p in params:
            if p.grad is None:
                continue
            p.m = 0.9 * p.m + 0.1 * p.grad
            p.v = 0.95 * p.v + 0.05 * p.grad**2
            m_hat, v_hat = p.m / (1 - 0.9**t), p.v / (1 - 0.95**t)
            p.data -= 0.1 * (m_hat / (v_hat**0.5 + 1e-8) + 1e-4 * p.data)
        for p in params:
            p.grad = 0
        losses.append(loss.data)
    return losses


def closure_mlp(rng, sizes):
    """The course's MLP: weights uniform(-1, 1) * nin**-0.5 from its RNG, tanh hidden layers."""
    layers = []
    for i, (nin, nout) in enumerate(zip(sizes, sizes[1:], strict=False)):
        rows = [
            ([ClosureValue(rng.uniform(-1, 1) * nin**-0.5) for _ in range(nin)], ClosureValue(0))
            for _ in range(nout)
        ]
        layers.append((rows, i < len(sizes) - 2))

    def model(x):
        for rows, hidden in layers:
            x = [sum((w * xi for w, xi in zip(ws, x, strict=True)), b) for ws, b in rows]
            x = [a.tanh() for a in x] if hidden else x
        return x

    params = [p for rows, _ in layers for ws, b in rows for p in [*ws, b]]
    return model, params


def test_a_course_script_gives_the_same_losses_with_gradsteps_value_and_mlp():
    data_rng = XorShift(42)
    data = [([data_rng.uniform(-1, 1), data_rng.uniform(-1, 1)], i % 3) for i in range(12)]
    theirs = course_losses(ClosureValue, *closure_mlp(XorShift(5), [2, 8, 3]), data)
    model = nn.MLP(2, [8, 3], activation="tanh", seed=XorShift(5), init="nin**-0.5")
    ours = course_losses(Value, model, model.parameters(), data)
    assert len(ours) == 5 and ours[-1] < ours[0]
    for a, b in zip(theirs, ours, strict=True):
        assert math.isclose(a, b, rel_tol=0, abs_tol=1e-12)
