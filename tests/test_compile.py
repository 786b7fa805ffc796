"""Compiled graphs (engine.compile): same numbers and same errors as eager mode."""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import engine
from engine import OPS, Value, no_grad
from engine.compiler.compiled import READABLE_MAX_OPS, CompiledGraph, GraphChangedError
from engine.compiler.compiled import compile as compile_graph
from engine.testing import graphs


def close(a: float, b: float) -> bool:
    """Equal within 1e-12 relative (zeros compared absolutely)."""
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-300)


def eager(g, data: list[float], grads: list[float], seed: float = 1.0):
    """The eager root value and leaf grads of graph ``g`` at ``data``."""
    leaves = [Value(x, f"x{i}") for i, x in enumerate(data)]
    for leaf, gr in zip(leaves, grads, strict=True):
        leaf.grad = gr
    root = g.build(leaves)
    root.backward(seed)
    return root.data, [leaf.grad for leaf in leaves]


def assert_matches_eager(g, leaves: list[Value], value: float, seed: float, before: list[float]):
    want_value, want_grads = eager(g, [v.data for v in leaves], before, seed)
    assert close(value, want_value), (value, want_value)
    for leaf, want in zip(leaves, want_grads, strict=True):
        assert close(leaf.grad, want), (leaf.label, leaf.grad, want)


# --- Equal to eager: random graphs over the whole op table ------------------------------


@given(g=graphs(max_nodes=25), readable=st.booleans(), seed=st.floats(-3, 3))
def test_random_graphs_match_eager(g, readable, seed):
    leaves = [Value(x, f"x{i}") for i, x in enumerate(g.inputs)]
    compiled = compile_graph(g.build(leaves), readable=readable)
    before = [0.25 * i for i in range(len(leaves))]  # leaves accumulate onto what they had
    for leaf, gr in zip(leaves, before, strict=True):
        leaf.grad = gr
    value = compiled.run(seed)
    assert_matches_eager(g, leaves, value, seed, before)


@pytest.mark.parametrize("name", sorted(OPS))
@settings(max_examples=25)
@given(data=st.data(), readable=st.booleans())
def test_every_op_matches_eager(name, data, readable):
    g = data.draw(graphs(max_nodes=8, require=name))
    leaves = [Value(x, f"x{i}") for i, x in enumerate(g.inputs)]
    compiled = compile_graph(g.build(leaves), readable=readable)
    assert name in {op.name for op in compiled._ops}
    value = compiled.run()
    assert_matches_eager(g, leaves, value, 1.0, [0.0] * len(leaves))


@given(g=graphs(max_nodes=20), shift=st.floats(-0.5, 0.5), readable=st.booleans())
def test_leaves_updated_between_runs(g, shift, readable):
    """New leaf data (a new batch, an optimiser step) is read on every run."""
    leaves = [Value(x, f"x{i}") for i, x in enumerate(g.inputs)]
    compiled = compile_graph(g.build(leaves), readable=readable)
    compiled.run()
    for leaf in leaves:
        leaf.data += shift
        leaf.grad = 0.0
    try:
        want_value, want_grads = eager(g, [v.data for v in leaves], [0.0] * len(leaves))
    except (ArithmeticError, ValueError):  # the shift left an op's domain
        # Eager reports the first failing op in creation order, compiled the first in
        # graph order; with one failing op they agree (test_errors_are_eager_errors).
        with pytest.raises((ArithmeticError, ValueError)):
            compiled.run()
        return
    assert close(compiled.run(), want_value)
    assert all(close(v.grad, w) for v, w in zip(leaves, want_grads, strict=True))


def test_relu_abs_step_branches_follow_the_data():
    x = Value(2.0, "x")
    y = x.relu() * 3.0 + abs(x) * 5.0 + x.step() * x
    compiled = compile_graph(y)
    for data in (2.0, -2.0, 0.5, -0.25, 0.0):
        x.data, x.grad = data, 0.0
        value = compiled.run()
        fresh = Value(data, "x")
        want = fresh.relu() * 3.0 + abs(fresh) * 5.0 + fresh.step() * fresh
        want.backward()
        assert (value, x.grad) == (want.data, fresh.grad)


