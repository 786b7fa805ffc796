"""A lesson exported to HTML (nbconvert, as `jupyter nbconvert --to html` does) keeps every
picture inside its column, measured in Debian's chromium at a laptop's width.

A neural net's graph is wider than the notebook's column (lesson 6's is 1,893 px at its
own size); ``engine.draw_dot``'s display shrinks it to the column (``fit_to_column``).
Each lesson named here is run in a fresh kernel, exported, opened at 1280 × 900, and every
image of its outputs is measured where the browser put it. Lessons are found by their
topic, not their number. Skipped where /usr/bin/chromium is missing (.ci/run installs it).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from demos.site import browser as site_browser

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
nbconvert = pytest.importorskip("nbconvert")

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
VIEWPORT = {"width": 1280, "height": 900}
# Lessons whose graphs are wider than the column: 3 (a logistic regression's loss over
# its data), 5 (the guest-list network), 6 (an MLP, written out as matrices).
WIDE_GRAPHS = ["logistic_regression", "guest_list_network", "forward_propagation_as_matrices"]

if not os.path.exists(site_browser.CHROMIUM):
    pytest.skip(
        f"the exported-HTML test needs Debian's chromium at {site_browser.CHROMIUM}; enable "
        "it with "
        "`sudo apt-get install chromium`",
        allow_module_level=True,
    )
pytest.importorskip("playwright.sync_api", reason="needs playwright (test group)")

PAGE = "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"


def lesson(topic: str) -> Path:
    (path,) = NOTEBOOKS.glob(f"*{topic}*.ipynb")
    return path


def exported(topic: str, folder: Path) -> Path:
    """The lesson, run top to bottom in a fresh kernel and exported to one HTML file."""
    nb = nbformat.read(lesson(topic), as_version=4)
    client = nbclient.NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}}
    )
    client.execute()
    body, _ = nbconvert.HTMLExporter().from_notebook_node(nb)
    page = folder / f"{topic}.html"
    page.write_text(body, encoding="utf-8")
    return page


@pytest.fixture(scope="module")
def browser():
    with site_browser.chromium() as browser:
        yield browser


@pytest.mark.parametrize("topic", WIDE_GRAPHS)
def test_every_picture_of_an_exported_lesson_fits_its_column(browser, topic, tmp_path):
    page = browser.new_page(viewport=VIEWPORT)
    page.goto(exported(topic, tmp_path).as_uri())
    page.wait_for_load_state("load")
    pictures = page.evaluate(site_browser.PICTURES)
    graphs = [picture for picture in pictures if picture["svg"]]
    assert graphs, f"{topic}: no graph among the outputs"
    widest = max(graphs, key=lambda graph: graph["natural"])
    column = widest["columnRight"] - widest["columnLeft"]
    assert widest["natural"] > column, "the lesson's graph is wider than the column"
    assert all(picture["width"] > 0 for picture in pictures)
    assert site_browser.too_wide(pictures) == []
    scroll_width, width = page.evaluate(PAGE)
    assert scroll_width <= width, f"{topic}: the page scrolls sideways ({scroll_width} > {width})"
    page.close()
