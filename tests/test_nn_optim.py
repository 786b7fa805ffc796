"""SGD and learning-rate schedules."""

import math
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nn
from engine import Value


def params(*xs):
    return [Value(x) for x in xs]


def test_sgd_step_moves_against_the_gradient():
    ps = params(1.0, -2.0)
    ps[0].grad, ps[1].grad = 0.5, -4.0
    opt = nn.SGD(ps, lr=0.1)
    opt.step()
    assert [p.data for p in ps] == [1.0 - 0.1 * 0.5, -2.0 + 0.1 * 4.0]
    assert opt.steps == 1
    opt.zero_grad()
    assert [p.grad for p in ps] == [0.0, 0.0]


def test_weight_decay_adds_decay_times_value_to_the_gradient():
    ps = params(2.0)
    ps[0].grad = 1.0
    nn.SGD(ps, lr=0.5, weight_decay=0.1).step()
    assert ps[0].data == 2.0 - 0.5 * (1.0 + 0.1 * 2.0)


def test_weight_decay_equals_an_l2_term_of_half_the_decay():
    a, b = nn.MLP(2, [3, 1], seed=4), nn.MLP(2, [3, 1], seed=4)
    x = [0.3, -0.8]
    a.zero_grad()
    a(x).backward()
    nn.SGD(a, lr=0.1, weight_decay=0.02).step()
    (b(x) + nn.l2(b, 0.01)).backward()
    nn.SGD(b, lr=0.1).step()
    for pa, pb in zip(a.parameters(), b.parameters(), strict=True):
        assert pa.data == pytest.approx(pb.data, rel=1e-12, abs=1e-15)


def test_frozen_parameters_are_not_updated_even_when_frozen_after_creation():
    model = nn.MLP(2, [2, 1], seed=0)
    opt = nn.SGD(model, lr=0.5)
    model.layers[0].freeze()
    model([1.0, 2.0]).backward()
    before = model.state_dict()
    opt.step()
    after = model.state_dict()
    for name in before:
        if name.startswith("layers.0."):
            assert after[name] == before[name]
        elif dict(model.named_parameters())[name].grad != 0.0:
            assert after[name] != before[name]
    model.unfreeze()


def test_micrograd_linear_decay_is_bit_exact():
    sched = nn.linear_decay(100)
    for k in range(100):
        ours = 1.0 * sched(k)
        micrograds = 1.0 - 0.9 * k / 100
        assert struct.pack("<d", ours) == struct.pack("<d", micrograds)
    assert sched(100) == pytest.approx(0.1) and sched(500) == sched(100)


def test_sgd_follows_its_schedule():
    p = Value(0.0)
    opt = nn.SGD([p], lr=2.0, schedule=nn.step_decay(every=2, factor=0.5))
    seen = []
    for _ in range(5):
        seen.append(opt.current_lr)
        p.grad = 1.0
        opt.step()
    assert seen == [2.0, 2.0, 1.0, 1.0, 0.5]
    assert p.data == -sum(seen)
    assert nn.constant()(1000) == 1.0
    assert "step_decay(every=2, factor=0.5)" in repr(opt)


@pytest.mark.parametrize(
    "build, error, message",
    [
        (lambda: nn.SGD([], lr=0.1), ValueError, "SGD: got no parameters"),
        (lambda: nn.SGD([1.0], lr=0.1), TypeError, "parameter 0 is a float, expected a Value"),
        (lambda: nn.SGD(params(1.0), lr=0), ValueError, "lr must be > 0"),
        (lambda: nn.SGD(params(1.0), lr="0.1"), TypeError, "lr must be a finite number"),
        (lambda: nn.SGD(params(1.0), weight_decay=-1), ValueError, "weight_decay must be >= 0"),
        (lambda: nn.SGD(params(1.0), schedule=3), TypeError, "schedule must be a callable"),
        (lambda: nn.linear_decay(0), ValueError, "linear_decay: total must be a positive int"),
        (lambda: nn.step_decay(0), ValueError, "step_decay: every must be a positive int"),
        (lambda: nn.step_decay(5, factor=0), ValueError, "factor must be > 0"),
    ],
)
def test_optimizer_errors(build, error, message):
    with pytest.raises(error, match=message):
        build()


def test_a_parameter_listed_twice_is_an_error():
    p = Value(1.0)
    with pytest.raises(ValueError, match="appears twice"):
        nn.SGD([p, p], lr=0.1)


def test_a_schedule_returning_nan_is_reported():
    p = Value(1.0)
    opt = nn.SGD([p], lr=0.1, schedule=lambda k: float("nan"))
    with pytest.raises(ValueError, match="SGD.step: the schedule gave a learning rate of nan"):
        opt.step()
    assert p.data == 1.0


