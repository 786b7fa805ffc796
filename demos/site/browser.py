"""Running the built site's lessons in chromium, as a student would: for the test and the benchmark.

``serve(folder)`` serves the site on 127.0.0.1; ``chromium()`` opens Debian's chromium
through playwright (which never downloads a browser); ``run_lesson`` opens one lesson,
runs all its cells in the Pyodide kernel and reports what happened: how long it took,
any error output, every request that tried to leave 127.0.0.1 (each is refused), and
what the outputs showed.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import socketserver
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.show.draw import fitted_svgs

CHROMIUM = "/usr/bin/chromium"
TIMEOUT = 180.0  # seconds a lesson may take before run_lesson stops waiting
STALLED = 20.0  # seconds of an idle kernel with cells left: run-all stopped at an error

# JupyterLab keeps its app object to itself unless the page config says otherwise
# (expose_app); the notebook's cells and outputs are read through it.
OPENED = "() => window.jupyterapp?.shell?.currentWidget?.content?.model?.cells !== undefined"
RUN_ALL = """async () => {
  const panel = window.jupyterapp.shell.currentWidget;
  await panel.context.ready;
  await panel.sessionContext.ready;
  window.jupyterapp.commands.execute('notebook:run-all-cells');  // not awaited: we poll
}"""
PROGRESS = """() => {
  const panel = window.jupyterapp.shell.currentWidget;
  const cells = [...panel.content.model.cells].filter(c => c.type === 'code');
  return {done: cells.filter(c => c.executionCount).length, cells: cells.length,
          kernel: panel.sessionContext.session?.kernel?.status ?? 'none'};
}"""
OUTPUTS = """() => [...window.jupyterapp.shell.currentWidget.content.model.cells]
  .filter(c => c.type === 'code').map(c => c.toJSON().outputs)"""

# Every picture of a notebook's outputs (an image, or an SVG written inline) as the
# browser laid it out: whether it is a graph (SVG), its own width, its box, and the
# content box of its output area, the column it must fit. JupyterLab and nbconvert's
# HTML both mark an output area ``.jp-OutputArea-output``.
PICTURES = """() => [...document.querySelectorAll(
    '.jp-OutputArea-output img, .jp-OutputArea-output svg:not(svg svg)')].map(pic => {
  pic.scrollIntoView();  // a notebook may skip laying out cells out of view
  const area = pic.closest('.jp-OutputArea-output');
  const box = area.getBoundingClientRect(), style = getComputedStyle(area);
  const r = pic.getBoundingClientRect();
  const svg = pic.tagName === 'svg' || pic.src.startsWith('data:image/svg+xml');
  return {svg, natural: pic.tagName === 'svg' ? pic.width.baseVal.value : pic.naturalWidth,
          width: r.width, left: r.left, right: r.right,
          columnLeft: box.left + parseFloat(style.paddingLeft),
          columnRight: box.right - parseFloat(style.paddingRight)};
})"""


def too_wide(pictures: list[dict[str, Any]]) -> list[str]:
    """The pictures (measured by ``PICTURES``) that run past their column, described."""
    return [
        f"{'graph' if p['svg'] else 'image'} {p['width']:.0f} px wide at x={p['left']:.0f}, "
        f"column {p['columnLeft']:.0f}..{p['columnRight']:.0f}"
        for p in pictures
        if p["left"] < p["columnLeft"] - 0.5 or p["right"] > p["columnRight"] + 0.5
    ]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


@contextlib.contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serve ``folder`` on 127.0.0.1 (a free port) while in the block; yields its address."""
    handler = functools.partial(_Quiet, directory=str(folder))
    with socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}"
        finally:
            server.shutdown()


def expose_app(folder: Path) -> None:
    """Let the page's scripts reach JupyterLab's app object (``window.jupyterapp``)."""
    path = folder / "jupyter-lite.json"
    config = json.loads(path.read_text(encoding="utf-8"))
    config["jupyter-config-data"]["exposeAppInBrowser"] = True
    path.write_text(json.dumps(config), encoding="utf-8")


