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

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
nbconvert = pytest.importorskip("nbconvert")

CHROMIUM = "/usr/bin/chromium"
NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
VIEWPORT = {"width": 1280, "height": 900}
# Lessons whose graphs are wider than the column: 3 (a logistic regression's loss over
# its data), 5 (the guest-list network), 6 (an MLP, written out as matrices).
WIDE_GRAPHS = ["logistic_regression", "guest_list_network", "forward_propagation_as_matrices"]

if not os.path.exists(CHROMIUM):
    pytest.skip(
        f"the exported-HTML test needs Debian's chromium at {CHROMIUM}; enable it with "
        "`sudo apt-get install chromium`",
        allow_module_level=True,
    )
sync_api = pytest.importorskip("playwright.sync_api", reason="needs playwright (test group)")

# Every picture of an output (an image, or an SVG written inline), whether it is a graph
# (SVG), its size of its own, its rendered box, and the content box of its output area.
MEASURE = """() => [...document.querySelectorAll(
    '.jp-OutputArea-output img, .jp-OutputArea-output svg:not(svg svg)')].map(pic => {
  const area = pic.closest('.jp-OutputArea-output');
  const box = area.getBoundingClientRect(), style = getComputedStyle(area);
  const r = pic.getBoundingClientRect();
  const svg = pic.tagName === 'svg' || pic.src.startsWith('data:image/svg+xml');
  const natural = pic.tagName === 'svg' ? pic.width.baseVal.value : pic.naturalWidth;
  return {svg, natural, width: r.width, left: r.left, right: r.right,
          columnLeft: box.left + parseFloat(style.paddingLeft),
          columnRight: box.right - parseFloat(style.paddingRight)};
})"""
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
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
        yield browser
        browser.close()


@pytest.mark.parametrize("topic", WIDE_GRAPHS)
def test_every_picture_of_an_exported_lesson_fits_its_column(browser, topic, tmp_path):
    page = browser.new_page(viewport=VIEWPORT)
    page.goto(exported(topic, tmp_path).as_uri())
    page.wait_for_load_state("load")
    pictures = page.evaluate(MEASURE)
    graphs = [picture for picture in pictures if picture["svg"]]
    assert graphs, f"{topic}: no graph among the outputs"
    widest = max(graphs, key=lambda graph: graph["natural"])
    column = widest["columnRight"] - widest["columnLeft"]
    assert widest["natural"] > column, "the lesson's graph is wider than the column"
    for image in pictures:
        assert image["width"] > 0
        assert image["left"] >= image["columnLeft"] - 0.5, image
        assert image["right"] <= image["columnRight"] + 0.5, image
    scroll_width, width = page.evaluate(PAGE)
    assert scroll_width <= width, f"{topic}: the page scrolls sideways ({scroll_width} > {width})"
    page.close()
