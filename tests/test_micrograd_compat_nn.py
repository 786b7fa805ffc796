"""nn next to micrograd 0.1.0: code written for micrograd's nn runs on gradstep's nn.

After the same ``random.seed``, ``nn.Neuron`` / ``nn.Layer`` / ``nn.MLP`` start from
exactly micrograd's initial weights, compute exactly micrograd's outputs with them, and
micrograd's demo training loop, written as its demo notebook writes it, gives
micrograd's losses step after step. Every expected number comes from micrograd itself,
run in the same test.

"Exactly" holds for initial weights, and for a forward pass up to Python 3.11 (see
``FORWARD_EXACT``). After a backward pass the two engines add a weight's gradient terms
in different orders (micrograd's order even changes from run to run: it walks ``set``s
of nodes ordered by memory address), so gradients, and everything after the first
update, agree to the last few bits.
"""

import math
import random
import sys

import micrograd.engine
import micrograd.nn
import pytest

import engine
import nn

# Agreement after a backward pass: a few units in the last place of numbers near 1.
CLOSE = {"rel_tol": 1e-12, "abs_tol": 1e-14}

# A neuron's b + w·x is one engine.sum, which adds with the builtin sum(); micrograd adds
# one term at a time, bias first. Up to Python 3.11 that is the same float arithmetic,
# in the same order. From 3.12 on,
# sum() of floats is compensated (more exact), so a forward pass can differ from
# micrograd's in the last bit.
FORWARD_EXACT = sys.version_info < (3, 12)


def assert_same_forward(ours, theirs):
    """Forward numbers: equal to the bit (up to Python 3.11), else to the last bits."""
    assert len(ours) == len(theirs)
    if FORWARD_EXACT:
        assert ours == theirs
    else:
        assert all(math.isclose(a, b, **CLOSE) for a, b in zip(ours, theirs, strict=True))


# (micrograd's constructor, gradstep's) for the same module, called the same way.
MODULES = {
    "Neuron(3)": (lambda m: m.Neuron(3), lambda: nn.Neuron(3)),
    "Neuron(3, nonlin=False)": (
        lambda m: m.Neuron(3, nonlin=False),
        lambda: nn.Neuron(3, nonlin=False),
    ),
    "Layer(2, 5)": (lambda m: m.Layer(2, 5), lambda: nn.Layer(2, 5)),
    "Layer(3, 4, nonlin=False)": (
        lambda m: m.Layer(3, 4, nonlin=False),
        lambda: nn.Layer(3, 4, nonlin=False),
    ),
    "MLP(2, [16, 16, 1])": (lambda m: m.MLP(2, [16, 16, 1]), lambda: nn.MLP(2, [16, 16, 1])),
    "MLP(3, [4, 4, 1])": (lambda m: m.MLP(3, [4, 4, 1]), lambda: nn.MLP(3, [4, 4, 1])),
    "MLP(4, [3, 2])": (lambda m: m.MLP(4, [3, 2]), lambda: nn.MLP(4, [3, 2])),
}


def built_after_seed(build, seed):
    """What ``build()`` returns after ``random.seed(seed)``, and the stream's next number."""
    random.seed(seed)
    module = build()
    return module, random.random()


@pytest.mark.parametrize("seed", [0, 1, 1337])
@pytest.mark.parametrize("name", list(MODULES))
def test_same_seed_same_initial_weights_as_micrograd(name, seed):
    theirs_build, ours_build = MODULES[name]
    theirs, their_next = built_after_seed(lambda: theirs_build(micrograd.nn), seed)
    ours, our_next = built_after_seed(ours_build, seed)
    # The same numbers in the same order (micrograd's parameters(): neuron by neuron,
    # its weights then its bias), and the same number of draws from the stream.
    assert [p.data for p in ours.parameters()] == [p.data for p in theirs.parameters()]
    assert our_next == their_next


@pytest.mark.parametrize("seed", [0, 1337])
@pytest.mark.parametrize("name", list(MODULES))
def test_same_seed_same_outputs_as_micrograd(name, seed):
    """Forward passes agree to the last bit: the same activations in the same places."""
    theirs_build, ours_build = MODULES[name]
    theirs, _ = built_after_seed(lambda: theirs_build(micrograd.nn), seed)
    ours, _ = built_after_seed(ours_build, seed)
    rng = random.Random(seed + 1)
    for _ in range(5):
        x = [rng.uniform(-3.0, 3.0) for _ in range(ours.nin)]
        want, got = theirs(x), ours(x)
        want = want if isinstance(want, list) else [want]
        got = got if isinstance(got, list) else [got]
        assert_same_forward([v.data for v in got], [v.data for v in want])


