"""gradstep's scalar autograd engine: Values, the op table, backward, gradcheck."""

from .autodiff import backward, is_grad_enabled, no_grad, nodes, topological_order, zero_grad
from .ops import OPS, Op
from .tags import current_scope, mark, role_of, scope
from .value import Value, sum

__all__ = [
    "OPS",
    "Op",
    "Value",
    "backward",
    "current_scope",
    "is_grad_enabled",
    "mark",
    "role_of",
    "no_grad",
    "nodes",
    "scope",
    "sum",
    "topological_order",
    "zero_grad",
]
