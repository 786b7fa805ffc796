"""Neuron, Layer, MLP: construction, calling, activations, hand-set weights, tagging."""

import math
import random

import pytest

import engine
import nn
from engine import Value


def plain(activation: str, z: float) -> float:
    """The activations in plain floats, written independently of the op table."""
    return {
        "relu": max(0.0, z),
        "tanh": math.tanh(z),
        "sigmoid": 1.0 / (1.0 + math.exp(-z)),
        "linear": z,
        "step": 1.0 if z > 0 else 0.0,
    }[activation]


@pytest.mark.parametrize("activation", sorted(nn.ACTIVATIONS))
def test_neuron_computes_activation_of_weighted_sum(activation):
    n = nn.Neuron.from_weights([0.5, -2.0, 1.5], bias=0.25, activation=activation)
    x = [1.0, 0.3, -0.7]
    z = 0.5 * 1.0 - 2.0 * 0.3 + 1.5 * -0.7 + 0.25
    out = n(x)
    assert isinstance(out, Value)
    assert out.data == pytest.approx(plain(activation, z), rel=1e-15, abs=1e-15)


def test_neuron_sum_is_one_wide_node():
    n = nn.Neuron(5, activation="linear", seed=0)
    out = n([1.0, 2.0, 3.0, 4.0, 5.0])
    assert out.op.name == "sum"
    assert len(out.parents) == 6  # the bias and five products
    assert out.parents[0] is n.b  # b + w·x, bias first, in micrograd's order
    relu = nn.Neuron(5, activation="relu", seed=0)([1.0] * 5)
    assert relu.op.name == "relu" and relu.parents[0].op.name == "sum"


def test_concert_neuron_from_the_article():
    concert = nn.datasets.concert_neuron()
    assert concert.state_dict() == {"w.0": 1.0, "w.1": 4.0, "w.2": 3.0, "b": -6.0}
    # No snacks money, partner comes, feel like driving: 0 + 4 + 3 = 7 > 6, so go.
    assert concert([0, 1, 1]).data == 1.0
    # Snacks and partner but no driving: 1 + 4 = 5, not above 6.
    assert concert([1, 1, 0]).data == 0.0
    # Exactly the threshold is not "surpassed".
    assert nn.Neuron.from_weights([6.0], threshold=6.0, activation="step")([1.0]).data == 0.0
    assert "w = [1, 4, 3], b = -6" in repr(concert)
    assert "w = [" not in repr(nn.Neuron(9, seed=0))  # too many numbers to read: count only


def test_party_neuron_from_the_article():
    # Tired weight -4, friends weight 1, bias 2: tired with three friends gives 1.
    party = nn.Neuron.from_weights([-4.0, 1.0], bias=2.0, activation="linear")
    assert party([1, 3]).data == 1.0
    assert nn.Neuron.from_weights([-4.0, 1.0], bias=0.0, activation="linear")([1, 5]).data == 1.0


def test_guest_list_network_reproduces_the_article():
    net = nn.datasets.guest_list_network()
    assert net.sizes == [3, 1] and net.output_activation == "relu"
    X, bottles = nn.datasets.guest_lists()
    assert [net(x).data for x in X] == pytest.approx(bottles, abs=1e-12)
    # Stiffy alone: half a bottle from neuron 1, plus the bottle for yourself.
    assert net([0, 0, 1]).data == pytest.approx(1.5)
    # Agatha present: nobody drinks.
    assert all(net(x).data == 0.0 for x in X if x[0] == 1.0)


def test_seeded_initialisation_is_reproducible_and_leaves_global_random_alone():
    random.seed(123)
    before = random.getstate()
    a = nn.MLP(2, [3, 1], seed=5)
    b = nn.MLP(2, [3, 1], seed=5)
    c = nn.MLP(2, [3, 1], seed=6)
    assert random.getstate() == before
    assert a.state_dict() == b.state_dict() != c.state_dict()
    assert all(-1.0 <= p.data <= 1.0 for p in a.parameters())
    assert all(n.b.data == 0.0 for layer in a.layers for n in layer.neurons)
    shared = random.Random(1)
    d = nn.Layer(2, 2, seed=shared)
    e = nn.Layer(2, 2, seed=shared)  # continues the same stream: different weights
    assert d.state_dict() != e.state_dict()


