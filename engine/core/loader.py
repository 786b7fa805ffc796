"""Loading generated code: compile it under a name of its own and keep its lines for tracebacks.

Code gradstep writes at run time (a ``define_op`` op, a compiled graph or function)
is compiled under a file name such as ``<gradstep op softplus #1>`` and registered
with ``linecache``, so tracebacks show its lines and ``inspect.getsource`` finds them,
as for code in a file. ``forget`` drops the lines again when the code is gone.
"""

from __future__ import annotations

import builtins
import linecache
from typing import Any


def load(source: str, filename: str, namespace: dict[str, Any]) -> dict[str, Any]:
    """Run ``source`` in ``namespace`` (which it fills, and is returned) under ``filename``.

    Take the functions you need out of the namespace (``namespace.pop("run")``): a
    function's globals are the namespace, so leaving it there too is a reference cycle.
    """
    exec(builtins.compile(source, filename, "exec"), namespace)
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    return namespace


def forget(filename: str) -> None:
    """Drop the lines of code loaded under ``filename`` (when that code is freed)."""
    linecache.cache.pop(filename, None)
