"""Whole-network gradients against finite differences, for architectures hypothesis draws."""

from hypothesis import given, settings
from hypothesis import strategies as st

import engine
import nn

ACTIVATIONS = sorted(a for a in nn.ACTIVATIONS if a != "step")  # step has zero gradient


@st.composite
def networks(draw):
    nin = draw(st.integers(1, 3))
    sizes = draw(st.lists(st.integers(1, 3), min_size=1, max_size=3))
    activation = draw(st.sampled_from(ACTIVATIONS))
    output = draw(st.sampled_from(["linear", "tanh", "sigmoid"]))
    seed = draw(st.integers(0, 2**16))
    model = nn.MLP(nin, sizes, activation=activation, output_activation=output, seed=seed)
    n = draw(st.integers(1, 3))
    coordinate = st.floats(-2.0, 2.0, allow_nan=False)
    X = draw(st.lists(st.lists(coordinate, min_size=nin, max_size=nin), min_size=n, max_size=n))
    width = sizes[-1]
    targets = draw(
        st.lists(st.lists(coordinate, min_size=width, max_size=width), min_size=n, max_size=n)
    )
    return model, X, targets


def with_parameters(model, values):
    """Swap the model's parameters for ``values`` (fresh leaves from gradcheck), in order."""
    i = 0
    for layer in model.layers:
        for neuron in layer.neurons:
            neuron.w = values[i : i + neuron.nin]
            neuron.b = values[i + neuron.nin]
            i += neuron.nin + 1
    assert i == len(values)
    return model


@settings(max_examples=40)
@given(networks(), st.sampled_from([0.0, 1e-2]))
def test_mlp_loss_gradients_match_finite_differences(net, alpha):
    model, X, targets = net
    start = [p.data for p in model.parameters()]

    def loss(values):
        m = with_parameters(model, values)
        outs = [m(x) for x in X]
        outs = [[o] if isinstance(o, engine.Value) else o for o in outs]
        total = nn.mse(outs, targets)
        return total + nn.l2(values, alpha) if alpha else total

    report = engine.gradcheck(loss, start)
    assert report.ok
    statuses = [row.status for row in report.rows]
    if model.activation != "relu":  # a smooth network: every input is really checked
        assert statuses == ["ok"] * len(statuses), str(report)
    else:  # relu kinks within eps of a point are rare
        assert statuses.count("ok") >= len(statuses) // 2, str(report)


@settings(max_examples=15)
@given(st.integers(0, 2**16), st.sampled_from(["hinge", "bce_with_logits"]))
def test_classifier_losses_through_an_mlp(seed, loss_name):
    model = nn.MLP(2, [3, 1], activation="tanh", seed=seed)
    X, y = nn.datasets.make_moons(4, noise=0.3, seed=seed, signed=loss_name == "hinge")
    loss_fn = nn.losses.LOSSES[loss_name]
    start = [p.data for p in model.parameters()]
    engine.gradcheck(lambda vs: loss_fn([with_parameters(model, vs)(x) for x in X], y), start)
