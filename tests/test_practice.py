"""Practice mode: the learner's grads checked against the backward pass, with diagnoses.

Each diagnosed mistake has its test: the wrong number is made the way a learner
makes it (from the graph's own data, not from the practice's records), and the hint
must name that mistake and the nodes it concerns.
"""

from __future__ import annotations

import math
import sys

import pytest
from hypothesis import given, settings

import engine
from engine import Value, backward, topological_order
from engine.show.practice import (
    CARRIED,
    INPUT_FOR_OUTPUT,
    NOT_MULTIPLIED,
    NOT_SUMMED,
    SIGN,
    Practice,
)
from engine.testing import graphs


def neuron() -> tuple[Value, dict[str, Value]]:
    """o = tanh(x1·w1 + x2·w2 + b) + 0.5·x1: x1 is used twice."""
    x1, w1 = Value(2.0, label="x1"), Value(-3.0, label="w1")
    x2, w2 = Value(0.0, label="x2"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    n = x1 * w1 + x2 * w2 + b
    n.label = "n"
    t = n.tanh()
    t.label = "t"
    o = t + x1 * 0.5
    o.label = "o"
    return o, {"x1": x1, "w1": w1, "x2": x2, "w2": w2, "b": b, "n": n, "t": t}


def backward_grads(root: Value) -> dict[str, float]:
    """What backward() gives, on a fresh copy of the graph, by name."""
    backward(root)
    order, leaves = topological_order(root)
    return {v.label: v.grad for v in order + leaves if v.label}


def right_answers(p: Practice) -> dict[str, float]:
    return {p.names[v]: p.expected(v) for v in p.questions}


def test_the_expected_grads_are_backwards_and_the_order_is_backward():
    o, _ = neuron()
    p = engine.practice(o)
    reference = backward_grads(neuron()[0])
    for v in p.questions:
        if v.label:
            assert p.expected(v) == reference[v.label]
    names = [p.names[v] for v in p.questions]
    # Each node comes after every node that uses it (its grad is final only then).
    position = {v: i for i, v in enumerate(p.questions)}
    for step in p.steps:
        for u in step.updates:
            if u.parent in position and step.node in position:
                assert position[step.node] < position[u.parent]
    assert names.index("t") < names.index("n") < names.index("b")
    assert names[-1] == "x1"  # used last by the first op: its grad completes last


def test_all_right_is_ok_and_looking_changes_no_grad():
    o, nodes = neuron()
    nodes["w1"].grad = 5.0  # left from an earlier pass: practice asks for dL/dw1 anyway
    before = {v: v.grad for v in topological_order(o)[0] + topological_order(o)[1]}
    p = engine.practice(o)
    report = p.check(right_answers(p))
    assert report.ok and report.wrong == [] and report.missing == []
    assert [r.status for r in report.rows] == ["ok"] * len(p.questions)
    assert {v: v.grad for v in before} == before
    assert p.expected(nodes["w1"]) == pytest.approx(1.0)  # 0.5 · x1, not 5 + that


def test_keys_may_be_values_and_within_tolerance_is_right():
    o, nodes = neuron()
    p = engine.practice(o)
    answers = {p.names[v]: p.expected(v) for v in p.questions}
    answers.pop("b")
    answers[nodes["b"]] = 0.5004  # hand arithmetic: within 1e-3 of 0.49999...
    assert p.check(answers).ok
    assert not p.check(answers, rel_tol=1e-5).ok
    assert not engine.practice(o, rel_tol=1e-5).check(answers).ok


def test_missing_answers_are_missing_not_wrong():
    o, _ = neuron()
    p = engine.practice(o)
    answers = right_answers(p)
    del answers["w2"]
    answers["x2"] = None
    report = p.check(answers)
    assert not report.ok
    assert {r.name for r in report.missing} == {"w2", "x2"} and report.wrong == []
    assert report["w2"].given is None and report["w2"].expected == 0.0


def test_a_value_used_twice_whose_terms_were_not_added():
    o, nodes = neuron()
    p = engine.practice(o)
    answers = right_answers(p)
    w1 = nodes["w1"]
    # The learner follows x1 into x1·w1 only: dL/dn1 · w1, with dL/dn1 = 1 - tanh(n)².
    answers["x1"] = (1 - math.tanh(nodes["n"].data) ** 2) * w1.data
    row = p.check(answers)["x1"]
    assert row.status == "wrong" and row.mistake == NOT_SUMMED
    assert "used 2 times" in row.hint and "alone" in row.hint
    assert row.hint.count("·") == 2 and " + " in row.hint  # both terms written out
    assert row.expected == pytest.approx(answers["x1"] + 0.5)


def test_upstream_handed_down_without_the_local_derivative():
    o, nodes = neuron()
    p = engine.practice(o)
    answers = right_answers(p)
    answers["n"] = 1.0  # dL/dt, not times ∂t/∂n
    row = p.check(answers)["n"]
    assert row.mistake == NOT_MULTIPLIED
    assert "without the local derivative" in row.hint
    assert "∂t/∂n = 1 - tanh(n)² = 1 - t² = 0.5" in row.hint


def sub_graph() -> tuple[Value, dict[str, Value]]:
    """L = tanh(a·b) - b: b is subtracted, and tanh's derivative is written with out."""
    a, b = Value(0.8814, label="a"), Value(2.0, label="b")
    n = a * b
    n.label = "n"
    t = n.tanh()
    t.label = "t"
    L = t - b
    L.label = "L"
    return L, {"a": a, "b": b, "n": n, "t": t}


def test_a_sign_error():
    L, nodes = sub_graph()
    p = engine.practice(L)
    answers = right_answers(p)
    answers["b"] = -answers["b"]
    row = p.check(answers)["b"]
    assert row.mistake == SIGN
    assert "sign" in row.hint and "∂L/∂b = -1" in row.hint


def test_the_ops_input_where_its_output_belongs():
    L, nodes = sub_graph()
    p = engine.practice(L)
    answers = right_answers(p)
    answers["n"] = 1 - nodes["n"].data ** 2  # 1 - n² instead of 1 - t²
    row = p.check(answers)["n"]
    assert row.mistake == INPUT_FOR_OUTPUT
    assert "1 - t²" in row.hint and "1 - n²" in row.hint
    assert "output t" in row.hint and "input n" in row.hint


def test_the_input_for_output_diagnosis_comes_from_the_op_table_for_any_op():
    x = Value(0.3, label="x")
    s = x.sigmoid()
    s.label = "s"
    p = engine.practice(s * 3.0)
    answers = right_answers(p)
    answers["x"] = 3.0 * x.data * (1 - x.data)  # σ'(x) written as x(1 - x)
    row = p.check(answers)["x"]
    assert row.mistake == INPUT_FOR_OUTPUT and "x·(1 - x)" in row.hint


def test_a_wrong_upstream_carried_down_names_the_earlier_answer():
    L, nodes = sub_graph()
    p = engine.practice(L)
    answers = right_answers(p)
    answers["n"] = 2 * answers["n"]  # wrong, no known mistake
    answers["a"] = answers["n"] * nodes["b"].data  # the learner's dL/dn, times ∂n/∂a = b: right
    report = p.check(answers)
    assert report["n"].status == "wrong" and report["n"].mistake is None
    row = report["a"]
    assert row.status == "wrong" and row.mistake == CARRIED
    assert "your dL/dn = " in row.hint and "follows correctly" in row.hint


def test_an_unexplained_wrong_answer_gets_the_sum_to_check():
    L, _ = sub_graph()
    p = engine.practice(L)
    answers = right_answers(p)
    answers["a"] = 7.0
    row = p.check(answers)["a"]
    assert row.mistake is None and row.hint == "dL/da = dL/dn · ∂n/∂a; check each factor: ∂n/∂a = b"


def test_report_prints_each_row_and_hints():
    L, _ = sub_graph()
    p = engine.practice(L)
    answers = right_answers(p)
    answers["b"] = -answers["b"]
    text = str(p.check(answers))
    assert text.splitlines()[0] == "3 of 4 right."
    assert "wrong    dL/db = 0.9021, expected -0.9021" in text and "hint: the size" in text
    assert "dL/dn = ?" in str(p) and "n = a·b, data 1.763" in str(p)


@settings(max_examples=40, deadline=None)
@given(graphs())
def test_on_random_graphs_backwards_grads_are_right_and_grads_untouched(graph):
    root = graph.build(graph.inputs)
    order, leaves = topological_order(root)
    before = [v.grad for v in order + leaves]
    p = engine.practice(root)
    assert [v.grad for v in order + leaves] == before
    assert p.check({v: p.expected(v) for v in p.questions}).ok
    engine.zero_grad(root)
    backward(root)
    for v in p.questions:
        assert p.expected(v) == v.grad


@pytest.mark.parametrize(
    "answers, error, message",
    [
        ({"nope": 1.0}, KeyError, "no node named 'nope'.*the names are"),
        ({"a": "0.5"}, TypeError, "Practice.check: the answer for 'a'"),
        ({"a": math.nan}, ValueError, "finite"),
        ({3: 1.0}, TypeError, "name \\(str\\) or the Value"),
        ([("a", 1.0)], TypeError, "must be a dict"),
    ],
)
def test_bad_answers_are_refused_clearly(answers, error, message):
    L, _ = sub_graph()
    with pytest.raises(error, match=message):
        engine.practice(L).check(answers)


def test_the_form_checks_and_reveals():
    pytest.importorskip("ipywidgets")
    L, nodes = sub_graph()
    p = engine.practice(L)
    form = p.form()
    assert set(form.inputs) == set(p.questions)
    for v, box in form.inputs.items():
        box.value = str(p.expected(v))
    form.inputs[nodes["b"]].value = str(-p.expected(nodes["b"]))
    form.inputs[nodes["a"]].value = ""
    form.check_button.click()
    assert form.report["b"].mistake == SIGN
    assert (
        "✗ wrong" in form.verdicts[nodes["b"]].value and "sign" in form.verdicts[nodes["b"]].value
    )
    assert "✓ right" in form.verdicts[nodes["t"]].value
    assert "no answer" in form.verdicts[nodes["a"]].value
    form.reveal_button.click()
    assert "dL/da = dL/dn · ∂n/∂a = " in form.verdicts[nodes["a"]].value
    bundle = p._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle


def test_the_forms_picture_shrinks_to_the_column_before_and_after_check():
    """Inline SVG, marked like a graph's display (tests/test_site_browser.py measures it)."""
    pytest.importorskip("ipywidgets")
    L, _ = sub_graph()
    form = engine.practice(L).form()
    (picture,) = [c for c in form.children if "<svg" in getattr(c, "value", "")]
    fitted = '<svg style="max-width: 100%; height: auto" '
    assert picture.value.startswith(fitted)
    form.check_button.click()
    assert picture.value.startswith(fitted) and picture.value.count("<svg") == 1


def test_without_ipywidgets_the_display_says_how_to_get_the_form(monkeypatch):
    monkeypatch.setitem(sys.modules, "ipywidgets", None)
    L, _ = sub_graph()
    p = engine.practice(L)
    with pytest.raises(ImportError, match="pip install ipywidgets"):
        p.form()
    bundle = p._repr_mimebundle_()
    assert "pip install ipywidgets" in bundle["text/html"]
    assert "dL/dn = ?" in bundle["text/plain"]


def _consumers(root: Value) -> dict[Value, list[tuple[Value, int]]]:
    """Each Value's uses, read off the graph itself: (the op's result, operand position)."""
    order, _ = topological_order(root)
    found: dict[Value, list[tuple[Value, int]]] = {}
    for node in order:
        for i, p in enumerate(node._parents):
            found.setdefault(p, []).append((node, i))
    return found


@settings(max_examples=60, deadline=None)
@given(graphs())
def test_on_random_graphs_the_classic_mistakes_are_named(graph):
    """Mistakes made from the graph and backward's grads (not the practice's records)."""
    root = graph.build(graph.inputs)
    p = engine.practice(root)
    backward(root)  # the reference grads, on the graph itself
    uses = _consumers(root)
    close = lambda a, b: math.isclose(a, b, rel_tol=1e-3, abs_tol=1e-6)  # noqa: E731
    for v in p.questions:
        right = v.grad
        terms = []
        for node, i in uses[v]:
            local = node._operation.local(node.data, *(q.data for q in node._parents))[i]
            terms.append(node.grad * local)
        answers = {u: u.grad for u in p.questions}
        if len(terms) > 1 and not close(terms[0], right):
            row = p.check({**answers, v: terms[0]})[v]
            assert row.mistake == NOT_SUMMED, (row, terms)
        upstream = sum(node.grad for node, _ in uses[v])
        if not close(upstream, right) and len(terms) == 1:
            row = p.check({**answers, v: upstream})[v]
            assert row.mistake == NOT_MULTIPLIED, row
        if not close(right, 0.0) and not close(-right, upstream):
            row = p.check({**answers, v: -right})[v]
            assert row.mistake in (SIGN, NOT_SUMMED, INPUT_FOR_OUTPUT), row
