"""Compiled graphs: trace a graph once, replay it as straight-line Python.

Eager gradstep makes one Value object per op on every forward pass, and backward
walks those objects. A training step builds a graph of the same shape every time,
so ``engine.compile(loss)`` traces that graph once and generates one Python function
for it: a line per op for the forward pass, a line per chain-rule term for the
backward pass, every number a local variable. ``run()`` calls that function. It reads
the leaves' current ``.data``, recomputes every value, accumulates into the leaves'
``.grad`` exactly as ``engine.backward`` does, and returns the root's value, without
creating any Value::

    loss = model_loss(params, batch)     # build the graph once, eagerly
    step = engine.compile(loss)
    for epoch in range(100):
        engine.zero_grad(params)
        print(step.run())                # forward + backward, no objects
        for p in params:
            p.data -= 0.05 * p.grad      # leaves keep their identity
        # a new mini-batch of the same shape: assign the data Values' .data

``print(step.source)`` shows the generated program: it is what backprop computes. It is
the backward pass written out for one graph: the nodes in the order ``backward_pass``
visits them, and each chain-rule term written by the same writer as the eager kernels
(``engine.core.codegen.chain_rule_line``) from the same derivative expressions.

The limit of tracing, as JAX states it for ``jit``: the compiled function replays the
ops that were recorded when the graph was built. Python control flow on ``.data``
(``if x.data > 0:``, a loop whose length depends on a value, which Values were added
up) was decided at trace time and is frozen; trace again when it would decide
differently. Branches inside an op (relu, abs, step) are part of the op's expression
and are decided afresh on every run. A plain number in an expression (the 2.0 in
``x * 2.0``, a target in ``y * score``) becomes a constant leaf holding that number;
to vary it between runs, make it a Value and assign its ``.data``. Intermediate nodes
keep the ``.data`` and ``.grad`` they had when traced: ``run()`` returns the root's
new value, writes the leaves' grads, and updates the ``.data`` of the nodes named in
``compile(root, outputs=[...])`` (a model's predictions, say).

Speed: the micrograd demo step (41,000 nodes here) compiles in about 1.2 s (roughly
30 µs per node, most of it CPython compiling the generated source) and then runs
about 15x faster than eager mode; ``demos/bench_compile.py`` measures it.

Errors are eager's errors. The generated code checks each op's domain (division by
zero, log of a non-positive number, ...) and that every value and every leaf gradient
is finite; when a check fails or an op raises, ``run()`` replays the traced ops
eagerly on the same leaves, which raises exactly the error eager mode raises. (When
several ops fail at once, the one reported is the first in graph order, which need not
be the first your code created.) A graph changed after tracing (a node's parents or op
replaced, a leaf given parents) raises ``GraphChangedError`` from ``check()``; ``run()``
does not re-walk the graph on every call (that would cost a third of a run), but checks
before it reports any other error. ``check(params)`` also confirms that Values you
expect to train are leaves of the traced graph.
"""

from __future__ import annotations

import ast
import builtins
import itertools
import keyword
import linecache
import numbers
import re
import unicodedata
import weakref
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from ..core.autodiff import backward as eager_backward
from ..core.autodiff import topological_order
from ..core.codegen import chain_rule_line
from ..core.floatmath import NAMES as NAMESPACE
from ..core.mode import MODE
from ..core.numbers import check_number as _check_number
from ..core.ops import NARY, Op
from ..core.value import Value, apply

_OPERANDS = ("a", "b", "xs", "out")
_FIELD = {"a": 0, "xs": 0, "b": 1, "out": 2}  # positions in a template's format()
_CHUNK = 1000  # values per term of the finiteness check: keeps the line and stack short


class GraphChangedError(RuntimeError):
    """The graph under a compiled root was changed after ``engine.compile`` traced it."""


class _Replay(Exception):
    """Raised by generated code when a check fails: run() then replays the ops eagerly."""


