"""What every op does around its math: numbers become constants, failures name the op.

The operators (``operators.py``) call these before and after computing ``out``:
``operand`` turns a number beside a Value (the ``2`` of ``2 * x``) into a constant
leaf, and ``domain_error`` and ``op_error`` build the error an op raises, naming
the op and its operands, so ``log(-1)`` says which log of which Value.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .mode import MODE
from .node import Node
from .numbers import check_number, is_number, type_message

if TYPE_CHECKING:
    from .ops import Op

_new = object.__new__  # a node without __init__: its fields are set right after


def constant(x: Any, op: Op, cls: type[Node]) -> Any:
    """A number used in an op becomes a constant leaf of class ``cls``, drawn as a number."""
    v = _new(cls)
    v.data, v.grad, v.label = check_number(x, op.name), 0.0, ""
    v._operation, v._parents, v.scope = None, (), MODE.scope
    return v


def operand(other: Any, op: Op, cls: type[Node]) -> Any:
    """A non-Value operand as a constant leaf, or NotImplemented so NumPy can broadcast."""
    if other.__class__ is int or is_number(other):
        return constant(other, op, cls)
    if isinstance(other, Node):
        return other
    if hasattr(other, "__array_ufunc__"):
        return NotImplemented
    raise TypeError(type_message(other, op.name))


def domain_error(op: Op, operands: tuple[Node, ...]) -> Exception:
    """The error for operands outside the op's domain (its ``domain`` condition)."""
    if _has_non_finite(operands):
        return _non_finite_error(op, operands)
    why = op.why_outside(*(v.data for v in operands))
    return op.domain_error(f"{_where(op, operands)}: {why}")


def op_error(op: Op, operands: tuple[Node, ...]) -> Exception:
    """The error for a forward that raised or came out NaN or infinite."""
    if _has_non_finite(operands):
        return _non_finite_error(op, operands)
    hint = f"; {op.hint}" if op.hint else ""
    return OverflowError(f"{_where(op, operands)}: the result overflows a float{hint}")


def _describe(operands: tuple[Node, ...]) -> str:
    names = "ab" if len(operands) <= 2 else None
    parts = []
    for i, v in enumerate(operands):
        name = names[i] if names else f"x{i + 1}"
        label = f" (label {v.label!r})" if v.label else ""
        parts.append(f"{name} = {v.data!r}{label}")
    return ", ".join(parts)


def _where(op: Op, operands: tuple[Node, ...]) -> str:
    return f"{op.heading} of {_describe(operands)}"


def _has_non_finite(operands: tuple[Node, ...]) -> bool:
    return any(v.data - v.data != 0.0 for v in operands)


def _non_finite_error(op: Op, operands: tuple[Node, ...]) -> ValueError:
    return ValueError(
        f"{_where(op, operands)}: an operand is not finite (was .data set by hand?); "
        "gradstep Values must stay finite"
    )
