"""Big graphs, compiled in chunks: the same lines, bounded work per op, any number of ops.

CPython compiles one function in time and memory that grow with the function: a
straight-line function of a million lines takes gigabytes and minutes. So a graph
of more than ``CHUNK_OPS`` ops (written for speed, ``readable=False``) is cut into
chunks of consecutive ops in topological order, of 1,000 to 3,750 ops (``chunk_ops``;
the last may be shorter), and each chunk becomes one small generator function: run
to its ``yield`` it computes the chunk's ops; resumed, it applies their chain rule.
The lines in it are the lines of the one function of a small graph (``lines.py``), so
the numbers are the same, bit for bit: the forward values are computed by the same
expressions, and every gradient receives the same terms in the same order (the
chunks' backward halves run from the last chunk to the first, each in reverse).

Big graphs repeat themselves: they come from loops (a layer applied to every example
of a dataset, a step unrolled a thousand times). So a chunk's code names its values
by their place in the chunk (``v0, v1, ...``; ``o0, o1, ...`` for what it reads from
outside), not by their place in the graph, and takes the slots it reads and writes
as arguments. Two chunks that compute the same ops wired the same way then have the
same source text, and it is compiled once. Where a chunk ends is chosen by the
graph's content too (``boundaries``): among the places it may end, the one where a
hash of the ops up to there is lowest, so that a graph that repeats itself is cut at
the same place in every repeat. Repeats or not, the numbers are the same.

Inside a chunk every value is a local variable, as in one big function, and the
generator's frame keeps them from the forward half to the backward half. What
crosses a chunk boundary goes through two lists, allocated once per run, with the
same slots:

* ``d`` holds the leaves' data, then the values that later chunks read, and the root
  and the outputs asked for (a chunk loads the values it needs in one statement,
  ``o0, o1, o2 = take(d)``, an ``operator.itemgetter``, and stores its own in one
  slice, ``d[kept] = (...)``);
* ``g`` holds the leaves' gradients, then the gradients of those values: the last
  chunk that reads a value is the first to add to its gradient (its first term
  assigns, as in one function), earlier chunks load it (``gtake(g)``), add, and
  store it again (``g[s0] = grad_o0``, the slots in ``gslots``).

Nothing of the generated source is kept: every distinct chunk is compiled the moment
it is written and only a digest of its text is kept to spot repeats, so memory stays
bounded by one chunk's compiling; ``CompiledGraph.source`` writes it all again when
asked.
"""

from __future__ import annotations

import builtins
import hashlib
from collections.abc import Callable, Iterator, Sequence
from operator import itemgetter
from typing import Any

from ..core.floatmath import NAMES as NAMESPACE
from ..core.node import Node
from .errors import fail
from .lines import backward_lines, finite_check, forward_lines

CHUNK_OPS = 1000
"""Graphs of more ops than this are chunked, in chunks of at least this many ops."""

BIG_GRAPH_CHUNK_OPS = 2500
"""Ops per chunk at least in the biggest graphs (``chunk_ops``); a chunk may have half
as many again. Fewer, bigger chunks run faster: each chunk loads the leaves it reads
(a model's parameters, say) and stores their gradients (measured: the micrograd demo's
whole graph runs about 10% faster in chunks of 2,500 ops than of 1,000). Smaller
chunks compile in less memory: about 10 KB per op of the chunk while CPython compiles
it, the peak of compiling a graph."""


