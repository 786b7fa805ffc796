"""Where output goes: a notebook, a terminal, a window or a file, and never nowhere.

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
from typing import Any

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


def in_notebook() -> bool:
    """True inside a Jupyter kernel (IPython already imported by the kernel)."""
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return False
    try:
        shell = ipython.get_ipython()
    except Exception:  # an unusual IPython: assume no notebook
        return False
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
