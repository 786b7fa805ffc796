"""gradstep's scalar autograd engine.

The core, what micrograd's ``engine.py`` is, lives in ``engine/core``: ``Value``
(``value.py``), its operators (``operators.py``, written from the op table in
``ops.py``), each op's chain rule (``kernels.py``) and the backward pass
(``autodiff.py``); ``engine/core/__init__.py`` names the 100 lines to read first. Around
it, tools that only read the graph: ``check`` (gradcheck and hypothesis strategies),
``show`` (drawing and the step-by-step stepper) and ``compiler`` (compiled graphs).
The core imports none of them.
"""

from typing import Any

from .check.gradcheck import GradcheckError, GradcheckReport, gradcheck, gradgradcheck
from .compiler.compiled import CompiledGraph, GraphChangedError
from .compiler.compiled import compile as compile  # engine.compile; not in __all__
from .compiler.function import CompiledFunction
from .core import value as _value
from .core.autodiff import (
    backward,
    backward_pass,
    collector_paused,
    nodes,
    topological_order,
    zero_grad,
)
from .core.define import define_op
from .core.higher import grad, hessian, hvp
from .core.mode import current_scope, is_grad_enabled, no_grad, scope
from .core.names import graph_names
from .core.operators import sum as sum  # engine.sum; not in __all__
from .core.ops import OPS, Op
from .core.value import Value, apply
from .show.tags import mark, role_of

# ``sum`` and ``compile`` are engine attributes (``engine.sum``, ``engine.compile``) but
# not in __all__: ``from engine import *`` must not shadow Python's own builtins.
__all__ = [
    "CompiledFunction",
    "CompiledGraph",
    "GradcheckError",
    "GradcheckReport",
    "GraphChangedError",
    "GraphvizNotFoundError",
    "OPS",
    "Op",
    "Practice",
    "Value",
    "apply",
    "backprop_steps",
    "backprop_table",
    "backward",
    "backward_pass",
    "collector_paused",
    "current_scope",
    "define_op",
    "draw_dot",
    "export_backprop_html",
    "grad",
    "gradcheck",
    "gradgradcheck",
    "graph_names",
    "hessian",
    "hvp",
    "is_grad_enabled",
    "mark",
    "no_grad",
    "nodes",
    "practice",
    "render",
    "role_of",
    "scope",
    "topological_order",
    "zero_grad",
]

_LAZY = {
    "GraphvizNotFoundError": "draw",
    "draw_dot": "draw",
    "render": "draw",
    "backprop_steps": "stepper",
    "backprop_table": "stepper",
    "export_backprop_html": "stepper_html",
    "practice": "practice",
    "Practice": "practice",
}


def __getattr__(name: str) -> object:
    """Load the drawing tools on first use: they import graphviz, which `import engine` skips."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'engine' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(f".show.{module}", __name__), name)


def _steps(root: Value, grad: float) -> Any:
    from .show.stepper import backprop_steps

    return backprop_steps(root, grad)


def _display(root: Value, include: Any, exclude: Any) -> Any:
    from .show.draw import repr_mimebundle

    return repr_mimebundle(root, include, exclude)


# The tools a Value offers as methods (``v.backward_steps()``, Jupyter's display).
_value.TOOLS.update(steps=_steps, display=_display)