def _fail() -> None:
    raise _Replay


def compile(  # noqa: A001 - engine.compile, as torch.compile
    root: Value, outputs: Iterable[Value] = (), readable: bool | None = None
) -> CompiledGraph:
    """Trace the graph under ``root`` once; return a ``CompiledGraph`` that replays it.

    ``outputs``: other Values of the graph (a model's predictions, say) whose
    ``.data`` each run updates too; every other intermediate node keeps its traced
    data. ``readable`` (default: graphs of up to ``READABLE_MAX_OPS`` ops) writes the
    source for people: a comment with the chain rule on every backward line and a
    variable for every gradient. Big graphs get source written to compile fast.
    See the module docstring for what a compiled graph can and cannot do.
    """
    if not isinstance(root, Value):
        raise TypeError(
            f"engine.compile: expected the root Value of a graph (e.g. the loss), got "
            f"{type(root).__name__} ({root!r:.60})"
        )
    order, leaves = topological_order(root)
    outputs = _outputs(outputs, order, leaves)
    if readable is None:
        readable = len(order) <= READABLE_MAX_OPS
    return CompiledGraph(root, order, leaves, outputs, bool(readable))


def _outputs(outputs: Iterable[Value], order: list[Value], leaves: list[Value]) -> list[Value]:
    if isinstance(outputs, Value):
        outputs = [outputs]
    try:
        chosen = list(outputs)
    except TypeError:
        raise TypeError(
            f"engine.compile: outputs must be a list of Values, got {type(outputs).__name__}"
        ) from None
    in_graph = {*order, *leaves}
    for i, v in enumerate(chosen):
        if not isinstance(v, Value):
            raise TypeError(f"engine.compile: outputs[{i}] is {type(v).__name__}, not a Value")
        if v not in in_graph:
            raise ValueError(
                f"engine.compile: outputs[{i}] ({_describe(v)}) is not a node of the graph "
                "under root, so no run computes it; pass Values the root depends on"
            )
    return chosen