def test_training_loop_matches_eager_training():
    """An optimiser updating .data between compiled steps trains exactly as eager does."""
    rng = random.Random(0)
    points = [([rng.uniform(-1, 1), rng.uniform(-1, 1)], rng.choice([-1.0, 1.0])) for _ in range(8)]

    def model(params, inputs):
        w1, w2, b = params
        scores = [(w1 * x[0] + w2 * x[1] + b).tanh() for x in inputs]
        return engine.sum([(s - t) ** 2 for s, (_, t) in zip(scores, points, strict=True)])

    init = [0.3, -0.2, 0.1]
    eager_params = [Value(v) for v in init]
    compiled_params = [Value(v) for v in init]
    inputs = [[Value(a), Value(b)] for (a, b), _ in points]
    step = compile_graph(model(compiled_params, inputs))
    for _ in range(20):
        loss = model(eager_params, [[Value(a), Value(b)] for (a, b), _ in points])
        engine.zero_grad(eager_params)
        loss.backward()
        engine.zero_grad(compiled_params)
        compiled_loss = step.run()
        assert compiled_loss == loss.data
        for pe, pc in zip(eager_params, compiled_params, strict=True):
            assert pc.grad == pe.grad
            pe.data -= 0.1 * pe.grad
            pc.data -= 0.1 * pc.grad


# --- Gradient semantics ----------------------------------------------------------------


def neuron():
    x1, x2 = Value(2.0, "x1"), Value(0.0, "x2")
    w1, w2, b = Value(-3.0, "w1"), Value(1.0, "w2"), Value(6.8813735870195432, "b")
    n = x1 * w1 + x2 * w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return o, [x1, x2, w1, w2, b]


def test_leaves_accumulate_like_backward():
    o, leaves = neuron()
    compiled = compile_graph(o)
    compiled.run()
    once = [v.grad for v in leaves]
    compiled.run()
    assert [v.grad for v in leaves] == [2 * g for g in once]
    engine.zero_grad(leaves)
    compiled.run(2.5)
    by_compiled = [v.grad for v in leaves]
    engine.zero_grad(leaves)
    o.backward(2.5)
    assert by_compiled == [v.grad for v in leaves]


def test_run_returns_root_value_and_keeps_intermediate_nodes():
    o, leaves = neuron()
    compiled = compile_graph(o)
    traced = o.data
    leaves[0].data = 1.0
    value = compiled.run()
    assert value == math.tanh(1.0 * -3.0 + 0.0 * 1.0 + 6.8813735870195432)
    assert o.data == traced  # intermediate nodes keep their trace-time data


def test_forward_computes_without_gradients():
    o, leaves = neuron()
    compiled = compile_graph(o)
    leaves[2].data = -1.0
    assert compiled.forward() == math.tanh(2.0 * -1.0 + 6.8813735870195432)
    assert all(v.grad == 0.0 for v in leaves)


def test_root_that_is_a_leaf():
    x = Value(3.0, "x")
    compiled = compile_graph(x)
    assert compiled.run(2.0) == 3.0
    assert x.grad == 2.0
    assert len(compiled) == 0 and compiled.leaves == (x,)


def test_shared_operands_and_constants():
    x = Value(1.5, "x")
    y = x * x + x / 2.0 - 3.0 * x
    compiled = compile_graph(y)
    value = compiled.run()
    fresh = Value(1.5)
    want = fresh * fresh + fresh / 2.0 - 3.0 * fresh
    want.backward()
    assert (value, x.grad) == (want.data, fresh.grad)


def test_run_inside_no_grad_still_computes_gradients():
    o, leaves = neuron()
    compiled = compile_graph(o)
    with no_grad():
        compiled.run()
    assert leaves[2].grad != 0.0


