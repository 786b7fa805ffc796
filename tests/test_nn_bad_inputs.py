"""Bad inputs to nn: every one raises a clear error and changes nothing.

The catalogue is one parametrized test: a new case is one line, (call, error type,
message regex). Each call gets a fresh ``MLP(2, [3, 1])`` and a folder holding a saved
model, a sub-folder and a stray ``keep.json.tmp``; after the error the model's
parameters must be bit-identical and the folder exactly as it was.
"""

import math
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nn

X = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
Y = [-1.0, 1.0, 1.0, -1.0]
Y01 = [0.0, 1.0, 1.0, 0.0]
Y2 = [[1.0, 0.0]] * 4  # for a model with two outputs
MINI = {"epochs": 2, "batch_size": 1, "shuffle": False}  # the bad example comes last


def bits(model: nn.Module) -> dict[str, str]:
    """The parameters to the last bit (float.hex tells -0.0 from 0.0 and shows every bit)."""
    return {name: float.hex(v) for name, v in model.state_dict().items()}


def files(folder) -> dict[str, bytes | None]:
    """Every path under ``folder`` with its bytes (None for a folder)."""
    out = {}
    for root, dirs, names in os.walk(folder):
        for d in dirs:
            out[os.path.relpath(os.path.join(root, d), folder)] = None
        for name in names:
            path = os.path.join(root, name)
            with open(path, "rb") as f:
                out[os.path.relpath(path, folder)] = f.read()
    return out


def row3(model, row, **kwargs):
    """fit with the last row of X replaced: the bad example is in the last mini-batch."""
    return nn.fit(model, [*X[:-1], row], Y, **MINI, **kwargs)


def target3(model, target, loss="mse", labels=Y):
    """fit with the last of ``labels`` replaced by ``target``."""
    return nn.fit(model, X, [*labels[:-1], target], loss=loss, **MINI)


def poisoned(name, value):
    """A fresh model whose parameter ``name`` was set by hand to ``value``."""
    model = nn.MLP(2, [3, 1], seed=0)
    dict(model.named_parameters())[name].data = value
    return model


def array(rows):
    np = pytest.importorskip("numpy")
    return np.array(rows)


def pair3(target):
    """target3 for a model with two outputs, whose targets are pairs."""
    return target3(nn.MLP(2, [3, 2], seed=0), target, labels=Y2)


def sgd_step(model, lr, grad):
    """One SGD step with every gradient set to ``grad``."""
    for p in model.parameters():
        p.grad = grad
    nn.SGD(model, lr=lr).step()


W = "layers.0.neurons.2.w.1"  # the parameter poisoned for the save cases
SAVE = r"^MLP\.save: "
ROW = r"^fit: X row 3: "
TARGET = r"^fit: y target 3: "
LIST = "expected a list of 2 numbers or Values, got "
EXAMPLES = "expected X as a list of examples "
FINITE = " must be a finite number, got "
BIG = [[100.0, 100.0]] * 4  # gradients ~ 30: lr=1e308 overflows in the very first update
HINGE_LABEL = r"^fit: y: hinge: target 3 is 0\.0; labels must be -1 or 1\. For 0/1 labels use"
BCE_LABEL = r"^fit: y: binary_cross_entropy: target 3 is -1\.0; labels must be 0 or 1"
LOGITS_LABEL = r"^fit: y: binary_cross_entropy_with_logits: target 3 is 0\.5"
SGD_OVERFLOW = r"^SGD\.step: this update would make layers\.0\.neurons\.0\.w\.0 -?inf .*no param"
FIT_OVERFLOW = (
    r"^fit: epoch 1, batch 1 of 1: SGD\.step: this update would make layers\.\S+ -?inf "
    r"\(data .*, grad .*, lr 1e\+308\), so no parameter was changed\. Lower the learning rate"
    r".*The model is as it was before this step$"
)

