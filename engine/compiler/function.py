"""Compiled functions: trace a function of numbers once, replay it for every example.

A training step repeats one model-sized computation for every example of a batch.
``engine.compile(fn, example_inputs)`` calls ``fn`` once on input Values made from
``example_inputs`` (labelled with fn's parameter names) and compiles the graph that
call builds, the size of one example's computation, into a function that loops over
rows of numbers::

    def example_loss(x0, x1, y):
        return (1.0 - y * model([x0, x1])).relu()

    step = engine.compile(example_loss, [0.5, -0.2, 1.0])
    step(0.5, -0.2, 1.0)                   # forward only: a float
    step.run(0.5, -0.2, 1.0, grad=0.01)    # forward and backward
    step.run_many(rows, grad=1 / len(rows))  # one example after another

Three kinds of leaf in the traced graph. The inputs are the function's arguments: a
new row of numbers on every example, no gradient. Values ``fn`` made itself (the 1.0
above, any ``Value(...)`` created inside) are constants, written into the code as
numbers. Every other leaf is a Value ``fn`` reads from outside (the model's
parameters): each call reads its current ``.data`` and accumulates
``grad · d(result)/d(leaf)`` into its ``.grad``, as ``result.backward(grad)`` would
after each example's call of ``fn``, in the same order: the numbers are eager's, bit
for bit.

``fn`` returns one Value, or a tuple whose first item is the result to differentiate
and whose others are Values to report too (a model's prediction, say); calls then
return tuples of floats.

Tracing freezes Python decisions, as in ``engine.compile(root)``: a branch on
``.data`` was decided by the example inputs. An input that the traced graph does not
read was used as a plain number (or not at all); its value may have decided the
graph, so a row with a different value there is traced again (a classifier's label,
which a loss reads as ``1.0`` or ``-1.0``, gives one trace per label), and the one
generated function gets a branch per trace inside its loop over rows. Errors are
eager's: when a check in the compiled code fails, the rows are replayed by calling
``fn`` eagerly (every forward first, then each backward), which raises the error
eager code raises. If ``fn`` or what it reads changes after tracing (a parameter
replaced by a new Value, a layer added), the code still replays the old graph:
``check()`` calls ``fn`` again and raises ``GraphChangedError`` where the graphs differ.
"""

from __future__ import annotations

import inspect
import itertools
import weakref
from collections.abc import Callable, Iterable, Sequence
from operator import itemgetter
from typing import Any, NamedTuple

from ..core.autodiff import collector_paused, topological_order
from ..core.floatmath import NAMES as NAMESPACE
from ..core.handwritten import refuse_handwritten
from ..core.loader import forget, load
from ..core.mode import MODE, scope
from ..core.names import graph_names
from ..core.numbers import check_number
from ..core.value import Value
from .errors import Fail, GraphChangedError, describe, fail, values_list
from .lines import Namer, backward_lines, finite_check, forward_lines, reserved, uses

MAX_TRACES = 64
"""How many traces (one per value of the inputs ``fn`` reads as numbers) before giving up."""

_COUNT = itertools.count(1)


