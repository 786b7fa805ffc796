"""engine.compile(fn, example_inputs): one example's graph, replayed per row, eager's numbers."""

from __future__ import annotations

import gc
import math
import weakref

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import engine
import nn
from engine import CompiledFunction, Value
from engine.compiler import function as function_module
from engine.testing import graphs


def eager_rows(fn, rows, seed):
    """Eager: fn per row, then backward with ``seed``; returns the results' numbers."""
    out = []
    for row in rows:
        result = fn(*[Value(x) for x in row])
        result.backward(seed)
        out.append(result.data)
    return out


# --- Random graphs of the whole op table ---------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(g=graphs(max_nodes=20, max_inputs=4), shift=st.floats(-0.5, 0.5), readable=st.booleans())
def test_random_graphs_match_eager_row_after_row(g, shift, readable):
    """The graph's first leaves are parameters (read from outside), the rest inputs."""
    k = max(1, len(g.inputs) // 2)
    params = [Value(x, f"p{i}") for i, x in enumerate(g.inputs[:k])]
    twins = [Value(x) for x in g.inputs[:k]]

    def fn_of(leaves):
        return lambda *xs: g.build([*leaves, *xs])

    rows = [g.inputs[k:], [x + shift for x in g.inputs[k:]]]
    try:
        want = eager_rows(fn_of(twins), rows, 0.5)
    except (ArithmeticError, ValueError):
        with pytest.raises((ArithmeticError, ValueError)):
            engine.compile(fn_of(params), rows[0], readable=readable).run_many(rows, 0.5)
        return
    compiled = engine.compile(fn_of(params), rows[0], readable=readable)
    assert compiled.run_many(rows, grad=0.5) == want
    assert [p.grad for p in params] == [t.grad for t in twins]


@settings(max_examples=25, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 4), min_size=1, max_size=3),
    seed=st.integers(0, 1000),
    activation=st.sampled_from(["relu", "tanh", "sigmoid"]),
    loss=st.sampled_from(["hinge", "mse", "bce_with_logits"]),
)
def test_random_mlps_match_eager(sizes, seed, activation, loss):
    X, y = nn.datasets.make_moons(6, 0.2, seed=seed, signed=loss == "hinge")
    loss_fn = nn.losses.LOSSES[loss]
    models = [nn.MLP(2, [*sizes, 1], activation=activation, seed=seed) for _ in range(2)]

    def fn_of(model):
        return lambda x0, x1, t: loss_fn([model([x0, x1])], [t])

    rows = [(*x, t) for x, t in zip(X, y, strict=True)]
    want = eager_rows(fn_of(models[0]), rows, 1 / 6)
    compiled = engine.compile(fn_of(models[1]), rows[0])
    assert compiled.run_many(rows, grad=1 / 6) == want
    assert [p.grad for p in models[1].parameters()] == [p.grad for p in models[0].parameters()]


# --- The API --------------------------------------------------------------------------------


def neuron_loss():
    w, b = Value(0.5, "w"), Value(-0.25, "b")

    def loss(x, target):
        return ((w * x + b).tanh() - target) ** 2

    return loss, w, b


def test_call_run_and_run_many():
    loss, w, b = neuron_loss()
    compiled = engine.compile(loss, [1.0, 0.5])
    assert isinstance(compiled, CompiledFunction) and compiled.names == ["x", "target"]
    assert compiled.leaves == (w, b) or set(compiled.leaves) == {w, b}
    want = loss(Value(2.0), 0.3)
    assert compiled(2.0, 0.3) == want.data and w.grad == 0.0  # forward only
    assert compiled.run(2.0, 0.3, grad=2.0) == want.data
    want.backward(2.0)
    w_grad, b_grad = w.grad / 2, b.grad / 2  # both passes added the same
    assert (w_grad, b_grad) != (0.0, 0.0)
    engine.zero_grad([w, b])
    assert compiled.run_many([(2.0, 0.3), (-1.0, 0.0)]) == [want.data, loss(Value(-1.0), 0.0).data]
    assert repr(compiled).startswith("<CompiledFunction loss(x, target): ")


