"""The exported backprop page in a real headless browser (Debian's chromium + playwright).

One browser for the module; each test opens the file:// page fresh. Skipped where
/usr/bin/chromium is missing: ``sudo apt-get install chromium`` enables them (.ci/run
installs it). Playwright never downloads a browser here: it drives the system one.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import pytest

from engine import Value, practice
from engine.show.draw import format_number
from engine.show.node_panel import node_ids
from engine.show.stepper import PARTIAL, backprop_steps
from engine.show.stepper_html import export_backprop_html

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]

if not os.path.exists(CHROMIUM):
    pytest.skip(
        f"browser tests need Debian's chromium at {CHROMIUM}; enable them with "
        "`sudo apt-get install chromium` (the playwright package drives it; no browser "
        "is downloaded)",
        allow_module_level=True,
    )
sync_api = pytest.importorskip(
    "playwright.sync_api", reason="browser tests need the playwright package (test group)"
)


def graph() -> Value:
    """A neuron plus a reused input, so some grads arrive in two parts."""
    x1, w1 = Value(2.0, label="x1"), Value(-3.0, label="w1")
    x2, w2 = Value(0.0, label="x2"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    n = x1 * w1 + x2 * w2 + b
    n.label = "n"
    o = n.tanh() + x1 * 0.5
    o.label = "o"
    return o


@pytest.fixture(scope="module")
def html_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("page") / "backprop.html"
    export_backprop_html(graph(), path)
    return path


@pytest.fixture(scope="module")
def steps():
    return list(backprop_steps(graph()))


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@contextlib.contextmanager
def opened_alone(context, file: Path):
    """``file`` opened as a double-click would (file://); after use, no script error
    happened and the page loaded nothing but itself."""
    requests: list[str] = []
    context.on("request", lambda request: requests.append(request.url))
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(file.as_uri())
    yield page
    assert errors == []
    assert requests == [file.as_uri()], "the page must load nothing but itself"


@pytest.fixture
def page(browser, html_file):
    context = browser.new_context()
    with opened_alone(context, html_file) as page:
        yield page
    context.close()


def visible(page, selector: str):
    return page.locator(f".frame:not([hidden]) {selector}")


def check_shows(page, k: int, steps) -> None:
    """Frame k is the one shown, with its counter, chain-rule lines and highlight."""
    n = len(steps)
    assert page.locator(".frame:not([hidden])").count() == 1
    assert page.locator(".frame:not([hidden])").get_attribute("data-step") == str(k)
    counter = page.locator("#counter").inner_text()
    assert page.locator("#slider").input_value() == str(k)
    if k == 0:
        assert counter == f"Start: step 0 of {n}"
        assert visible(page, "svg g.current").count() == 0
        return
    step = steps[k - 1]
    assert counter == f"Step {k} of {n}"
    assert visible(page, ".headline").inner_text() == f"Step {k}: {step.formula}"
    assert visible(page, ".rule").inner_text().splitlines() == step.lines
    current = visible(page, "svg g.current")
    assert current.count() == 1
    assert current.locator("text").first.text_content() == step.name


def test_next_and_prev_walk_the_steps(page, steps):
    check_shows(page, 0, steps)
    assert page.locator("#prev").is_disabled()
    for k in range(1, 4):
        page.click("#next")
        check_shows(page, k, steps)
    page.click("#prev")
    check_shows(page, 2, steps)
    for k in range(3, len(steps) + 1):
        page.click("#next")
        check_shows(page, k, steps)
    assert page.locator("#next").is_disabled()


def test_keyboard_arrows_home_and_end(page, steps):
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    check_shows(page, 2, steps)
    page.keyboard.press("ArrowLeft")
    check_shows(page, 1, steps)
    page.keyboard.press("End")
    check_shows(page, len(steps), steps)
    page.keyboard.press("ArrowRight")  # past the end: stays
    check_shows(page, len(steps), steps)
    page.keyboard.press("Home")
    check_shows(page, 0, steps)


def test_slider_jumps_and_moves_one_step_per_key(page, steps):
    page.locator("#slider").fill("4")
    check_shows(page, 4, steps)
    page.locator("#slider").focus()
    page.keyboard.press("ArrowRight")  # the slider moves itself; the page must not add one
    check_shows(page, 5, steps)
    page.keyboard.press("ArrowLeft")
    check_shows(page, 4, steps)


def test_last_frame_has_every_grad_and_no_question_marks(page, steps):
    page.keyboard.press("End")
    texts = visible(page, "svg").text_content()
    assert "?" not in texts and PARTIAL not in texts
    first = page.locator('.frame[data-step="0"] svg').text_content()
    assert "?" in first


PLACE = """() => {
  const pane = document.querySelector('.frame:not([hidden]) .graph');
  const box = pane.getBoundingClientRect(), svg = pane.querySelector('svg').getBoundingClientRect();
  return [box.x, box.y + scrollY, box.width, box.height,
          svg.x + pane.scrollLeft, svg.y + scrollY + pane.scrollTop, svg.width, svg.height]
    .map(Math.round);
}"""


def test_the_picture_stays_put_while_stepping(page, steps):
    """Texts of different lengths must not move the graph (the page pads them equally).

    The pane holding the picture keeps its place and size, and the picture its place in
    the pane: it moves only as the pane scrolls to show the step's node.
    """
    places = []
    for _ in range(len(steps) + 1):
        places.append(page.evaluate(PLACE))
        page.keyboard.press("ArrowRight")
    assert len(set(map(tuple, places))) == 1, places


# --- A small MLP: readable text, the step's node in view ---------------------------------

# The smallest text of the visible picture's nodes, in CSS px as rendered, and the box of
# the step's node and of the sticky controls above it.
READABLE = """() => {
  const frame = document.querySelector('.frame:not([hidden])');
  const sizes = [...frame.querySelectorAll('svg g.node text')].map(
    t => parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a);
  const node = frame.querySelector('svg g.current');
  const r = node ? node.getBoundingClientRect() : null;
  return {smallest: Math.min(...sizes), texts: sizes.length,
          node: r && {left: r.left, top: r.top, right: r.right, bottom: r.bottom},
          under: document.querySelector('.controls').getBoundingClientRect().bottom};
}"""


@pytest.fixture(scope="module")
def mlp_page_file(tmp_path_factory) -> Path:
    """The page for an MLP(2, [4, 4, 1]) on one input and its squared error (100+ Values)."""
    import nn

    model = nn.MLP(2, [4, 4, 1], seed=0)
    loss = (model([Value(0.5, label="x.0"), Value(-1.0, label="x.1")]) - 1.0) ** 2
    loss.label = "loss"
    path = tmp_path_factory.mktemp("mlp") / "mlp.html"
    export_backprop_html(loss, path)
    return path


def test_an_mlp_page_reads_at_a_laptop_size_with_each_steps_node_in_view(browser, mlp_page_file):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(mlp_page_file.as_uri())
    last = int(page.locator("#slider").get_attribute("max"))
    assert last > 40
    shown = 0
    for step in (1, 2, 3, 7, 15, 24, 33, last - 1, last):
        while shown < step:
            page.keyboard.press("ArrowRight")
            shown += 1
        seen = page.evaluate(READABLE)
        assert seen["texts"] > 100 and seen["smallest"] >= 12, (step, seen)
        node = seen["node"]
        assert node["left"] >= 0 and node["right"] <= 1280, (step, seen)
        assert node["top"] >= seen["under"] and node["bottom"] <= 900, (step, seen)
    page.keyboard.press("Home")  # and back: the first steps' node is at the other end
    for _ in range(2):
        page.keyboard.press("ArrowRight")
    node = page.evaluate(READABLE)["node"]
    assert node["top"] >= 0 and node["bottom"] <= 900
    page.close()


def test_zoom_scales_the_picture_and_keeps_the_steps_node_in_view(browser, mlp_page_file):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(mlp_page_file.as_uri())
    for _ in range(9):
        page.keyboard.press("ArrowRight")
    assert page.locator("#zoom-level").inner_text() == "100%"
    full = page.evaluate(READABLE)["smallest"]
    page.click("#zoom-out")
    page.click("#zoom-out")
    assert page.locator("#zoom-level").inner_text() == "67%"
    seen = page.evaluate(READABLE)
    assert seen["smallest"] == pytest.approx(full * 0.67, rel=1e-3)
    assert seen["node"]["top"] >= seen["under"] and seen["node"]["bottom"] <= 900
    page.keyboard.press("+")
    assert page.locator("#zoom-level").inner_text() == "80%"
    page.keyboard.press("ArrowRight")  # the zoom holds from step to step
    assert page.evaluate(READABLE)["smallest"] == pytest.approx(full * 0.8, rel=1e-3)
    page.close()


# --- Clicking a node: its value, grad, op, local derivatives and chain-rule sum ---------


def node(page, label: str, kind: str = "value"):
    """The node of the visible picture whose Value is labelled ``label``."""
    ids = {v.label: i for v, i in node_ids(graph()).items() if v.label}
    return page.locator(f'.frame:not([hidden]) g[data-node="{ids[label]}"][data-kind="{kind}"]')


def test_clicking_a_node_shows_its_chain_rule_sum_and_highlights_its_contributors(page):
    p = practice(graph())
    x1 = next(v for v in p.questions if v.label == "x1")
    page.keyboard.press("ArrowRight")
    node(page, "x1").click()
    panel = page.locator("#panel")
    text = panel.inner_text()
    assert text.startswith("x1 (input)")
    assert "data = 2" in text
    assert f"do/dx1 = {format_number(p.expected(x1))}" in text
    assert p.sum_line(x1) in text  # one term per use: through n1 and through the 0.5·x1 node
    assert text.count(" · ") >= 4
    picked = page.locator(".frame:not([hidden]) svg g.picked")
    assert picked.count() == 1
    contributors = page.locator(".frame:not([hidden]) svg g.contrib[data-kind=value]")
    consumers = {u.consumer for u in p.uses[x1]}
    assert contributors.count() == len(consumers) == 2
    # Stepping keeps the choice: the next frame highlights the same nodes.
    page.click("#next")
    assert page.locator(".frame:not([hidden]) svg g.picked").count() == 1


def test_an_op_node_and_hovering_show_the_result_it_computes(page):
    node(page, "n", "op").click()
    text = page.locator("#panel").inner_text()
    assert text.startswith("n (intermediate)")
    assert "op add (+)" in text and "∂n/∂" in text
    node(page, "w1").hover()
    assert page.locator("#panel").inner_text().startswith("w1 (input)")


def test_nodes_are_reached_and_picked_by_keyboard(page):
    first = page.locator(".frame:not([hidden]) svg g.node[data-node]").first
    assert first.get_attribute("tabindex") == "0" and first.get_attribute("role") == "button"
    for _ in range(12):  # Tab from the top of the page to the first node of the picture
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.getAttribute('data-node')"):
            break
    focused = page.evaluate("document.activeElement.getAttribute('data-node')")
    assert focused is not None
    name = page.locator("#panel h3").inner_text()
    facts_name = page.evaluate(
        f"JSON.parse(document.getElementById('facts').textContent)['{focused}'].name"
    )
    assert name.startswith(facts_name + " (")


# --- The practice page: fill the form, check, reveal --------------------------------------


@pytest.fixture
def practice_page(browser, tmp_path):
    path = tmp_path / "practice.html"
    export_backprop_html(graph(), path, practice=True)
    context = browser.new_context()
    requests: list[str] = []
    context.on("request", lambda request: requests.append(request.url))
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(path.as_uri())
    yield page
    assert errors == []
    assert requests == [path.as_uri()]
    context.close()


def fill(page, p, answers) -> None:
    ids = node_ids(p.root)
    for v in p.questions:
        number = answers.get(p.names[v])
        text = "" if number is None else repr(number)
        page.fill(f'tr.question[data-node="{ids[v]}"] input.answer', text)


def verdict(page, p, name: str) -> str:
    v = next(v for v in p.questions if p.names[v] == name)
    return page.locator(f'tr.question[data-node="{node_ids(p.root)[v]}"] .verdict').inner_text()


def test_right_answers_are_all_right(practice_page):
    p = practice(graph())
    fill(practice_page, p, p.solution())
    practice_page.click("#check-all")
    assert practice_page.locator("#summary").inner_text() == f"All {len(p.questions)} grads right."
    assert practice_page.locator(".graph g.ok").count() == len(p.questions)
    assert "?" not in practice_page.locator(".graph svg").text_content()


def test_wrong_answers_get_the_same_verdicts_and_hints_as_check(practice_page):
    p = practice(graph())
    answers = p.solution()
    answers["b"] = -answers["b"]  # sign
    answers["n"] = 1.0  # upstream not multiplied by 1 - t²
    answers["x1"] = answers["x1"] - 0.5  # the term through 0.5·x1 left out
    answers["w2"] = None
    fill(practice_page, p, answers)
    practice_page.click("#check-all")
    report = p.check(answers)
    for row in report.rows:
        shown = verdict(practice_page, p, row.name)
        if row.status == "ok":
            assert shown == "✓ right"
        elif row.status == "missing":
            assert shown == "? no answer yet"
        else:
            assert shown == f"✗ wrong: {row.hint}"
    assert {r.name: r.mistake for r in report.wrong} == {
        "b": "sign",
        "n": "not multiplied",
        "x1": "not summed",
    }
    right = sum(r.status == "ok" for r in report.rows)
    assert (
        practice_page.locator("#summary")
        .inner_text()
        .startswith(f"{right} of {len(report.rows)} right")
    )


def test_a_wrong_answer_carried_down_is_named_per_row_check(practice_page):
    p = practice(graph())
    answers = p.solution()
    answers["n"] = 0.25  # wrong: dL/dn is 0.5
    answers["b"] = 0.25  # follows from that wrong dL/dn (∂n/∂b = 1)
    fill(practice_page, p, answers)
    b = next(v for v in p.questions if p.names[v] == "b")
    practice_page.click(f'tr.question[data-node="{node_ids(p.root)[b]}"] button.check')
    expected = p.check(answers)["b"]
    assert expected.mistake == "carried"
    assert verdict(practice_page, p, "b") == f"✗ wrong: {expected.hint}"
    assert verdict(practice_page, p, "n") == ""  # only that row was checked


def test_reveal_shows_each_answer_and_its_sum(practice_page):
    p = practice(graph())
    practice_page.click("#reveal-all")
    for v in p.questions:
        shown = verdict(practice_page, p, p.names[v])
        assert shown == f"answer: {p.sum_line(v)}"
        assert shown.endswith(f" = {format_number(p.expected(v))}")  # the sum ends in the answer
    x1 = next(v for v in p.questions if p.names[v] == "x1")
    practice_page.locator(
        f'.graph g[data-node="{node_ids(p.root)[x1]}"][data-kind="value"]'
    ).click()
    assert p.sum_line(x1) in practice_page.locator("#panel").inner_text()


def test_the_page_writes_numbers_as_python_does(practice_page):
    numbers = [0.5, -1.0, 1 / 3, 12345.678, 9999.4, -0.00012345, 1.2e-7, 3e20, 0.1111, 100.0]
    shown = practice_page.evaluate(f"{numbers!r}.map(window.formatNumber)")
    assert shown == [format_number(x) for x in numbers]