class CompiledFunction:
    """``fn`` traced at its example inputs and compiled (``engine.compile(fn, example_inputs)``)."""

    def __init__(
        self, fn: Callable[..., Any], example_inputs: Sequence[Any], readable: bool | None
    ):
        if not callable(fn):
            raise TypeError(f"engine.compile: fn must be callable, got {type(fn).__name__}")
        if isinstance(example_inputs, (str, bytes)) or not isinstance(example_inputs, Iterable):
            raise TypeError(
                "engine.compile(fn, example_inputs): example_inputs must be a list of numbers, "
                f"one per argument of fn, got {type(example_inputs).__name__}"
            )
        self._fn = fn
        self._title = getattr(fn, "__name__", "fn")
        self.names = _argument_names(fn, len(list(example_inputs)))
        self._readable = readable
        self._leaves: list[Value] = []  # the Values fn reads, over every trace
        self._leaf_names: list[str] = []  # their names in the code, the same in every trace
        self._index: dict[Value, int] = {}
        self._namer = Namer(reserved() | _LOCALS)
        self._input_names = [self._namer.name(n) for n in self.names]
        self._traces: dict[tuple[float, ...], _Trace] = {}
        self._unread: tuple[int, ...] = ()
        self._filename = ""
        row = self._row(example_inputs, "example_inputs")
        first = self._trace(row)
        self._unread = first.unread
        self._key = itemgetter(*first.unread) if first.unread else None
        self._traces[self._key_of(row)] = first
        self._build()

    # -- calling ----------------------------------------------------------------------

    def __call__(self, *inputs: Any) -> Any:
        """``fn(*inputs)``'s value(s) as floats, computed by the compiled code; no gradients."""
        return self.run_many([inputs], backward=False)[0]

    def run(self, *inputs: Any, grad: float = 1.0) -> Any:
        """Forward and backward for one row: the Values fn reads accumulate gradients."""
        return self.run_many([inputs], grad=grad)[0]

    def run_many(
        self, rows: Iterable[Sequence[Any]], grad: float = 1.0, backward: bool = True
    ) -> list[Any]:
        """``run`` for every row in turn (faster than calling it per row); the results' list."""
        seed = check_number(grad, "CompiledFunction.run(grad=...)")
        rows = rows if isinstance(rows, list) else list(rows)
        if self._key is not None:
            self._trace_new_keys(rows)  # tracing raises what fn raises, as eager
        data = [leaf.data for leaf in self._leaves]
        grads = [leaf.grad for leaf in self._leaves]
        try:
            total = sum(data)  # the leaves' data and (below) grads are checked here, once
            if total - total != 0.0:
                fail()
            results = self._function(rows, seed, backward, data, grads)
            total = sum(grads)
            if total - total != 0.0:
                fail()
        except (Fail, ArithmeticError, ValueError, TypeError):
            return self._replay(rows, seed, backward)
        if backward:
            for leaf, g in zip(self._leaves, grads, strict=True):
                leaf.grad = g
        return results

    def _trace_new_keys(self, rows: list[Sequence[Any]]) -> None:
        """Trace fn at each value of the inputs it reads as numbers not seen yet."""
        new = {}
        key_of = self._key_of
        for row in rows:
            try:
                key = key_of(row)
                if key not in self._traces and key not in new:
                    new[key] = row
            except (IndexError, TypeError):  # a short row, or no row: the replay says so
                continue
        for key, row in new.items():
            if len(self._traces) >= MAX_TRACES:
                unread = ", ".join(self.names[i] for i in self._unread)
                raise ValueError(
                    f"engine.compile({self._title}): traced {MAX_TRACES} times, once per value "
                    f"of {unread}, which fn reads as plain numbers (its graph does not use "
                    "them). Let fn compute with those input Values, or do not compile it"
                )
            trace = self._trace(self._row(row, "row"))
            if trace.unread != self._unread:
                raise ValueError(
                    f"engine.compile({self._title}): at {list(row)} fn reads different inputs "
                    "as numbers than at its example inputs, so its traces cannot be told apart"
                )
            self._traces[key] = trace
        if new:
            self._build()

    def _key_of(self, row: Sequence[Any]) -> tuple[float, ...]:
        if self._key is None:
            return ()
        key = self._key(row)
        return key if isinstance(key, tuple) else (key,)

    def _row(self, row: Any, what: str) -> list[float]:
        values = list(row)
        if len(values) != len(self.names):
            raise ValueError(
                f"engine.compile({self._title}): {what} has {len(values)} numbers, expected "
                f"{len(self.names)} ({', '.join(self.names)})"
            )
        return [check_number(v, f"engine.compile({self._title}): {what}") for v in values]

    # -- tracing ----------------------------------------------------------------------

    def _record(self, row: list[float]) -> _Recording:
        """Call fn on input Values made from ``row``; its graph, sorted into kinds of leaf."""
        tag = f"compile#{next(_COUNT)}"
        inputs = [Value(x, label=n) for x, n in zip(row, self.names, strict=True)]
        previous = MODE.recording
        MODE.recording = True
        try:
            with collector_paused(), scope(tag):
                returned = self._fn(*inputs)
        finally:
            MODE.recording = previous
        results = _results(returned, self._title)
        order, leaves = topological_order(results[0])
        refuse_handwritten(
            order,
            f"engine.compile({self._title})",
            "compiled code is written from each op's formula",
        )
        in_graph = {*order, *leaves}
        for i, v in enumerate(results[1:], 1):
            if v not in in_graph:
                raise ValueError(
                    f"engine.compile({self._title}): fn's result {i} is not computed from its "
                    "first result's graph; return the Value to differentiate first, then "
                    "Values it depends on"
                )
        given = set(inputs)
        constants = [v for v in leaves if v not in given and tag in v.scope]
        made = set(constants)
        captured = [v for v in leaves if v not in given and v not in made]
        unread = tuple(i for i, v in enumerate(inputs) if v not in in_graph)
        return _Recording(inputs, results, order, constants, captured, unread)

    def _trace(self, row: list[float]) -> _Trace:
        """Record fn at ``row`` and write its lines; the Values it reads join the leaves."""
        rec = self._record(row)
        for leaf in rec.captured:
            if leaf not in self._index:
                self._index[leaf] = len(self._leaves)
                self._leaves.append(leaf)
                self._leaf_names.append(self._namer.name(leaf.label or "w"))
        name: dict[Value, str] = dict(zip(rec.inputs, self._input_names, strict=True))
        for v in rec.constants:
            name[v] = f"({v.data!r})" if str(v.data).startswith("-") else repr(v.data)
        for v in rec.captured:
            name[v] = self._leaf_names[self._index[v]]
        ops = len(rec.order)
        readable = self._readable if self._readable is not None else ops <= 2000
        body = _body(
            rec.results[0],
            rec.results,
            rec.order,
            rec.inputs,
            name,
            Namer(self._namer.used),
            rec.captured,
            {*rec.inputs, *rec.constants},
            readable,
        )
        return _Trace(body, ops, rec.unread, row, self._shape(rec))

    def _shape(self, rec: _Recording) -> tuple[Any, ...]:
        """The graph's structure: per op, the op and where each operand comes from.

        An operand is an op before it (by place), an input (by position), a constant
        (by value, written exactly: 0.0 and -0.0 differ) or a Value fn reads (by its
        place in ``leaves``, -1 if it is not one): equal shapes mean the same code.
        """
        ref: dict[Value, tuple[str, Any]] = {v: ("input", i) for i, v in enumerate(rec.inputs)}
        ref.update((v, ("constant", float(v.data).hex())) for v in rec.constants)  # -0.0 too
        ref.update((v, ("leaf", self._index.get(v, -1))) for v in rec.captured)
        ref.update((node, ("op", k)) for k, node in enumerate(rec.order))
        ops = tuple((node._operation, tuple(ref[p] for p in node._parents)) for node in rec.order)
        return (*ops, tuple(ref[v] for v in rec.results))

    # -- checking ---------------------------------------------------------------------

    def check(self, leaves: Iterable[Value] = ()) -> None:
        """Raise ``GraphChangedError`` if fn no longer builds the graph its code replays.

        The compiled code replays what fn did when it was traced; if fn or the Values
        it reads changed since (a layer added, a parameter replaced by a new Value),
        it replays the old graph. ``check()`` calls fn again at each traced row,
        eagerly and without touching any gradient, and compares the graph op by op.
        Pass the Values you expect to train (a model's parameters) as ``leaves`` to
        have each confirmed as a Value fn reads.
        """
        where = f"engine.compile({self._title})"
        leaves = values_list(leaves, f"{where}.check(leaves)")
        for leaf in self._leaves:
            if leaf._parents:
                raise GraphChangedError(
                    f"{where}: {describe(leaf)}, a Value fn reads, is no longer a leaf (it has "
                    "parents now). Compile fn again"
                )
        for trace in self._traces.values():
            rec = self._record(trace.row)
            for v in rec.captured:
                if v not in self._index:
                    raise GraphChangedError(
                        f"{where}: at {trace.row} fn now reads {describe(v)}, a Value it did "
                        "not read when traced (a parameter replaced by a new Value, or one fn "
                        "made itself while traced, which the code took as a constant), so the "
                        "compiled code would not update it. Compile fn again"
                    )
            shape = self._shape(rec)
            if shape != trace.shape:
                difference = _difference(trace, shape, self._leaves)
                raise GraphChangedError(f"{where}: {difference}. Compile fn again")
        for leaf in leaves:
            if leaf not in self._index:
                raise GraphChangedError(
                    f"{where}: {describe(leaf)} is not a Value fn reads, so run() does not "
                    "update its .grad. It was not used when fn was traced, or it replaced a "
                    "Value that was; compile fn again after changing what fn reads"
                )

    def _build(self) -> None:
        """Write and compile the one function: a branch per trace inside the loop over rows."""
        source = _source(
            _function_name(self._title, self._namer),
            self._title,
            self._input_names,
            self._leaf_names,
            self._unread,
            self._traces,
        )
        if self._filename:
            forget(self._filename)
        self._filename = f"<gradstep compiled {self._title} #{next(_COUNT)}>"
        namespace = load(source, self._filename, {**NAMESPACE, "_fail": fail})
        self._function = namespace.pop(_function_name(self._title, self._namer))  # no cycle
        self.source = source
        weakref.finalize(self, forget, self._filename)

    # -- errors: eager's --------------------------------------------------------------

    def _replay(self, rows: list[Sequence[Any]], seed: float, backward: bool) -> list[Any]:
        """Call fn eagerly on every row (each forward, then each backward): eager's errors."""
        for leaf in self._leaves:
            check_number(leaf.data, f"engine.compile({self._title}): a Value fn reads")
        made = []
        with collector_paused():
            for i, row in enumerate(rows):
                numbers = self._row(row, f"row {i}")
                values = [Value(x, label=n) for x, n in zip(numbers, self.names, strict=True)]
                made.append(_results(self._fn(*values), self._title))
            if backward:
                for results in made:
                    results[0].backward(seed)
        single = len(made[0]) == 1 if made else True
        return [r[0].data if single else tuple(v.data for v in r) for r in made]

    # -- reading ----------------------------------------------------------------------

    @property
    def leaves(self) -> tuple[Value, ...]:
        """The Values fn reads from outside (e.g. parameters): they accumulate gradients."""
        return tuple(self._leaves)

    def __len__(self) -> int:
        """Ops per example in the first trace."""
        return next(iter(self._traces.values())).ops

    def __repr__(self) -> str:
        traces = len(self._traces)
        return (
            f"<CompiledFunction {self._title}({', '.join(self.names)}): {len(self)} ops per "
            f"example, {len(self._leaves)} leaves, {traces} trace{'s' if traces > 1 else ''}>"
        )


