"""The browser site's figures: its size, how soon a lesson answers, each lesson's time.

    .uv/bin/uv run --group test python -m demos.bench.browser [--site DIR] [--repeat N]

Builds the site (or measures the one in ``--site``), then prints:

* its size on disk, and gzipped file by file (what a web server that compresses sends);
* the time from opening lesson 1's page to its first cell's result (JupyterLab, Pyodide
  and gradstep loading included);
* the time from opening the plain page (stepper.html) to its being ready;
* each lesson's time in the browser (page opened to last result, in Debian's chromium)
  against the same notebook run natively (a fresh ipykernel, by nbclient), medians of
  ``--repeat`` runs.
"""

from __future__ import annotations

import argparse
import gzip
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from demos.site import browser
from demos.site.build import NOTEBOOKS, build

GROUPS = {  # where the bytes are, by top folder of the site
    "Pyodide, viz.js and the wheels": ("static/pyodide",),
    "JupyterLab (and its extensions)": ("build", "extensions", "lab", "api/translations"),
    "lessons and their data": ("files", "api/contents"),
}


def sizes(site: Path) -> dict[str, tuple[int, int]]:
    """Bytes on disk and gzipped, per group and in total."""
    totals = {name: [0, 0] for name in [*GROUPS, "other", "total"]}
    for path in site.rglob("*"):
        if not path.is_file():
            continue
        data = path.read_bytes()
        pair = (len(data), len(gzip.compress(data, compresslevel=6)))
        where = path.relative_to(site).as_posix()
        group = next((g for g, tops in GROUPS.items() if where.startswith(tops)), "other")
        for name in (group, "total"):
            totals[name][0] += pair[0]
            totals[name][1] += pair[1]
    return {name: (disk, zipped) for name, (disk, zipped) in totals.items()}


def native_seconds(lesson: str) -> float:
    """The notebook run top to bottom by a fresh native kernel, as nbmake does."""
    import nbclient
    import nbformat

    notebook = nbformat.read(NOTEBOOKS / lesson, as_version=4)
    start = time.perf_counter()
    client = nbclient.NotebookClient(notebook, kernel_name="python3",
                                     resources={"metadata": {"path": str(NOTEBOOKS)}})  # fmt: skip
    client.execute()
    return time.perf_counter() - start


def plain_page_ready(chromium: Any, address: str) -> float:
    """Seconds from opening stepper.html to its "Ready." (Pyodide, gradstep, viz.js loaded)."""
    context = chromium.new_context()
    page = context.new_page()
    start = time.perf_counter()
    page.goto(f"{address}/stepper.html")
    page.wait_for_function("document.getElementById('status').textContent === 'Ready.'",
                           timeout=120_000)  # fmt: skip
    seconds = time.perf_counter() - start
    context.close()
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m demos.bench.browser", description=__doc__)
    parser.add_argument("--site", type=Path, help="a built site to measure (default: build one)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per lesson (default 1)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="gradstep-bench-site-") as tmp:
        site = args.site
        if site is None:
            site = Path(tmp) / "site"
            start = time.perf_counter()
            build(site)
            print(f"\nbuilt in {time.perf_counter() - start:.1f} s")
        report(site, args.repeat)
    return 0


def report(site: Path, repeat: int) -> None:
    print("\nsite size                          on disk    gzipped")
    for name, (disk, zipped) in sizes(site).items():
        print(f"  {name:32} {disk / 1e6:6.1f} MB  {zipped / 1e6:6.1f} MB")
    browser.expose_app(site)
    lessons = sorted(p.name for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    rows = []
    with browser.serve(site) as address, browser.chromium() as chromium:
        for lesson in lessons:
            runs = [browser.run_lesson(chromium, address, lesson) for _ in range(repeat)]
            bad = [r for r in runs if r.errors or r.elsewhere or r.done < r.cells]
            if bad:
                raise SystemExit(f"{lesson} failed in the browser: {bad[0]}")
            native = statistics.median(native_seconds(lesson) for _ in range(repeat))
            rows.append((lesson, runs, native))
        plain = statistics.median(plain_page_ready(chromium, address) for _ in range(repeat))
    first = statistics.median(r.first_result for r in rows[0][1])
    print(f"\npage opened -> first cell's result ({rows[0][0]}): {first:.1f} s", end="")
    print(f" (median of {repeat})")
    print(f"\n{'lesson':40} {'browser':>8} {'native':>8} {'ratio':>6}")
    for lesson, runs, native in rows:
        seconds = statistics.median(r.seconds for r in runs)
        print(f"{lesson:40} {seconds:7.1f}s {native:7.1f}s {seconds / native:5.1f}x")
    print(f"stepper.html opened -> ready for an expression: {plain:.1f} s")
    print("browser: page opened to last result in chromium (JupyterLab, Pyodide and")
    print("gradstep loading included); native: a fresh ipykernel running it (nbclient).")


if __name__ == "__main__":
    raise SystemExit(main())
