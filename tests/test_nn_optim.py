"""SGD and learning-rate schedules."""

import struct

import pytest

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