_LOCALS = {"rows", "data", "grads", "results", "compiled"}


class _Recording(NamedTuple):
    """What one call of fn built: its inputs, results, ops, and leaves by kind."""

    inputs: list[Value]
    results: tuple[Value, ...]
    order: list[Value]
    constants: list[Value]  # leaves fn made itself: numbers in the code
    captured: list[Value]  # leaves fn reads from outside: the parameters
    unread: tuple[int, ...]  # inputs the graph does not read


class _Trace:
    """One traced graph of fn: its lines inside the loop over rows, and what it read."""

    __slots__ = ("body", "ops", "row", "shape", "unread")

    def __init__(
        self,
        body: list[str],
        ops: int,
        unread: tuple[int, ...],
        row: list[float],
        shape: tuple[Any, ...],
    ) -> None:
        self.body = body
        self.ops = ops
        self.unread = unread
        self.row = row  # the inputs it was traced at
        self.shape = shape  # CompiledFunction._shape of its graph


def _difference(trace: _Trace, shape: tuple[Any, ...], leaves: list[Value]) -> str:
    """Where a new recording's shape first differs from the trace's, in words."""
    at = f"at {trace.row} fn now builds"
    old, new = trace.shape[:-1], shape[:-1]
    for k, (was, now) in enumerate(zip(old, new, strict=False)):
        if was != now:
            return (
                f"{at} a different graph: op {k + 1} of {len(old)} is {now[0].name} of "
                f"{_operands(now[1], leaves)} where the traced graph has {was[0].name} of "
                f"{_operands(was[1], leaves)}"
            )
    if len(old) != len(new):
        return f"{at} {len(new)} ops where the traced graph has {len(old)}"
    return f"{at} the same ops but returns different Values of them"


