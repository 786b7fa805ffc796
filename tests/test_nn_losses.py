"""Losses: values against plain-float formulas, gradients against finite differences."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

import engine
import nn
from engine import Value

scores = st.floats(-8.0, 8.0, allow_nan=False)
probabilities = st.floats(0.02, 0.98)


def batch(draw_values, draw_targets, size):
    return st.lists(st.tuples(draw_values, draw_targets), min_size=1, max_size=size)


def leaves(xs):
    return [Value(x) for x in xs]


def softplus(z: float) -> float:
    return max(z, 0.0) + math.log1p(math.exp(-abs(z)))


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))


@given(batch(scores, scores, 6))
def test_mse_value_and_gradient(pairs):
    outs, targets = zip(*pairs, strict=True)
    expected = sum((o - t) ** 2 for o, t in pairs) / len(pairs)
    assert nn.mse(leaves(outs), list(targets)).data == pytest.approx(expected, rel=1e-12, abs=1e-12)
    engine.gradcheck(lambda vs: nn.mse(vs, list(targets)), list(outs))


@given(batch(scores, st.sampled_from([-1.0, 1.0]), 6))
def test_hinge_value_and_gradient(pairs):
    outs, labels = zip(*pairs, strict=True)
    expected = sum(max(0.0, 1.0 - y * s) for s, y in pairs) / len(pairs)
    assert nn.hinge(leaves(outs), labels).data == pytest.approx(expected, rel=1e-12, abs=1e-12)
    engine.gradcheck(lambda vs: nn.hinge(vs, labels), list(outs))


@given(batch(probabilities, st.sampled_from([0.0, 1.0]), 6))
def test_bce_value_and_gradient(pairs):
    ps, labels = zip(*pairs, strict=True)
    expected = -sum(y * math.log(p) + (1 - y) * math.log(1 - p) for p, y in pairs) / len(pairs)
    assert nn.bce(leaves(ps), labels).data == pytest.approx(expected, rel=1e-9)
    engine.gradcheck(lambda vs: nn.binary_cross_entropy(vs, labels), list(ps))


@given(batch(st.floats(-40.0, 40.0), st.sampled_from([0.0, 1.0]), 6))
def test_bce_with_logits_value_and_gradient(pairs):
    zs, labels = zip(*pairs, strict=True)
    expected = sum(softplus(z) - y * z for z, y in pairs) / len(pairs)
    assert nn.bce_with_logits(leaves(zs), labels).data == pytest.approx(expected, rel=1e-12)
    engine.gradcheck(lambda vs: nn.binary_cross_entropy_with_logits(vs, labels), list(zs))


@given(st.floats(-10.0, 10.0), st.sampled_from([0.0, 1.0]))
def test_bce_with_logits_agrees_with_bce_of_the_sigmoid(z, y):
    # Only where sigmoid(z) is not within ~1e-5 of 0 or 1: there the probability form
    # loses digits (1 - p cancels, and its 1e-12 clamp starts to show).
    with_logits = nn.bce_with_logits(Value(z), y).data
    via_probability = nn.bce(Value(z).sigmoid(), y).data
    assert with_logits == pytest.approx(via_probability, rel=1e-6, abs=1e-10)


@pytest.mark.parametrize("z", [-1e6, -1000.0, -745.0, -40.0, 0.0, 40.0, 745.0, 1000.0, 1e6])
@pytest.mark.parametrize("y", [0.0, 1.0])
def test_bce_with_logits_is_stable_for_large_logits(z, y):
    leaf = Value(z)
    loss = nn.bce_with_logits([leaf, Value(0.0)], [y, 1.0])
    assert loss.data == pytest.approx((softplus(z) - y * z + math.log(2.0)) / 2, rel=1e-15)
    loss.backward()
    # d/dz = sigmoid(z) - y, written so it does not cancel: 1 - sigmoid(z) = sigmoid(-z).
    expected = sigmoid(z) if y == 0.0 else -sigmoid(-z)
    assert leaf.grad == pytest.approx(expected / 2, rel=1e-12, abs=1e-300)


def test_bce_of_a_saturated_probability_stays_finite():
    p = Value(1.0)
    loss = nn.bce([p], [0.0])
    assert math.isfinite(loss.data) and loss.data > 20  # -log(1e-12) ≈ 27.6
    loss.backward()
    assert math.isfinite(p.grad) and p.grad > 0


def test_l2_penalty_value_and_gradient():
    model = nn.MLP(2, [3, 1], seed=0)
    params = model.parameters()
    expected = 1e-4 * sum(p.data**2 for p in params)
    assert nn.l2(model, 1e-4).data == pytest.approx(expected, rel=1e-12)
    assert nn.l2(params, 1e-4).data == pytest.approx(expected, rel=1e-12)
    engine.gradcheck(lambda vs: nn.l2(vs, 0.5), [p.data for p in params])
    with pytest.raises(ValueError, match="l2: got no parameters"):
        nn.l2([], 1.0)


def test_mse_with_multiple_outputs():
    outs = [leaves([1.0, 2.0]), leaves([3.0, 5.0])]
    assert nn.mse(outs, [[0.0, 2.0], [3.0, 4.0]]).data == pytest.approx((1 + 0 + 0 + 1) / 4)
    with pytest.raises(ValueError, match="mse: example 0 has 2 outputs but 1 targets"):
        nn.mse(outs, [[0.0], [1.0, 1.0]])


def test_a_single_value_counts_as_a_batch_of_one():
    assert nn.mse(Value(3.0), 1.0).data == 4.0
    assert nn.hinge(Value(0.25), 1.0).data == 0.75


def test_classifier_losses_decide_labels():
    assert nn.hinge.decide(0.3) == 1.0 and nn.hinge.decide(-0.1) == -1.0
    assert nn.bce.decide(0.7) == 1.0 and nn.bce.decide(0.2) == 0.0
    assert nn.bce_with_logits.decide(0.1) == 1.0 and nn.bce_with_logits.decide(-3.0) == 0.0
    assert not hasattr(nn.mse, "decide")


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: nn.mse(leaves([1.0, 2.0]), [1.0]), ValueError, "mse: got 2 outputs but 1 targets"),
        (lambda: nn.mse([], []), ValueError, "mse: got an empty batch"),
        (
            lambda: nn.hinge(leaves([1.0]), [0.0]),
            ValueError,
            r"hinge: target 0 is 0.0; .*2 \* y - 1",
        ),
        (lambda: nn.hinge([leaves([1.0, 2.0])], [1.0]), TypeError, "hinge: output 0 is a list"),
        (lambda: nn.bce(leaves([0.5]), [-1.0]), ValueError, r"labels must be 0 or 1.*\(y \+ 1\)"),
        (lambda: nn.bce(leaves([1.5]), [1.0]), ValueError, "not a probability in .0, 1."),
        (lambda: nn.bce_with_logits(leaves([0.5]), [2.0]), ValueError, "must be 0 or 1"),
        (lambda: nn.bce_with_logits(leaves([0.5]), [True]), ValueError, "target 0 is True"),
    ],
)
def test_loss_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_mse_accepts_plain_numbers_and_names_what_it_cannot_use():
    loss = nn.mse([1.0, 2.0], [1.0, 3.0])
    assert loss.data == 0.5
    with pytest.raises(TypeError, match="mse: output 0 is a NoneType"):
        nn.mse([None], [1.0])
