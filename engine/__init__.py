"""gradstep's scalar autograd engine: Values, the op table, backward, gradcheck."""

from .autodiff import backward, is_grad_enabled, no_grad, nodes, topological_order, zero_grad
from .gradcheck import GradcheckError, GradcheckReport, gradcheck
from .ops import OPS, Op
from .tags import current_scope, mark, role_of, scope
from .value import Value, apply, sum

__all__ = [
    "GradcheckError",
    "GradcheckReport",
    "OPS",
    "Op",
    "Value",
    "apply",
    "backward",
    "current_scope",
    "gradcheck",
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