def test_a_compiled_object_reports_its_shape():
    o, leaves = neuron()
    compiled = compile_graph(o)
    assert isinstance(compiled, CompiledGraph)
    assert compiled.root is o
    assert set(compiled.leaves) == set(leaves)
    assert len(compiled) == len(engine.topological_order(o)[0])
    assert repr(compiled) == f"<CompiledGraph 'o': {len(compiled)} ops, 5 leaves>"


# --- The generated source --------------------------------------------------------------


def test_source_reads_like_the_math():
    o, _ = neuron()
    source = compile_graph(o).source
    assert source.startswith("def run(leaves, outputs, seed, backward):")
    for name in ("x1", "x2", "w1", "w2", "b"):
        assert f"    {name} = leaves[" in source
    assert "    n = " in source and "    o = tanh(n)" in source
    assert "    grad_o = seed" in source
    # the backward line of tanh carries the table's chain-rule text
    tanh_rule = OPS["tanh"].text.split(";")[1].strip()
    (line,) = [ln for ln in source.splitlines() if ln.strip().startswith("grad_n =")]
    assert line.endswith(tanh_rule) and "(1.0 - o * o)" in line
    # every backward line is commented with its op's rule
    backward = source.split("# Backward")[1].split("# Leaf gradients")[0].splitlines()[1:]
    rules = [ln for ln in backward if ln.startswith("    grad_") and "leaves[" not in ln]
    rules = [ln for ln in rules if ln != "    grad_o = seed"]
    assert rules and all("  # out = " in ln for ln in rules)


def test_source_is_the_code_that_runs():
    o, leaves = neuron()
    compiled = compile_graph(o)
    namespace = dict(engine.compiler.compiled.NAMESPACE)
    namespace["_fail"] = lambda: None
    exec(compile(compiled.source, "<test>", "exec"), namespace)
    assert namespace["run"](compiled.leaves, (), 1.0, False) == o.data


def test_labels_become_unique_identifiers():
    labels = ["x₁", "hidden 1", "hidden 1", "lambda", "sum", "leaves", "grad_y", "y", "2x", "σ"]
    leaves = [Value(0.5 + i / 10, label) for i, label in enumerate(labels)]
    root = engine.sum([v * v for v in leaves])
    compiled = compile_graph(root)
    for name in ("x1 = ", "hidden_1 = ", "hidden_1_2 = ", "lambda_ = ", "v2x = ", "σ = "):
        assert f"\n    {name}" in compiled.source
    value = compiled.run()
    assert value == root.data
    assert [v.grad for v in leaves] == [2 * v.data for v in leaves]


def test_unlabelled_values_are_named_as_the_stepper_names_them():
    """One namer (engine.core.names): L for the root, n1, n2, ... for results, c1 for constants."""
    x = Value(2.0, "x")
    y = (x * 3.0).exp()
    source = compile_graph(y).source
    assert "    n1 = x * c1" in source
    assert "# 3.0 when traced" in source and "    L = exp(n1)" in source
    assert [step.name for step in engine.backprop_steps(y)] == ["L", "n1"]


def test_generated_names_never_take_a_learners_label():
    """``n = n1 + b`` with a learner's own ``n1``: the generated names step around it."""
    x, n1, b = Value(2.0, "x"), Value(1.0, "n1"), Value(0.5, "b")
    n = x * n1 + b
    source = compile_graph(n).source
    assert "    n2 = x * n1" in source and "    L = n2 + b" in source
    steps = engine.backprop_steps(n)
    assert [step.name for step in steps] == ["L", "n2"]
    assert len(set(steps.names.values())) == len(steps.names)


def test_domain_checks_only_where_an_operand_can_fail():
    x = Value(2.0, "x")
    assert "_fail()" not in compile_graph(x**2).source.split("# Every value")[0]
    assert "if not (x != 0.0):" in compile_graph(3.0 / x).source
    assert "if not (x > 0.0):" in compile_graph(x.log()).source
    assert "if not (x > 0.0):" in compile_graph(x**0.5).source