def chunk_ops(ops: int) -> int:
    """The least ops per chunk for a graph of ``ops`` ops: a tenth of it, within bounds.

    A tenth keeps the memory of compiling one chunk (the peak of compiling a graph) a
    small part of the graph's own, and the number of chunks small.
    """
    return min(max(CHUNK_OPS, ops // 10), max(CHUNK_OPS, BIG_GRAPH_CHUNK_OPS))


Chunk = Callable[..., Iterator[None]]  # chunk(d, g, seed, take, kept, gtake, gslots)


class ChunkedRun:
    """The compiled chunks of a big graph and the loop that runs them.

    Called as the one function of a small graph is: ``(leaves, outputs, seed,
    backward)``, returning the root's value. Each chunk is a generator: run to its
    ``yield`` it has done its forward pass; resumed, its backward pass.
    """

    __slots__ = ("chunks", "codes", "output_slots", "root_slot", "slots")

    def __init__(self) -> None:
        self.chunks: list[tuple[Chunk, tuple[Any, ...]]] = []  # (code, its slots' arguments)
        self.codes = 0  # distinct chunk codes compiled
        self.slots = 0  # length of d and g beyond the leaves
        self.root_slot = 0
        self.output_slots: tuple[int, ...] = ()

    def __call__(
        self, leaves: Sequence[Node], outputs: Sequence[Node], seed: float, backward: bool
    ) -> float:
        d = [leaf.data for leaf in leaves]
        total = sum(d)  # every leaf must be a finite number (relu would hide a NaN)
        if total - total != 0.0:
            fail()
        d += [0.0] * self.slots
        g = [leaf.grad for leaf in leaves] if backward else []
        g += [0.0] * self.slots
        running = [code(d, g, seed, *slots) for code, slots in self.chunks]
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
            fail()
        for leaf, grad in zip(leaves, g, strict=True):
            leaf.grad = grad
        return value


def compile_chunks(
    root: Node, order: list[Node], leaves: list[Node], outputs: Sequence[Node], filename: str
) -> ChunkedRun:
    """Write every chunk; compile each distinct source once; keep none of the source."""
    run = ChunkedRun()
    namespace: dict[str, Any] = {**NAMESPACE, "_fail": fail}
    compiled: dict[bytes, Chunk] = {}  # a digest of the source -> its code, for this graph
    for _, source, slots in _sources(root, order, leaves, outputs, run):
        digest = hashlib.sha256(source.encode()).digest()
        code = compiled.get(digest)
        if code is None:
            where = f"{filename} chunk code {len(compiled)}"  # as CompiledGraph.source numbers it
            exec(builtins.compile(source, where, "exec"), namespace)
            code = compiled[digest] = namespace.pop("chunk")  # held by the namespace: a cycle
        run.chunks.append((code, slots))
    run.codes = len(compiled)
    return run


def chunk_source(root: Node, order: list[Node], leaves: list[Node], outputs: Sequence[Node]) -> str:
    """The source of every distinct chunk, and what each chunk runs, as compiled (for reading)."""
    codes: dict[str, int] = {}
    runs: list[str] = []
    for k, source, (take, kept, gtake, gslots) in _sources(
        root, order, leaves, outputs, ChunkedRun()
    ):
        code = codes.setdefault(source, len(codes))
        runs.append(
            f"# chunk {k}: code {code}, take={take!r}, kept={kept!r}, gtake={gtake!r}, "
            f"gslots={gslots!r}"
        )
    parts = [
        f"# {len(order)} ops in {len(runs)} chunks of {len(codes)} distinct codes, run by "
        "engine.compiler.chunks.ChunkedRun.\n"
        "# d: the leaves' data, then values later chunks (or the caller) read; g: their "
        "gradients.\n"
        "# Each chunk runs one code with its own slots of d and g:",
        *runs,
    ]
    for source, code in codes.items():
        parts.append(f"\n# code {code}\n{source}")
    return "\n".join(parts)


def boundaries(order: list[Node], low: int | None = None) -> list[int]:
    """Where each chunk starts: cut where the graph's content says, so repeats cut alike.

    A chunk ends somewhere between ``low`` (``chunk_ops``) and half as many again ops
    after it starts (the last may be shorter): the next chunk starts at the first node
    there whose key (``window_keys``: a hash of that node and the ``low - 1`` before
    it) is lowest. Places reached by the same ``low`` ops, wired the same way, have
    the same key, so a graph that repeats a pattern of up to ``low / 2`` ops (an
    example's forward pass, a layer, a step of a loop) is cut at the same place in
    every repeat, and its chunks have the same source: content-defined chunking, as
    backup tools cut files into blocks. (Different places may share a key too; that
    only moves a cut.)
    """
    low = chunk_ops(len(order)) if low is None else low
    high = low + low // 2
    starts = [0]
    if len(order) <= high:
        return starts
    keys = window_keys(order, low)
    start = 0
    while len(order) - start > high:
        window = keys[start + low : start + high + 1]
        start += low + window.index(min(window))
        starts.append(start)
    return starts


_MODULUS = (1 << 61) - 1  # a prime: the rolling hash's arithmetic
_BASE = 1_000_003


def window_keys(order: list[Node], width: int) -> list[int]:
    """For each node, a hash of it and the ``width - 1`` nodes before it, op and wiring.

    A node's own part is its op (numbered in order of first use, so the keys are the
    same in every process) and, per operand, how far back in ``order`` the operand is
    (-1 for a leaf), so it does not depend on where in the graph the node is. The
    window's hash rolls (Rabin-Karp): one multiply and two adds a node.
    """
    position = {node: i for i, node in enumerate(order)}
    number: dict[int, int] = {}
    own = [
        hash(
            (
                number.setdefault(id(node._operation), len(number)),
                *[i - position.get(p, i + 1) for p in node._parents],
            )
        )
        & _MODULUS
        for i, node in enumerate(order)
    ]
    drop = pow(_BASE, width, _MODULUS)
    keys = []
    h = 0
    for i, k in enumerate(own):
        h = h * _BASE + k
        if i >= width:
            h -= own[i - width] * drop
        h %= _MODULUS
        keys.append(h)
    return keys


def _sources(
    root: Node, order: list[Node], leaves: list[Node], outputs: Sequence[Node], run: ChunkedRun
) -> Iterator[tuple[int, str, tuple[Any, ...]]]:
    """Each chunk's source and slots' arguments, first to last; fills in ``run``'s slots."""
    starts = boundaries(order)
    spans = list(zip(starts, [*starts[1:], len(order)], strict=True))
    last_use = _last_use(order, spans)
    slot = {leaf: i for i, leaf in enumerate(leaves)}
    for v in (root, *outputs):
        if v._parents:
            last_use.setdefault(v, -1)  # kept in d for the caller, not read by a chunk
    for k, (start, end) in enumerate(spans):
        source, slots = _chunk(k, order[start:end], slot, last_use, root)
        yield k, source, slots
    run.slots = len(slot) - len(leaves)
    run.root_slot = slot[root]
    run.output_slots = tuple(slot[v] for v in outputs)


def _last_use(order: list[Node], spans: list[tuple[int, int]]) -> dict[Node, int]:
    """For each node a later chunk reads, the last chunk that reads it.

    That chunk is the first to add to the node's gradient (backward runs the chunks
    last first); the node's value and gradient cross chunks through ``d`` and ``g``.
    """
    last: dict[Node, int] = {}
    for k, (start, end) in enumerate(spans):
        nodes = order[start:end]
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
    k: int, nodes: list[Node], slot: dict[Node, int], last_use: dict[Node, int], root: Node
) -> tuple[str, tuple[Any, ...]]:
    """``chunk(d, g, seed, take, kept, gtake, gslots)``: forward, ``yield``, backward.

    The source names values by their place in the chunk, so chunks that compute the
    same ops wired the same way have the same source; the slots they read and write
    are the arguments after ``seed``, returned with the source.
    """
    local = set(nodes)
    outside = _outside(nodes, local)
    name = {v: f"o{j}" for j, v in enumerate(outside)}
    name.update(zip(nodes, map("v{}".format, range(len(nodes))), strict=True))
    lines = ["def chunk(d, g, seed, take, kept, gtake, gslots):"]
    add = lines.append
    take = _unpack(outside, name, slot, "take(d)", add)
    for node in nodes:
        forward_lines(node, name, False, add)
    finite_check([name[node] for node in nodes], add)
    stored = [node for node in nodes if node in last_use]
    first = len(slot)
    slot.update(zip(stored, range(first, first + len(stored)), strict=True))
    if stored:
        add(f"    d[kept] = ({', '.join(name[v] for v in stored)},)")
    add("    yield")
    # Gradients that a later chunk started: every leaf's, and those of this chunk's
    # nodes and of earlier ones that a later chunk reads.
    started = [v for v in (*outside, *stored) if not v._parents or last_use[v] > k]
    grad = {v: f"grad_{name[v]}" for v in started}
    gtake = _unpack(started, grad, slot, "gtake(g)", add)
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
    targets = [f"s{j}" for j in range(len(outside))]
    add(f"    {', '.join(targets)}{',' if len(targets) == 1 else ''} = gslots")
    for target, v in zip(targets, outside, strict=True):
        add(f"    g[{target}] = {grad[v]}")
    kept = slice(first, first + len(stored)) if stored else None
    slots = (take, kept, gtake, tuple(slot[v] for v in outside))
    return "\n".join(lines) + "\n", slots


def _unpack(
    values: list[Node],
    name: dict[Node, str],
    slot: dict[Node, int],
    call: str,
    add: Callable[[str], None],
) -> itemgetter | None:
    """``o0, o1 = take(d)``: the values' slots into locals in one statement; the getter."""
    if not values:
        return None
    add(f"    {', '.join(name[v] for v in values)} = {call}")
    return itemgetter(*(slot[v] for v in values))
