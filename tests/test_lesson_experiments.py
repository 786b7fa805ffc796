"""Lessons survive experiments: change a lesson's main parameter and it either still
runs or stops at a check that explains itself (nn.lesson.expect), never a bare crash."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from nn.lesson import LessonCheck, expect

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"

# (lesson, the line that sets its main parameters, the line a learner might write instead)
EXPERIMENTS = [
    ("01_gradient_descent_by_hand", "lr = 1e-4", "lr = 5e-5"),
    ("02_one_neuron_decides", "threshold = 6", "threshold = 5"),
    ("03_logistic_regression", "lr, epochs = 0.5, 3000", "lr, epochs = 0.05, 3000"),
    ("04_backprop_by_hand", 'bias = Value(6.8813735870195432, "b")', 'bias = Value(6.0, "b")'),
    (
        "05_guest_list_network",
        "seed, lr, epochs = 2, 0.05, 1000",
        "seed, lr, epochs = 1, 0.05, 1000",
    ),
    (
        "06_forward_propagation_as_matrices",
        "x = [0.5, -1.2, 3.0, 0.8, -0.4]",
        "x = [1.0, 2.0, -1.0, 0.0, 0.5]",
    ),
    ("07_moons_classifier", "lr, epochs = 1.0, 100", "lr, epochs = 1.0, 30"),
    ("08_trust_your_gradients", "at = 0.7", "at = 2.0"),
    ("10_digits_and_softmax", "i = 3", "i = 5"),
    ("11_activations", "dead_bias = -5.0", "dead_bias = -0.5"),
    ("11_activations", "big_lr = 3.0", "big_lr = 0.1"),
    ("12_deep_nets", "width, depth = 16, 10", "width, depth = 16, 3"),
    ("13_optimisers", "steps = 100", "steps = 300"),
    ("14_overfitting", "noise, n_train = 0.25, 12", "noise, n_train = 0.05, 12"),
    ("15_forward_mode", "n_inputs = 4", "n_inputs = 6"),
    ("16_the_gradient_is_a_graph_too", "h = 1e-6", "h = 1e-3"),
]


def run_changed(lesson: str, line: str, changed: str, where: Path) -> subprocess.CompletedProcess:
    source = (NOTEBOOKS / f"{lesson}.py").read_text(encoding="utf-8")
    starts = [s for s in source.splitlines() if s.split("#")[0].strip() == line]
    assert len(starts) == 1, f"{lesson}: expected one line `{line}`, found {len(starts)}"
    (where / "data").symlink_to(NOTEBOOKS / "data")  # as next to the lesson
    script = where / f"{lesson}_experiment.py"
    script.write_text(source.replace(starts[0], changed, 1), encoding="utf-8")
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, str(script)], cwd=where, env=env, capture_output=True, text=True,
        timeout=300,
    )  # fmt: skip


@pytest.mark.parametrize(("lesson", "line", "changed"), EXPERIMENTS, ids=lambda v: str(v)[:40])
def test_a_changed_parameter_gives_a_run_or_an_explained_check(lesson, line, changed, tmp_path):
    done = run_changed(lesson, line, changed, tmp_path)
    if done.returncode == 0:
        return
    last = done.stderr.strip().splitlines()
    tail = "\n".join(last[-8:])
    assert any(s.startswith("nn.lesson.LessonCheck: ") for s in last), (
        f"{lesson} with `{changed}` crashed without an explanation:\n{tail}"
    )
    assert "expected:" in tail and "got:" in tail and "To get back" in tail, tail


def test_the_issues_experiment_on_lesson_1_is_explained(tmp_path):
    # lr = 5e-5 used to stop with a bare `AssertionError: 0.6673...`
    done = run_changed("01_gradient_descent_by_hand", "lr = 1e-4", "lr = 5e-5", tmp_path)
    assert done.returncode != 0
    message = done.stderr[done.stderr.index("nn.lesson.LessonCheck: ") :]
    assert message.startswith("nn.lesson.LessonCheck: gradient descent found the best A")
    assert "the lesson uses lr = 0.0001" in message and "To get back" in message


def test_expect_says_what_why_and_how_to_get_back():
    expect("holds", True, got=1, expected=1)  # nothing happens
    with pytest.raises(LessonCheck) as caught:
        expect("the loss falls below 0.05", False, got=0.6673123, expected="< 0.05",
               settings={"lr": 5e-5, "epochs": 40})  # fmt: skip
    assert isinstance(caught.value, AssertionError)  # so a test run still fails
    assert str(caught.value) == (
        "the loss falls below 0.05\n"
        "  expected: < 0.05   got: 0.667312\n"
        "  This number follows from lr and epochs; the lesson uses lr = 5e-05, epochs = 40.\n"
        "  If you changed them, a different number is the experiment's result, not a bug.\n"
        "  To get back: set them as above and run all cells again."
    )
    with pytest.raises(LessonCheck, match="run all cells again from the top"):
        expect("no settings", False, got=[1.0, 2.0], expected=[1.0, 3.0])
