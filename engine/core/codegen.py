"""Python source for an op, written from its definition in the op table.

One writer for every piece of code an op needs: its backward kernel and local
derivatives (``kernel_source``), its graph-of-gradient kernel (``graph_kernel_source``)
and the function that applies it to Values (``method_source``, ``function_source``),
each printed from the op's parsed expressions (``expression.py``). ``generate.py`` runs
these over the table and writes ``kernels.py`` and ``operators.py``, so the code a learner
opens is ordinary checked-in Python; ``define.py`` runs them for ops defined at run
time. The text in every docstring comes from ``notation.py``, like all op text.
"""

from __future__ import annotations

import ast

from .expression import factor as factor_of
from .expression import is_atom, number, parse, python
from .notation import math_of
from .ops import NARY, Op

_CALLS_THAT_RAISE = (ast.Call, ast.Pow, ast.Div, ast.FloorDiv, ast.Mod)


def const_name(op: Op) -> str:
    """The module-level name generated code uses for the op: ``MUL``, ``POWC``."""
    return op.name.upper()


# Names the generated code writes differently: ``sum`` is the builtin's (operators.py
# defines a sum of Values of its own).
_CODE_NAMES = {"sum": "builtins.sum"}


def code(expr: str) -> str:
    """An expression as the generated code writes it (the parsed form's Python printer)."""
    return python(parse(expr), _CODE_NAMES)


def factor(expr: str) -> str:
    """``expr`` as the right-hand factor of ``g * ...``: parenthesised unless it is atomic."""
    return factor_of(parse(expr), _CODE_NAMES)


def _uses(exprs: tuple[str, ...], name: str) -> bool:
    return any(isinstance(n, ast.Name) and n.id == name for e in exprs for n in ast.walk(parse(e)))


_NEGATED = {
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.Lt: ast.GtE,
    ast.GtE: ast.Lt,
    ast.Gt: ast.LtE,
    ast.LtE: ast.Gt,
}


def outside(domain: str) -> str:
    """The condition for operands outside ``domain``: ``b == 0.0`` for ``b != 0.0``."""
    tree = parse(domain)
    if isinstance(tree, ast.Compare) and len(tree.ops) == 1 and type(tree.ops[0]) in _NEGATED:
        tree.ops = [_NEGATED[type(tree.ops[0])]()]
        return code(ast.unparse(tree))
    return f"not ({code(domain)})"


def _may_hide_non_finite(op: Op) -> bool:
    """Whether a non-finite operand can give a finite result: a branch, or a parameter."""
    return op.param is not None or any(
        isinstance(n, ast.IfExp) for n in ast.walk(parse(op.forward))
    )


def _can_raise(expr: str) -> bool:
    """Whether float evaluation of ``expr`` can raise (a call, a power, a division)."""
    return any(
        isinstance(n, _CALLS_THAT_RAISE)
        or (isinstance(n, ast.BinOp) and isinstance(n.op, _CALLS_THAT_RAISE))
        for n in ast.walk(parse(expr))
    )


# -- kernels: local derivatives and the chain rule at one node -------------------------


def kernel_source(op: Op, prefix: str | None = None) -> str:
    """The op's code on numbers: ``{name}_forward``, ``_local``, ``_backward``,
    ``_backward_graph`` and, where it has them, ``_domain`` and ``_side`` (its kink)."""
    prefix = prefix or op.name
    args = ", ".join(f"{n}: float" for n in op.names) if op.arity != NARY else "xs: list[float]"
    args += f", {op.param}: float" if op.param else ""
    forward = " = ".join([op.forward_text(), *(op.math(f) for f in op.forward_forms)])
    parts = [
        f"def {prefix}_forward({args}) -> float:\n"
        f'    """out = {forward}."""\n'
        f"    return {code(op.forward)}\n",
        _local_source(op, prefix),
        _backward_source(op, prefix),
        graph_kernel_source(op, prefix),
    ]
    if op.domain is not None:
        parts.append(
            f"def {prefix}_domain({args}) -> bool:\n"
            f'    """Where {op.name} is defined: {op.math(op.domain)}."""\n'
            f"    return {code(op.domain)}\n"
        )
    if op.branch is not None:
        parts.append(
            f"def {prefix}_side({args}) -> bool:\n"
            f'    """Which side of {op.name}\'s kink the operand is on: {op.math(op.branch)}."""\n'
            f"    return {code(op.branch)}\n"
        )
    return "\n\n".join(parts)


