"""export_backprop_html: the file itself (the browser tests are in test_stepper_browser.py)."""

from __future__ import annotations

import json
import math
import re
from collections import Counter

import pytest

import engine
from engine import Value, backward, topological_order
from engine.show.draw import format_number
from engine.show.node_panel import node_ids
from engine.show.stepper import backprop_steps
from engine.show.stepper_html import DEFAULT_MAX_VALUES, export_backprop_html


def neuron() -> Value:
    x1, w1 = Value(2.0, label="x1"), Value(-3.0, label="w1")
    x2, w2 = Value(0.0, label="x2"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    n = x1 * w1 + x2 * w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return o


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("html") / "backprop.html"
    assert export_backprop_html(neuron(), path) == str(path)
    return path.read_text(encoding="utf-8")


def test_one_frame_per_step_plus_the_start(page):
    steps = len(topological_order(neuron())[0])
    assert len(re.findall(r'<section class="frame" data-step="\d+"', page)) == steps + 1
    assert page.count("<svg") == steps + 1
    assert f'max="{steps}"' in page


def test_the_page_loads_nothing_from_anywhere(page):
    without_xmlns = re.sub(r'xmlns(:\w+)?="[^"]*"', "", page)
    assert "http:" not in without_xmlns and "https:" not in without_xmlns
    assert not re.search(r"<(link|img|iframe|object|embed)\b", page)
    assert not re.search(r"<script[^>]*\bsrc=", page)
    assert "@import" not in page and "@font-face" not in page
    assert "<!DOCTYPE svg" not in page and "<?xml" not in page  # SVGs inlined bare


def test_element_ids_are_unique(page):
    ids = Counter(re.findall(r'\bid="([^"]+)"', page))
    assert ids and max(ids.values()) == 1


def test_frames_carry_the_steps_text(page):
    steps = list(backprop_steps(neuron()))
    for step in steps:
        section = page.split(f'data-step="{step.index}"', 1)[1].split("</section>", 1)[0]
        for line in step.lines:
            assert line.replace(">", "&gt;") in section


def test_export_changes_no_grad_and_shows_backwards_numbers(tmp_path):
    a, b = neuron(), neuron()
    backward(a)
    page = export_backprop_html(b, tmp_path / "x.html")
    order_b, leaves_b = topological_order(b)
    assert all(v.grad == 0.0 for v in leaves_b + order_b)
    _, leaves_a = topological_order(a)
    last = (tmp_path / "x.html").read_text().split("</section>")[-2]  # the final frame
    for v in leaves_a:
        shown = format_number(v.grad).replace("-", "&#45;")  # Graphviz escapes the minus
        assert f">{shown}<" in last  # each leaf shows the grad backward gives
    assert page.endswith("x.html")


def test_title_is_escaped(tmp_path):
    path = tmp_path / "t.html"
    export_backprop_html(neuron(), path, title="<b>my</b> neuron")
    text = path.read_text(encoding="utf-8")
    assert "<title>&lt;b&gt;my&lt;/b&gt; neuron</title>" in text


def test_engine_exports_it():
    assert engine.export_backprop_html is export_backprop_html


def test_errors_name_the_function_and_the_fix(tmp_path):
    with pytest.raises(TypeError, match=r"export_backprop_html: expected a Value"):
        export_backprop_html(2.0, tmp_path / "a.html")
    with pytest.raises(ValueError, match=r"ending in \.html"):
        export_backprop_html(neuron(), tmp_path / "a.svg")
    with pytest.raises(ValueError, match="max_values must be a positive int"):
        export_backprop_html(neuron(), tmp_path / "a.html", max_values=0)
    big = engine.sum([Value(float(i), label=f"x{i}") * 2.0 for i in range(DEFAULT_MAX_VALUES)])
    size = sum(len(part) for part in topological_order(big))
    with pytest.raises(ValueError, match=rf"has {size} Values .* pass max_values={size}"):
        export_backprop_html(big, tmp_path / "a.html")
    assert not (tmp_path / "a.html").exists()


# --- The clickable nodes: ids in the picture tie it to the data ----------------------


def page_json(page: str, element: str) -> dict:
    text = page.split(f'<script type="application/json" id="{element}">', 1)[1]
    return json.loads(text.split("</script>", 1)[0].replace("<\\/", "</"))


def used_twice() -> Value:
    """x is used by two ops, so its grad is a sum of two terms."""
    x, w = Value(1.5, label="x"), Value(-2.0, label="w")
    a = x * w
    a.label = "a"
    b = x.tanh()
    b.label = "b"
    L = a + b
    L.label = "L"
    return L


def test_every_node_of_every_frame_carries_its_values_id(page):
    ids = node_ids(neuron())
    steps = len(topological_order(neuron())[0])
    for node_id in ids.values():
        for k in range(steps + 1):
            assert f'<g id="f{k}-{node_id}" class="node' in page
        assert page.count(f'data-node="{node_id}" data-kind="value"') == steps + 1
    facts = page_json(page, "facts")
    assert set(facts) == set(ids.values())


def test_the_facts_are_backwards_numbers_and_the_chain_rule_sum(tmp_path):
    root = used_twice()
    export_backprop_html(root, tmp_path / "p.html")
    facts = page_json((tmp_path / "p.html").read_text(encoding="utf-8"), "facts")
    reference = used_twice()
    backward(reference)
    by_label = {f["name"]: f for f in facts.values()}
    order, leaves = topological_order(reference)
    for v in order + leaves:
        assert by_label[v.label]["grad"] == format_number(v.grad)
        assert by_label[v.label]["data"] == format_number(v.data)
    x = by_label["x"]
    # one term per use, then the numbers of each term, then the total
    assert x["sum"] == (
        "dL/dx = dL/da · ∂a/∂x + dL/db · ∂b/∂x = 1 · (-2) + 1 · "
        f"{format_number(1 - math.tanh(1.5) ** 2)} = {format_number(-2 + 1 - math.tanh(1.5) ** 2)}"
    )
    ids = node_ids(root)
    names = {node_id: v.label for v, node_id in ids.items()}
    assert sorted(names[c] for c in x["contrib"]) == ["a", "b"]
    assert by_label["b"]["locals"] == [
        "∂b/∂x = 1 - tanh(x)² = 1 - b² = " + format_number(1 - math.tanh(1.5) ** 2)
    ]
    assert by_label["b"]["forms"] == ["∂b/∂x = 1 - tanh(x)² = 1 - b²"]


# --- The practice page ---------------------------------------------------------------


@pytest.fixture(scope="module")
def practice_page(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("practice") / "practice.html"
    assert export_backprop_html(used_twice(), path, practice=True) == str(path)
    return path.read_text(encoding="utf-8")


def test_practice_page_asks_every_grad_in_backward_order(practice_page):
    root = used_twice()
    p = engine.practice(root)
    ids = node_ids(root)
    rows = re.findall(r'<tr class="question" data-node="(v\d+)"', practice_page)
    assert rows == [ids[v] for v in p.questions]
    assert practice_page.count('class="answer"') == len(p.questions)
    assert ">?<" in practice_page and "data-node" in practice_page  # grads hidden


def test_practice_page_holds_the_practices_own_numbers_and_hints(practice_page):
    root = used_twice()
    p = engine.practice(root)
    data = page_json(practice_page, "practice")
    assert data["relTol"] == p.rel_tol
    for q, v in zip(data["questions"], p.questions, strict=True):
        assert q["expected"] == p.expected(v)
        assert [tuple(m) for m in q["mistakes"]] == p.mistakes(v)
        assert q["fallback"] == p.fallback_hint(v)
        assert q["sum"] == p.sum_line(v)


def test_practice_page_is_offline_has_unique_ids_and_changes_no_grad(practice_page, tmp_path):
    without_xmlns = re.sub(r'xmlns(:\w+)?="[^"]*"', "", practice_page)
    assert "http:" not in without_xmlns and "https:" not in without_xmlns
    assert not re.search(r"<script[^>]*\bsrc=", practice_page)
    ids = Counter(re.findall(r'\bid="([^"]+)"', practice_page))
    assert max(ids.values()) == 1
    root = used_twice()
    order, leaves = topological_order(root)
    export_backprop_html(root, tmp_path / "p.html", practice=True)
    assert all(v.grad == 0.0 for v in order + leaves)
    with pytest.raises(TypeError, match="practice must be True or False"):
        export_backprop_html(root, tmp_path / "q.html", practice="yes")
