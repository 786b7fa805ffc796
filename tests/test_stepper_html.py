"""export_backprop_html: the file itself (the browser tests are in test_stepper_browser.py)."""

from __future__ import annotations

import re
from collections import Counter

import pytest

import engine
from engine import Value, backward, topological_order
from engine.show.draw import format_number
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
