"""gradcheck: agreement, failure reports, kinks, domains, and no side effects."""

import math

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from engine import GradcheckError, Value, define_op, gradcheck
from engine.testing import graphs


def test_agrees_on_a_smooth_function():
    report = gradcheck(lambda v: (v[0] * v[1]).tanh() + v[0].exp(), [0.3, -1.2])
    assert report.ok and [r.status for r in report.rows] == ["ok", "ok"]
    assert report.rows[0].analytic == pytest.approx(report.rows[0].numeric, rel=1e-6)


def test_labels_come_from_value_inputs():
    report = gradcheck(lambda v: v[0] * v[1], [Value(2.0, "w"), 3.0])
    assert [r.label for r in report.rows] == ["w", ""]
    assert "w" in str(report)


def test_wrong_gradient_raises_with_a_table():
    def f(v):
        y = v[0] * v[1]
        y.data += 0.1 * v[0].data  # forward no longer matches the recorded op
        return y

    with pytest.raises(GradcheckError) as info:
        gradcheck(f, [2.0, 3.0])
    message = str(info.value)
    assert "1 of 2 inputs disagree" in message
    assert "analytic" in message and "numeric" in message and "FAIL" in message
    assert info.value.report.failures[0].index == 0


def test_report_instead_of_raise():
    def f(v):
        y = v[0] * 2.0
        y.data += 0.5 * v[0].data
        return y

    report = gradcheck(f, [1.0], raise_on_failure=False)
    assert not report.ok
    row = report.rows[0]
    assert row.analytic == 2.0 and row.numeric == pytest.approx(2.5)
    assert row.abs_err == pytest.approx(0.5) and row.rel_err == pytest.approx(0.2)


@pytest.mark.parametrize("f", [lambda v: v[0].relu(), lambda v: abs(v[0]), lambda v: v[0].step()])
def test_kinks_are_reported_not_failed(f):
    report = gradcheck(f, [0.0])
    assert report.ok and report.rows[0].status == "kink"
    assert "not defined" in str(report)


def test_python_control_flow_across_the_point_is_a_kink():
    report = gradcheck(lambda v: v[0] * 2 if v[0] > 0 else v[0] * 3, [0.0])
    assert report.rows[0].status == "kink"


def test_domain_edge_is_reported():
    report = gradcheck(lambda v: v[0].log(), [1e-7])
    assert report.rows[0].status == "domain"


def test_other_values_grads_are_restored():
    w = Value(3.0, "w")
    w.grad = 0.25
    gradcheck(lambda v: v[0] * w, [2.0])
    assert w.grad == 0.25


def test_bad_arguments():
    with pytest.raises(TypeError, match="must return a Value"):
        gradcheck(lambda v: 1.0, [1.0])
    with pytest.raises(TypeError, match="function"):
        gradcheck(3, [1.0])
    with pytest.raises(ValueError, match="empty"):
        gradcheck(lambda v: v[0], [])
    with pytest.raises(ValueError, match="eps"):
        gradcheck(lambda v: v[0], [1.0], eps=0)


# --- a gradient lost through .data is a failure, never a kink ----------------------------

LOST = [
    ("Value(x.data ** 2)", lambda xs: Value(xs[0].data ** 2) + xs[0] * 0.0),
    ("x * x.data", lambda xs: xs[0] * xs[0].data),
    ("x * (x.data + 1)", lambda xs: xs[0] * (xs[0].data + 1.0)),
    ("rebuilt mid-graph", lambda xs: Value(xs[0].tanh().data) * xs[0]),
    ("exp of .data", lambda xs: xs[0] + Value(math.exp(xs[0].data))),
    ("exponent from .data", lambda xs: xs[0] ** xs[0].data),
    ("whole output cut", lambda xs: Value(xs[0].data ** 2) * 1.0),
]


@pytest.mark.parametrize("f", [f for _, f in LOST], ids=[name for name, _ in LOST])
def test_a_gradient_lost_through_data_fails_and_names_the_cause(f):
    with pytest.raises(GradcheckError) as info:
        gradcheck(f, [Value(1.7, "x")])
    row = info.value.report.rows[0]
    assert row.status == "FAIL" and row.cause == "untracked"
    assert ".data" in str(info.value) and "not connected" in str(info.value)


@given(graphs(max_nodes=20), st.integers(0, 5))
@settings(max_examples=80)
def test_a_cut_copy_of_any_graph_is_caught(g, which):
    """f + Value(f.data): backward sees grad f, finite differences 2 grad f."""
    which %= len(g.inputs)

    def cut(xs):
        out = g.build(xs)
        return out + Value(out.data)

    slope = gradcheck(g.build, g.inputs).rows[which]
    assume(slope.status == "ok" and abs(slope.analytic) >= 1e-2)  # doubling must be measurable
    row = gradcheck(cut, g.inputs, raise_on_failure=False).rows[which]
    assert (row.status, row.cause) == ("FAIL", "untracked")


def test_python_branches_stay_kinks_and_constants_that_do_not_move_are_fine():
    w = Value(0.5, "w")  # a parameter of f: a leaf that is not an input, and does not move
    assert gradcheck(lambda v: v[0] * w + 2.0, [1.3]).ok
    report = gradcheck(lambda v: v[0] * (2.0 if v[0].data > 0 else 3.0), [0.0])
    assert report.rows[0].status == "kink" and report.rows[0].cause == ""


def test_f_with_the_wrong_signature_is_told_what_to_take():
    with pytest.raises(TypeError, match=r"one argument, the list of input Values.*\(a, c\)"):
        gradcheck(lambda a, c: a * c, [1.0, 2.0])


def test_the_report_counts_in_good_english():
    assert str(gradcheck(lambda v: v[0] * 2, [1.0])).startswith("gradcheck: the one input agrees")
    assert str(gradcheck(lambda v: v[0] * v[1], [1.0, 2.0])).startswith(
        "gradcheck: all 2 inputs agree"
    )
    wrong = define_op("twice_wrong", "2.0 * a", ["3.0"])
    message = str(gradcheck(lambda v: wrong(v[0]), [1.0], raise_on_failure=False))
    assert message.startswith("gradcheck: 1 of 1 input disagrees")


def test_an_output_cut_off_entirely_is_caught():
    with pytest.raises(GradcheckError) as info:
        gradcheck(lambda xs: Value(xs[0].data ** 2), [1.7])
    assert info.value.report.rows[0].cause == "untracked"


@pytest.mark.parametrize(
    ("f", "at", "status"),
    [
        (lambda xs: xs[0] * 2 + Value(xs[0].data) * 0.0, 1.7, "ok"),  # cut, but harmless here
        (lambda xs: Value(xs[0].data ** 2) + xs[0], 0.0, "ok"),  # cut and flat at 0
        (
            lambda xs: xs[0] * (2.0 if xs[0].data > 0 else (0.5 if xs[0].data == 0 else 1.0)),
            0.0,
            "kink",
        ),  # a three-way Python branch, at its middle case
        (lambda xs: xs[0] * xs[0] if xs[0].data > 1 else 2 * xs[0] - 1, 1.0, "ok"),  # one slope
    ],
)
def test_branches_and_harmless_cuts_are_not_failures(f, at, status):
    row = gradcheck(f, [at]).rows[0]
    assert (row.status, row.cause) == (status, "")
