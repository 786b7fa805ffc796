"""The lines of compiled code: names for values, a node's forward line, its chain-rule terms.

Both ways of compiling a graph write the same lines: the one function of a small graph
(``compiled.py``) and the chunks of a big one (``chunks.py``), and so does a compiled
function (``function.py``). Each line is an op's template (``templates.py``) with the
operands' names written in; each chain-rule term is written by
``engine.core.codegen.chain_rule_line``, the writer of the eager kernels.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Collection, Mapping, Sequence

from ..core.codegen import chain_rule_line
from ..core.floatmath import NAMES as NAMESPACE
from ..core.names import identifier
from ..core.node import Node
from ..core.ops import NARY
from .templates import template

CHECK_TERMS = 1000  # values per term of the finiteness check: keeps the line and stack short


class Namer:
    """Unique Python identifiers for the values of compiled code.

    The names come from ``engine.core.names.graph_names`` (labels, else ``L``, ``n1``,
    ``x1``, ...), the names the stepper and drawings use; this makes them identifiers
    and unique against the code's own names. A value named ``h`` has its gradient in
    ``grad_h``; both names are reserved together so a label can never collide with
    another value's gradient.
    """

    def __init__(self, reserved: set[str]) -> None:
        self.used = set(reserved)

    def name(self, text: str) -> str:
        """``text`` (a label or a generated name) as an identifier no other value has."""
        base = identifier(text) or "v"
        candidate, k = base, 1
        while candidate in self.used or f"grad_{candidate}" in self.used:
            k += 1
            candidate = f"{base}_{k}"
        self.used.update((candidate, f"grad_{candidate}"))
        return candidate


def reserved() -> set[str]:
    """Names the generated code uses besides the values' own."""
    names = set(NAMESPACE) | set(dir(builtins)) | {"leaves", "outputs", "seed", "backward", "run"}
    return names | {"_total", "_fail"}


# --- The lines -------------------------------------------------------------------------


def uses(order: list[Node]) -> dict[Node, int]:
    """How many operand slots each node fills (x * x counts twice)."""
    uses: dict[Node, int] = {}
    get = uses.get
    for node in order:
        for p in node._parents:
            uses[p] = get(p, 0) + 1
    return uses


def operands(node: Node, name: Mapping[Node, str]) -> tuple[str, str | None, str]:
    """The format() arguments of a node's templates: (a, b, out) or (xs, None, out)."""
    parents = node._parents
    if node._operation.arity == NARY:
        return "(" + ", ".join([name[p] for p in parents]) + ",)", None, name[node]
    if len(parents) == 1:
        return name[parents[0]], None, name[node]
    return name[parents[0]], name[parents[1]], name[node]


def forward_lines(
    node: Node, name: Mapping[Node, str], readable: bool, add: Callable[[str], None]
) -> None:
    """The node's line ``out = <its op's expression>``, after its domain check if it has one."""
    op = node._operation
    t = template(op)
    args = operands(node, name)
    if t.domain is not None:
        note = f"  # {op.name}: {op.hint.split(';')[0]}" if readable else ""
        add(f"    if not ({t.domain.format(*args)}):{note}")
        add("        _fail()")
    note = f"  # {op.name}" if readable else ""
    add(f"    {args[2]} = {t.forward.format(*args)}{note}")


def backward_lines(
    node: Node,
    name: Mapping[Node, str],
    grad: dict[Node, str],
    uses: Mapping[Node, int] | None,
    add: Callable[[str], None],
    no_grad: Collection[Node] = (),
) -> None:
    """One line per operand: ``grad_operand (+)= grad_node * d(node)/d(operand)``.

    ``grad`` maps the nodes whose gradient has a variable already; the first term
    for a node assigns instead of adding (eager mode resets it to 0 and adds).
    With ``uses`` (speed mode), a node's only term ``grad_node * 1`` is not copied:
    the node's gradient is then ``grad_node`` itself. Operands in ``no_grad`` (a
    compiled function's inputs and constants) get no term: nobody reads their gradient.
    """
    op = node._operation
    t = template(op)
    args = None  # the operands' names, written in only where a derivative uses them
    g = grad[node]
    parents = node._parents
    derivs = t.derivs if op.arity != NARY else t.derivs * len(parents)
    notes = t.notes if op.arity != NARY else t.notes * len(parents)
    for i, parent in enumerate(parents):
        if no_grad and parent in no_grad:
            continue
        deriv = derivs[i]
        target = grad.get(parent)
        if target is None:
            if uses is not None and deriv == "1.0" and uses.get(parent) == 1:
                grad[parent] = g
                continue
            target = grad[parent] = f"grad_{name[parent]}"
            first = True
        else:
            first = False
        if "{" in deriv:
            args = args or operands(node, name)
            deriv = deriv.format(*args)
        code = chain_rule_line(target, g, deriv, first)
        add(f"    {code}  # {notes[i]}" if uses is None else f"    {code}")


def finite_check(names: Sequence[str], add: Callable[[str], None]) -> None:
    """``_fail()`` unless every value named is finite: a NaN or inf makes their sum so."""
    total = ""
    for start in range(0, len(names), CHECK_TERMS):
        chunk = ", ".join(names[start : start + CHECK_TERMS])
        add(f"    _total = sum(({chunk},){total})")
        total = ", _total"
    if names:
        add("    if _total - _total != 0.0:")
        add("        _fail()")
