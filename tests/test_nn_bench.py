"""The micrograd-demo benchmark helpers: both engines run the same step on the same data."""

import pytest

from demos.bench import demo_step


def test_gradstep_and_micrograd_steps_compute_the_same_losses():
    pytest.importorskip("micrograd")
    ours = demo_step.gradstep_step(seed=1)
    theirs = demo_step.micrograd_step(seed=1)
    # Same data, same initial weights (both draw uniform(-1, 1) from a seed-1 stream in
    # the same order), same loss and update: the losses agree up to summation order.
    for _ in range(2):
        assert ours() == pytest.approx(theirs(), rel=1e-9)


def test_median_seconds_times_each_call():
    calls = []
    assert demo_step.median_seconds(lambda: calls.append(1), repeats=3, warmup=2) >= 0.0
    assert len(calls) == 5


def test_gradstep_step_lowers_the_loss():
    step = demo_step.gradstep_step(seed=2)
    losses = [step() for _ in range(5)]
    assert losses[-1] < losses[0]


def test_main_prints_a_table(capsys, monkeypatch):
    calls = []
    monkeypatch.setattr(demo_step, "gradstep_step", lambda: lambda: calls.append("g"))
    monkeypatch.setattr(
        demo_step, "micrograd_step", lambda pause_gc=False: lambda: calls.append("m")
    )
    demo_step.main(["--repeats", "2"])
    out = capsys.readouterr().out
    assert "gradstep nn.train_step" in out and "ms/step" in out
    if "micrograd 0.1.0" in out:  # the engines take turns, one step each per round
        assert calls == ["g", "m", "m"] * 3