def _operands(refs: tuple[tuple[str, Any], ...], leaves: list[Value]) -> str:
    """A node's operands as ``_shape`` records them, in words: ``(op 3, input 0, 'w')``."""
    words = []
    for kind, x in refs:
        if kind == "op":
            words.append(f"op {x + 1}")
        elif kind == "input":
            words.append(f"input {x}")
        else:
            words.append(repr(float.fromhex(x)) if kind == "constant" else describe(leaves[x]))
    return f"({', '.join(words)})"


def _argument_names(fn: Callable[..., Any], n: int) -> list[str]:
    """fn's parameter names when it has n plain ones, else ``x0, x1, ...``."""
    try:
        params = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        params = []
    plain = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    if params and all(p.kind in plain for p in params):
        if len(params) != n:
            raise ValueError(
                f"engine.compile({getattr(fn, '__name__', 'fn')}): example_inputs has {n} "
                f"numbers, expected {len(params)} ({', '.join(p.name for p in params)}), "
                "one per argument of fn"
            )
        return [p.name for p in params]
    return [f"x{i}" for i in range(n)]


def _results(returned: Any, title: str) -> tuple[Value, ...]:
    results = returned if isinstance(returned, tuple) else (returned,)
    for i, v in enumerate(results):
        if not isinstance(v, Value):
            raise TypeError(
                f"engine.compile({title}): fn must return a Value (or a tuple of Values), "
                f"got {type(v).__name__} as result {i}"
            )
    if not results:
        raise TypeError(f"engine.compile({title}): fn returned an empty tuple")
    return results


