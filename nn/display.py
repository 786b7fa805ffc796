"""Where output goes: a notebook, a terminal, a window or a file, and never nowhere.

Pictures described as an ``nn.chart.Chart`` are drawn here, by the one renderer this
Python has: matplotlib where it is installed (the look of every native lesson), and
otherwise, in the browser's JupyterLite where matplotlib cannot be installed, a
Vega-Lite chart that JupyterLab draws itself. ``GRADSTEP_PLOTS=vega-lite`` asks for the
browser's path anywhere, to see or test it.

A figure made in a Jupyter notebook shows itself under the cell. The same call in a
script on a machine with no display would, left alone, do nothing at all: matplotlib
falls back to its file-only Agg backend and draws into memory. ``finish_figure`` makes
the outcome explicit: saved where the caller asked, shown in a window when there is a
display, and otherwise saved to a default file whose path it prints.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .chart import Chart

# The two classes' colours in every picture gradstep draws (demos, lessons, fit(plot=)):
# points red for a positive label and blue otherwise; the plane in pale shades of them.
POSITIVE, NEGATIVE = "tab:red", "tab:blue"
REGIONS = {POSITIVE: "#fcbba1", NEGATIVE: "#c6dbef"}

# matplotlib's backends that draw only into memory or a file (its BackendFilter list).
FILE_ONLY_BACKENDS = {"agg", "cairo", "pdf", "pgf", "ps", "svg", "template"}

MISSING_MATPLOTLIB = (
    "matplotlib is not installed. It is gradstep's `plot` extra: in a clone run your "
    "command with `.uv/bin/uv run --extra plot ...` (see the README's Start), or "
    "`pip install 'gradstep[plot]'` where gradstep was installed with pip"
)


def pyplot(who: str) -> Any:
    """``matplotlib.pyplot``, or an ImportError that says how to install it."""
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        raise ImportError(f"{who}: {MISSING_MATPLOTLIB}") from None
    return plt


RENDERER_VAR = "GRADSTEP_PLOTS"
RENDERERS = ("matplotlib", "vega-lite")


def renderer() -> str:
    """``"matplotlib"`` when it is installed, else ``"vega-lite"`` (or ``$GRADSTEP_PLOTS``)."""
    chosen = os.environ.get(RENDERER_VAR)
    if chosen:
        if chosen not in RENDERERS:
            raise ValueError(
                f"{RENDERER_VAR}={chosen!r}: use one of {', '.join(RENDERERS)}, or unset it"
            )
        return chosen
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return "vega-lite"
    return "matplotlib"


def show(chart: Chart, path: str | os.PathLike[str] | None = None) -> None:
    """Draw ``chart`` where the user will see it (see ``Chart.show``)."""
    if path is not None and Path(path).suffix == ".json":
        _write_spec(chart, Path(path))
    elif renderer() == "matplotlib":
        finish_figure(chart.figure(), path, "chart.png", "Chart.show")
    elif path is None and in_notebook():
        from IPython.display import display

        from .chart_vegalite import MIMETYPE

        text = f"<Chart: {len(chart.panels)} panel(s), drawn by JupyterLab from Vega-Lite>"
        display({MIMETYPE: chart.vegalite(), "text/plain": text}, raw=True)
    else:
        raise ImportError(
            f"Chart.show: {MISSING_MATPLOTLIB}; or pass a path ending .json for the Vega-Lite spec"
        )


def _write_spec(chart: Chart, path: Path) -> None:
    import json

    try:
        path.write_text(json.dumps(chart.vegalite()), encoding="utf-8")
    except OSError as error:
        raise OSError(
            f"Chart.show: cannot write the spec to {os.fspath(path)!r}: {error}"
        ) from None
    print(f"Chart.show: wrote {path.resolve()}")


def in_notebook() -> bool:
    """True inside a Jupyter kernel (IPython already imported by the kernel).

    In the browser (Pyodide, ``sys.platform == "emscripten"``) an IPython shell can only
    be JupyterLite's kernel, whose config does not name IPKernelApp.
    """
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return False
    try:
        shell = ipython.get_ipython()
    except Exception:  # an unusual IPython: assume no notebook
        return False
    if shell is not None and sys.platform == "emscripten":
        return True
    return shell is not None and "IPKernelApp" in getattr(shell, "config", {})


def is_terminal() -> bool:
    """True when standard error is a terminal (where a progress bar can redraw itself)."""
    stream = sys.stderr
    try:
        return bool(stream is not None and stream.isatty())
    except (AttributeError, ValueError):
        return False


def has_window() -> bool:
    """True when matplotlib's backend can open a window (not a file-only one)."""
    import matplotlib

    return matplotlib.get_backend().lower() not in FILE_ONLY_BACKENDS


def _managed(fig: Any) -> bool:
    """True for a figure pyplot made (and can show in a window); False for a bare Figure."""
    return getattr(fig.canvas, "manager", None) is not None


def finish_figure(
    fig: Any, path: str | os.PathLike[str] | None, default: str, who: str
) -> Path | None:
    """Save ``fig`` to ``path``; with no path, let the notebook or a window show it, or
    save it to ``default`` (in the working folder). Prints every path it writes.

    Returns the file written, or None when the figure is only shown.
    """
    if path is None and in_notebook():
        return None  # the notebook displays the figure under the cell
    if path is None and has_window() and _managed(fig):
        pyplot(who).show()
        return None
    target = Path(default if path is None else path)
    try:
        fig.savefig(target, dpi=110, bbox_inches="tight")
    except (OSError, ValueError) as error:
        raise type(error)(
            f"{who}: cannot write the figure to {os.fspath(target)!r}: {error}"
        ) from None
    if path is not None:
        reason = ""
    elif has_window():  # a bare Figure, made without pyplot, has no window to open
        reason = " (this figure has no window to open, so it went to a file)"
    else:
        reason = " (no display here, so the figure went to a file)"
    print(f"{who}: wrote {target.resolve()}{reason}")
    if not in_notebook():
        pyplot(who).close(fig)  # a script keeps no figure it has written
    return target
