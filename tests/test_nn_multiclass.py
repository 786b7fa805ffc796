"""softmax, log_softmax, cross_entropy and fit(loss="cross_entropy")."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import engine
import nn
from engine import Value, gradcheck
from engine.testing import graphs

logits_lists = st.lists(st.floats(-30.0, 30.0), min_size=2, max_size=8)


def float_softmax(zs):
    """The textbook float computation, shifted by the max so it does not overflow."""
    m = max(zs)
    es = [math.exp(z - m) for z in zs]
    return [e / sum(es) for e in es]


@given(logits_lists)
def test_softmax_is_a_probability_distribution_matching_floats(zs):
    ps = [p.data for p in nn.softmax(zs)]
    assert math.isclose(sum(ps), 1.0, rel_tol=1e-12)
    for p, q in zip(ps, float_softmax(zs), strict=True):
        assert math.isclose(p, q, rel_tol=1e-9, abs_tol=1e-300)
    assert nn.argmax(zs) == max(range(len(zs)), key=zs.__getitem__)


@given(logits_lists)
def test_log_softmax_is_the_log_of_softmax(zs):
    for lp, q in zip(nn.log_softmax(zs), float_softmax(zs), strict=True):
        if q > 1e-300:
            assert math.isclose(lp.data, math.log(q), rel_tol=1e-9, abs_tol=1e-12)


@given(logits_lists, st.data())
@settings(max_examples=60)
def test_cross_entropy_agrees_with_finite_differences(zs, data):
    t = data.draw(st.integers(0, len(zs) - 1))
    assert gradcheck(lambda v: nn.cross_entropy(v, t), zs).ok
    assert gradcheck(lambda v: nn.softmax(v)[t], zs).ok
    assert gradcheck(lambda v: nn.log_softmax(v)[-1] * 0.5, zs).ok


@given(logits_lists, st.data())
def test_the_gradient_is_softmax_minus_one_hot(zs, data):
    t = data.draw(st.integers(0, len(zs) - 1))
    vs = [Value(z) for z in zs]
    nn.cross_entropy(vs, t).backward()
    for i, (v, p) in enumerate(zip(vs, float_softmax(zs), strict=True)):
        assert math.isclose(v.grad, p - (i == t), rel_tol=1e-9, abs_tol=1e-12)


@given(graphs(max_nodes=15, max_inputs=3), st.data())
@settings(max_examples=60)
def test_cross_entropy_of_random_graphs_agrees_with_finite_differences(g, data):
    """Logits that are any expression of the inputs: the chain rule runs through softmax."""
    t = data.draw(st.integers(0, 2))

    def f(xs):
        root = g.build(xs)
        return nn.cross_entropy([root, xs[0] * 2.0, -root + xs[-1]], t)

    assert gradcheck(f, g.inputs).ok


def test_logits_of_a_thousand_are_exact_and_finite():
    zs = [Value(1000.0), Value(-1000.0), Value(0.0)]
    loss = nn.cross_entropy(zs, 1)
    loss.backward()
    assert loss.data == 2000.0
    assert [z.grad for z in zs] == [1.0, -1.0, 0.0]
    assert [v.data for v in nn.log_softmax([1000.0, -1000.0])] == [0.0, -2000.0]
    assert [v.data for v in nn.softmax([1000.0, -1000.0])] == [1.0, 0.0]
    assert nn.logsumexp([1000.0, 1000.0]).data == 1000.0 + math.log(2.0)
    assert nn.cross_entropy([-1000.0, -1000.0], 0).data == pytest.approx(math.log(2.0))


def test_a_compiled_graph_recomputes_the_max_on_every_run():
    """Traced at small logits, replayed at ±800: no e^800, the same numbers as eager."""
    zs = [Value(0.5), Value(-0.25), Value(1.0)]
    step = engine.compile(nn.cross_entropy(zs, 0))
    for z, new in zip(zs, [800.0, -800.0, 790.0], strict=True):
        z.data, z.grad = new, 0.0
    value = step.run()
    got = [z.grad for z in zs]
    for z in zs:
        z.grad = 0.0
    eager = nn.cross_entropy(zs, 0)
    eager.backward()
    assert value == eager.data == pytest.approx(math.log1p(math.exp(-10.0)))
    assert got == [z.grad for z in zs]


def test_batch_form_is_the_mean_of_the_examples():
    rows = [[1.0, 2.0, 0.5], [0.0, -1.0, 3.0]]
    batch = nn.cross_entropy(rows, [2, 0]).data
    one = [nn.cross_entropy(rows[0], 2).data, nn.cross_entropy(rows[1], 0).data]
    assert batch == pytest.approx(sum(one) / 2, rel=1e-15)


def test_class_indices_may_be_integral_floats_or_numpy_ints():
    np = pytest.importorskip("numpy")
    assert nn.cross_entropy([1.0, 2.0], 1.0).data == nn.cross_entropy([1.0, 2.0], np.int64(1)).data


def test_an_mlp_with_k_outputs_gives_k_linear_logits():
    model = nn.MLP(3, [5, 4], seed=0)
    assert model.output_activation == "linear"
    out = model([0.1, -0.2, 0.3])
    assert len(out) == 4
    last = model.layers[-1]
    with engine.no_grad():
        hidden = model.layers[0]([0.1, -0.2, 0.3])
        by_hand = [
            n.b.data + sum(w.data * h.data for w, h in zip(n.w, hidden, strict=True))
            for n in last.neurons
        ]
    assert [v.data for v in out] == pytest.approx(by_hand, rel=1e-12)


def three_blobs():
    X = [[1.0, 0.0], [0.9, 0.2], [0.0, 1.0], [0.1, 0.8], [-1.0, -1.0], [-0.8, -0.9]]
    return X, [0, 0, 1, 1, 2, 2]


def test_fit_with_cross_entropy_learns_and_measures_argmax_accuracy():
    X, y = three_blobs()
    model = nn.MLP(2, [8, 3], seed=2)
    history = nn.fit(model, X, y, loss="cross_entropy", epochs=150, lr=0.5)
    assert history.loss[-1] < history.loss[0] * 0.1
    predicted = [nn.argmax(out) for out in model.predict(X)]
    assert history.accuracy[-1] == sum(p == t for p, t in zip(predicted, y, strict=True)) / 6
    assert predicted == y


def test_fit_compiled_gives_the_same_numbers_as_eager():
    X, y = three_blobs()
    a, b = nn.MLP(2, [6, 3], seed=4), nn.MLP(2, [6, 3], seed=4)
    ha = nn.fit(a, X, y, loss="cross_entropy", epochs=5, lr=0.3)
    hb = nn.fit(b, X, y, loss="cross_entropy", epochs=5, lr=0.3, compile=True)
    assert ha.loss == pytest.approx(hb.loss, rel=1e-12)
    assert a.state_dict() == pytest.approx(b.state_dict(), rel=1e-12)


@pytest.mark.parametrize(
    "y, error, words",
    [
        ([0, 0, 1, 1, 2, 3], ValueError, ["fit: y target 5", "target 3 is out of range", "0 to 2"]),
        ([0, 0, 1, 1, 2, -1], ValueError, ["target 5", "out of range"]),
        ([0, 0, 1, 1, 2, 0.5], TypeError, ["target 5", "class index"]),
        ([0, 0, 1, 1, 2, True], TypeError, ["target 5", "class index"]),
    ],
)
def test_fit_refuses_bad_class_targets_before_any_update(y, error, words):
    X, _ = three_blobs()
    model = nn.MLP(2, [4, 3], seed=0)
    before = model.state_dict()
    with pytest.raises(error) as info:
        nn.fit(model, X, y, loss="cross_entropy", epochs=2)
    for word in words:
        assert word in str(info.value)
    assert model.state_dict() == before


def test_fit_refuses_cross_entropy_on_a_one_output_model():
    model = nn.MLP(2, [4, 1], seed=0)
    with pytest.raises(ValueError, match="one output per class.*bce_with_logits"):
        nn.fit(model, [[0.0, 1.0]], [0], loss="cross_entropy")


def test_fit_compiled_with_shuffled_mini_batches_is_eager_to_the_bit():
    """The target picks the logit, so each class gets its own compiled graph."""
    X, y = three_blobs()
    a, b = nn.MLP(2, [6, 3], seed=5), nn.MLP(2, [6, 3], seed=5)
    kwargs = {"loss": "cross_entropy", "epochs": 4, "lr": 0.3, "batch_size": 4, "seed": 2}
    ha = nn.fit(a, X, y, **kwargs)
    hb = nn.fit(b, X, y, compile=True, **kwargs)
    assert ha.loss == hb.loss and ha.accuracy == hb.accuracy
    assert a.state_dict() == b.state_dict()


def test_logaddexp_is_an_op_of_the_table():
    a, b = Value(1000.0), Value(-1000.0)
    out = engine.OPS["logaddexp"](a, b)
    assert out.op is engine.OPS["logaddexp"] and out.data == 1000.0
    out.backward()
    assert (a.grad, b.grad) == (1.0, 0.0)
    assert engine.OPS["logaddexp"](0.0, 0.0).data == math.log(2.0)  # numbers become leaves