class CompiledGraph:
    """A traced graph and the generated function that replays it (``engine.compile``)."""

    def __init__(
        self,
        root: Value,
        order: list[Value],
        leaves: list[Value],
        outputs: list[Value],
        readable: bool = True,
    ) -> None:
        self._root = root
        self._outputs = tuple(outputs)
        self._order = order
        self._ops = [node._operation for node in order]
        self._parents = [node._parents for node in order]
        self._leaves = tuple(leaves)
        self.source = _generate_source(root, order, leaves, outputs, readable)
        filename = _filename(root)
        self._function = _load(self.source, filename)
        weakref.finalize(self, linecache.cache.pop, filename, None)

    @property
    def root(self) -> Value:
        """The Value the graph was traced from."""
        return self._root

    @property
    def leaves(self) -> tuple[Value, ...]:
        """The leaves ``run()`` reads ``.data`` from and accumulates ``.grad`` into."""
        return self._leaves

    @property
    def outputs(self) -> tuple[Value, ...]:
        """The nodes besides the root whose ``.data`` each run updates."""
        return self._outputs

    def __len__(self) -> int:
        """The number of ops (non-leaf nodes) in the traced graph."""
        return len(self._order)

    def __repr__(self) -> str:
        name = f" {self._root.label!r}" if self._root.label else ""
        return f"<CompiledGraph{name}: {len(self._order)} ops, {len(self._leaves)} leaves>"

    def run(self, grad: float = 1.0) -> float:
        """Forward and backward from the leaves' current data; returns the root's value.

        Leaves accumulate ``d(root)/d(leaf) * grad`` into ``.grad``, as with
        ``root.backward(grad)``; call ``zero_grad`` on them between steps.
        """
        seed = grad if grad.__class__ is float and grad - grad == 0.0 else _seed(grad)
        try:
            return self._function(self._leaves, self._outputs, seed, True)
        except (_Replay, ArithmeticError, ValueError, TypeError):
            return self._replay(seed, backward=True)

    def forward(self) -> float:
        """The root's value from the leaves' current data; no gradients."""
        try:
            return self._function(self._leaves, self._outputs, 1.0, False)
        except (_Replay, ArithmeticError, ValueError, TypeError):
            return self._replay(1.0, backward=False)

    def check(self, leaves: Iterable[Value] = ()) -> None:
        """Raise ``GraphChangedError`` if the graph no longer matches the trace.

        ``run()`` does not re-walk the graph each time (that would cost a third of
        a run); call ``check()`` after code that might have changed it. Pass the
        Values you expect ``run()`` to update (a model's parameters) as ``leaves``
        to have each confirmed as a leaf of the traced graph.
        """
        for index, (node, op, parents) in enumerate(
            zip(self._order, self._ops, self._parents, strict=True)
        ):
            if node._operation is not op or node._parents != parents:
                raise GraphChangedError(
                    f"compiled graph of {_describe(self._root)}: node {index + 1} of "
                    f"{len(self._order)} ({_describe(node)}, traced as {op.name}) now has "
                    f"op {node.op and node.op.name} and {len(node._parents)} parent(s) "
                    "instead of the traced ones. A compiled graph replays the ops it traced; "
                    "call engine.compile(root) again after changing the graph."
                )
        for leaf in self._leaves:
            if leaf._parents:
                raise GraphChangedError(
                    f"compiled graph of {_describe(self._root)}: leaf {_describe(leaf)} is no "
                    "longer a leaf (it has parents now). Call engine.compile(root) again."
                )
        traced = set(self._leaves)
        for leaf in leaves:
            if leaf not in traced:
                raise GraphChangedError(
                    f"compiled graph of {_describe(self._root)}: {_describe(leaf)} is not a "
                    "leaf of the compiled graph, so run() will not update its .grad. It was "
                    "not reachable from the root when traced, or it replaced a traced Value; "
                    "call engine.compile(root) on a graph built from it."
                )

    def _replay(self, seed: float, backward: bool) -> float:
        """Run the traced ops eagerly on the same leaves, so any error is eager's own."""
        self.check()
        for leaf in self._leaves:
            data = leaf.data
            if not isinstance(data, numbers.Real) or isinstance(data, bool):
                raise TypeError(
                    f"CompiledGraph.run: leaf {_describe(leaf)} has .data of type "
                    f"{type(data).__name__} ({data!r:.40}); a leaf's .data must be a float, "
                    "e.g. leaf.data = 1.5"
                )
        previous = MODE.recording
        MODE.recording = True  # the replay needs a graph even inside no_grad()
        try:
            made: dict[Value, Value] = {leaf: leaf for leaf in self._leaves}
            for node, op, parents in zip(self._order, self._ops, self._parents, strict=True):
                made[node] = apply(op, *(made[p] for p in parents))
        finally:
            MODE.recording = previous
        root = made[self._root]
        for node in self._outputs:
            node.data = made[node].data
        if backward:
            eager_backward(root, seed)
        return root.data


def _seed(grad: object) -> float:
    return _check_number(grad, "CompiledGraph.run(grad=...)")


def _describe(v: Value) -> str:
    return repr(v.label) if v.label else f"(unlabelled, data {v.data!r})"


# --- Op templates: the table's expression strings, folded and ready to format ------------


@dataclass(frozen=True)
class _Template:
    """An op's code, to ``format(a, b, out)`` (``format(xs, None, out)`` for sum)."""

    forward: str
    derivs: tuple[str, ...]  # a product factor, or "1.0" / "-1.0" (written as + / -)
    domain: str | None  # None when the domain holds for every finite operand
    notes: tuple[str, ...]  # the chain-rule text for each operand's backward line


_TEMPLATES: dict[int, tuple[Op, _Template]] = {}  # by id: hashing an Op hashes its strings