def test_an_update_that_would_not_be_finite_changes_nothing():
    ps = [Value(1.0, "a"), Value(2.0)]
    ps[0].grad, ps[1].grad = 1.0, -1e308
    opt = nn.SGD(ps, lr=10.0)
    with pytest.raises(
        ValueError,
        match=r"^SGD\.step: this update would make parameter 1 inf \(data 2\.0, grad -1e\+308, "
        r"lr 10\.0\), so no parameter was changed\. Lower the learning rate",
    ):
        opt.step()
    assert [p.data for p in ps] == [1.0, 2.0]  # not even the first, which was fine
    assert opt.steps == 0
    # Weight decay overflows too; the parameter is named by its label.
    ps[0].data, ps[0].grad, ps[1].grad = 1e308, 0.0, 0.0
    with pytest.raises(ValueError, match=r"would make a -inf"):
        nn.SGD(ps, lr=1.0, weight_decay=10.0).step()
    assert ps[0].data == 1e308
    # A frozen parameter is not updated, so its gradient cannot overflow anything.
    nn.freeze([ps[1]])
    ps[0].data, ps[0].grad, ps[1].grad = 1.0, 0.5, 1e308
    opt.step()
    assert [p.data for p in ps] == [1.0 - 10.0 * 0.5, 2.0]
    nn.unfreeze([ps[1]])


# --- momentum, Adam, AdamW -------------------------------------------------------------


def test_momentum_accumulates_a_velocity_by_hand():
    p = Value(0.0)
    opt = nn.SGD([p], lr=0.1, momentum=0.9)
    seen = []
    for _ in range(3):
        p.grad = 1.0
        opt.step()
        seen.append(p.data)
    # velocities 1, 0.9·1 + 1 = 1.9, 0.9·1.9 + 1 = 2.71
    assert seen == pytest.approx([-0.1, -0.1 - 0.19, -0.1 - 0.19 - 0.271], rel=1e-15)
    assert opt.state[p] == pytest.approx((2.71,), rel=1e-15)
    assert "momentum=0.9" in repr(opt)


def test_adam_first_steps_by_hand():
    # After one step m̂ = g and v̂ = g², so every parameter moves by lr·g/(|g| + eps):
    # about lr against the sign of its gradient, however large or small the gradient.
    ps = params(1.0, 1.0, 1.0)
    opt = nn.Adam(ps, lr=0.1)
    for p, g in zip(ps, [0.5, -1e-4, 300.0], strict=True):
        p.grad = g
    opt.step()
    assert [p.data for p in ps] == [
        1.0 - 0.1 * 0.5 / (0.5 + 1e-8),
        1.0 + 0.1 * 1e-4 / (1e-4 + 1e-8),
        1.0 - 0.1 * 300.0 / (300.0 + 1e-8),
    ]
    # The same gradient again: m̂ and v̂ are still g and g² (the bias correction at work).
    ps[0].grad = 0.5
    opt.step()
    assert ps[0].data == pytest.approx(1.0 - 2 * 0.1 * 0.5 / (0.5 + 1e-8), rel=1e-14)
    assert opt.state[ps[0]][2] == 2


def test_adamw_decays_the_weights_apart_from_the_gradient():
    p, q = Value(2.0), Value(2.0)
    opt = nn.AdamW([p], lr=0.1, weight_decay=0.5)
    p.grad = 0.0
    opt.step()
    assert p.data == 2.0 * (1.0 - 0.1 * 0.5)  # no gradient: only the decay moves it
    # Adam's weight_decay is an L2 term inside the gradient: Adam then moves it by about lr.
    adam = nn.Adam([q], lr=0.1, weight_decay=0.5)
    q.grad = 0.0
    adam.step()
    assert q.data == pytest.approx(2.0 - 0.1, rel=1e-8)
    assert repr(opt) == "AdamW(1 parameters, lr=0.1, weight_decay=0.5)"
    assert repr(nn.AdamW([p])) == "AdamW(1 parameters, lr=0.001)"
    assert repr(nn.Adam([p])) == "Adam(1 parameters, lr=0.001)"


def _torch_style_adam(data, grads, lr, betas, eps, wd, decoupled):
    """PyTorch's Adam/AdamW loop as its source writes it (step size and denominator
    bias-corrected separately), written apart from nn.optim to check it."""
    m = v = 0.0
    for step, g in enumerate(grads, 1):
        if decoupled:
            data *= 1 - lr * wd
        elif wd:
            g += wd * data
        m = m * betas[0] + g * (1 - betas[0])
        v = v * betas[1] + g * g * (1 - betas[1])
        step_size = lr / (1 - betas[0] ** step)
        denom = math.sqrt(v) / math.sqrt(1 - betas[1] ** step) + eps
        data -= step_size * m / denom
    return data


