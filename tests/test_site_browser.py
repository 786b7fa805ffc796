"""The browser site as a student meets it: built, served on 127.0.0.1, every lesson run in chromium.

The site is built once for the module (``demos.site.build``, what the README's command
runs), served by Python's http.server on 127.0.0.1, and each lesson is opened in
Debian's chromium and run top to bottom in the Pyodide kernel (``demos.site.browser``).
A lesson fails on any error output, on any request that leaves 127.0.0.1 (each is
refused and recorded), and when it takes 60 s or more from opening the page to its last
cell's result, or when a picture runs past its output column (JupyterLite's frontend is
JupyterLab 4.6's). Skipped where chromium or npm are missing (.ci/run installs both).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from demos.site import browser as site_browser

ROOT = Path(__file__).resolve().parent.parent
LESSONS = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
SLOWEST = 60.0  # seconds from opening a lesson to its last result

if not os.path.exists(site_browser.CHROMIUM) or shutil.which("npm") is None:
    pytest.skip(
        f"the site test needs Debian's chromium at {site_browser.CHROMIUM} and npm; enable "
        "it with `sudo apt-get install chromium npm` (.ci/run does)",
        allow_module_level=True,
    )
pytest.importorskip("playwright.sync_api", reason="the site test needs playwright (test group)")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The site, built into a temporary folder and served; yields its address."""
    from demos.site.build import build

    folder = tmp_path_factory.mktemp("site") / "site"
    build(folder)
    site_browser.expose_app(folder)
    with site_browser.serve(folder) as address:
        yield address


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with site_browser.chromium() as browser:
        yield browser


@pytest.mark.parametrize("lesson", LESSONS)
def test_every_lesson_runs_in_the_browser_offline(browser, site, lesson):
    run = site_browser.run_lesson(browser, site, lesson)
    assert run.done == run.cells > 0, f"{lesson}: {run.done} of {run.cells} cells ran"
    assert run.errors == [], f"{lesson}: " + "; ".join(run.errors)
    assert run.elsewhere == [], f"{lesson} asked beyond 127.0.0.1: {run.elsewhere}"
    assert run.seconds < SLOWEST, f"{lesson} took {run.seconds:.0f} s in the browser"
    assert site_browser.too_wide(run.pictures) == [], f"{lesson}: a picture runs past its column"


def test_a_lesson_shows_its_graph_and_its_plot(browser, site, tmp_path):
    """Lesson 1 draws a graph (SVG from viz.js) and charts (Vega-Lite, drawn by JupyterLab)."""
    shot = tmp_path / "lesson1.png"
    run = site_browser.run_lesson(browser, site, LESSONS[0], shot)
    assert {"text/html", "application/vnd.vegalite.v5+json"} <= run.mimetypes
    assert run.svg_nodes >= 5  # the loss's graph, node by node
    assert any(picture["svg"] for picture in run.pictures)
    assert site_browser.too_wide(run.pictures) == []  # JupyterLab 4.6 fits it to the column
    assert run.charts >= 1
    assert shot.stat().st_size > 50_000


def test_the_plain_page_steps_and_practises_on_a_typed_expression(browser, site):
    """stepper.html: Pyodide, gradstep and viz.js without JupyterLab, nothing from elsewhere."""
    context = browser.new_context()
    elsewhere: list[str] = []
    context.route("**/*", site_browser.refusing_all_but(site, elsewhere))
    page = context.new_page()
    page.goto(f"{site}/stepper.html")
    page.wait_for_function("document.getElementById('status').textContent === 'Ready.'",
                           timeout=60_000)  # fmt: skip
    page.fill("#expression", "(a*b + a).exp()")
    page.fill("#values", "a=0.5, b=-1")
    page.click("#steps")
    page.wait_for_function("document.getElementById('status').textContent === ''")
    steps = page.frame_locator("#out")
    steps.locator("text=out = (a*b + a).exp()").first.wait_for()
    assert steps.locator("svg").count() >= 4  # a picture per step, drawn by viz.js
    page.click("#practise")
    page.wait_for_function("document.getElementById('status').textContent === ''")
    page.frame_locator("#out").locator("input").first.wait_for()
    page.fill("#expression", "c * 2")
    page.click("#steps")
    page.wait_for_function("document.getElementById('status').classList.contains('error')")
    assert "c has no value" in page.text_content("#status")
    assert elsewhere == []
    context.close()