def _template(op: Op) -> _Template:
    cached = _TEMPLATES.get(id(op))
    if cached is not None and cached[0] is op:
        return cached[1]
    domain = None
    if op.domain is not None:
        tree = _fold(_parse(op, op.domain), boolean=True)
        if not _always_true(tree):
            domain = _placeholders(tree)
    forward = _placeholders(_fold(_parse(op, op.forward)))
    t = _Template(forward, tuple(_factor(op, d) for d in op.derivs), domain, _notes(op))
    _TEMPLATES[id(op)] = (op, t)
    return t


def _parse(op: Op, expr: str) -> ast.expr:
    """One of the op's expressions, its parameter (in a bound family member) written in."""
    tree = ast.parse(expr, mode="eval").body
    if op.value is None:
        return tree
    param, value = op.param, ast.Constant(op.value)

    class _Bind(ast.NodeTransformer):
        def visit_Name(self, node: ast.Name) -> ast.expr:  # noqa: N802
            return value if node.id == param else node

    return _Bind().visit(tree)


def _factor(op: Op, expr: str) -> str:
    """A local derivative as a factor of ``grad * factor``; parenthesised if compound."""
    tree = _fold(_parse(op, expr))
    if _number(tree) in (1.0, -1.0):
        return repr(_number(tree))
    code = _placeholders(tree)
    simple = (ast.Name, ast.Constant, ast.Call, ast.Attribute, ast.Subscript)
    return code if isinstance(tree, simple) else f"({code})"


def _notes(op: Op) -> tuple[str, ...]:
    """Per operand, the op's chain-rule text: ``out = tanh(a); ∂out/∂a = 1 - out²``."""
    head = f"out = {op.forward_text()}"
    return tuple(
        f"{head}; ∂out/∂{name} = {' = '.join(op.derivative_forms(i))}"
        for i, name in enumerate(op.deriv_names)
    )


def _placeholders(tree: ast.expr) -> str:
    """Source of ``tree`` with the operand names turned into format fields."""
    marked = _Rename().visit(tree)
    code = ast.unparse(marked).replace("{", "{{").replace("}", "}}")
    return re.sub(r"\b__gs_(\w+?)__\b", lambda m: f"{{{_FIELD[m.group(1)]}}}", code)


class _Rename(ast.NodeTransformer):
    def visit_Name(self, node: ast.Name) -> ast.Name:
        if node.id in _OPERANDS:
            return ast.copy_location(ast.Name(f"__gs_{node.id}__", node.ctx), node)
        return node


def _fold(tree: ast.expr, boolean: bool = False) -> ast.expr:
    """Evaluate the constant parts of an expression (``2.0 - 1.0``, ``3.0 == int(3.0)``).

    Python would evaluate them the same way on every run; folding them keeps the
    generated source short. With ``boolean`` (a domain condition, read only for its
    truth) ``x and True`` becomes ``x`` and ``x or True`` becomes ``True``.
    """
    return ast.fix_missing_locations(_Folder(boolean).visit(tree))


class _Folder(ast.NodeTransformer):
    def __init__(self, boolean: bool) -> None:
        self.boolean = boolean

    def visit(self, node: ast.AST) -> ast.AST:
        node = self.generic_visit(node)
        if isinstance(node, ast.IfExp) and isinstance(node.test, ast.Constant):
            return node.body if node.test.value else node.orelse
        if self.boolean and isinstance(node, ast.BoolOp):
            return _simplify(node)
        if isinstance(node, ast.expr) and not isinstance(node, ast.Constant | ast.Name):
            if not any(isinstance(n, ast.Name) and n.id in _OPERANDS for n in ast.walk(node)):
                return _evaluated(node)
        return node


