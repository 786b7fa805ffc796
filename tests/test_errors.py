"""Every error names the op, the operands (with labels) and what to do."""

import math
import tempfile
from pathlib import Path

import pytest

import engine
import nn
from engine import Value


@pytest.mark.parametrize(
    "bad, words",
    [
        ("3", ["str", "float('3')"]),
        (None, ["NoneType", "int or a float"]),
        (1 + 2j, ["complex", "real numbers"]),
        (Value(2.0), ["Value", "Value(v.data)"]),
        (True, ["bool", "1.0 or 0.0"]),
        ([1.0], ["list"]),
    ],
)
def test_value_rejects_non_numbers(bad, words):
    with pytest.raises(TypeError) as info:
        Value(bad)
    for word in words:
        assert word in str(info.value)


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_value_rejects_nan_and_inf(bad):
    with pytest.raises(ValueError, match="finite"):
        Value(bad)


def test_label_must_be_a_string():
    with pytest.raises(TypeError, match="label"):
        Value(1.0, label=3)


@pytest.mark.parametrize(
    "make, error, words",
    [
        (lambda: Value(-2.0, "x").log(), ValueError, ["log", "-2.0", "'x'", "> 0"]),
        (lambda: Value(0.0, "x").log(), ValueError, ["log", "'x'"]),
        (
            lambda: Value(-8.0, "b") ** (1 / 3),
            ValueError,
            ["power ** 0.333333", "-8.0", "'b'", "integer exponent"],
        ),
        (
            lambda: Value(0.0, "z") ** -1,
            ValueError,
            ["power ** -1", "0.0", "'z'", "negative power"],
        ),
        (lambda: Value(0.0, "z") ** 0.5, ValueError, ["power ** 0.5", "infinite derivative"]),
        (lambda: Value(1.0, "n") / Value(0.0, "d"), ZeroDivisionError, ["div", "'n'", "'d'"]),
        (lambda: 1 / Value(0.0, "d"), ZeroDivisionError, ["div", "'d'"]),
        (lambda: Value(-2.0, "b") ** Value(2.0, "e"), ValueError, ["pow", "'b'", "x ** 3"]),
        (lambda: Value(800.0, "t").exp(), OverflowError, ["exp", "800.0", "'t'", "709"]),
        (lambda: Value(1e308, "m") * 10, OverflowError, ["mul", "'m'", "overflows"]),
        (lambda: Value(1e308) + 1e308, OverflowError, ["add", "overflows"]),
    ],
)
def test_domain_and_overflow_errors(make, error, words):
    with pytest.raises(error) as info:
        make()
    for word in words:
        assert word in str(info.value)


def test_no_complex_number_from_a_negative_base():
    assert (Value(-2.0) ** 3).data == -8.0
    assert isinstance((Value(-2.0) ** -2).data, float)


@pytest.mark.parametrize("x", [1e308, -1e308, 710.0, -710.0, 1e-300, 0.0])
def test_sigmoid_and_tanh_stay_finite_and_exact(x):
    s, t = Value(x).sigmoid(), Value(x).tanh()
    assert 0.0 <= s.data <= 1.0 and -1.0 <= t.data <= 1.0
    assert s.data == pytest.approx(1 / (1 + math.exp(-x)) if abs(x) < 700 else float(x > 0))
    assert t.data == math.tanh(x)
    s.backward()
    t.backward()


def test_data_set_by_hand_to_nan_is_caught_by_the_next_op():
    x = Value(1.0, "x")
    x.data = math.nan
    with pytest.raises(ValueError, match="not finite"):
        x * 2


def test_backward_reports_an_overflowing_gradient():
    x = Value(1e-300, "tiny")
    y = x**-1  # 1e300, finite; its derivative -1e600 is not
    with pytest.raises(OverflowError, match="backward"):
        y.backward()


def test_unsupported_operand_type_names_the_op():
    with pytest.raises(TypeError, match="mul.*str"):
        Value(1.0) * "2"
    with pytest.raises(TypeError, match="add.*NoneType"):
        None + Value(1.0)


def test_huge_int_operand():
    with pytest.raises(ValueError, match="too large"):
        Value(1.0) * 10**400


# --- the catalogue: one line per bad input, the error type and what its message says ------


def _x() -> Value:
    return Value(2.0, "x")


def _nan() -> Value:
    v = Value(2.0, "x")
    v.data = math.nan  # set by hand, as the docs warn against
    return v


def _reused_training_plot() -> None:
    pytest.importorskip("matplotlib")
    X, y = nn.datasets.xor()
    with tempfile.TemporaryDirectory() as folder:  # the animation goes nowhere that stays
        plot = nn.TrainingPlot(Path(folder) / "run.gif", every=1)
        for _ in range(2):
            nn.fit(nn.MLP(2, [2, 1], seed=0), X, y, loss="bce_with_logits", epochs=1, plot=plot)