def _derivative_doc(op: Op) -> str:
    return "; ".join(
        f"∂out/∂{n} = {op.math(d)}" for n, d in zip(op.deriv_names, op.derivs, strict=True)
    )


def _local_source(op: Op, prefix: str) -> str:
    param = f", {op.param}: float" if op.param else ""
    doc = f'    """{_derivative_doc(op)}."""'
    if op.arity == NARY:
        (deriv,) = op.derivs
        body = (
            f"    return ({code(deriv)},) * len(xs)"
            if not (_uses(op.derivs, "x") or _uses(op.derivs, "out"))
            else f"    return tuple({code(deriv)} for x in xs)"
        )
        return f"def {prefix}_local(out: float, *xs: float) -> tuple[float, ...]:\n{doc}\n{body}\n"
    args = ", ".join(f"{n}: float" for n in op.names)
    result = ", ".join(["float"] * op.arity)
    values = ", ".join(code(d) for d in op.derivs)
    values = f"({values},)" if op.arity == 1 else f"({values})"
    return (
        f"def {prefix}_local(out: float, {args}{param}) -> tuple[{result}]:\n{doc}\n"
        f"    return {values}\n"
    )


def chain_rule_line(grad: str, upstream: str, local: str, first: bool = False) -> str:
    """One chain-rule term as code: ``grad += upstream * local``.

    The one writer of this line, for the eager kernels (``a_node.grad += g * b``) and
    for compiled graphs (``grad_x = grad_n * w``). ``local`` is code, ``1.0`` and
    ``-1.0`` are written without the multiplication (the numbers are the same);
    ``first`` assigns instead of adding, for a gradient that starts from 0.
    """
    if local == "1.0":
        term, add = upstream, "+="
    elif local == "-1.0":
        term, add = (f"-{upstream}", "+=") if first else (upstream, "-=")
    else:
        term, add = f"{upstream} * {local}", "+="
    return f"{grad} = {term}" if first else f"{grad} {add} {term}"


def _accumulate(target: str, deriv: str) -> str:
    """``target.grad += g * deriv``, the kernel's line for one operand."""
    value = number(parse(deriv))
    local = repr(value) if value in (1.0, -1.0) else factor(deriv)
    return "    " + chain_rule_line(f"{target}.grad", "g", local)


def _backward_doc(op: Op) -> str:
    """``The chain rule at out = a·b, with g = grad(out):`` and one line per operand."""
    rules = [f"    {_rule(op, n, d)}" for n, d in zip(op.deriv_names, op.derivs, strict=True)]
    if op.arity == NARY:
        rules = [rules[0] + "   for every term x"]
    head = f"The chain rule at out = {op.forward_text()}, with g = grad(out):"
    return '    """' + head + "\n\n" + "\n".join(rules) + '\n    """'


def _rule(op: Op, name: str, deriv: str) -> str:
    """``grad(a) += g·b`` (``+= g`` and ``-= g`` for derivatives 1 and -1)."""
    tree = parse(deriv)
    value = number(tree)
    if value in (1.0, -1.0):
        return f"grad({name}) {'+' if value == 1.0 else '-'}= g"
    text = math_of(tree)
    return f"grad({name}) += g·{text if is_atom(tree) else f'({text})'}"


def _backward_source(op: Op, prefix: str) -> str:
    lines = [f"def {prefix}_backward(node: Node, g: float) -> None:", _backward_doc(op)]
    if op.param:
        lines.append(f"    {op.param} = node._operation.value")
    if _uses(op.derivs, "out"):
        lines.append("    out = node.data")
    if op.arity == NARY:
        lines.append("    for x_node in node._parents:")
        if _uses(op.derivs, "x"):
            lines.append("        x = x_node.data")
        lines.append("    " + _accumulate("x_node", op.derivs[0]))
        return "\n".join(lines) + "\n"
    nodes = [f"{n}_node" for n in op.names]
    lines.append(f"    {', '.join(nodes)}{',' if op.arity == 1 else ''} = node._parents")
    for n in op.names:
        if _uses(op.derivs, n):
            lines.append(f"    {n} = {n}_node.data")
    for node, deriv in zip(nodes, op.derivs, strict=True):
        lines.append(_accumulate(node, deriv))
    return "\n".join(lines) + "\n"


# -- the chain rule with Values for numbers: gradients that are graphs -------------------

_VALUE_METHODS = ("exp", "log", "tanh", "sigmoid")
_NUMBER_CALLS = ("int", "float", "abs", "min", "max")


