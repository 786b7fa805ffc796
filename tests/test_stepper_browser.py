"""The exported backprop page in a real headless browser (Debian's chromium + playwright).

One browser for the module; each test opens the file:// page fresh. Skipped where
/usr/bin/chromium is missing: ``sudo apt-get install chromium`` enables them (.ci/run
installs it). Playwright never downloads a browser here: it drives the system one.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from engine import Value
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


@pytest.fixture
def page(browser, html_file):
    """The page, opened as a double-click would (file://), with every request recorded."""
    context = browser.new_context()
    requests: list[str] = []
    context.on("request", lambda request: requests.append(request.url))
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(html_file.as_uri())
    yield page
    assert errors == []
    assert requests == [html_file.as_uri()], "the page must load nothing but itself"
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


def test_the_picture_stays_put_while_stepping(page, steps):
    """Texts of different lengths must not move the graph (the page pads them equally)."""
    tops = []
    for _ in range(len(steps) + 1):
        box = visible(page, ".graph svg").bounding_box()
        tops.append((round(box["x"]), round(box["y"]), round(box["width"])))
        page.keyboard.press("ArrowRight")
    assert len(set(tops)) == 1, tops