def test_big_graphs_get_source_written_for_speed():
    xs = [Value(0.01 * i) for i in range(READABLE_MAX_OPS)]
    root = engine.sum([(x * 2.0).tanh() for x in xs])
    compiled = compile_graph(root)
    assert "  # out = " not in compiled.source
    assert compile_graph(root, readable=True).source.count("  # out = ") > READABLE_MAX_OPS
    value = compiled.run()
    root.backward()
    assert value == root.data


# --- Errors: eager's errors, raised by run() ----------------------------------------------


def eager_error(build, data: list[float]) -> Exception:
    leaves = [Value(x, f"x{i}") for i, x in enumerate(data)]
    with pytest.raises((ArithmeticError, ValueError)) as raised:
        build(leaves).backward()
    return raised.value


@pytest.mark.parametrize(
    ("build", "good", "bad"),
    [
        (lambda v: v[0] / v[1], [1.0, 2.0], [1.0, 0.0]),
        (lambda v: (v[0] * v[1]).log(), [1.0, 2.0], [-1.0, 2.0]),
        (lambda v: v[0] ** 0.5 + v[1], [4.0, 1.0], [-4.0, 1.0]),
        (lambda v: v[0] ** v[1], [2.0, 3.0], [-2.0, 3.0]),
        (lambda v: (v[0] * v[1]).exp(), [1.0, 2.0], [400.0, 2.0]),
        (lambda v: (v[0] * v[1]).tanh(), [1.0, 2.0], [1e200, 1e200]),  # overflow absorbed
        (lambda v: v[0].log() * v[1], [1.0, 2.0], [1e-320, 2.0]),  # backward overflow
        (lambda v: v[0] ** -1.0 + v[1], [1.0, 2.0], [0.0, 2.0]),
    ],
)
def test_errors_are_eager_errors(build, good, bad):
    leaves = [Value(x, f"x{i}") for i, x in enumerate(good)]
    compiled = compile_graph(build(leaves))
    compiled.run()
    want = eager_error(build, bad)
    for leaf, x in zip(leaves, bad, strict=True):
        leaf.data, leaf.grad = x, 0.0
    with pytest.raises(type(want)) as raised:
        compiled.run()
    assert str(raised.value) == str(want)


def test_nan_leaf_behaves_as_in_eager_mode():
    """A nan set by hand raises in eager mode, even through relu (which would hide it as 0).

    Compiled, the same: the leaves are checked with every value."""
    x = Value(1.0, "x")
    compiled = compile_graph(x.relu() + 1.0)
    x.data = math.nan
    with pytest.raises(ValueError, match="relu of a = nan"):
        compiled.run()
    x.data = 1.0
    compiled = compile_graph(x * 2.0)
    x.data = math.nan
    with pytest.raises(ValueError, match="not finite"):
        compiled.run()


def test_wrong_types_are_named():
    with pytest.raises(TypeError, match=r"engine.compile: expected the root Value.*list"):
        compile_graph([Value(1.0)])
    o, leaves = neuron()
    compiled = compile_graph(o)
    with pytest.raises(TypeError, match=r"CompiledGraph.run\(grad=...\).*str"):
        compiled.run("1")
    with pytest.raises(ValueError, match=r"CompiledGraph.run\(grad=...\).*finite"):
        compiled.run(math.inf)
    leaves[0].data = "2.0"
    with pytest.raises(TypeError, match=r"leaf 'x1' has .data of type str.*float"):
        compiled.run()
    leaves[0].data = 2
    assert compiled.run() == o.data  # an int is a number: eager mode accepts it too


def test_graph_changed_after_tracing_is_detected():
    o, leaves = neuron()
    compiled = compile_graph(o)
    compiled.check()
    n = o.parents[0]
    n._parents = (n._parents[0], Value(1.0))
    with pytest.raises(GraphChangedError, match=r"node .* \('n', traced as add\).*compile"):
        compiled.check()
    leaves[0].data = math.nan  # a failing run reports the change, not a confusing error
    with pytest.raises(GraphChangedError):
        compiled.run()