def _evaluated(node: ast.expr) -> ast.expr:
    try:
        code = builtins.compile(ast.fix_missing_locations(ast.Expression(node)), "<fold>", "eval")
        value = eval(code, dict(NAMESPACE))
    except Exception:  # noqa: BLE001 - leave anything that does not evaluate as it is
        return node
    if type(value) not in (bool, int, float) or value - value != 0:
        return node
    if value < 0 or (value == 0 and str(value).startswith("-")):
        return ast.UnaryOp(ast.USub(), ast.Constant(-value))  # unparses as (-2.0) ** a
    return ast.Constant(value)


def _simplify(node: ast.BoolOp) -> ast.expr:
    absorbing = isinstance(node.op, ast.Or)  # True absorbs an `or`, False an `and`
    kept = []
    for value in node.values:
        if isinstance(value, ast.Constant):
            if bool(value.value) == absorbing:
                return ast.Constant(absorbing)
            continue
        kept.append(value)
    if not kept:
        return ast.Constant(not absorbing)
    return kept[0] if len(kept) == 1 else ast.BoolOp(node.op, kept)


_COMPARE = (ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.Eq, ast.NotEq)


def _always_true(tree: ast.expr) -> bool:
    """Whether a domain condition holds for every finite value of its operands.

    Decided only for conditions built from comparisons of one operand with
    constants, joined by and/or/not: such a condition is constant between the
    constants it mentions, so testing at each constant, between neighbours and
    beyond the ends decides it. Anything else is kept as a check.
    """
    names: set[str] = set()
    constants: set[float] = set()
    if not _piecewise(tree, names, constants):
        return False
    cuts = sorted(constants) or [0.0]
    points = [cuts[0] - 1.0, cuts[-1] + 1.0, *cuts]
    points += [(x + y) / 2 for x, y in itertools.pairwise(cuts)]
    code = builtins.compile(ast.Expression(tree), "<domain>", "eval")
    ordered = sorted(names)
    return all(
        eval(code, {}, dict(zip(ordered, values, strict=True)))
        for values in itertools.product(points, repeat=len(ordered))
    )


def _piecewise(node: ast.expr, names: set[str], constants: set[float]) -> bool:
    """Whether ``node`` only compares single operands with constants (see _always_true)."""
    if isinstance(node, ast.BoolOp):
        return all(_piecewise(v, names, constants) for v in node.values)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return _piecewise(node.operand, names, constants)
    if isinstance(node, ast.Constant):
        return type(node.value) is bool
    if not isinstance(node, ast.Compare) or not all(isinstance(o, _COMPARE) for o in node.ops):
        return False
    terms = [node.left, *node.comparators]
    if sum(isinstance(t, ast.Name) for t in terms) != 1:
        return False
    for t in terms:
        if isinstance(t, ast.Name):
            names.add(t.id)
        elif (number := _number(t)) is not None:
            constants.add(number)
        else:
            return False
    return True


def _number(node: ast.expr) -> float | None:
    """The number a folded constant stands for (``2.0`` or ``-2.0``), else None."""
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return float(node.value)
    if (
        isinstance(node, ast.UnaryOp)
        and isinstance(node.op, ast.USub)
        and isinstance(node.operand, ast.Constant)
        and type(node.operand.value) in (int, float)
    ):
        return -float(node.operand.value)
    return None


# --- Variable names --------------------------------------------------------------------


class _Namer:
    """Unique Python identifiers for values, from labels where they have them.

    A value named ``h`` has its gradient in ``grad_h``; both names are reserved
    together so a label can never collide with another value's gradient.
    """

    def __init__(self, reserved: set[str]) -> None:
        self.used = set(reserved)
        self.counts: dict[str, int] = {}

    def name(self, label: str, fallback: str) -> str:
        base = _identifier(label) if label else ""
        if base:
            candidate, k = base, 1
        else:
            base = fallback
            k = self.counts.get(base, 0) + 1
            candidate = f"{base}{k}"
        while candidate in self.used or f"grad_{candidate}" in self.used:
            k += 1
            candidate = f"{base}{k}" if not label else f"{base}_{k}"
        if not label:
            self.counts[base] = k
        self.used.update((candidate, f"grad_{candidate}"))
        return candidate