def _body(
    root: Value,
    results: tuple[Value, ...],
    order: list[Value],
    inputs: list[Value],
    name: dict[Value, str],
    namer: Namer,
    captured: list[Value],
    no_grad: set[Value],
    readable: bool,
) -> list[str]:
    """One example's lines: forward, the check, its result, then (if asked) backward."""
    shown = graph_names(root, others=results[1:])
    for node in order:
        name[node] = namer.name(shown[node])
    lines: list[str] = []
    add = lines.append
    for node in order:
        forward_lines(node, name, readable, add)
    finite_check([name[v] for v in (*inputs, *order)], add)  # inputs and values alike
    returned = name[root] if len(results) == 1 else f"({', '.join(name[v] for v in results)})"
    add(f"    results.append({returned})")
    add("    if not backward:")
    add("        continue")
    grad = {v: f"grad_{name[v]}" for v in captured}
    if order:
        grad[root] = f"grad_{name[root]}"
        add(f"    {grad[root]} = seed")
    elif root in grad:
        add(f"    {grad[root]} += seed")
    counts = None if readable else uses(order)
    for node in reversed(order):
        backward_lines(node, name, grad, counts, add, no_grad)
    return lines


def _function_name(title: str, namer: Namer) -> str:
    """fn's own name for the generated function, unless the code uses that name already."""
    return title if title.isidentifier() and title not in namer.used else "compiled"


def _source(
    fname: str,
    title: str,
    inputs: list[str],
    leaves: list[str],
    unread: tuple[int, ...],
    traces: dict[tuple[float, ...], _Trace],
) -> str:
    """The function: the leaves read once, a loop over rows, a branch per trace."""
    ops = ", ".join(str(t.ops) for t in traces.values())
    lines = [
        f"def {fname}(rows, seed, backward, data, grads):",
        f'    """{title} compiled by engine.compile: {ops} ops per example.',
        "",
        "    For each row of inputs: forward, one line per op; then backward, the ops in",
        "    reverse, one chain-rule term per line. The Values fn reads (its leaves) are",
        "    read once and accumulate their gradients over the rows; the caller checks",
        "    that their data and gradients are finite (CompiledFunction.run_many).",
        '    """',
    ]
    add = lines.append
    grads = [f"grad_{n}" for n in leaves]
    if leaves:
        add("    # The leaves' current data and gradients.")
        add(f"    {', '.join(leaves)}{',' if len(leaves) == 1 else ''} = data")
        add(f"    {', '.join(grads)}{',' if len(leaves) == 1 else ''} = grads")
    add("    results = []")
    targets = ", ".join(inputs) + ("," if len(inputs) == 1 else "")
    add(f"    for {targets} in rows:" if inputs else "    for _ in rows:")
    if not unread:
        (trace,) = traces.values()
        lines += ["    " + line for line in trace.body]
    else:
        for k, (key, trace) in enumerate(traces.items()):
            test = " and ".join(f"{inputs[i]} == {v!r}" for i, v in zip(unread, key, strict=True))
            add(f"        {'if' if k == 0 else 'elif'} {test}:  # the trace for {test}")
            lines += ["        " + line for line in trace.body]
        add("        else:")
        add("            _fail()  # a value no trace was made for (NaN, say): eager decides")
    if leaves:
        add("    if backward:")
        add(f"        grads[:] = ({', '.join(grads)},)")
    add("    return results")
    return "\n".join(lines) + "\n"