@contextlib.contextmanager
def chromium() -> Iterator[Any]:
    """Debian's headless chromium, driven by playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
        try:
            yield browser
        finally:
            browser.close()


def refusing_all_but(site: str, elsewhere: list[str]) -> Callable[[Any], None]:
    """A playwright route handler: requests to ``site`` go through, others are refused
    and their addresses added to ``elsewhere``."""

    def route(r: Any) -> None:
        if r.request.url.startswith((site, "data:", "blob:", "about:")):
            r.continue_()
        else:
            elsewhere.append(r.request.url)
            r.abort()

    return route


@dataclass
class LessonRun:
    """What running one lesson in the browser showed."""

    seconds: float  # from opening the page to the last cell's result
    first_result: float  # from opening the page to the first cell's result
    cells: int
    done: int  # cells that ran
    errors: list[str] = field(default_factory=list)
    elsewhere: list[str] = field(default_factory=list)  # requests not to the site
    mimetypes: set[str] = field(default_factory=set)
    svg_nodes: int = 0  # nodes in the Graphviz pictures of the outputs
    charts: int = 0  # Vega-Lite charts JupyterLab drew
    pictures: list[dict[str, Any]] = field(default_factory=list)  # measured by PICTURES


def run_lesson(browser: Any, site: str, lesson: str, shot: Path | None = None) -> LessonRun:
    """Open ``lesson`` from ``site``, run all its cells and wait for the last result."""
    context = browser.new_context(viewport={"width": 1300, "height": 1000})
    elsewhere: list[str] = []
    context.route("**/*", refusing_all_but(site, elsewhere))
    page = context.new_page()
    start = time.monotonic()
    page.goto(f"{site}/lab/index.html?path={lesson}")
    page.wait_for_function(OPENED, timeout=TIMEOUT * 1000)
    page.evaluate(RUN_ALL)
    first = progress = None
    idle_since = None  # run-all stops at a cell that fails: the kernel idles, cells left
    while time.monotonic() - start < TIMEOUT:
        progress = page.evaluate(PROGRESS)
        now = time.monotonic()
        if first is None and progress["done"] > 0:
            first = now - start
        if progress["kernel"] != "idle" or progress["done"] == 0:
            idle_since = None
        elif progress["done"] == progress["cells"] or now - (idle_since or now) > STALLED:
            break
        else:
            idle_since = idle_since or now
        time.sleep(0.1)
    seconds = time.monotonic() - start
    outputs = page.evaluate(OUTPUTS)
    if shot is not None:
        page.screenshot(path=str(shot), full_page=True)
    run = LessonRun(
        seconds=seconds,
        first_result=first if first is not None else seconds,
        cells=progress["cells"] if progress else 0,
        done=progress["done"] if progress else 0,
        errors=[
            f"cell {i}: {o['ename']}: {o['evalue']}"
            for i, cell in enumerate(outputs)
            for o in cell
            if o["output_type"] == "error"
        ],  # fmt: skip
        elsewhere=elsewhere,
        mimetypes={m for cell in outputs for o in cell for m in o.get("data", {})},
        svg_nodes=sum(
            svg.count('class="node"')
            for cell in outputs
            for o in cell
            for svg in _svgs(o.get("data", {}))
        ),
        charts=page.locator(".jp-OutputArea-output .vega-embed").count(),
        pictures=page.evaluate(PICTURES),
    )
    context.close()
    return run


def _svgs(data: dict[str, Any]) -> list[str]:
    """The graphs an output shows: as SVG, or as the image fitted to the column (in HTML)."""
    svgs = fitted_svgs(_text(data.get("text/html", "")))
    return svgs + ([_text(data["image/svg+xml"])] if "image/svg+xml" in data else [])


def _text(data: str | list[str]) -> str:
    """A notebook output's text, which nbformat may keep as a list of lines."""
    return data if isinstance(data, str) else "".join(data)