def _identifier(label: str) -> str:
    """A label as a Python identifier: ``"x₁"`` -> ``x1``, ``"hidden 1"`` -> ``hidden_1``."""
    if label.isascii() and label.isidentifier() and not label.startswith("_"):
        return label + "_" if keyword.iskeyword(label) or keyword.issoftkeyword(label) else label
    text = unicodedata.normalize("NFKC", label)
    text = "".join(ch if ("x" + ch).isidentifier() else "_" for ch in text)
    text = re.sub(r"_+", "_", text).strip("_")
    if text and not text.isidentifier():
        text = "v" + text  # starts with a digit
    if keyword.iskeyword(text) or keyword.issoftkeyword(text):
        text += "_"
    return text


def _reserved() -> set[str]:
    """Names the generated code uses besides the values' own."""
    names = set(NAMESPACE) | set(dir(builtins)) | {"leaves", "outputs", "seed", "backward", "run"}
    return names | {"_total", "_fail"}


# --- Source generation -------------------------------------------------------------------

READABLE_MAX_OPS = 2000
"""Above this many ops, ``compile`` writes the source for speed rather than for reading."""


def _generate_source(
    root: Value, order: list[Value], leaves: list[Value], outputs: list[Value], readable: bool
) -> str:
    """The straight-line Python for the forward and backward pass of the traced graph.

    ``readable`` adds the chain-rule comments and keeps every gradient in its own
    variable. Without it (big graphs, where compile time matters and nobody reads
    line by line) there are no comments, and a node whose only gradient term is
    ``grad_out * 1`` (an operand of a sum, say) uses ``grad_out`` itself instead of a
    copy. The numbers are the same either way.
    """
    namer = _Namer(_reserved())
    name: dict[Value, str] = {}
    for leaf in leaves:
        name[leaf] = namer.name(leaf.label, "leaf")
    for node in order:
        name[node] = namer.name(node.label, node._operation.name)
    r = name[root]
    lines = [
        "def run(leaves, outputs, seed, backward):",
        f'    """Forward and backward pass of the graph of `{r}`: {len(order)} ops, '
        f"{len(leaves)} leaves.",
        "",
        "    Generated by engine.compile. Forward: one line per op, operands first.",
        "    Backward: the ops in reverse; each line is one chain-rule term,",
        "    grad_operand += grad_out * ∂out/∂operand. Leaves accumulate.",
        '    """',
        "    # The leaves' current data.",
    ]
    if not readable:
        lines[5:6] = ["    Written for speed: no comments, single-term gradients not copied."]
    add = lines.append
    for i, leaf in enumerate(leaves):
        note = f"  # {leaf.data!r} when traced" if readable and not leaf.label else ""
        add(f"    {name[leaf]} = leaves[{i}].data{note}")
    add("    # Forward.")
    for node in order:
        _forward_lines(node, name, readable, add)
    add("    # Every value must be finite, as in eager mode: a NaN or inf makes this sum so.")
    _finite_check([name[v] for v in (*leaves, *order)], add)
    if outputs:
        add("    # The outputs asked for keep their new data.")
    for i, v in enumerate(outputs):
        add(f"    outputs[{i}].data = {name[v]}")
    add(f"    if not backward:\n        return {r}")
    add(f"    # Backward: start from d({r})/d({r}) = seed.")
    grad = {leaf: f"grad_{name[leaf]}" for leaf in leaves}
    for i, leaf in enumerate(leaves):
        add(f"    {grad[leaf]} = leaves[{i}].grad")
    if order:
        grad[root] = f"grad_{r}"
        add(f"    grad_{r} = seed")
    else:
        add(f"    grad_{r} += seed")
    uses = _uses(order) if not readable else None
    for node in reversed(order):
        _backward_lines(node, name, grad, uses, add)
    add("    # Leaf gradients must be finite too; then store them.")
    _finite_check([grad[leaf] for leaf in leaves], add)
    for i, leaf in enumerate(leaves):
        add(f"    leaves[{i}].grad = {grad[leaf]}")
    add(f"    return {r}")
    return "\n".join(lines) + "\n"


