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

(One difference, in the sign of a zero only: a leaf whose ``.grad`` is -0.0 before a run
can keep -0.0 where eager gives 0.0, because the compiled code assigns an inner node's
first gradient term where eager adds it to 0.0; after ``zero_grad`` the two agree.)

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

Speed: a graph of up to ``CHUNK_OPS`` ops (or any graph with ``readable=True``) is
one function; a bigger one is compiled in chunks (``chunks.py``), so compiling costs
about the same per op at ten thousand ops as at a million: mostly CPython compiling two
or three lines per op, once per distinct chunk (a graph that repeats itself, as
training graphs do, has few). For training, compile one example rather than the whole batch:
``engine.compile(fn, example_inputs)`` (``function.py``), which ``nn.fit(compile=True)``
uses. ``demos/bench_compile.py`` measures both.

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

import itertools
import numbers
import weakref
from collections.abc import Callable, Iterable
from typing import Any

from ..core.autodiff import backward as eager_backward
from ..core.autodiff import topological_order
from ..core.floatmath import NAMES as NAMESPACE
from ..core.handwritten import refuse_handwritten
from ..core.loader import forget, load
from ..core.mode import MODE
from ..core.names import graph_names
from ..core.numbers import check_number as _check_number
from ..core.value import Value, apply
from ..show.tags import role_of
from .chunks import CHUNK_OPS, ChunkedRun, chunk_source, compile_chunks
from .errors import Fail, GraphChangedError, describe, fail, values_list
from .function import CompiledFunction
from .lines import Namer, backward_lines, finite_check, forward_lines, reserved, uses


