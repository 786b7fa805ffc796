"""engine.show.own_expression: a typed expression and values become the stepper's page."""

import math

import pytest

from engine.show.own_expression import build, inputs, page


def test_the_typed_neuron_computes_what_python_does():
    out = build("(x1*w1 + x2*w2 + b).tanh()", "x1=2, w1=-3, x2=0, w2=1, b=6.8813735870195432")
    assert math.isclose(out.data, math.tanh(2 * -3 + 0 * 1 + 6.8813735870195432), rel_tol=1e-15)
    assert out.label == "out"


def test_inputs_are_labelled_values():
    found = inputs(" x = 2 , w=-3.5,")
    assert {name: (v.data, v.label) for name, v in found.items()} == {
        "x": (2.0, "x"),
        "w": (-3.5, "w"),
    }


def test_the_pages_are_the_stepper_and_the_exercise():
    steps = page("x*x + x", "x=3")
    assert "out = x*x + x" in steps and steps.count("<svg") >= 3  # one picture per step
    exercise = page("x*x + x", "x=3", practice=True)
    assert "out = x*x + x" in exercise and "Check" in exercise


@pytest.mark.parametrize(
    "expression, values, message",
    [
        ("y * 2", "x=1", r"expression: y has no value; add it to the values \(the inputs are x\)"),
        ("x *", "x=1", r"expression: not valid Python"),
        ("x", "x=a", r"values: x = 'a' is not a number"),
        ("x", "x 1", r"values: write each input as name=number, got 'x 1'"),
        ("2 + 3", "x=1", r"expression: use at least one input"),
        ("x", " ", r"values: give each input a number"),
    ],
)
def test_mistakes_are_named(expression, values, message):
    with pytest.raises(ValueError, match=message):
        build(expression, values)