def _uses(order: list[Value]) -> dict[Value, int]:
    """How many operand slots each node fills (x * x counts twice)."""
    uses: dict[Value, int] = {}
    get = uses.get
    for node in order:
        for p in node._parents:
            uses[p] = get(p, 0) + 1
    return uses


def _operands(node: Value, name: dict[Value, str]) -> tuple[str, str | None, str]:
    """The format() arguments of a node's templates: (a, b, out) or (xs, None, out)."""
    parents = node._parents
    if node._operation.arity == NARY:
        return "(" + ", ".join([name[p] for p in parents]) + ",)", None, name[node]
    if len(parents) == 1:
        return name[parents[0]], None, name[node]
    return name[parents[0]], name[parents[1]], name[node]


def _forward_lines(
    node: Value, name: dict[Value, str], readable: bool, add: Callable[[str], None]
) -> None:
    op = node._operation
    t = _template(op)
    args = _operands(node, name)
    if t.domain is not None:
        note = f"  # {op.name}: {op.hint.split(';')[0]}" if readable else ""
        add(f"    if not ({t.domain.format(*args)}):{note}\n        _fail()")
    note = f"  # {op.name}" if readable else ""
    add(f"    {args[2]} = {t.forward.format(*args)}{note}")


def _backward_lines(
    node: Value,
    name: dict[Value, str],
    grad: dict[Value, str],
    uses: dict[Value, int] | None,
    add: Callable[[str], None],
) -> None:
    """One line per operand: ``grad_operand (+)= grad_node * d(node)/d(operand)``.

    ``grad`` maps the nodes whose gradient has a variable already; the first term
    for a node assigns instead of adding (eager mode resets it to 0 and adds).
    With ``uses`` (speed mode), a node's only term ``grad_node * 1`` is not copied:
    the node's gradient is then ``grad_node`` itself.
    """
    op = node._operation
    t = _template(op)
    args = _operands(node, name)
    g = grad[node]
    n = len(node._parents)
    derivs = t.derivs if op.arity != NARY else t.derivs * n
    notes = t.notes if op.arity != NARY else t.notes * n
    for parent, deriv, note in zip(node._parents, derivs, notes, strict=True):
        target = grad.get(parent)
        if target is None:
            if uses is not None and deriv == "1.0" and uses[parent] == 1:
                grad[parent] = g
                continue
            target = grad[parent] = f"grad_{name[parent]}"
            first = True
        else:
            first = False
        code = chain_rule_line(target, g, deriv.format(*args), first)
        add(f"    {code}  # {note}" if uses is None else f"    {code}")


def _finite_check(names: Sequence[str], add: Callable[[str], None]) -> None:
    total = ""
    for start in range(0, len(names), _CHUNK):
        chunk = ", ".join(names[start : start + _CHUNK])
        add(f"    _total = sum(({chunk},){total})")
        total = ", _total"
    if names:
        add("    if _total - _total != 0.0:\n        _fail()")


_COUNT = itertools.count(1)


def _filename(root: Value) -> str:
    label = f" {root.label}" if root.label else ""
    return f"<gradstep compiled{label} #{next(_COUNT)}>"


def _load(source: str, filename: str) -> Callable[..., Any]:
    """Compile the generated source; register it so tracebacks show its lines."""
    namespace = dict(NAMESPACE)
    namespace["_fail"] = _fail
    exec(builtins.compile(source, filename, "exec"), namespace)
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    return namespace["run"]
