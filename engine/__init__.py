"""gradstep's scalar autograd engine: Values, the op table, backward, gradcheck."""

from .autodiff import (
    backward,
    collector_paused,
    is_grad_enabled,
    no_grad,
    nodes,
    topological_order,
    zero_grad,
)
from .compiled import CompiledGraph, GraphChangedError, compile
from .gradcheck import GradcheckError, GradcheckReport, gradcheck
from .ops import OPS, Op, define_op
from .tags import current_scope, mark, role_of, scope
from .value import Value, apply, sum

__all__ = [
    "CompiledGraph",
    "GradcheckError",
    "GradcheckReport",
    "GraphChangedError",
    "GraphvizNotFoundError",
    "OPS",
    "Op",
    "Value",
    "apply",
    "backprop_steps",
    "backprop_table",
    "backward",
    "collector_paused",
    "compile",
    "current_scope",
    "define_op",
    "draw_dot",
    "export_backprop_html",
    "gradcheck",
    "is_grad_enabled",
    "mark",
    "no_grad",
    "nodes",
    "render",
    "role_of",
    "scope",
    "sum",
    "topological_order",
    "zero_grad",
]

_DRAWING = ("GraphvizNotFoundError", "draw_dot", "render")
_STEPPER = ("backprop_steps", "backprop_table")


def __getattr__(name: str) -> object:
    """Load engine.draw on first use: it imports graphviz, which `import engine` need not pay."""
    if name in _DRAWING:
        from . import draw

        return getattr(draw, name)
    if name in _STEPPER:
        from . import stepper

        return getattr(stepper, name)
    if name == "export_backprop_html":
        from .stepper_html import export_backprop_html

        return export_backprop_html
    raise AttributeError(f"module 'engine' has no attribute {name!r}")
