"""Big graphs, compiled in chunks: the same lines, bounded work per op, any number of ops.

CPython compiles one function in time and memory that grow with the function: a
straight-line function of a million lines takes gigabytes and minutes. So a graph
of more than ``CHUNK_OPS`` ops (written for speed, ``readable=False``) is cut into
chunks of consecutive ops in topological order (``chunk_size``: a tenth of the graph,
between 1,000 and 4,000 ops), and each chunk becomes one small
generator function, ``chunk{k}(d, g, seed)``: run to its ``yield`` it computes the
chunk's ops; resumed, it applies their chain rule. The lines in it are the lines of
the one function of a small graph (``lines.py``), so the numbers are the same, bit
for bit: the forward values are computed by the same expressions, and every
gradient receives the same terms in the same order (the chunks' backward halves run
from the last chunk to the first, each in reverse).

Inside a chunk every value is a local variable, as in one big function, and the
generator's frame keeps them from the forward half to the backward half. What
crosses a chunk boundary goes through two lists, allocated once per run, with the
same slots:

* ``d`` holds the leaves' data, then the values that later chunks read (a chunk
  loads the ones it needs in one statement, ``a, b, c = _take3(d)``, an
  ``operator.itemgetter``, and stores its own in one slice, ``d[40:43] = (...)``);
* ``g`` holds the leaves' gradients, then the gradients of those values: the last
  chunk that reads a value is the first to add to its gradient (its first term
  assigns, as in one function), earlier chunks load it, add, and store it again.

Nothing of the generated source is kept: every chunk is compiled the moment it is
written, so memory stays bounded by one chunk's compiling; ``CompiledGraph.source``
writes it all again when asked.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Iterator, Sequence
from operator import itemgetter
from typing import Any

from ..core.floatmath import NAMES as NAMESPACE
from ..core.node import Node
from .lines import backward_lines, finite_check, forward_lines

CHUNK_OPS = 1000
"""Ops per chunk at least: big enough that chunk overhead is small, small enough that
compiling one chunk (about 2.5 KB per line while CPython compiles it) stays a small part
of the memory of a graph of ten thousand ops."""

MAX_CHUNK_OPS = 4000
"""Ops per chunk at most. A graph of N ops gets chunks of N / 10 ops between the two:
fewer chunks run faster (each loads the leaves it reads, e.g. all of a model's
parameters), and the memory of compiling one is then a tenth of the graph's or less."""