def test_leaf_that_became_a_node_is_detected():
    o, leaves = neuron()
    compiled = compile_graph(o)
    leaves[4]._parents = (Value(1.0),)
    leaves[4]._operation = OPS["neg"]
    with pytest.raises(GraphChangedError, match="leaf 'b' is no longer a leaf"):
        compiled.check()


def test_check_names_leaves_the_graph_does_not_reach():
    o, leaves = neuron()
    compiled = compile_graph(o)
    compiled.check(leaves)
    stranger = Value(1.0, "w3")
    with pytest.raises(GraphChangedError, match="'w3' is not a leaf of the compiled graph"):
        compiled.check([*leaves, stranger])


def test_ops_made_with_define_op_compile_too():
    softplus = engine.define_op("softplus", "log(1.0 + exp(a))", ["sigmoid(a)"])
    x = Value(0.3, "x")
    compiled = compile_graph(softplus(x * 2.0) * x)
    for data in (0.3, -1.2):
        x.data, x.grad = data, 0.0
        value = compiled.run()
        fresh = Value(data)
        want = softplus(fresh * 2.0) * fresh
        want.backward()
        assert (value, x.grad) == (want.data, fresh.grad)


def test_benchmark_steps_agree_with_eager_training():
    """The benchmark's compiled step and float floor compute nn.train_step's losses."""
    from demos.bench.compiled import compiled_step, float_step, per_example_step
    from demos.bench.demo_step import gradstep_step

    compiled, seconds, graph = compiled_step()
    floor, eager = float_step(), gradstep_step()
    per_example, first = per_example_step()  # its first step is done: eager's must be too
    assert seconds > 0 and len(graph) > 30_000 and first > 0
    eager()
    compiled()
    floor()
    for _ in range(3):
        want = eager()
        assert compiled() == want and per_example() == want
        assert math.isclose(floor(), want, rel_tol=1e-12)


def test_outputs_get_their_new_data():
    o, leaves = neuron()
    n = o.parents[0]
    compiled = compile_graph(o, outputs=[n])
    assert compiled.outputs == (n,)
    leaves[2].data = -1.0
    compiled.run()
    assert n.data == 2.0 * -1.0 + 0.0 * 1.0 + 6.8813735870195432
    leaves[0].data = 1e200  # 1e200 * -1.0 + ... is finite: a false alarm would replay
    leaves[1].data = 1e308
    leaves[3].data = 10.0  # 1e308 * 10 overflows: the replay raises eager's error
    with pytest.raises(OverflowError):
        compiled.run()
    leaves[1].data, leaves[3].data = 0.0, 1.0
    compiled.forward()
    assert n.data == 1e200 * -1.0 + 0.0 * 1.0 + 6.8813735870195432


def test_a_false_alarm_replays_with_the_same_results():
    """Finite values whose check-sum overflows take the eager replay, which succeeds."""
    x = Value(1e308, "x")
    y = x * 1.0
    compiled = compile_graph(y - x * 0.5, outputs=[y])
    x.data = 1.5e308
    assert compiled.run() == 1.5e308 - 0.75e308
    assert y.data == 1.5e308 and x.grad == 1.0 - 0.5


def test_outputs_must_be_nodes_of_the_graph():
    o, _ = neuron()
    with pytest.raises(ValueError, match=r"outputs\[0\] \('w3'\) is not a node of the graph"):
        compile_graph(o, outputs=[Value(1.0, "w3")])
    with pytest.raises(TypeError, match=r"outputs\[1\] is float, not a Value"):
        compile_graph(o, outputs=[o, 1.0])


# --- nn.fit(compile=True) ------------------------------------------------------------------


def fit_both(make_model, X, y, **kwargs):
    """(eager history, eager params, compiled history, compiled params) from equal models."""
    import nn

    results = []
    for compiled in (False, True):
        model = make_model()
        history = nn.fit(model, X, y, progress=False, compile=compiled, **kwargs)
        results += [history, [p.data for p in model.parameters()]]
    return results