def test_the_source_is_one_examples_loop_with_constants_written_in():
    loss, _, _ = neuron_loss()
    source = engine.compile(loss, [1.0, 0.5]).source
    assert "def loss(rows, seed, backward, data, grads):" in source
    assert "    for x, target in rows:" in source
    assert "tanh(" in source and " ** 2.0" in source  # the exponent is written in as a number
    assert "grad_x" not in source and "grad_target" not in source  # inputs get no gradient
    assert "  # out = " in source  # readable: the chain rule on every backward line


def test_extra_results_are_reported_not_differentiated():
    loss, w, _ = neuron_loss()

    def with_prediction(x, target):
        prediction = (w * x).tanh()
        return (prediction - target) ** 2, prediction

    compiled = engine.compile(with_prediction, [1.0, 0.0])
    value, prediction = compiled.run(1.0, 0.0)
    assert prediction == math.tanh(0.5) and value == prediction**2


def test_a_label_read_as_a_number_gets_a_trace_per_value():
    model = nn.MLP(2, [3, 1], seed=1)
    twin = nn.MLP(2, [3, 1], seed=1)

    def hinge_of(m):
        return lambda x0, x1, y: nn.hinge([m([x0, x1])], [y])  # hinge reads y as a float

    rows = [(0.1, 0.2, 1.0), (0.3, -0.1, -1.0), (0.5, 0.5, -1.0), (-0.2, 0.4, 1.0)]
    compiled = engine.compile(hinge_of(model), rows[0])
    assert compiled.run_many(rows, grad=0.25) == eager_rows(hinge_of(twin), rows, 0.25)
    assert [p.grad for p in model.parameters()] == [p.grad for p in twin.parameters()]
    # one function, a branch per label inside the loop over rows
    assert len(compiled._traces) == 2 and compiled.source.count("def compiled(rows,") == 1
    assert "        if y == 1.0:  # the trace for y == 1.0" in compiled.source
    assert "        elif y == -1.0:  # the trace for y == -1.0" in compiled.source


def test_too_many_traces_are_refused(monkeypatch):
    monkeypatch.setattr(function_module, "MAX_TRACES", 3)
    w = Value(1.0, "w")
    compiled = engine.compile(lambda x, k: w * x * float(k.data), [1.0, 1.0])
    with pytest.raises(ValueError, match=r"traced 3 times, once per value of k"):
        compiled.run_many([(1.0, float(i)) for i in range(5)])


def test_errors_are_eager_errors():
    loss, w, _ = neuron_loss()
    compiled = engine.compile(lambda x: (w * x).log(), [1.0])
    with pytest.raises(ValueError, match="log") as raised:
        compiled.run_many([(1.0,), (-1.0,)])
    with pytest.raises(ValueError) as eager:
        (w * Value(-1.0)).log()
    assert str(raised.value) == str(eager.value)
    assert w.grad == 0.0  # every forward first: the failing row stops the batch before backward
    with pytest.raises(ValueError, match=r"row 0 has 2 numbers, expected 1 \(x\)"):
        compiled.run_many([(1.0, 2.0)])
    with pytest.raises(TypeError, match="str"):
        compiled.run("1.0")
    w.data = math.nan
    with pytest.raises(ValueError, match="finite|nan"):
        compiled.run(1.0)


def test_bad_functions_are_named():
    with pytest.raises(TypeError, match=r"engine.compile\(f\): fn must return a Value.*float"):
        engine.compile(lambda_named("f", lambda x: 1.0), [1.0])
    with pytest.raises(TypeError, match="example_inputs must be a list of numbers"):
        engine.compile(lambda x: x, 1.0)
    with pytest.raises(ValueError, match=r"example_inputs has 1 numbers, expected 2"):
        engine.compile(lambda x, y: x * y, [1.0])


def lambda_named(name, fn):
    fn.__name__ = name
    return fn


def test_no_reference_cycles():
    """Freed by reference counting alone: the collector is off while it is dropped."""
    loss, _, _ = neuron_loss()
    gc.collect()
    gc.disable()
    try:
        compiled = engine.compile(loss, [1.0, 0.5])
        compiled.run(1.0, 0.5)
        ref = weakref.ref(compiled)
        del compiled
        assert ref() is None
    finally:
        gc.enable()