def weights_and_biases(module):
    """(the weights in parameter order, the biases) of a Neuron, Layer or MLP."""
    named = list(module.named_parameters())
    weights = [p.data for name, p in named if not name.endswith("b")]
    return weights, [p.data for name, p in named if name.endswith("b")]


@pytest.mark.parametrize(
    "build",
    [
        lambda: nn.Neuron(3),
        lambda: nn.Layer(2, 4, activation="tanh"),
        lambda: nn.MLP(2, [16, 16, 1]),
        lambda: nn.MLP(3, [4, 2], activation="sigmoid", output_activation="tanh"),
    ],
)
def test_without_a_seed_weights_come_from_the_global_random_stream(build):
    random.seed(1337)
    first = build()
    after_first = random.getstate()
    random.seed(1337)
    again = build()
    assert random.getstate() == after_first  # the same draws, no more, no fewer
    assert again.state_dict() == first.state_dict()  # random.seed makes the run reproducible
    assert build().state_dict() != first.state_dict()  # the stream goes on: new weights
    # One random.uniform(-1, 1) per weight, in parameter order; every bias starts at 0.
    weights, biases = weights_and_biases(first)
    random.seed(1337)
    assert weights == [random.uniform(-1, 1) for _ in weights]
    assert biases == [0.0] * len(biases)


def test_a_seed_or_a_generator_keeps_the_global_stream_untouched_and_agrees_with_it():
    # seed=s draws what the global stream draws after random.seed(s), privately.
    random.seed(99)
    before = random.getstate()
    private = nn.MLP(2, [5, 3, 1], seed=1337)
    shared = nn.MLP(2, [5, 3, 1], seed=random.Random(1337))
    assert random.getstate() == before
    random.seed(1337)
    assert private.state_dict() == shared.state_dict() == nn.MLP(2, [5, 3, 1]).state_dict()


def test_from_weights_leaves_the_global_stream_untouched():
    random.seed(5)
    before = random.getstate()
    nn.Neuron.from_weights([1.0, 2.0], bias=0.5)
    nn.Layer.from_weights([[1.0], [2.0]])
    nn.MLP.from_weights([[[1.0, 2.0]], [[3.0]]])
    assert random.getstate() == before


@pytest.mark.parametrize("nonlin, activation", [(True, "relu"), (False, "linear")])
def test_micrograds_nonlin_keyword_picks_relu_or_linear(nonlin, activation):
    x = [1.0, -2.0, 0.5]
    neuron = nn.Neuron(3, nonlin=nonlin, seed=4)
    same = nn.Neuron(3, activation=activation, seed=4)
    assert neuron.activation == activation and neuron.config() == same.config()
    neuron.set_weights([-1.0, 1.0, 2.0], bias=0.25)  # w·x + b = -1.75: ReLU would give 0
    assert neuron(x).data == plain(activation, -1.75)
    layer = nn.Layer(3, 2, nonlin=nonlin, seed=4)
    assert layer.activation == activation
    assert [n.activation for n in layer.neurons] == [activation] * 2
    assert layer.state_dict() == nn.Layer(3, 2, activation=activation, seed=4).state_dict()


def test_the_default_activation_is_relu():
    assert nn.Neuron(2, seed=0).activation == nn.Layer(2, 2, seed=0).activation == "relu"


@pytest.mark.parametrize(
    "build, error, message",
    [
        (
            lambda: nn.Neuron(2, activation="tanh", nonlin=True),
            TypeError,
            r"^Neuron: give activation='tanh' or micrograd's nonlin=True, not both "
            r"\(nonlin=True is activation='relu', nonlin=False is activation='linear'\)$",
        ),
        # Both given, even when they agree: one way to say it.
        (lambda: nn.Layer(2, 3, "relu", nonlin=True), TypeError, "^Layer: give activation="),
        (lambda: nn.Neuron(2, "linear", nonlin=False), TypeError, "not both"),
        (
            lambda: nn.Neuron(2, nonlin=1),
            TypeError,
            r"^Neuron: nonlin must be True \(ReLU, as in micrograd\) or False \(linear\), got 1$",
        ),
        (lambda: nn.Layer(2, 2, nonlin="relu"), TypeError, "^Layer: nonlin must be True"),
        # micrograd's nonlin given by position lands on gradstep's activation: say so.
        (
            lambda: nn.Neuron(2, False),
            ValueError,
            r"^Neuron: unknown activation False; choose one of .*; for micrograd's nonlin, "
            r"write nonlin=False \(by keyword\)$",
        ),
    ],
)
def test_nonlin_errors(build, error, message):
    with pytest.raises(error, match=message):
        build()


