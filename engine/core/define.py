"""``define_op``: your own op, defined exactly as the built-in ones are.

A user op is an entry of the same kind as the table's (``ops.py``): expressions for
its forward and local derivatives. Its code is written by the same writer
(``codegen.py``) the moment it is defined, compiled under a file name of its own
(``<gradstep op softplus>``) and registered with ``linecache``, so tracebacks show
its lines and ``inspect.getsource`` returns them, as for the built-in ops.
"""

from __future__ import annotations

from collections.abc import Sequence

from . import operators, terms
from .codegen import function_source, kernel_source
from .floatmath import NAMES
from .loader import load
from .ops import OPS, Op


def define_op(
    name: str,
    forward: str,
    derivs: Sequence[str],
    *,
    symbol: str | None = None,
    forms: Sequence[Sequence[str]] = (),
    domain: str | None = None,
    hint: str = "",
    branch: str | None = None,
    param: str | None = None,
    register: bool = False,
) -> Op:
    """Define your own op from expressions, exactly as the built-in ones are defined.

    ``forward`` and each of ``derivs`` are Python expressions over the operand data
    ``a`` (and ``b`` for a binary op) and, in ``derivs``, the output ``out``; the
    functions ``exp``, ``log``, ``tanh``, ``sigmoid``, ``fabs`` and ``math`` are
    available. The number of ``derivs`` sets the arity (1 or 2). The op is callable
    on Values::

        softplus = define_op("softplus", "log(1.0 + exp(a))", ["sigmoid(a)"])
        y = softplus(x)

    ``forms`` gives other ways to write each derivative, shown in the chain-rule text.
    ``param="c"`` makes an op family with a number parameter ``c`` in the expressions:
    apply a member with ``op.bind(2.5)(x)``. With ``register=True`` the op joins
    ``OPS``, so ``engine.testing.graphs()`` (and so your property tests) cover it. A
    wrong derivative is exactly what gradcheck finds.
    """
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(f"define_op: name must be an identifier, got {name!r}")
    if register and name in OPS:
        raise ValueError(f"define_op: an op named {name!r} exists already; pick another name")
    if isinstance(derivs, str) or not all(isinstance(d, str) for d in derivs):
        raise ValueError("define_op: derivs must be a list of expression strings, one per operand")
    derivs = tuple(derivs)
    if len(derivs) not in (1, 2):
        raise ValueError("define_op: derivs must be 1 or 2 expression strings, one per operand")
    if isinstance(forms, str) or any(isinstance(f, str) for f in forms):
        raise ValueError(
            f"define_op {name}: forms must hold one list of forms per operand, e.g. "
            f"forms=[['1 - tanh(a) ** 2']], got {forms!r}"
        )
    if param is not None and (not isinstance(param, str) or not param.isidentifier()):
        raise ValueError(f"define_op {name}: param must be a name such as 'c', got {param!r}")
    op = Op(
        name,
        symbol or name,
        len(derivs),
        forward,
        derivs,
        forms=tuple(tuple(f) for f in forms),
        domain=domain,
        hint=hint or (f"{name} is defined where {domain}" if domain else ""),
        branch=branch,
        param=param,
        named=True,
    )
    _attach_code(op)
    if register:
        OPS[name] = op
    return op


_COUNT = [0]


def _attach_code(op: Op) -> None:
    """Write the op's kernels and applying function, compile them, attach them to ``op``."""
    _COUNT[0] += 1
    filename = f"<gradstep op {op.name} #{_COUNT[0]}>"
    source = "\n\n".join(
        [kernel_source(op, "_user"), function_source(op, "_apply_user", op_ref="OP")]
    )
    namespace = load(source, filename, {**vars(operators), **NAMES, **vars(terms), "OP": op})
    op._attach(
        forward_fn=namespace["_user_forward"],
        local_fn=namespace["_user_local"],
        backward=namespace["_user_backward"],
        backward_graph=namespace["_user_backward_graph"],
        domain_fn=namespace.get("_user_domain"),
        side_fn=namespace.get("_user_side"),
        function=namespace["_apply_user"],
    )