def test_fit_compiled_trains_exactly_as_eager():
    import nn

    X, y = nn.datasets.make_moons(30, 0.1, seed=2, signed=True)
    eager_h, eager_p, comp_h, comp_p = fit_both(
        lambda: nn.MLP(2, [8, 8, 1], seed=3), X, y, loss="hinge", l2=1e-4, epochs=12, lr=0.5
    )
    assert comp_h.loss == eager_h.loss and comp_h.accuracy == eager_h.accuracy
    assert comp_p == eager_p


def test_fit_compiled_mini_batches_and_list_outputs():
    import nn

    rng = random.Random(4)
    X = [[rng.uniform(-1, 1), rng.uniform(-1, 1)] for _ in range(10)]
    y = [[a * b, a - b] for a, b in X]

    def close_enough(out, target):
        return all(abs(o - t) < 0.3 for o, t in zip(out, target, strict=True))

    eager_h, eager_p, comp_h, comp_p = fit_both(
        lambda: nn.MLP(2, [4, 2], activation="tanh", seed=5),
        X,
        y,
        loss="mse",
        batch_size=3,  # the last batch has one example: a graph of its own
        shuffle=False,
        epochs=6,
        accuracy=close_enough,
    )
    # mse of two outputs: each example's two terms are averaged first, then the batch
    # (eager averages all terms at once), so the sums are ordered differently.
    assert comp_h.accuracy == eager_h.accuracy
    assert all(close(a, b) for a, b in zip(comp_h.loss, eager_h.loss, strict=True))
    assert all(close(a, b) for a, b in zip(comp_p, eager_p, strict=True))


@pytest.mark.parametrize("loss", ["hinge", "bce", "bce_with_logits", "mse"])
def test_fit_compiled_shuffled_mini_batches_are_eager_bit_for_bit(loss):
    """Any batch size, shuffled: one example's graph replayed per example, eager's numbers."""
    import nn

    X, y = nn.datasets.make_moons(23, 0.2, seed=5, signed=loss == "hinge")
    output = "sigmoid" if loss == "bce" else "linear"
    eager_h, eager_p, comp_h, comp_p = fit_both(
        lambda: nn.MLP(2, [5, 4, 1], seed=7, output_activation=output),
        X,
        y,
        loss=loss,
        l2=1e-3,
        batch_size=4,  # 6 batches, the last of 3
        shuffle=True,
        seed=3,
        epochs=5,
        lr=0.3,
    )
    assert comp_h.loss == eager_h.loss and comp_h.accuracy == eager_h.accuracy
    assert comp_p == eager_p


def test_fit_compiled_takes_a_loss_of_your_own_that_is_a_mean():
    import nn

    X, y = nn.datasets.make_moons(20, 0.1, seed=2, signed=True)

    def mean_squares(outputs, targets):
        terms = [(o - t) ** 2 for o, t in zip(outputs, targets, strict=True)]
        return engine.sum(terms) * (1.0 / len(terms))

    eager_h, eager_p, comp_h, comp_p = fit_both(
        lambda: nn.MLP(2, [4, 1], seed=0), X, y, loss=mean_squares, epochs=3, batch_size=6
    )
    assert comp_h.loss == eager_h.loss and comp_p == eager_p


def test_fit_compiled_refuses_a_loss_that_is_no_mean():
    import nn

    X, y = nn.datasets.make_moons(8, 0.1, seed=2, signed=True)

    def summed(outputs, targets):
        return engine.sum([(o - t) ** 2 for o, t in zip(outputs, targets, strict=True)])

    model = nn.MLP(2, [4, 1], seed=0)
    before = [p.data for p in model.parameters()]
    with pytest.raises(ValueError, match=r"compile=True .* mean of its examples' losses"):
        nn.fit(model, X, y, loss=summed, batch_size=4, compile=True, progress=False)
    assert [p.data for p in model.parameters()] == before