def test_inputs_become_shared_labelled_leaves():
    layer = nn.Layer(2, 3, seed=0)
    outs = layer([0.5, -1.0])
    products = [node for out in outs for node in engine.nodes(out) if node.op is not None]
    muls = [node for node in products if node.op.name == "mul"]
    xs = {p for node in muls for p in node.parents if p.label.startswith("x.")}
    assert sorted(v.label for v in xs) == ["x.0", "x.1"]  # one leaf per input, shared
    assert all(engine.role_of(v) == "input" for v in xs)
    # Values passed in are used as they are, so gradients reach them.
    x = [Value(0.5, "a"), Value(-1.0, "b")]
    engine.sum(layer(x)).backward()
    assert x[0].grad != 0.0 or x[1].grad != 0.0


def test_one_output_returns_a_value_and_chains():
    first = nn.Layer(3, 1, seed=0)
    out = first([1.0, 2.0, 3.0])
    assert isinstance(out, Value)
    second = nn.Layer(1, 2, seed=1)
    assert len(second(out)) == 2  # a single Value feeds a one-input layer
    assert isinstance(nn.Neuron(1, seed=0)(2.0), Value)  # a number as the only input
    mlp = nn.MLP(2, [3, 2], seed=0)
    assert isinstance(mlp([1.0, 2.0]), list) and len(mlp([1.0, 2.0])) == 2
    assert isinstance(nn.MLP(2, [3, 1], seed=0)([1.0, 2.0]), Value)


def test_forward_nodes_carry_the_neuron_scope():
    mlp = nn.MLP(2, [3, 2, 1], seed=0)
    out = mlp([0.1, 0.2])
    assert out.scope == ("layers.2", "neurons.0")
    ops = [node for node in engine.nodes(out) if node.op is not None]
    scopes = {node.scope for node in ops}
    assert scopes == {("layers.0", f"neurons.{j}") for j in range(3)} | {
        ("layers.1", f"neurons.{j}") for j in range(2)
    } | {("layers.2", "neurons.0")}
    for node in ops:  # every node computed by a neuron uses that neuron's weights or nodes
        params = [p for p in node.parents if engine.role_of(p) == "parameter"]
        for p in params:
            assert p.scope == node.scope
    assert engine.current_scope() == ()  # scopes closed after the call


def test_scopes_close_when_a_call_fails():
    mlp = nn.MLP(2, [2, 1], activation="tanh", seed=0)
    mlp.layers[1].neurons[0].w[0].data = math.nan  # poisoned by hand
    with pytest.raises(ValueError):
        mlp([1.0, 1.0])
    assert engine.current_scope() == ()


def test_set_weights_by_hand_keeps_identity_and_checks_everything_first():
    mlp = nn.MLP(2, [2, 1], seed=0)
    params = mlp.parameters()
    mlp.set_weights([[[1, 2], [3, 4]], [[5, 6]]], [[0.5, -0.5], [1]])
    assert mlp.parameters() == params
    assert mlp.state_dict()["layers.0.neurons.1.w.0"] == 3.0
    assert mlp.state_dict()["layers.1.neurons.0.b"] == 1.0
    before = mlp.state_dict()
    with pytest.raises(ValueError, match=r"layer 1: neuron 0 needs 2 weights"):
        mlp.set_weights([[[9, 9], [9, 9]], [[5]]], [[0, 0], [0]])
    with pytest.raises(TypeError, match=r"layer 0: neuron 1 weight 0: .*str"):
        mlp.set_weights([[[9, 9], ["x", 9]], [[5, 5]]], [[0, 0], [0]])
    with pytest.raises(ValueError, match="this MLP has 2 layers"):
        mlp.set_weights([[[9, 9], [9, 9]]])
    with pytest.raises(ValueError, match=r"layer 0: the layer has 2 neurons; got 1 rows"):
        mlp.set_weights([[[9, 9]], [[5, 5]]])
    assert mlp.state_dict() == before