class NoValueVersion(Exception):
    """An expression calls a function that has no Value version (``math.sqrt``, say)."""


def value_code(expr: str) -> str:
    """``expr`` with its operands as Values: ``exp(a)`` is ``a.exp()``, ``fabs(a)`` ``abs(a)``."""

    class _ToValues(ast.NodeTransformer):
        def visit_Call(self, node: ast.Call) -> ast.expr:  # noqa: N802
            self.generic_visit(node)
            name = ast.unparse(node.func)
            if name in _VALUE_METHODS and len(node.args) == 1:
                return ast.Call(ast.Attribute(node.args[0], name, ast.Load()), [], [])
            if name == "fabs" and len(node.args) == 1:
                return ast.Call(ast.Name("abs", ast.Load()), node.args, [])
            if name in _NUMBER_CALLS:
                return node
            raise NoValueVersion(name)

    return ast.unparse(_ToValues().visit(parse(expr)))


def graph_kernel_source(op: Op, prefix: str | None = None) -> str:
    """``{name}_backward_graph``: the chain rule at one node, every number a Value."""
    prefix = prefix or op.name
    head = f"def {prefix}_backward_graph(node: Node, g: Any) -> None:"
    doc = (
        '    """The chain rule at this node with Values for numbers: the gradient becomes '
        'a graph."""'
    )
    try:
        derivs = [value_code(d) for d in op.derivs]
    except NoValueVersion as missing:
        message = (
            f"op {op.name}: its derivative calls {missing}, which has no Value version, so "
            "gradients of its gradient cannot be built (engine.grad(..., create_graph=True)). "
            "Write its derivatives with exp, log, tanh, sigmoid, fabs and arithmetic."
        )
        return f"{head}\n{doc}\n    raise TypeError({message!r})\n"
    lines = [head, doc]
    if op.param:
        lines.append(f"    {op.param} = node._operation.value")
    if _uses(op.derivs, "out"):
        lines.append("    out = node")
    if op.arity == NARY:
        lines.append("    for x in node._parents:")
        lines.append(f"        x.grad = add_term(x.grad, times(g, {derivs[0]}))")
        return "\n".join(lines) + "\n"
    lines.append(f"    {', '.join(op.names)}{',' if op.arity == 1 else ''} = node._parents")
    for name, deriv in zip(op.names, derivs, strict=True):
        lines.append(f"    {name}.grad = add_term({name}.grad, times(g, {deriv}))")
    return "\n".join(lines) + "\n"


# -- applying an op to Values ------------------------------------------------------------


def _result_lines(op: Op, op_ref: str, parents: str, indent: str) -> list[str]:
    """Check the domain, compute ``out``, check it is finite, return the new node."""
    lines = []
    if op.domain is not None:
        lines += [
            f"if {outside(op.domain)}:",
            f"    raise domain_error({op_ref}, {parents})",
        ]
    forward = code(op.forward)
    if _can_raise(op.forward):
        lines += [
            "try:",
            f"    out = {forward}",
            "except (ArithmeticError, ValueError):",
            f"    raise op_error({op_ref}, {parents}) from None",
        ]
    else:
        lines.append(f"out = {forward}")
    check = "out - out != 0.0"
    if _may_hide_non_finite(op):  # relu(nan) would be 0, inf ** 0 would be 1: check operands
        operands = ["x" if op.arity == NARY else n for n in op.names][: max(op.arity, 0)]
        check += "".join(f" or {n} - {n} != 0.0" for n in operands)
    lines += [
        f"if {check}:  # inf or nan: it overflowed, or .data was set by hand",
        f"    raise op_error({op_ref}, {parents})",
        "v = _new(Value)  # the new node: its number, no grad yet, its op and operands",
        "v.data = out",
        "v.grad = 0.0",
        'v.label = ""',
        "if MODE.recording:",
        f"    v._operation = {op_ref}",
        f"    v._parents = {parents}",
        "else:  # inside no_grad(): a leaf, no graph kept",
        "    v._operation = None",
        "    v._parents = ()",
        "v.scope = MODE.scope",
        "return v",
    ]
    return [indent + line for line in lines]


