"""gradcheck: agreement, failure reports, kinks, domains, and no side effects."""

import pytest

from engine import GradcheckError, Value, gradcheck


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