def compile(  # noqa: A001 - engine.compile, as torch.compile
    root: Value | Callable[..., Any],
    example_inputs: Any = None,
    readable: bool | None = None,
    *,
    outputs: Iterable[Any] = (),
) -> CompiledGraph | CompiledFunction:
    """Trace once, replay fast. Two forms:

    * ``engine.compile(root, outputs=())``: the graph under ``root`` as it is; returns
      a ``CompiledGraph`` whose ``run()`` replays it on the leaves' current data.
      ``outputs``: other Values of the graph (a model's predictions, say) whose
      ``.data`` each run updates too; every other intermediate node keeps its traced
      data. See the module docstring for what a compiled graph can and cannot do.
    * ``engine.compile(fn, example_inputs)``: ``fn`` called once on Values made from
      the example numbers, its graph (one example's worth) compiled into a function
      of numbers that a training loop calls per example; returns a
      ``CompiledFunction`` (``engine/compiler/function.py``).

    ``readable`` (default: graphs of up to ``READABLE_MAX_OPS`` ops) writes the source
    for people: a comment with the chain rule on every backward line and a variable
    for every gradient. Big graphs get source written to compile fast, in chunks.
    """
    if callable(root) and not isinstance(root, Value):
        if outputs != ():
            raise TypeError(
                "engine.compile(fn, example_inputs): outputs= is for compiling a graph "
                "(engine.compile(root, outputs=[...])); a function's outputs are what it returns"
            )
        return CompiledFunction(root, example_inputs, readable)
    if not isinstance(root, Value):
        raise TypeError(
            f"engine.compile: expected the root Value of a graph (e.g. the loss) or a "
            f"function, got {type(root).__name__} ({root!r:.60})"
        )
    if example_inputs is not None:
        raise TypeError(
            "engine.compile(root): example_inputs is for compiling a function "
            "(engine.compile(fn, example_inputs)); a graph's inputs are its leaves. To have "
            "a run update other nodes' .data, pass them as outputs=[...]"
        )
    order, leaves = topological_order(root)
    refuse_handwritten(order, "engine.compile", "compiled code is written from each op's formula")
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
                f"engine.compile: outputs[{i}] ({describe(v)}) is not a node of the graph "
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
        filename = _filename(root)
        self._source: str | None = None
        self._function: Callable[..., float]
        if readable or len(order) <= CHUNK_OPS:
            self._source = _generate_source(root, order, leaves, outputs, readable)
            self._function = _load(self._source, filename)
            weakref.finalize(self, forget, filename)
        else:
            self._function = compile_chunks(root, order, leaves, self._outputs, filename)

    @property
    def source(self) -> str:
        """The generated Python: one function, or for a big graph its chunks (written anew)."""
        if self._source is not None:
            return self._source
        return chunk_source(self._root, self._order, list(self._leaves), self._outputs)

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
        run = self._function
        chunks = (
            f", {len(run.chunks)} chunks of {run.codes} distinct codes"
            if isinstance(run, ChunkedRun)
            else ""
        )
        return f"<CompiledGraph{name}: {len(self._order)} ops, {len(self._leaves)} leaves{chunks}>"

    def run(self, grad: float = 1.0) -> float:
        """Forward and backward from the leaves' current data; returns the root's value.

        Leaves accumulate ``d(root)/d(leaf) * grad`` into ``.grad``, as with
        ``root.backward(grad)``; call ``zero_grad`` on them between steps.
        """
        seed = grad if grad.__class__ is float and grad - grad == 0.0 else _seed(grad)
        try:
            return self._function(self._leaves, self._outputs, seed, True)
        except (Fail, ArithmeticError, ValueError, TypeError):
            return self._replay(seed, backward=True)

    def forward(self) -> float:
        """The root's value from the leaves' current data; no gradients."""
        try:
            return self._function(self._leaves, self._outputs, 1.0, False)
        except (Fail, ArithmeticError, ValueError, TypeError):
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
                    f"compiled graph of {describe(self._root)}: node {index + 1} of "
                    f"{len(self._order)} ({describe(node)}, traced as {op.name}) now has "
                    f"op {node.op and node.op.name} and {len(node._parents)} parent(s) "
                    "instead of the traced ones. A compiled graph replays the ops it traced; "
                    "call engine.compile(root) again after changing the graph."
                )
        for leaf in self._leaves:
            if leaf._parents:
                raise GraphChangedError(
                    f"compiled graph of {describe(self._root)}: leaf {describe(leaf)} is no "
                    "longer a leaf (it has parents now). Call engine.compile(root) again."
                )
        traced = set(self._leaves)
        for leaf in values_list(leaves, "CompiledGraph.check(leaves)"):
            if leaf not in traced:
                raise GraphChangedError(
                    f"compiled graph of {describe(self._root)}: {describe(leaf)} is not a "
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
                    f"CompiledGraph.run: leaf {describe(leaf)} has .data of type "
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
    namer = Namer(reserved())
    shown = graph_names(root, is_constant=lambda v: not v.label and role_of(v) is None)
    name = {v: namer.name(shown[v]) for v in (*leaves, *order)}
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
        forward_lines(node, name, readable, add)
    add("    # Every value must be finite, as in eager mode: a NaN or inf makes this sum so.")
    finite_check([name[v] for v in (*leaves, *order)], add)
    if outputs:
        add("    # The outputs asked for keep their new data.")
    for i, v in enumerate(outputs):
        add(f"    outputs[{i}].data = {name[v]}")
    add("    if not backward:")
    add(f"        return {r}")
    add(f"    # Backward: start from d({r})/d({r}) = seed.")
    grad = {leaf: f"grad_{name[leaf]}" for leaf in leaves}
    for i, leaf in enumerate(leaves):
        add(f"    {grad[leaf]} = leaves[{i}].grad")
    if order:
        grad[root] = f"grad_{r}"
        add(f"    grad_{r} = seed")
    else:
        add(f"    grad_{r} += seed")
    counts = uses(order) if not readable else None
    for node in reversed(order):
        backward_lines(node, name, grad, counts, add)
    add("    # Leaf gradients must be finite too; then store them.")
    finite_check([grad[leaf] for leaf in leaves], add)
    for i, leaf in enumerate(leaves):
        add(f"    leaves[{i}].grad = {grad[leaf]}")
    add(f"    return {r}")
    return "\n".join(lines) + "\n"


_COUNT = itertools.count(1)


def _filename(root: Value) -> str:
    label = f" {root.label}" if root.label else ""
    return f"<gradstep compiled{label} #{next(_COUNT)}>"


def _load(source: str, filename: str) -> Callable[..., Any]:
    """Compile the generated source; register it so tracebacks show its lines."""
    namespace = load(source, filename, {**NAMESPACE, "_fail": fail})
    return namespace.pop("run")  # run's globals are the namespace: holding it too is a cycle