def test_neuron_set_weights_errors():
    n = nn.Neuron(2, seed=0)
    before = n.state_dict()
    with pytest.raises(ValueError, match="expected 2 weights, got 3"):
        n.set_weights([1, 2, 3])
    with pytest.raises(TypeError, match="give bias or threshold"):
        n.set_weights([1, 2], bias=1.0, threshold=1.0)
    with pytest.raises(ValueError, match="bias: .*finite"):
        n.set_weights([1, 2], bias=math.inf)
    assert n.state_dict() == before


def test_from_weights_builds_each_module():
    layer = nn.Layer.from_weights([[1, 2], [3, 4], [5, 6]], [0, 1, 2], activation="linear")
    assert (layer.nin, layer.nout) == (2, 3)
    assert [v.data for v in layer([1.0, 1.0])] == [3.0, 8.0, 13.0]
    with pytest.raises(ValueError, match="at least one row"):
        nn.Layer.from_weights([])
    with pytest.raises(ValueError, match=r"weights\[layer\]\[neuron\]\[input\]"):
        nn.MLP.from_weights([])


@pytest.mark.parametrize(
    "build, error, message",
    [
        (lambda: nn.Neuron(0), ValueError, "Neuron: nin must be a positive int, got 0"),
        (lambda: nn.Neuron(2.5), ValueError, "nin must be a positive int"),
        (lambda: nn.Neuron(2, activation="rellu"), ValueError, "unknown activation 'rellu'"),
        (lambda: nn.Layer(2, 0), ValueError, "Layer: nout must be a positive int"),
        (lambda: nn.MLP(2, 16), ValueError, "sizes must be a non-empty list"),
        (lambda: nn.MLP(2, []), ValueError, "sizes must be a non-empty list"),
        (lambda: nn.MLP(2, [4, -1]), ValueError, "every layer size must be a positive int"),
        (lambda: nn.MLP(2, [4], output_activation="soft"), ValueError, "MLP output_activation"),
        (lambda: nn.MLP(2, [4], seed="x"), TypeError, "seed must be an int"),
    ],
)
def test_construction_errors(build, error, message):
    with pytest.raises(error, match=message):
        build()


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda m: m([1.0]), ValueError, "MLP: expected 2 inputs, got 1"),
        (lambda m: m([1.0, 2.0, 3.0]), ValueError, "expected 2 inputs, got 3"),
        (lambda m: m(None), TypeError, "expected a list of 2 numbers or Values, got NoneType"),
        (lambda m: m(["a", 1.0]), TypeError, "MLP: input 0: .*str"),
        (lambda m: m([math.nan, 1.0]), ValueError, "MLP: input 0: .*finite"),
        (lambda m: m.layers[0]([1.0]), ValueError, "Layer: expected 2 inputs, got 1"),
        (lambda m: m.layers[0].neurons[0]([1.0]), ValueError, "Neuron: expected 2 inputs"),
    ],
)
def test_call_errors(call, error, message):
    with pytest.raises(error, match=message):
        call(nn.MLP(2, [3, 1], seed=0))


def test_predict_records_no_graph():
    mlp = nn.MLP(2, [3, 2], seed=0)
    out = mlp.predict([[1.0, 2.0], [3.0, 4.0]])
    assert len(out) == 2 and all(len(row) == 2 for row in out)
    assert out[0] == [v.data for v in mlp([1.0, 2.0])]
    assert engine.is_grad_enabled()


def test_every_ordered_kind_of_row_gives_the_same_output():
    mlp = nn.MLP(2, [3, 1], seed=0)
    expected = mlp([1.0, 2.0]).data
    rows = [(1.0, 2.0), [1, 2], range(1, 3), [Value(1.0), Value(2.0)], [Value(1.0), 2]]
    np = pytest.importorskip("numpy")
    rows += [np.array([1.0, 2.0]), np.array([1, 2]), np.array([1.0, 2.0], dtype=np.float32)]
    rows += [[np.float64(1.0), np.int64(2)]]
    for row in rows:
        assert mlp(row).data == expected, row
    assert mlp.predict(np.array([[1.0, 2.0], [1.0, 2.0]])) == [expected, expected]
    neuron = nn.Neuron(1, seed=0)
    assert neuron(3.0).data == neuron([3.0]).data == neuron(np.float32(3.0)).data