CASES = [
    # Calling a module: an ordered row of numbers, or one number.
    (lambda m, d: m({0: 5.0, 1: 7.0}), TypeError, "^MLP: " + LIST + "dict; iterating a dict gives"),
    (lambda m, d: m({0.5, 0.25}), TypeError, "^MLP: .*got set; a set has no order: pass a list"),
    (lambda m, d: m(frozenset({0.5, 0.25})), TypeError, "got frozenset; a set has no order"),
    (lambda m, d: m("ab"), TypeError, "^MLP: .*got str; text is not numbers: convert it first"),
    (lambda m, d: m(b"\x01\x02"), TypeError, "^MLP: .*got bytes; text is not numbers"),
    (lambda m, d: m(None), TypeError, "^MLP: " + LIST + "NoneType$"),
    (lambda m, d: m(v for v in (0.5, 0.25)), TypeError, r"got generator; pass a list \(list"),
    (lambda m, d: m(iter([0.5, 0.25])), TypeError, "got list_iterator; pass a list"),
    (lambda m, d: m({"a": 0.5, "b": 0.25}.values()), TypeError, "got dict_values; pass a list"),
    (lambda m, d: m([[0.5], [0.25]]), TypeError, "^MLP: input 0: .*nested one level too deep"),
    (lambda m, d: m(array([[0.5, 0.25]])), ValueError, r"^MLP: .*2-D array of shape \(1, 2\)"),
    (lambda m, d: m([True, 1.0]), TypeError, "^MLP: input 0: .*bool"),
    (lambda m, d: m([1.0, 1j]), TypeError, "^MLP: input 1: .*complex"),
    (lambda m, d: m(["1.0", 2.0]), TypeError, "^MLP: input 0: .*str"),
    (lambda m, d: m([1.0, None]), TypeError, "^MLP: input 1: "),
    (lambda m, d: m([1.0, -math.inf]), ValueError, "^MLP: input 1: .*finite"),
    (lambda m, d: m([1.0]), ValueError, "^MLP: expected 2 inputs, got 1$"),
    (lambda m, d: m.layers[0]({0: 1.0, 1: 2.0}), TypeError, "^Layer: .*got dict"),
    (lambda m, d: m.layers[0].neurons[0]({1.0, 2.0}), TypeError, "^Neuron: .*got set"),
    (lambda m, d: m.predict({0: [1.0, 2.0]}), TypeError, "^MLP.predict: " + EXAMPLES + ".*dict"),
    (lambda m, d: m.predict(None), TypeError, "^MLP.predict: .*got NoneType"),
    (lambda m, d: m.predict([[1.0, 2.0], {1.0, 2.0}]), TypeError, "^MLP: .*got set"),
    # fit's data: checked whole before the first update, so nothing moves.
    (lambda m, d: nn.fit(m, None, Y), TypeError, "^fit: " + EXAMPLES + ".*NoneType"),
    (lambda m, d: nn.fit(m, X, None), TypeError, "^fit: expected y as a list .*NoneType"),
    (lambda m, d: nn.fit(m, dict(enumerate(X)), Y), TypeError, "^fit: expected X .*dict; iterat"),
    (lambda m, d: nn.fit(m, X, {-1.0, 1.0}), TypeError, "^fit: expected y .*got set"),
    (lambda m, d: nn.fit(m, "0011", Y), TypeError, "^fit: expected X .*got str"),
    (lambda m, d: row3(m, [1.0, math.nan]), ValueError, ROW + "input 1: "),
    (lambda m, d: row3(m, [math.inf, 1.0]), ValueError, ROW + "input 0: "),
    (lambda m, d: row3(m, [True, 1.0]), TypeError, ROW + "input 0: .*bool"),
    (lambda m, d: row3(m, [1.0, "1"]), TypeError, ROW + "input 1: .*str"),
    (lambda m, d: row3(m, [1.0, 1j]), TypeError, ROW + "input 1: .*complex"),
    (lambda m, d: row3(m, [None, 1.0]), TypeError, ROW + "input 0: "),
    (lambda m, d: row3(m, [1.0]), ValueError, ROW + "expected 2 inputs, got 1$"),
    (lambda m, d: row3(m, [1.0, 1.0, 1.0]), ValueError, ROW + "expected 2 inputs, got 3$"),
    (lambda m, d: row3(m, {0: 1.0, 1: 1.0}), TypeError, ROW + LIST + "dict"),
    (lambda m, d: row3(m, [[1.0], [1.0]]), TypeError, ROW + "input 0: .*nested one level too deep"),
    (lambda m, d: row3(m, "11"), TypeError, ROW + LIST + "str"),
    (lambda m, d: target3(m, math.nan), ValueError, TARGET),
    (lambda m, d: target3(m, True), TypeError, TARGET + ".*bool"),
    (lambda m, d: target3(m, "1"), TypeError, TARGET + ".*str"),
    (lambda m, d: target3(m, [1.0]), TypeError, TARGET + ".*nested one level too deep"),
    (lambda m, d: target3(m, 0.0, loss="hinge"), ValueError, HINGE_LABEL),
    (lambda m, d: target3(m, -1.0, "bce", Y01), ValueError, BCE_LABEL),
    (lambda m, d: target3(m, 0.5, "bce_with_logits", Y01), ValueError, LOGITS_LABEL),
    (lambda m, d: pair3([1.0]), ValueError, TARGET + "expected 2 outputs, got 1$"),
    (lambda m, d: pair3(1.0), ValueError, TARGET + "expected 2 outputs, got 1$"),
    (lambda m, d: pair3([1.0, math.nan]), ValueError, TARGET + "output 1: "),
    (lambda m, d: nn.fit(lambda x: x, X, Y), TypeError, "^fit: model must be an nn module .*"),
    # fit's numbers.
    (lambda m, d: nn.fit(m, X, Y, l2=-1.0), ValueError, r"^fit: l2 must be >= 0, got -1\.0$"),
    (lambda m, d: nn.fit(m, X, Y, l2=math.nan), ValueError, "^fit: l2" + FINITE + "nan$"),
    (lambda m, d: nn.fit(m, X, Y, l2=math.inf), ValueError, "^fit: l2" + FINITE + "inf$"),
    (lambda m, d: nn.fit(m, X, Y, l2="1e-4"), TypeError, "^fit: l2" + FINITE + "'1e-4'$"),
    (lambda m, d: nn.fit(m, X, Y, lr=math.nan), ValueError, "^fit: lr" + FINITE + "nan$"),
    (lambda m, d: nn.fit(m, X, Y, lr=math.inf), ValueError, "^fit: lr" + FINITE + "inf$"),
    (lambda m, d: nn.fit(m, X, Y, lr=-0.1), ValueError, r"^fit: lr must be > 0, got -0\.1$"),
    (lambda m, d: nn.fit(m, X, Y, weight_decay=-1), ValueError, "^fit: weight_decay must be >= 0"),
    (lambda m, d: nn.l2(m, -1.0), ValueError, r"^l2: alpha must be >= 0, got -1\.0$"),
    (lambda m, d: nn.SGD(m, lr=math.nan), ValueError, "^SGD: lr" + FINITE + "nan$"),
    # Updates that would make a parameter infinite: refused, nothing changed.
    (lambda m, d: sgd_step(m, 1e308, 10.0), ValueError, SGD_OVERFLOW),
    (lambda m, d: nn.fit(m, BIG, Y, loss="hinge", lr=1e308), ValueError, FIT_OVERFLOW),
    (lambda m, d: nn.fit(m, BIG, Y, loss="hinge", lr=1e308, compile=1), ValueError, FIT_OVERFLOW),
    # Watching training: refused before the first update; a failed fit writes no animation.
    (lambda m, d: nn.fit(m, X, Y, plot=3), TypeError, "^fit: plot must be True .*, got 3$"),
    (lambda m, d: nn.fit(m, X, Y, plot=d / "t.png"), ValueError, r"^fit\(plot=...\): .*\.gif"),
    (lambda m, d: nn.TrainingPlot(every=0), ValueError, "^TrainingPlot: every must be a positive"),
    (
        lambda m, d: nn.fit(m, BIG, Y, loss="hinge", lr=1e308, plot=d / "t.gif"),
        ValueError,
        FIT_OVERFLOW,
    ),
    # Files: a failed save leaves the folder as it was and names the cause.
    (lambda m, d: m.save(d / "adir"), IsADirectoryError, "^MLP.save: .*adir' is a folder; give a"),
    (lambda m, d: poisoned(W, math.inf).save(d / "saved.json"), ValueError, SAVE + W + " is inf;"),
    (lambda m, d: poisoned(W, -math.nan).save(d / "saved.json"), ValueError, SAVE + W + " is nan"),
    (lambda m, d: poisoned(W, "0.5").save(d / "saved.json"), TypeError, SAVE + W + " must be a n"),
    (lambda m, d: poisoned(W, math.inf).save(d / "new.json"), ValueError, SAVE + W + " is inf"),
    (lambda m, d: m.save(d / "keep.json"), FileExistsError, SAVE + "the temporary file .*Remove"),
    (lambda m, d: m.save(d / "no" / "m.json"), FileNotFoundError, SAVE + "the folder .*no' does"),
]