def test_compile_takes_each_form_by_its_keyword_and_refuses_the_other():
    x = engine.Value(2.0, label="x")
    y = x * x
    assert isinstance(engine.compile(lambda a: a * a, example_inputs=[1.0]), CompiledFunction)
    assert engine.compile(y, outputs=[x]).outputs == (x,)
    with pytest.raises(TypeError, match=r"engine.compile\(fn, example_inputs\): outputs= is for"):
        engine.compile(lambda a: a * a, [1.0], outputs=[x])
    with pytest.raises(TypeError, match=r"engine.compile\(root\): example_inputs is for"):
        engine.compile(y, [1.0])


# --- check(): is the traced graph still what fn builds? -----------------------------------


def test_check_passes_and_changes_nothing_when_fn_is_unchanged():
    model = nn.MLP(2, [3, 1], seed=0)

    def loss(x0, x1, y):
        return nn.hinge([model([x0, x1])], [y])

    step = engine.compile(loss, [0.5, -0.2, 1.0])
    step.run_many([(0.5, -0.2, 1.0), (0.1, 0.3, -1.0)])  # two traces, one per label
    params = model.parameters()
    before = [(p.data, p.grad) for p in params]
    step.check(params)
    assert [(p.data, p.grad) for p in params] == before


def test_check_finds_a_replaced_parameter():
    model = nn.MLP(2, [2, 1], seed=0)
    step = engine.compile(lambda x0, x1: model([x0, x1]), [0.5, -0.2])
    old = model.layers[0].neurons[1].w[0]
    model.layers[0].neurons[1].w[0] = Value(old.data, old.label)
    with pytest.raises(engine.GraphChangedError, match=r"now reads .*w.0.*not read when traced"):
        step.check()


def test_check_finds_a_different_op_and_names_it():
    w = Value(0.7, "w")
    act = {"fn": Value.tanh}

    def f(x):
        return act["fn"](x * w)

    step = engine.compile(f, [0.5])
    act["fn"] = Value.relu
    with pytest.raises(
        engine.GraphChangedError,
        match=r"op 2 of 2 is relu of \(op 1\) where the traced graph has tanh of \(op 1\)",
    ):
        step.check()


def test_check_finds_more_ops_and_a_changed_constant():
    w = Value(0.7, "w")
    knobs = {"extra": False, "c": 2.0}

    def f(x):
        y = x * w + knobs["c"]
        return y.exp() if knobs["extra"] else y

    step = engine.compile(f, [0.5])
    knobs["extra"] = True
    with pytest.raises(engine.GraphChangedError, match="3 ops where the traced graph has 2"):
        step.check()
    knobs.update(extra=False, c=3.0)
    with pytest.raises(
        engine.GraphChangedError, match=r"add of \(op 1, 3.0\) .* add of \(op 1, 2.0\)"
    ):
        step.check()


def test_check_confirms_the_values_you_train():
    w, unused = Value(0.7, "w"), Value(1.0, "unused")
    step = engine.compile(lambda x: x * w, [0.5])
    step.check([w])
    with pytest.raises(engine.GraphChangedError, match="'unused' is not a Value fn reads"):
        step.check([w, unused])
    w._parents = (unused,)
    with pytest.raises(
        engine.GraphChangedError, match="'w', a Value fn reads, is no longer a leaf"
    ):
        step.check()


def test_check_tells_zero_from_minus_zero_and_wants_a_list():
    w = Value(0.7, "w")
    knob = {"c": 0.0}
    step = engine.compile(lambda x: x * w + knob["c"], [0.5])
    step.check([w])
    knob["c"] = -0.0  # x·w + -0.0 keeps the sign of a zero x·w; + 0.0 does not
    with pytest.raises(engine.GraphChangedError, match=r"add of \(op 1, -0.0\)"):
        step.check()
    with pytest.raises(TypeError, match=r"check\(leaves\): expected a list of Values, got one"):
        step.check(w)
    with pytest.raises(TypeError, match=r"check\(leaves\): item 1 is float, not a Value"):
        step.check([w, 0.7])
    graph = engine.compile(w * 2.0)
    with pytest.raises(
        TypeError, match=r"CompiledGraph.check\(leaves\): .* one Value; pass \['w'\]"
    ):
        graph.check(w)