def chunk_size(ops: int) -> int:
    """The ops per chunk for a graph of ``ops`` ops."""
    return min(max(CHUNK_OPS, ops // 10), max(CHUNK_OPS, MAX_CHUNK_OPS))


class Fail(Exception):
    """Raised by generated code when a check fails: the caller then replays eagerly."""


def _fail() -> None:
    raise Fail


class ChunkedRun:
    """The compiled chunks of a big graph and the loop that runs them.

    Called as the one function of a small graph is: ``(leaves, outputs, seed,
    backward)``, returning the root's value. Each chunk is a generator: run to its
    ``yield`` it has done its forward pass; resumed, its backward pass.
    """

    __slots__ = ("chunks", "output_slots", "root_slot", "slots")

    def __init__(self) -> None:
        self.chunks: list[Callable[[list[float], list[float], float], Iterator[None]]] = []
        self.slots = 0  # length of d and g beyond the leaves
        self.root_slot = 0
        self.output_slots: tuple[int, ...] = ()

    def __call__(
        self, leaves: Sequence[Node], outputs: Sequence[Node], seed: float, backward: bool
    ) -> float:
        d = [leaf.data for leaf in leaves]
        total = sum(d)  # every leaf must be a finite number (relu would hide a NaN)
        if total - total != 0.0:
            _fail()
        d += [0.0] * self.slots
        g = [leaf.grad for leaf in leaves] if backward else []
        g += [0.0] * self.slots
        running = [chunk(d, g, seed) for chunk in self.chunks]
        for chunk in running:
            next(chunk)  # its forward pass
        for node, slot in zip(outputs, self.output_slots, strict=True):
            node.data = d[slot]
        value = d[self.root_slot]
        if not backward:
            return value
        for chunk in reversed(running):
            next(chunk, None)  # its backward pass, to the end
        del g[len(leaves) :]
        total = sum(g)
        if total - total != 0.0:
            _fail()
        for leaf, grad in zip(leaves, g, strict=True):
            leaf.grad = grad
        return value


def compile_chunks(
    root: Node, order: list[Node], leaves: list[Node], outputs: Sequence[Node], filename: str
) -> ChunkedRun:
    """Write, compile and load every chunk of the graph; keep none of the source."""
    run = ChunkedRun()
    namespace: dict[str, Any] = {**NAMESPACE, "_fail": _fail}
    for k, source in _sources(root, order, leaves, outputs, run, namespace):
        exec(builtins.compile(source, f"{filename} chunk {k}", "exec"), namespace)
        run.chunks.append(namespace.pop(f"chunk{k}"))  # held by the namespace: a cycle
    return run


def chunk_source(root: Node, order: list[Node], leaves: list[Node], outputs: Sequence[Node]) -> str:
    """The source of every chunk, as ``compile_chunks`` writes it (for reading)."""
    parts = [
        f"# {len(order)} ops in chunks of {chunk_size(len(order))}, run by "
        "engine.compiler.chunks.ChunkedRun."
        "\n# d: the leaves' data, then values later chunks read; g: their gradients.\n"
    ]
    namespace: dict[str, Any] = {}
    for k, source in _sources(root, order, leaves, outputs, ChunkedRun(), namespace):
        for getter in (f"_take{k}", f"_gtake{k}"):
            if getter in namespace:
                parts.append(f"# {getter} = {namespace[getter]!r}\n")
        parts.append(source)
    return "\n".join(parts)


def _sources(
    root: Node,
    order: list[Node],
    leaves: list[Node],
    outputs: Sequence[Node],
    run: ChunkedRun,
    namespace: dict[str, Any],
) -> Iterator[tuple[int, str]]:
    """Each chunk's source, first to last; fills in ``run``'s slots and the itemgetters."""
    name = {leaf: f"l{i}" for i, leaf in enumerate(leaves)}
    name.update(zip(order, map("v{}".format, range(len(order))), strict=True))
    size = chunk_size(len(order))
    starts = range(0, len(order), size)
    last_use = _last_use(order, starts, size)
    slot = {leaf: i for i, leaf in enumerate(leaves)}
    for v in (root, *outputs):
        if v._parents:
            last_use.setdefault(v, -1)  # kept in d for the caller, not read by a chunk
    for k, start in enumerate(starts):
        nodes = order[start : start + size]
        yield k, _chunk(k, nodes, name, slot, last_use, root, namespace)
        for node in nodes:
            if node in last_use and last_use[node] <= k:
                last_use.pop(node)  # read by no later chunk
    run.slots = len(slot) - len(leaves)
    run.root_slot = slot[root]
    run.output_slots = tuple(slot[v] for v in outputs)


def _last_use(order: list[Node], starts: range, size: int) -> dict[Node, int]:
    """For each node a later chunk reads, the last chunk that reads it.

    That chunk is the first to add to the node's gradient (backward runs the chunks
    last first); the node's value and gradient cross chunks through ``d`` and ``g``.
    """
    last: dict[Node, int] = {}
    for k, start in enumerate(starts):
        nodes = order[start : start + size]
        local = set(nodes)
        for node in nodes:
            for p in node._parents:
                if p._parents and p not in local:
                    last[p] = k
    return last


def _outside(nodes: list[Node], local: set[Node]) -> list[Node]:
    """The operands a chunk reads from outside it (leaves, earlier chunks), first use first."""
    return list(dict.fromkeys(p for node in nodes for p in node._parents if p not in local))


def _chunk(
    k: int,
    nodes: list[Node],
    name: dict[Node, str],
    slot: dict[Node, int],
    last_use: dict[Node, int],
    root: Node,
    namespace: dict[str, Any],
) -> str:
    """``chunk{k}(d, g, seed)``: forward, ``yield``, then backward, for these ops."""
    local = set(nodes)
    outside = _outside(nodes, local)
    lines = [f"def chunk{k}(d, g, seed):"]
    add = lines.append
    _load(outside, name, slot, "d", f"_take{k}", namespace, add)
    for node in nodes:
        forward_lines(node, name, False, add)
    finite_check([name[node] for node in nodes], add)
    kept = [node for node in nodes if node in last_use]
    first = len(slot)
    slot.update(zip(kept, range(first, first + len(kept)), strict=True))
    _store([(slot[v], name[v]) for v in kept], "d", add)
    add("    yield")
    # Gradients that a later chunk started: every leaf's, and those of this chunk's
    # nodes and of earlier ones that a later chunk reads.
    started = [v for v in (*outside, *kept) if not v._parents or last_use[v] > k]
    grad = {v: f"grad_{name[v]}" for v in started}
    _load(started, grad, slot, "g", f"_gtake{k}", namespace, add)
    if root in local:
        grad[root] = f"grad_{name[root]}"
        add(f"    {grad[root]} = seed")
    uses: dict[Node, int] = {}
    for node in nodes:
        for p in node._parents:
            if p in local and p not in grad:  # every use is in this chunk
                uses[p] = uses.get(p, 0) + 1
    for node in reversed(nodes):
        backward_lines(node, name, grad, uses, add)
    _store(sorted((slot[v], grad[v]) for v in outside), "g", add)
    return "\n".join(lines) + "\n"


def _load(
    values: list[Node],
    name: dict[Node, str],
    slot: dict[Node, int],
    array: str,
    getter: str,
    namespace: dict[str, Any],
    add: Callable[[str], None],
) -> None:
    """``a, b, c = _takeK(d)``: the values' slots of ``array`` into locals, one statement."""
    if len(values) == 1:
        add(f"    {name[values[0]]} = {array}[{slot[values[0]]}]")
    elif values:
        namespace[getter] = itemgetter(*(slot[v] for v in values))
        add(f"    {', '.join(name[v] for v in values)} = {getter}({array})")


def _store(items: list[tuple[int, str]], array: str, add: Callable[[str], None]) -> None:
    """``array[slot] = name`` for each item, a run of consecutive slots as one slice."""
    i = 0
    while i < len(items):
        j = i + 1
        while j < len(items) and items[j][0] == items[j - 1][0] + 1:
            j += 1
        first = items[i][0]
        if j - i == 1:
            add(f"    {array}[{first}] = {items[i][1]}")
        else:
            values = ", ".join(n for _, n in items[i:j])
            add(f"    {array}[{first}:{first + j - i}] = ({values},)")
        i = j