@pytest.mark.parametrize("seed", [1337, 7])
def test_trace_graph_neuron_matches_micrograd(seed):
    """micrograd's trace_graph example: a 2-input neuron on Values, then backward."""

    def run(Value, nn_module):
        random.seed(seed)
        n = nn_module.Neuron(2)
        x = [Value(1.0), Value(-2.0)]
        y = n(x)
        y.backward()
        return [y.data] + [v.grad for v in (*x, *n.parameters())] + [p.data for p in n.w]

    assert_same_forward(run(engine.Value, nn), run(micrograd.engine.Value, micrograd.nn))


def demo_losses(Value, model, X, y, steps):
    """micrograd's demo notebook loop: hinge loss + 1e-4 L2, SGD, decaying learning rate.

    Written as the notebook writes it, for any Value class and MLP; returns per step the
    loss, the accuracy and the parameters after the update.
    """
    out = []
    for k in range(steps):
        inputs = [list(map(Value, xrow)) for xrow in X]
        scores = list(map(model, inputs))
        losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(y, scores, strict=True)]
        data_loss = sum(losses) * (1.0 / len(losses))
        alpha = 1e-4
        reg_loss = alpha * sum(p * p for p in model.parameters())
        total_loss = data_loss + reg_loss
        accuracy = [(yi > 0) == (scorei.data > 0) for yi, scorei in zip(y, scores, strict=True)]
        model.zero_grad()
        total_loss.backward()
        learning_rate = 1.0 - 0.9 * k / 100
        for p in model.parameters():
            p.data -= learning_rate * p.grad
        out.append(
            (total_loss.data, sum(accuracy) / len(accuracy), [p.data for p in model.parameters()])
        )
    return out


STEPS = 3


@pytest.fixture(scope="module")
def moons():
    return nn.datasets.make_moons(100, noise=0.1, seed=1, signed=True)


@pytest.fixture(scope="module")
def micrograd_demo(moons):
    """micrograd's own run of its demo loop after random.seed(1337)."""
    random.seed(1337)
    model = micrograd.nn.MLP(2, [16, 16, 1])
    return demo_losses(micrograd.engine.Value, model, *moons, STEPS)


def test_demo_loop_with_the_imports_swapped_gives_micrograds_losses(moons, micrograd_demo):
    random.seed(1337)
    model = nn.MLP(2, [16, 16, 1])
    ours = demo_losses(engine.Value, model, *moons, STEPS)
    # The first loss comes from a forward pass over the same weights.
    assert_same_forward([ours[0][0]], [micrograd_demo[0][0]])
    for (loss, accuracy, params), (their_loss, their_accuracy, their_params) in zip(
        ours, micrograd_demo, strict=True
    ):
        assert accuracy == their_accuracy
        assert math.isclose(loss, their_loss, **CLOSE)
        assert all(math.isclose(a, b, **CLOSE) for a, b in zip(params, their_params, strict=True))


def test_nn_train_step_gives_micrograds_demo_losses(moons, micrograd_demo):
    """The same run with gradstep's own tools: nn.hinge, l2=, SGD with linear_decay(100)."""
    X, y = moons
    random.seed(1337)
    model = nn.MLP(2, [16, 16, 1])
    optimizer = nn.SGD(model, lr=1.0, schedule=nn.linear_decay(100))
    for their_loss, _, their_params in micrograd_demo:
        loss, _ = nn.train_step(model, X, y, nn.hinge, optimizer, l2=1e-4)
        assert math.isclose(loss, their_loss, **CLOSE)
        ours = [p.data for p in model.parameters()]
        assert all(math.isclose(a, b, **CLOSE) for a, b in zip(ours, their_params, strict=True))


@pytest.mark.parametrize("name", [n for n in MODULES if n.startswith("MLP")])
def test_forward_equals_micrograds_with_nonzero_biases(name):
    """After training biases are not 0; the forward pass still adds as micrograd does."""
    theirs_build, ours_build = MODULES[name]
    theirs, _ = built_after_seed(lambda: theirs_build(micrograd.nn), 5)
    ours, _ = built_after_seed(ours_build, 5)
    rng = random.Random(7)
    for a, b in zip(ours.parameters(), theirs.parameters(), strict=True):
        a.data = b.data = rng.uniform(-2.0, 2.0)
    nin = len(ours.layers[0].neurons[0].w)
    for _ in range(20):
        x = [rng.uniform(-3.0, 3.0) for _ in range(nin)]
        out_ours, out_theirs = ours(x), theirs(x)
        if not isinstance(out_ours, list):
            out_ours, out_theirs = [out_ours], [out_theirs]
        assert_same_forward([v.data for v in out_ours], [v.data for v in out_theirs])
