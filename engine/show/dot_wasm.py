"""Graphviz in the browser: ``dot`` as WebAssembly (@viz-js/viz), for Pyodide.

In the browser (JupyterLite's Pyodide kernel, ``sys.platform == "emscripten"``) there
are no programs to run, so ``engine.show.dot_exe.run_dot`` hands the DOT text to
viz.js, Graphviz compiled to WebAssembly, which the site ships next to Pyodide
(``viz-global.js`` in the folder of Pyodide's lock file, or at ``$GRADSTEP_VIZ_JS``).
It writes SVG, the format every picture in a notebook uses.

viz.js starts asynchronously (it compiles its WebAssembly), but drawing is a plain
function call. So loading starts when this module is imported, and a draw that comes
before it is done waits for it with ``pyodide.ffi.run_sync`` (the browser's JavaScript
Promise Integration), or, where that is not available, asks to run the cell again.
viz.js draws only the first graph of its input: one graph per call.
"""

from __future__ import annotations

import os
import re
from typing import Any

import graphviz

URL_VAR = "GRADSTEP_VIZ_JS"
SCRIPT = "viz-global.js"
FORMATS = ("svg", "dot", "xdot", "json", "plain")  # what viz.js writes; no bitmaps
ATTRIBUTE = re.compile(r"-(?P<kind>[GNE])(?P<name>\w+)=(?P<value>.*)")
KINDS = {"G": "graphAttributes", "N": "nodeAttributes", "E": "edgeAttributes"}

_viz: Any = None  # the viz.js instance, once it has started
_starting: Any = None  # its Promise, while it starts


def script_url() -> str:
    """Where viz-global.js is: ``$GRADSTEP_VIZ_JS``, else next to Pyodide's lock file."""
    import pyodide_js

    return os.environ.get(URL_VAR) or f"{pyodide_js.lockfileBaseUrl or ''}{SCRIPT}"


def start() -> None:
    """Load viz.js into this worker and start it (idempotent); does not wait."""
    global _starting
    if _viz is not None or _starting is not None:
        return
    import js
    from pyodide.ffi import create_once_callable
    from pyodide.http import open_url

    if not hasattr(js, "Viz"):
        url = script_url()
        try:
            code = open_url(url).read()  # a synchronous request: fine in the kernel's worker
        except Exception as error:
            raise NotFound(f"cannot load Graphviz for the browser from {url!r}: {error}") from None
        js.eval(code)  # defines globalThis.Viz
    _starting = js.Viz.instance()
    _starting.then(create_once_callable(_started))


def _started(instance: Any) -> None:
    global _viz, _starting
    _viz, _starting = instance, None


def viz() -> Any:
    """The started viz.js instance, waiting for it if the browser lets Python wait."""
    start()
    if _viz is not None:
        return _viz
    from pyodide.ffi import can_run_sync, run_sync

    if can_run_sync():
        _started(run_sync(_starting))
        return _viz
    raise NotFound(
        "Graphviz for the browser (viz.js) is still starting: run the cell again in a moment"
    )


class NotFound(graphviz.ExecutableNotFound):
    """viz.js could not be loaded or has not started yet; the message says which."""

    def __init__(self, message: str) -> None:
        RuntimeError.__init__(self, message)


def options(format: str, engine: str, extra_args: tuple[str, ...]) -> dict[str, Any]:  # noqa: A002
    """viz.js's render options for a ``dot`` command line's format, engine and -G/-N/-E."""
    if format not in FORMATS:
        raise ValueError(
            f"Graphviz in the browser (viz.js) cannot write {format!r} files; it writes: "
            f"{', '.join(FORMATS)}. Draw SVG here, or PNG where gradstep is installed."
        )
    chosen: dict[str, Any] = {"format": format, "engine": engine}
    for arg in extra_args:
        match = ATTRIBUTE.fullmatch(arg)
        if match is None:
            raise ValueError(f"Graphviz in the browser (viz.js) takes no {arg!r} option")
        chosen.setdefault(KINDS[match["kind"]], {})[match["name"]] = match["value"]
    return chosen


def render(source: str, format: str, engine: str, extra_args: tuple[str, ...]) -> bytes:  # noqa: A002
    """The picture of the one graph in ``source``, as ``dot -K{engine} -T{format}`` gives it."""
    import js
    from pyodide.ffi import to_js

    chosen = to_js(options(format, engine, extra_args), dict_converter=js.Object.fromEntries)
    result = viz().render(source, chosen)
    if result.status != "success":
        errors = "; ".join(str(e.message) for e in result.errors) or "no message"
        raise graphviz.CalledProcessError(1, ["viz.js", f"-T{format}"], stderr=errors)
    return str(result.output).encode("utf-8")