grad_lists = st.lists(st.floats(-100, 100), min_size=1, max_size=6)


@settings(max_examples=200, deadline=None)
@given(
    data=st.floats(-10, 10),
    grads=grad_lists,
    lr=st.floats(1e-4, 1.0),
    b1=st.floats(0.0, 0.99),
    b2=st.floats(0.0, 0.9999),
    wd=st.floats(0.0, 0.5),
    decoupled=st.booleans(),
)
def test_adam_and_adamw_match_the_reference_formula(data, grads, lr, b1, b2, wd, decoupled):
    p = Value(data)
    kind = nn.AdamW if decoupled else nn.Adam
    opt = kind([p], lr=lr, betas=(b1, b2), weight_decay=wd)
    for g in grads:
        p.grad = g
        opt.step()
    expected = _torch_style_adam(data, grads, lr, (b1, b2), 1e-8, wd, decoupled)
    assert p.data == pytest.approx(expected, rel=1e-9, abs=1e-9)


@settings(max_examples=200, deadline=None)
@given(data=st.floats(-10, 10), grads=grad_lists, mu=st.floats(0.0, 0.99), wd=st.floats(0, 0.5))
def test_momentum_matches_the_reference_formula(data, grads, mu, wd):
    p = Value(data)
    opt = nn.SGD([p], lr=0.01, momentum=mu, weight_decay=wd)
    expected, buf = data, None
    for g in grads:
        p.grad = g
        opt.step()
        d = g + wd * expected
        buf = d if buf is None else mu * buf + d  # torch.optim.SGD, dampening 0
        expected -= 0.01 * buf
    assert p.data == pytest.approx(expected, rel=1e-12, abs=1e-12)


def test_momentum_zero_is_plain_sgd_bit_for_bit():
    a, b = params(1.0, -2.0), params(1.0, -2.0)
    plain, heavy = nn.SGD(a, lr=0.3), nn.SGD(b, lr=0.3, momentum=0.0)
    for g in (0.5, -1.5, 2.0):
        for p in a + b:
            p.grad = g
        plain.step()
        heavy.step()
    assert [p.data for p in a] == [p.data for p in b]


def test_a_failing_adam_step_changes_no_parameter_and_no_state():
    ps = [Value(1.0, "a"), Value(1e308, "b")]
    opt = nn.AdamW(ps, lr=0.1)
    ps[0].grad, ps[1].grad = 1.0, 1.0
    opt.step()
    state = dict(opt.state)
    before = [p.data for p in ps]
    opt.lr = -1e10  # a huge step the other way overflows b
    with pytest.raises(ValueError, match=r"^AdamW\.step: this update would make b inf"):
        opt.step()
    assert [p.data for p in ps] == before
    assert opt.state == state and opt.steps == 1


@pytest.mark.parametrize(
    "build, error, message",
    [
        (lambda: nn.SGD(params(1.0), momentum=1.0), ValueError, "SGD: momentum must be < 1"),
        (lambda: nn.SGD(params(1.0), momentum=-0.1), ValueError, "momentum must be >= 0"),
        (lambda: nn.Adam(params(1.0), betas=0.9), TypeError, "Adam: betas must be a pair"),
        (lambda: nn.Adam(params(1.0), betas=(0.9, 1.0)), ValueError, r"betas\[1\] must be < 1"),
        (lambda: nn.AdamW(params(1.0), eps=0), ValueError, "AdamW: eps must be > 0"),
        (lambda: nn.AdamW([], lr=0.1), ValueError, "AdamW: got no parameters"),
    ],
)
def test_new_optimizer_errors(build, error, message):
    with pytest.raises(error, match=message):
        build()


def test_fit_trains_with_adam_eager_and_compiled_alike():
    X, y = nn.datasets.xor(signed=True)
    histories = []
    for c in (False, True):
        model = nn.MLP(2, [4, 1], seed=3)
        h = nn.fit(
            model,
            X,
            y,
            loss="hinge",
            epochs=30,
            optimizer=nn.Adam(model, lr=0.05),
            progress=False,
            compile=c,
        )
        histories.append((h.loss, [p.data for p in model.parameters()]))
    assert histories[0] == histories[1]
    assert histories[0][0][-1] < histories[0][0][0] / 2