class _MicroValue:
    """micrograd's Value as far as gradstep sees it: data and grad on an object of its own."""

    def __init__(self, data: float) -> None:
        self.data, self.grad = data, 0


def _backward_with_a_none_grad() -> None:
    x = _x()
    y = x * 2
    x.grad = None  # PyTorch's way of clearing a grad
    y.backward()


CATALOGUE = [
    (
        "power overflow",
        lambda: Value(1e200) ** 2,
        OverflowError,
        r"power \*\* 2 of a = 1e\+200: the result overflows",
    ),
    ("nan into relu", lambda: _nan().relu(), ValueError, "not finite"),
    ("nan ** 0", lambda: _nan() ** 0, ValueError, "not finite"),
    ("bind twice", lambda: engine.OPS["powc"].bind(2).bind(3), TypeError, "bound already"),
    ("bind a str", lambda: engine.OPS["powc"].bind("3"), TypeError, "powc.bind: got a str"),
    (
        "param named g",
        lambda: engine.define_op("s", "g * a", ["g"], param="g"),
        ValueError,
        "cannot be called 'g'",
    ),
    (
        "flat forms",
        lambda: engine.define_op("f", "a", ["1.0"], forms=["1"]),
        ValueError,
        "one list of forms per operand",
    ),
    ("root at zero", lambda: Value(0.0) ** 0.5, ValueError, "infinite derivative"),
    ("zero to a negative power", lambda: Value(0.0) ** -1, ValueError, "negative power"),
    ("Value exponent, base <= 0", lambda: Value(-1.0) ** _x(), ValueError, "positive base"),
    ("exponent a str", lambda: _x() ** "2", TypeError, r"pow: got a str"),
    ("exponent a bool", lambda: _x() ** True, TypeError, "bool"),
    ("log of zero", lambda: Value(0.0, "z").log(), ValueError, r"log of a = 0.0 \(label 'z'\)"),
    ("divide by zero", lambda: _x() / 0, ZeroDivisionError, "div of a = 2.0"),
    ("float()", lambda: float(_x()), TypeError, r"v\.exp\(\).*v\.data"),
    ("math.exp()", lambda: math.exp(_x()), TypeError, r"gradient would be lost"),
    ("round()", lambda: round(_x()), TypeError, r"round\(v\)"),
    ("int()", lambda: int(_x()), TypeError, r"int\(v\)"),
    ("truth value", lambda: bool(_x()), TypeError, r"v\.data > 0"),
    ("backward of a number", lambda: engine.backward(3.0), TypeError, "backward: expected a Value"),
    ("seed NaN", lambda: _x().backward(grad=math.nan), ValueError, r"backward\(grad=...\)"),
    ("sum of a str", lambda: engine.sum([_x(), "a"]), TypeError, "sum: got a str"),
    ("zero_grad of numbers", lambda: engine.zero_grad([1.0]), TypeError, "zero_grad"),
    ("apply: unbound family", lambda: engine.apply(engine.OPS["powc"], _x()), TypeError, "bind"),
    ("apply: operands", lambda: engine.apply(engine.OPS["mul"], _x()), TypeError, "2 operand"),
    ("bind without parameter", lambda: engine.OPS["tanh"].bind(2), TypeError, "no number"),
    (
        "gradcheck f(a, b)",
        lambda: engine.gradcheck(lambda a, b: a, [1.0, 2.0]),
        TypeError,
        "one argument",
    ),
    ("gradcheck no inputs", lambda: engine.gradcheck(lambda v: v[0], []), ValueError, "empty"),
    (
        "gradcheck non-Value",
        lambda: engine.gradcheck(lambda v: 1.0, [1.0]),
        TypeError,
        "must return a Value",
    ),
    ("scope name", lambda: engine.scope(""), TypeError, "non-empty str"),
    ("mark role", lambda: engine.mark(_x(), ""), TypeError, "non-empty str"),
    ("steps of a number", lambda: engine.backprop_steps(2.0), TypeError, "expected a Value"),
    ("table of a number", lambda: engine.backprop_table(2.0), TypeError, "expected a Value"),
    ("practice of a number", lambda: engine.practice(2.0), TypeError, "practice: expected a Value"),
    (
        "practice rel_tol",
        lambda: engine.practice(_x() * 2, rel_tol=0),
        ValueError,
        "between 0 and 1",
    ),
    (
        "practice: unknown name",
        lambda: engine.practice(_x() * 2).check({"q": 1.0}),
        KeyError,
        "no node named 'q'",
    ),
    (
        "practice: answer a str",
        lambda: engine.practice(_x() * 2).check({"x": "1"}),
        TypeError,
        "Practice.check: the answer for 'x'",
    ),
    (
        "page not .html",
        lambda: engine.export_backprop_html(_x() * 2, "page.txt"),
        ValueError,
        r"\.html",
    ),
    ("define_op name", lambda: engine.define_op("a b", "a", ["1.0"]), ValueError, "identifier"),
    (
        "define_op unknown name",
        lambda: engine.define_op("f", "a * q", ["q"]),
        ValueError,
        "unknown name",
    ),
    # nn: classes, images and convolutions
    (
        "cross_entropy target out of range",
        lambda: nn.cross_entropy([1.0, 2.0, 3.0], 3),
        ValueError,
        r"cross_entropy: target 3 is out of range; classes are 0 to 2, one per logit \(3 logits\)",
    ),
    (
        "cross_entropy target not an index",
        lambda: nn.cross_entropy([1.0, 2.0], 0.5),
        TypeError,
        r"cross_entropy: the target must be a class index",
    ),
    (
        "cross_entropy logits of the wrong length",
        lambda: nn.cross_entropy([[1.0, 2.0, 3.0], [1.0, 2.0]], [0, 1]),
        ValueError,
        r"cross_entropy: example 1: got 2 logits, but example 0 has 3",
    ),
    (
        "cross_entropy one logit",
        lambda: nn.cross_entropy([1.0], 0),
        ValueError,
        r"cross_entropy: got 1 logit; .* at least 2 .*bce_with_logits",
    ),
    (
        "softmax of nothing",
        lambda: nn.softmax([]),
        ValueError,
        r"softmax: got no scores",
    ),
    (
        "Conv2d image with the wrong channels",
        lambda: nn.Conv2d(1, 2, 3, seed=0)([[[0.0] * 8] * 8] * 3),
        ValueError,
        r"Conv2d: the image has 3 channels \(shape 3×8×8\), but in_channels=1",
    ),
    (
        "Conv2d flat row for an image",
        lambda: nn.Conv2d(1, 2, 3, seed=0)([0.0] * 64),
        ValueError,
        r"Conv2d: got a flat row of 64 numbers, expected an image: channels × rows × columns"
        r".*nn.Unflatten",
    ),
    (
        "Conv2d ragged rows",
        lambda: nn.Conv2d(1, 2, 1, seed=0)([[[0.0, 1.0], [2.0]]]),
        ValueError,
        r"Conv2d: channel 0 needs rows of equal, non-zero length, got row lengths \[1, 2\]",
    ),
    (
        "Conv2d kernel larger than the padded input",
        lambda: nn.Conv2d(1, 1, 5, padding=1, seed=0)([[[0.0] * 2] * 2]),
        ValueError,
        r"Conv2d: the 5×5 kernel is larger than the padded input 4×4 \(image 2×2, padding=1\)",
    ),
    (
        "MaxPool2d window larger than the input",
        lambda: nn.MaxPool2d(3)([[[0.0] * 2] * 2]),
        ValueError,
        r"MaxPool2d: the 3×3 window is larger than the input 2×2 \(shape 1×2×2\)",
    ),
    (
        "Unflatten a row of the wrong length",
        lambda: nn.Unflatten((1, 8, 8))([0.0] * 63),
        ValueError,
        r"Unflatten to 1×8×8: expected 64 pixels, got 63",
    ),
    (
        "fit: images of the wrong size for a conv net",
        lambda: nn.fit(
            nn.Sequential(nn.Unflatten((1, 8, 8)), nn.Flatten()), [[0.0] * 16], [0], epochs=1
        ),
        ValueError,
        r"fit: X row 0: expected 64 inputs, got 16",
    ),
    ("compile a number", lambda: engine.compile(2.0), TypeError, "root Value .* or a function"),
    (
        "compile fn, inputs not a list",
        lambda: engine.compile(lambda x: x, 1.0),
        TypeError,
        r"example_inputs must be a list of numbers",
    ),
    (
        "compile fn, wrong count",
        lambda: engine.compile(lambda x, y: x * y, [1.0]),
        ValueError,
        r"example_inputs has 1 numbers, expected 2 \(x, y\)",
    ),
    (
        "compile fn, no Value",
        lambda: engine.compile(lambda x: 1.0, [1.0]),
        TypeError,
        r"fn must return a Value .*got float",
    ),
    (
        "compiled fn, row length",
        lambda: engine.compile(lambda x: x * _x(), [1.0]).run(1.0, 2.0),
        ValueError,
        r"row 0 has 2 numbers, expected 1 \(x\)",
    ),
    # held-out splits and the training picture
    ("split one example", lambda: nn.datasets.split([[0.0]], [1]), ValueError,
     r"split: needs at least 2 examples to hold some out, got 1"),
    ("split test not a number", lambda: nn.datasets.split([[0.0], [1.0]], [0, 1], test="20%"),
     TypeError, r"split: test must be a fraction like 0.2 or a count, got '20%'"),
    ("split test 1.5", lambda: nn.datasets.split([[0.0], [1.0]], [0, 1], test=1.5), ValueError,
     r"split: test must be a fraction between 0 and 1, got 1.5"),
    ("TrainingPlot every", lambda: nn.TrainingPlot(every=0), ValueError,
     r"TrainingPlot: every must be a positive int or None, got 0"),
    ("TrainingPlot resolution", lambda: nn.TrainingPlot(resolution=1), ValueError,
     r"TrainingPlot: resolution must be an int >= 2, got 1"),
    ("TrainingPlot fps", lambda: nn.TrainingPlot(fps=0), ValueError,
     r"TrainingPlot: fps must be a positive number, got 0"),
    ("TrainingPlot suffix", lambda: nn.TrainingPlot("run.png"), ValueError,
     r"TrainingPlot: write the animation to a .gif \(or .mp4\) file, got "
     r"'run.png'; plot=True draws in the notebook instead"),
    ("TrainingPlot reused", _reused_training_plot, ValueError,
     r"this TrainingPlot has been used for a fit already; make a new one"),
    # micrograd habits: each names the gradstep way
    ("micrograd op, no _backward", lambda: (Value(1.0, (_x(),), "sin") * 2).backward(),
     TypeError, r"op 'sin', 1 operand\(s\)\) but has no _backward: assign one .*define_op"),
    ("_backward on an op's node", lambda: setattr(_x() * 2, "_backward", print),
     AttributeError, r"computed by gradstep's mul op.*Value\(data, \(self,\), 'name'\).*define_op"),
    ("_backward on a leaf", lambda: setattr(_x(), "_backward", print), AttributeError,
     r"this Value is a leaf .*out = Value\(data, \(self,\), 'name'\)"),
    ("_backward not a function", lambda: setattr(Value(1.0, (_x(),), "f"), "_backward", 3),
     TypeError, r"_backward must be a function of no arguments, got 3"),
    ("_children a number", lambda: Value(1.0, 2.0, "f"), TypeError,
     r"_children must be a tuple of the Values .*Value\(math.sin\(x.data\), \(x,\), 'sin'\)"),
    ("_children holds a number", lambda: Value(1.0, (_x(), 2.0), "*"), TypeError,
     r"every one of _children must be a Value, got 2.0; wrap a number first"),
    ("_op not a str", lambda: Value(1.0, (_x(),), 3), TypeError, r"_op must be a str"),
    ("_children and _prev", lambda: Value(1.0, (_x(),), "f", _prev=(_x(),)), TypeError,
     r"give the operands once, as _children or as _prev"),
    ("_op set by hand", lambda: setattr(_x() * 2, "_op", "sin"), AttributeError,
     r"_op is read-only.*Value\(data, \(a, b\), 'name'\).*define_op"),
    ("_prev set by hand", lambda: setattr(_x() * 2, "_prev", {_x()}), AttributeError,
     r"_prev is read-only.*define_op"),
    ("math.sin of a Value", lambda: math.sin(_x()), TypeError,
     r"for an op gradstep lacks \(math.sin\), engine.define_op or micrograd's way"),
    ("practice, hand-written op", lambda: engine.practice(Value(1.0, (_x(),), "sin")),
     TypeError, r"practice: the graph has sin \(an op written the micrograd way\).*define_op"),
    ("compile, hand-written op", lambda: engine.compile(Value(1.0, (_x(),), "sin")), TypeError,
     r"engine.compile: the graph has sin .*Use backward\(\) for this graph, or engine.define_op"),
    ("grad as graph, hand-written op",
     lambda: engine.grad(Value(1.0, (_x(),), "sin"), [_x()], create_graph=True), TypeError,
     r"cannot know a gradient as a graph.*define_op"),
    ("a grad set to None", _backward_with_a_none_grad, TypeError,
     r"an operand's grad is None .*p.grad = 0 or zero_grad\(\)"),
    ("micrograd's Value in a gradstep op", lambda: _x() * _MicroValue(2.0), TypeError,
     r"a Value of another engine \(micrograd's\?\).*from engine import Value"),
    ("unknown init", lambda: nn.MLP(2, [2, 1], init="normal"), ValueError,
     r"MLP: unknown init 'normal'; choose one of 'uniform', 'nin\*\*-0.5'"),
    ("seed neither int nor source", lambda: nn.Neuron(2, seed="42"), TypeError,
     r"Neuron: seed must be an int, None .* with uniform\(a, b\) or random\(\)"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [case[1:] for case in CATALOGUE],
    ids=[case[0] for case in CATALOGUE],
)
def test_bad_input_catalogue(call, error, message):
    with pytest.raises(error, match=message):
        call()