@pytest.mark.parametrize("call, error, message", CASES)
def test_bad_input_is_refused_and_changes_nothing(tmp_path, call, error, message):
    model = nn.MLP(2, [3, 1], seed=0)
    nn.MLP(2, [3, 1], seed=1).save(tmp_path / "saved.json")
    (tmp_path / "adir").mkdir()
    (tmp_path / "keep.json.tmp").write_text("someone else's file")
    before, folder = bits(model), files(tmp_path)
    with pytest.raises(error, match=message):
        call(model, tmp_path)
    assert bits(model) == before
    assert files(tmp_path) == folder


finite = st.floats(-3.0, 3.0, allow_nan=False, allow_infinity=False)


@settings(max_examples=40)
@given(data=st.data())
def test_fit_with_a_non_finite_number_anywhere_raises_and_changes_nothing(data):
    n = data.draw(st.integers(2, 8), label="examples")
    X = data.draw(st.lists(st.lists(finite, min_size=2, max_size=2), min_size=n, max_size=n))
    y = data.draw(st.lists(st.sampled_from([-1.0, 1.0]), min_size=n, max_size=n))
    bad = data.draw(st.sampled_from([math.nan, math.inf, -math.inf]), label="bad")
    i = data.draw(st.integers(0, n - 1), label="example")
    if data.draw(st.booleans(), label="in X"):
        j = data.draw(st.integers(0, 1), label="input")
        X[i][j] = bad
        message = rf"^fit: X row {i}: input {j}: "
    else:
        y[i] = bad
        message = rf"^fit: y target {i}: "
    compile_ = data.draw(st.booleans(), label="compile")
    options = {
        "batch_size": data.draw(st.integers(1, n), label="batch_size"),
        "shuffle": not compile_ and data.draw(st.booleans(), label="shuffle"),
        "compile": compile_,
        "l2": data.draw(st.sampled_from([0.0, 1e-3]), label="l2"),
    }
    model = nn.MLP(2, [3, 1], seed=0)
    before = bits(model)
    with pytest.raises(ValueError, match=message):
        nn.fit(model, X, y, loss="hinge", epochs=2, lr=0.5, **options)
    assert bits(model) == before