def _doc(op: Op, call: str, indent: str, kernel: str | None) -> str:
    """The docstring of an op's applying code: the call, its math, and where backward is."""
    forward = " = ".join([op.forward_text(), *(op.math(f) for f in op.forward_forms)])
    head = f"``{call}``: out = {forward}; {_derivative_doc(op)}."
    if len(indent) + 3 + len(head) > 100:  # the project's line length: derivatives below
        head = f"``{call}``: out = {forward};\n{indent}{_derivative_doc(op)}."
    if kernel is None:
        return '"""' + head + '"""'
    return '"""' + head + f"\n\n{indent}Backward: ``{kernel}``.\n{indent}" + '"""'


def method_source(op: Op, method: str, reflected: bool = False, op_ref: str | None = None) -> str:
    """A Value method applying ``op``, indented for the class body: ``def __mul__(self, other)``."""
    ref = op_ref or const_name(op)
    kernel = None if op_ref else f"kernels.{op.name}_backward"
    body = "        "
    if op.arity == 1:
        lines = [
            f"    def {method}(self) -> Value:",
            f"        {_doc(op, _call_text(op, method), '        ', kernel)}",
            "        a = self.data",
            *_result_lines(op, ref, "(self,)", body),
        ]
        return "\n".join(lines) + "\n"
    first, second = ("other", "self") if reflected else ("self", "other")
    symbol = _OPERATOR_SYMBOLS.get(method.replace("__r", "__", 1) if reflected else method)
    call = f"{first} {symbol} {second}" if symbol else f"{first}.{method}({second})"
    lines = [
        f"    def {method}(self, other: Any) -> Value:",
        f"        {_doc(op, call, '        ', kernel)}",
    ]
    lines.append("        if other.__class__ is not Value:")
    if op.number_operand and not reflected:
        lines += [
            "            if is_number(other):",
            f"                return {op.number_operand}(self, other)",
        ]
    lines += [
        "            if other.__class__ is float and other - other == 0.0:  # a constant leaf",
        "                other, number = _new(Value), other",
        '                other.data, other.grad, other.label = number, 0.0, ""',
        "                other._operation, other._parents, other.scope = None, (), MODE.scope",
        "            else:  # an int, another number type, or not a number",
        f"                other = operand(other, {ref}, Value)",
        "                if other is NotImplemented:",
        "                    return NotImplemented",
    ]
    lines += [
        f"        a = {first}.data",
        f"        b = {second}.data",
        *_result_lines(op, ref, f"({first}, {second})", body),
    ]
    return "\n".join(lines) + "\n"


_OPERATOR_SYMBOLS = {
    "__add__": "+",
    "__sub__": "-",
    "__mul__": "*",
    "__truediv__": "/",
    "__pow__": "**",
}


def _call_text(op: Op, method: str) -> str:
    return {"__neg__": "-self", "__abs__": "abs(self)"}.get(method, f"self.{method}()")


def function_source(op: Op, name: str, op_ref: str | None = None) -> str:
    """A module-level function applying ``op``: ``name(a, b)``, ``name(a, c)``, ``name(values)``."""
    ref = op_ref or const_name(op)
    kernel = None if op_ref else f"kernels.{op.name}_backward"
    body = "    "
    if op.arity == NARY:
        lines = [
            f"def {name}(values: Iterable[Any]) -> Value:",
            f"    {_doc(op, f'{name}(values)', '    ', kernel)}",
            "    nodes = tuple(",
            "        v if v.__class__ is Value or isinstance(v, Node) else "
            f"constant(v, {ref}, Value)",
            "        for v in values",
            "    )",
            "    if not nodes:",
            f"        return constant({code(op.forward.replace('xs', '()'))}, {ref}, Value)",
            "    xs = [x.data for x in nodes]",
            *_result_lines(op, ref, "nodes", body),
        ]
        return "\n".join(lines) + "\n"
    operands = list(op.names)
    args = ", ".join(f"{n}_node: Value" for n in operands)
    parents = "(" + ", ".join(f"{n}_node" for n in operands) + ("," if op.arity == 1 else "") + ")"
    lines = []
    if op.param:
        lines += [
            f"def {name}({args}, {op.param}: float) -> Value:",
            f"    {_doc(op, f'{name}({operands[0]}, {op.param})', '    ', kernel)}",
            f'    {op.param} = check_number({op.param}, "{op.name}")',
            f"    op = {ref}.bind({op.param})",
        ]
        ref = "op"
    else:
        lines += [
            f"def {name}({args}) -> Value:",
            f"    {_doc(op, f'{name}(...)', '    ', kernel)}",
        ]
    lines += [f"    {n} = {n}_node.data" for n in operands]
    lines += _result_lines(op, ref, parents, body)
    return "\n".join(lines) + "\n"
