"""The micrograd-demo benchmark helpers: both engines run the same step on the same data."""

import pytest

from demos.bench import demo_step


@pytest.mark.parametrize("ours", ["gradstep_step", "gradstep_micrograd_code"])
def test_gradstep_and_micrograd_steps_compute_the_same_losses(ours):
    pytest.importorskip("micrograd")
    mine = getattr(demo_step, ours)(seed=1)
    theirs = demo_step.micrograd_step(seed=1)
    # Same data, same initial weights (both draw uniform(-1, 1) from a seed-1 stream in
    # the same order), same loss and update: the losses agree up to summation order.
    # gradstep_micrograd_code runs micrograd's own code (builtin sum) on gradstep.
    for _ in range(2):
        assert mine() == pytest.approx(theirs(), rel=1e-9)


def test_median_seconds_times_each_call():
    calls = []
    assert demo_step.median_seconds(lambda: calls.append(1), repeats=3, warmup=2) >= 0.0
    assert len(calls) == 5


def test_gradstep_step_lowers_the_loss():
    step = demo_step.gradstep_step(seed=2)
    losses = [step() for _ in range(5)]
    assert losses[-1] < losses[0]


def test_an_engine_is_timed_alone_in_a_fresh_process():
    assert demo_step.alone_seconds("gradstep_step()", repeats=1) > 0.0


def test_main_prints_a_table(capsys, monkeypatch):
    calls = []

    def alone(step: str, repeats: int) -> float:
        calls.append(step)
        return {"micrograd_step()": 1.0}.get(step, 0.05)

    monkeypatch.setattr(demo_step, "alone_seconds", alone)
    demo_step.main(["--repeats", "2", "--rounds", "3"])
    out = capsys.readouterr().out
    assert "gradstep nn.train_step" in out and "micrograd's code" in out and "ms/step" in out
    if "micrograd 0.1.0" in out:  # the engines take turns, one process each per round
        assert calls == list(demo_step.ENGINES.values()) * 3
        assert "20.0x" in out  # 1 s against 0.05 s
    else:
        assert calls == ["gradstep_step()", "gradstep_micrograd_code()"] * 3
