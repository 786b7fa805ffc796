"""Drawing computation graphs with Graphviz: ``draw_dot``, ``render``, Jupyter display.

Every Value becomes a small table (its label, ``data`` and ``grad``); every op becomes
a round node showing the op's symbol from the op table, between its operands and its
result. Colours say what a Value is for:

* inputs (leaves with a label, or marked ``"input"``): blue;
* parameters (``engine.mark(v, "parameter")``, as nn does): green;
* constants (numbers used in an op, e.g. the 2 in ``x * 2``): small grey boxes;
* intermediate results: white;
* the output (the Value you draw): amber.

Backward-pass numbers (grads, and with ``edge_derivatives=True`` the local derivative
written on each arrow into an op) share one colour, so the two passes read apart.

Node ids come from the order the graph is read in (operands before results, first
operand first), never from ``id()``: drawing the same graph twice gives the same DOT
text. Pictures are made by ``engine.dot_exe`` (system ``dot`` or ``graphviz-pure``).
"""

from __future__ import annotations

import base64
import html
import os
import re
import reprlib
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import graphviz

from ..core.autodiff import topological_order
from ..core.names import reading_order
from ..core.ops import Op
from ..core.value import Value
from .dot_exe import GraphvizNotFoundError, run_dot
from .tags import role_of

__all__ = [
    "DEFAULT_MAX_NODES",
    "GraphTooLargeError",
    "GraphvizNotFoundError",
    "Overlay",
    "ValueGraph",
    "draw_dot",
    "format_number",
    "render",
]

# Graphs with more Values than this are summarised instead of laid out. With
# graphviz-pure an MLP(2, [16, 16, 1]) on one input (708 Values, micrograd's demo model)
# lays out in about 0.3 s into a 1.8 MB SVG; beyond a thousand nodes a picture teaches
# little and the notebook grows by megabytes per cell.
DEFAULT_MAX_NODES = 1000

RANKDIRS = ("LR", "RL", "TB", "BT")
SIDEWAYS = ("LR", "RL")  # layouts whose ranks run left to right: operands stack vertically

FILL = {
    "input": "#dbeafe",
    "parameter": "#dcfce7",
    "constant": "#f1f5f9",
    "intermediate": "#ffffff",
    "output": "#fde68a",
}
BACKWARD = "#b45309"  # grads and local derivatives
INK = "#1f2937"
EDGE = "#64748b"
FONT = "Helvetica"
HIGHLIGHT = "#e11d48"  # the node a backprop step is at, its op and its arrows
UPDATED = "#fecdd3"  # behind a grad a backprop step has just added to
NUMBER_WIDTH = 42  # minimum width (points) of the number column, so columns line up


@dataclass(frozen=True)
class Overlay:
    """Changes to one drawing, for callers that draw moments of a computation.

    The stepper (``engine.show.stepper``) draws each backprop step through this instead
    of copying ``draw_dot``. ``names``: the name shown for a Value instead of its
    label (generated names for unlabelled Values). ``grads``: the text shown in a
    Value's grad row instead of its number (``"?"`` for a grad not computed yet).
    ``current``: the Value drawn highlighted with its op and the arrows into and out
    of the op (SVG classes ``current``, ``current-op``, ``current-edge``).
    ``updated``: Values whose grad row is marked (SVG class ``updated``).
    ``number_width``: the minimum width in points of the number column; drawings whose
    numbers differ keep one layout when it fits the widest of them.
    """

    names: Mapping[Value, str] = field(default_factory=dict)
    grads: Mapping[Value, str] = field(default_factory=dict)
    current: Value | None = None
    updated: frozenset[Value] = frozenset()
    number_width: int = NUMBER_WIDTH


class GraphTooLargeError(ValueError):
    """``render`` refused a graph over ``max_nodes``; the message is the summary."""


class ValueGraph(graphviz.Digraph):
    """The ``graphviz.Digraph`` that ``draw_dot`` returns.

    It is an ordinary Digraph (``.source``, ``.attr``, ``.node`` ...), except that
    ``pipe``, ``render``, ``view`` and the Jupyter display run the Graphviz program
    ``engine.dot_exe`` found, so they work with ``graphviz-pure`` and no system ``dot``.
    ``summary`` holds the text shown instead of the graph when it was too large.

    In a notebook the picture is scaled down to the width of the output column (a
    neural net's graph is often wider; see ``fit_to_column``); ``graph.full_size()``
    shows it at its own size.
    """

    summary: str | None = None
    fitted: bool = True

    def full_size(self) -> ValueGraph:
        """The same graph, displayed at its natural size instead of fitted to the column."""
        copy = self.copy()
        copy.summary = self.summary
        copy.fitted = False
        return copy

    def _repr_mimebundle_(
        self, include: Iterable[str] | None = None, exclude: Iterable[str] | None = None, **_: Any
    ) -> tuple[dict[str, str], dict[str, dict[str, bool]]]:
        """Jupyter's display: the SVG, fitted to the column unless ``full_size()``."""
        svg = self.pipe(format="svg", encoding="utf-8")
        if self.fitted:
            return {"text/html": fit_to_column(svg)}, {}
        return {"image/svg+xml": svg}, {"image/svg+xml": {"unconfined": True}}

    def pipe(
        self,
        format: str | None = None,  # noqa: A002 - graphviz's parameter names
        renderer: str | None = None,
        formatter: str | None = None,
        neato_no_op: bool | int | None = None,
        quiet: bool = False,
        *,
        engine: str | None = None,
        encoding: str | None = None,
    ) -> bytes | str:
        """The picture as bytes (or str with ``encoding``), like ``graphviz.Digraph.pipe``."""
        kind = ":".join(part for part in (format or self.format, renderer, formatter) if part)
        extra = (f"-n{int(neato_no_op)}",) if neato_no_op else ()
        data = run_dot(self.source, kind, engine=engine or self.engine, extra_args=extra)
        return data.decode(encoding) if encoding is not None else data

    def render(
        self,
        filename: str | os.PathLike[str] | None = None,
        directory: str | os.PathLike[str] | None = None,
        view: bool = False,
        cleanup: bool = False,
        format: str | None = None,  # noqa: A002
        renderer: str | None = None,
        formatter: str | None = None,
        neato_no_op: bool | int | None = None,
        quiet: bool = False,
        quiet_view: bool = False,
        *,
        outfile: str | os.PathLike[str] | None = None,
        engine: str | None = None,
        raise_if_result_exists: bool = False,
        overwrite_source: bool = False,
    ) -> str:
        """Save the DOT source, write the picture, return its path (as graphviz does)."""
        if outfile is not None:
            format = format or Path(outfile).suffix.lstrip(".") or None  # noqa: A001
            if filename is None:  # the DOT source beside the picture, as graphviz does
                filename = Path(outfile).with_suffix(".gv")
        format = format or self.format  # noqa: A001
        source_path = self.save(filename, directory=directory)
        if outfile is None:
            target = Path(f"{source_path}.{format}")
        elif directory is None:
            target = Path(self.directory, outfile)
        else:
            target = Path(directory, outfile)
        if raise_if_result_exists and target.exists():
            raise graphviz.FileExistsError(f"output file exists: {os.fspath(target)!r}")
        target.write_bytes(
            self.pipe(format, renderer, formatter, neato_no_op, quiet, engine=engine)
        )
        if cleanup:
            os.remove(source_path)
        if view or quiet_view:
            self._view(os.fspath(target), format=format, quiet=quiet_view)
        return os.fspath(target)


def fit_to_column(svg: str) -> str:
    """The SVG as notebook HTML: an image that shrinks to the column, never growing past its size.

    Sent as ``image/svg+xml``, JupyterLab 4 and nbconvert's HTML show an ``<img>`` as
    wide as the SVG's own width in points, which their stylesheets leave unconstrained:
    a neural net's graph ran past the column. An ``<img>`` inside an HTML output is
    constrained by them (``max-width: 100%; height: auto``, also written inline for
    other front ends), keeping the aspect ratio. An image, not inline ``<svg>``: an
    untrusted notebook's HTML is sanitised, which strips SVG but keeps the image.
    """
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return (
        f'<img src="data:image/svg+xml;base64,{data}" alt="computation graph" '
        'style="max-width: 100%; height: auto">'
    )


FITTED_IMAGE = re.compile(r'<img src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"')


def fitted_svgs(notebook_html: str) -> list[str]:
    """The SVGs inside the ``fit_to_column`` images of a notebook output's HTML.

    What checks of a run notebook read back (the site's lesson runs, the tests): the
    graph's own text, node by node.
    """
    return [base64.b64decode(data).decode("utf-8") for data in FITTED_IMAGE.findall(notebook_html)]


def format_number(x: float, digits: int = 4) -> str:
    """``x`` with ``digits`` significant digits, for reading: ``0.7071``, ``-1.5``, ``2e-5``.

    Zero of either sign prints as ``0`` (no ``-0`` or ``-0.0000`` noise), whole numbers
    print without a trailing ``.0`` and exponents without padding (``1.2e-7``).
    """
    if x == 0.0:
        return "0"
    text = f"{x:.{digits}g}"
    mantissa, e, exponent = text.partition("e")
    if not e:
        return text
    return f"{mantissa}e{int(exponent)}"


def draw_dot(
    root: Value,
    *,
    rankdir: str = "LR",
    show_data: bool = True,
    show_grad: bool = True,
    edge_derivatives: bool = False,
    clusters: bool = True,
    max_nodes: int | None = DEFAULT_MAX_NODES,
    overlay: Overlay | None = None,
) -> ValueGraph:
    """The computation graph under ``root`` as a ``graphviz.Digraph``.

    ``rankdir``: ``"LR"`` (left to right, the default), ``"TB"``, ``"RL"`` or ``"BT"``.
    ``show_data`` / ``show_grad``: the rows to show in each Value's table.
    ``edge_derivatives``: write the local derivative ∂node/∂operand on each arrow
    into an op. ``clusters``: draw Values made inside ``engine.scope(...)`` blocks (as
    nn does for each neuron and layer) inside a box per scope.
    ``max_nodes``: above this many Values the result is a one-box summary instead of
    the graph (``None`` for no limit); raise it to draw big graphs anyway.
    ``overlay``: names, grad texts and a highlighted node for this drawing (``Overlay``).

    ``.source`` is the DOT text and needs no Graphviz program; displaying the result in
    Jupyter, ``.pipe()`` and ``.render()`` run one (see ``engine.dot_exe``).
    """
    _check_options(root, rankdir, max_nodes)
    order, leaves = topological_order(root)
    if max_nodes is not None and len(order) + len(leaves) > max_nodes:
        return _summary_graph(summarize(root, order, leaves, max_nodes))
    graph = _new_graph(rankdir)
    values = reading_order(root)
    ids = {v: f"v{i}" for i, v in enumerate(values)}
    sideways = rankdir in SIDEWAYS
    boxes = _ScopeBoxes(graph, enabled=clusters, sideways=sideways)
    for v in values:
        name = _short_label(v) if clusters else v.label
        if overlay is not None:
            name = overlay.names.get(v, name)
        box = boxes.graph_for(v.scope)
        _add_value(box, v, ids[v], name, node_role(v, root), show_data, show_grad, overlay)
    for scope, chain in _indexed_leaves(values):
        boxed = clusters and bool(scope)
        _keep_in_order(boxes.graph_for(scope), [ids[v] for v in chain], sideways and boxed)
    boxes.close()
    for v in values:
        if v._parents:
            boxed = clusters and bool(v.scope)
            _add_op_edges(graph, v, ids, edge_derivatives, overlay, sideways and boxed)
    if edge_derivatives:
        graph.attr(
            label="numbers on arrows: the local derivative ∂node/∂operand of the op they enter",
            labelloc="b",
            labeljust="r",
            fontsize="10",
            fontcolor=BACKWARD,
        )
    return graph


def render(
    root: Value,
    path: str | os.PathLike[str],
    *,
    dpi: float | None = None,
    **options: Any,
) -> str:
    """Draw ``root``'s graph to ``path`` and return the path.

    The format comes from the file name: ``.svg``, ``.png`` (``dpi`` sets its
    resolution; Graphviz's default is 72), ``.dot`` or ``.gv`` (the DOT text, no
    Graphviz program needed), or any other format the Graphviz program writes.
    ``options`` are ``draw_dot``'s. A graph over ``max_nodes`` raises
    GraphTooLargeError rather than writing a picture of the summary.
    """
    target = Path(path)
    kind = target.suffix.lstrip(".").lower()
    if not kind:
        raise ValueError(
            f"render: cannot tell the picture format from {os.fspath(path)!r}; "
            "end the file name in .svg or .png (or .dot for the DOT text)"
        )
    graph = draw_dot(root, **options)
    if graph.summary is not None:
        raise GraphTooLargeError(f"render: {graph.summary}")
    if kind in ("dot", "gv"):
        data = graph.source.encode("utf-8")
    else:
        extra = () if dpi is None else (f"-Gdpi={float(dpi):g}",)
        data = run_dot(graph.source, kind, extra_args=extra)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return os.fspath(path)


def summarize(
    root: Value,
    order: list[Value] | None = None,
    leaves: list[Value] | None = None,
    max_nodes: int | None = DEFAULT_MAX_NODES,
) -> str:
    """A few lines describing ``root``'s graph: sizes, ops used, how to draw it anyway."""
    if order is None or leaves is None:
        order, leaves = topological_order(root)
    total = len(order) + len(leaves)
    ops = Counter(v._operation.symbol for v in order)
    used = ", ".join(f"{n:,} {symbol}" for symbol, n in ops.most_common(6))
    more = ", …" if len(ops) > 6 else ""
    name = f"The graph of {root.label!r}" if root.label else "This graph"
    limit = "" if max_nodes is None else f"; draw_dot draws at most max_nodes={max_nodes}"
    return (
        f"{name} is too large to draw: {total:,} Values ({len(order):,} made by ops, "
        f"{len(leaves):,} leaves){limit}.\n"
        f"Ops: {used}{more}.\n"
        f"To draw it anyway: draw_dot(value, max_nodes={total}); the layout may take minutes.\n"
        "Or draw a smaller part of the computation."
    )


def repr_mimebundle(
    value: Value,
    include: Iterable[str] | None = None,
    exclude: Iterable[str] | None = None,
) -> dict[str, str]:
    """Jupyter's rich display of a Value: its graph fitted to the column, or a summary."""
    order, leaves = topological_order(value)
    if len(order) + len(leaves) > DEFAULT_MAX_NODES:
        text = summarize(value, order, leaves)
        bundle = {"text/plain": f"{value!r}\n{text}", "text/html": _html_text(text)}
    else:
        try:
            svg = fit_to_column(draw_dot(value).pipe(format="svg", encoding="utf-8"))
        except GraphvizNotFoundError as error:
            text = f"(graph not drawn) {error}"
            bundle = {"text/plain": f"{value!r}\n{text}", "text/html": _html_text(text)}
        else:
            bundle = {"text/html": svg}
    wanted = set(bundle) if include is None else set(include)
    wanted -= set(exclude or ())
    return {kind: data for kind, data in bundle.items() if kind in wanted}


def _html_text(text: str) -> str:
    return f"<pre>{html.escape(text)}</pre>"


def _check_options(root: Any, rankdir: Any, max_nodes: Any) -> None:
    if not isinstance(root, Value):
        if isinstance(root, (list, tuple, set, dict)):
            hint = "; to draw several outputs, draw each one, or combine them: engine.sum(outputs)"
        elif isinstance(root, (int, float)):
            hint = "; pass the Value itself, e.g. draw_dot(loss), not draw_dot(loss.data)"
        else:
            hint = "; draw the result of a computation, e.g. draw_dot(loss)"
        raise TypeError(
            f"draw_dot: expected a Value (the root of the graph to draw), "
            f"got {type(root).__name__} ({reprlib.repr(root)}){hint}"
        )
    if rankdir not in RANKDIRS:
        raise ValueError(f"draw_dot: rankdir must be one of {', '.join(RANKDIRS)}; got {rankdir!r}")
    if max_nodes is not None and (
        not isinstance(max_nodes, int) or isinstance(max_nodes, bool) or max_nodes < 1
    ):
        raise ValueError(
            f"draw_dot: max_nodes must be a positive int (or None for no limit); got {max_nodes!r}"
        )


def _new_graph(rankdir: str) -> ValueGraph:
    graph = ValueGraph(format="svg")
    # mclimit: Graphviz's crossing-reduction passes reorder each rank; with a loss drawn
    # on top of an MLP they flipped whole layers (neuron 3 above neuron 0, w.3 above
    # w.0). The order as declared already reads index 0 first (_keep_in_order,
    # _add_op_edges, _ScopeBoxes), so the passes are cut to almost none.
    graph.attr(rankdir=rankdir, nodesep="0.2", ranksep="0.3", fontname=FONT, mclimit="0.01")
    graph.attr("node", fontname=FONT, fontsize="11", color=INK, fontcolor=INK)
    graph.attr("edge", fontname=FONT, fontsize="10", color=EDGE, arrowsize="0.6")
    return graph


def _summary_graph(text: str) -> ValueGraph:
    graph = ValueGraph(format="svg")
    graph.attr(fontname=FONT)
    label = "\\l".join(_escape(line) for line in text.splitlines()) + "\\l"
    graph.node(
        "summary",
        label=label,
        shape="note",
        fontname=FONT,
        fontsize="11",
        style="filled",
        fillcolor="#fef3c7",
    )
    graph.summary = text
    return graph


def _escape(text: str) -> str:
    """Text for a plain (non-HTML) DOT label."""
    return text.replace("\\", "\\\\")


# Helvetica advance widths (em) are at most 0.584 for the characters used here
# (digits, ".", "-", "e", "+", "?"); 0.6 em bounds them.
def text_points(text: str, size: float = 11.0) -> float:
    """An upper bound of the width of ``text`` (numbers) in points, to size a box."""
    return size * 0.6 * len(text)


_INDEXED = re.compile(r"(?P<name>.*)\.(?P<index>\d+)")


def _indexed_leaves(values: list[Value]) -> list[tuple[tuple[str, ...], list[Value]]]:
    """Leaves named ``name.0``, ``name.1``, ... in one scope (a neuron's ``w.*``, the
    inputs ``x.*``), each group in index order: the groups ``_keep_in_order`` pins."""
    groups: dict[tuple[tuple[str, ...], str], list[tuple[int, Value]]] = {}
    for v in values:
        found = None if v._parents else _INDEXED.fullmatch(_short_label(v))
        if found:
            key = (v.scope, found["name"])
            groups.setdefault(key, []).append((int(found["index"]), v))
    return [
        (scope, [v for _, v in sorted(items, key=lambda item: item[0])])
        for (scope, _), items in groups.items()
        if len(items) > 1
    ]


def _keep_in_order(graph: graphviz.Digraph, ids: list[str], reverse: bool) -> None:
    """Index 0 first: the nodes side by side in one rank, chained by invisible arrows.

    Graphviz otherwise reorders a rank to cross fewer arrows, and put w.2 above w.0.
    A chain runs left to right; sideways, inside a cluster, bottom to top (as the arrows
    into an op do, see ``_add_op_edges``), so there (``reverse``) it is declared last
    index first.
    """
    if reverse:
        ids = ids[::-1]
    with graph.subgraph() as same:
        same.attr(rank="same")
        for a, b in zip(ids, ids[1:], strict=False):
            same.edge(a, b, style="invis")


def node_role(v: Value, root: Value) -> str:
    """The role that colours ``v`` in a drawing of ``root``: output, input, constant, ..."""
    if v is root:
        return "output"
    if v._parents:
        return "intermediate"
    role = role_of(v)
    if role == "parameter":
        return "parameter"
    if role is not None or v.label:
        return "input"
    return "constant"


def _short_label(v: Value) -> str:
    """The label without its scope path, which the cluster boxes around it already show.

    nn labels a parameter with its full path (``layers.0.neurons.2.w.0``) and scopes it
    ``("layers.0", "neurons.2")``; inside those two boxes ``w.0`` says the same.
    """
    prefix = ".".join(v.scope) + "."
    if v.scope and v.label.startswith(prefix) and len(v.label) > len(prefix):
        return v.label[len(prefix) :]
    return v.label


def _add_value(
    graph: graphviz.Digraph,
    v: Value,
    node_id: str,
    name: str,
    role: str,
    show_data: bool,
    show_grad: bool,
    overlay: Overlay | None = None,
) -> None:
    if role == "constant":
        graph.node(
            node_id,
            label=format_number(v.data),
            shape="box",
            style="rounded,filled",
            fillcolor=FILL[role],
            color="#94a3b8",
            fontsize="10",
            width="0.3",
            height="0.25",
            margin="0.06,0.03",
        )
        return
    current = overlay is not None and overlay.current is v
    updated = overlay is not None and v in overlay.updated
    classes = " ".join(c for c, on in (("current", current), ("updated", updated)) if on)
    marks = {"class": classes} if classes else {}
    label = _table(name, v, role, show_data, show_grad, overlay)
    graph.node(node_id, label=label, shape="plain", **marks)
    if v._parents:
        op_node = _op_label(v._operation)
        marks = {"class": "current-op", "color": HIGHLIGHT, "penwidth": "2"} if current else {}
        graph.node(
            f"{node_id}op",
            label=op_node,
            shape="circle" if len(op_node) <= 2 else "ellipse",
            width="0.32",
            height="0.32",
            margin="0.02",
            fontsize="12",
            style="filled",
            fillcolor="#f8fafc",
            ordering="in",  # operands top to bottom in order, where the layout allows
            **marks,
        )


def _op_label(op: Op) -> str:
    return _escape(op.symbol)


def _table(
    name: str,
    v: Value,
    role: str,
    show_data: bool,
    show_grad: bool,
    overlay: Overlay | None = None,
) -> str:
    """An HTML-like label: the Value's name over its data and grad rows."""
    width = NUMBER_WIDTH if overlay is None else overlay.number_width
    current = overlay is not None and overlay.current is v
    rows = []
    if name:
        text = f"<b>{html.escape(name)}</b>"
        band = ""
        if current:  # a coloured name band: visible at a glance, and no change in size
            text, band = f'<font color="white">{text}</font>', f' bgcolor="{HIGHLIGHT}"'
        rows.append(f'<tr><td colspan="2"{band}>{text}</td></tr>')
    numbers = []
    if show_data:
        numbers.append(_row("data", format_number(v.data), width=width))
    if show_grad:
        text = overlay.grads.get(v) if overlay is not None else None
        shade = UPDATED if overlay is not None and v in overlay.updated else None
        grad = format_number(v.grad) if text is None else text
        numbers.append(_row("grad", grad, BACKWARD, width=width, shade=shade))
    if rows and numbers:
        rows.append("<hr/>")
    rows += numbers
    if not rows:  # nothing asked for: keep a small empty box so the arrows still meet
        rows.append('<tr><td width="20"> </td></tr>')
    border = f' color="{HIGHLIGHT}"' if current else ""
    return (
        f'<<table border="1" cellborder="0" cellspacing="0" cellpadding="2" style="rounded" '
        f'bgcolor="{FILL[role]}"{border}>{"".join(rows)}</table>>'
    )


def _row(
    name: str,
    number: str,
    color: str | None = None,
    *,
    width: int = NUMBER_WIDTH,
    shade: str | None = None,
) -> str:
    """One ``name  number`` row; numbers get a minimum width so columns line up."""
    ink = f' color="{color}"' if color else ""
    value = f"<font{ink}>{html.escape(number)}</font>" if color else html.escape(number)
    background = f' bgcolor="{shade}"' if shade else ""
    return (
        f'<tr><td align="left" width="30"><font point-size="10"{ink}>{name}</font></td>'
        f'<td align="right" width="{width}"{background}>{value}</td></tr>'
    )


def _add_op_edges(
    graph: graphviz.Digraph,
    v: Value,
    ids: dict[Value, str],
    edge_derivatives: bool,
    overlay: Overlay | None = None,
    reverse: bool = False,
) -> None:
    """The arrows from v's operands into its op node, and from the op node to v.

    The op node orders its in-arrows as declared (``ordering="in"``). Graphviz lays them
    out left to right, and sideways (LR/RL) top to bottom in the graph itself but bottom
    to top inside a cluster. So ``reverse`` (sideways, in a cluster) declares the arrows
    into a wide op (a neuron's Σ) last operand first: its terms then read top to bottom
    in index order, as the lesson's matrices list them. A binary op's two operands are
    placed by Graphviz's initial order, which already reads top down. Leaves named
    ``w.0, w.1, ...`` are pinned in index order as well (``_keep_in_order``).
    (tests/test_draw_render.py checks the laid-out positions in all four directions.)
    """
    op_id = f"{ids[v]}op"
    marks = {}
    if overlay is not None and overlay.current is v:
        marks = {"class": "current-edge", "color": HIGHLIGHT, "penwidth": "2"}
    locals_ = _local_derivatives(v) if edge_derivatives else None
    names = _operand_names(v._operation, len(v._parents))
    operands = list(enumerate(v._parents))
    for i, p in reversed(operands) if reverse and len(operands) > 2 else operands:
        parts = [names[i]] if names else []
        if locals_ is not None:
            parts.append(locals_[i])
        if parts:
            color = BACKWARD if locals_ is not None else EDGE
            graph.edge(ids[p], op_id, label=": ".join(parts), fontcolor=color, **marks)
        else:
            graph.edge(ids[p], op_id, **marks)
    graph.edge(op_id, ids[v], **marks)


def _local_derivatives(v: Value) -> list[str]:
    """∂v/∂operand for each operand, from the op's ``local`` function."""
    op = v._operation
    data = [p.data for p in v._parents]
    try:
        local = op.local(v.data, *data)
    except (ArithmeticError, ValueError):
        return ["?"] * len(data)
    return [format_number(d) for d in local]


_ORDER_MATTERS: dict[Op, bool] = {}


def _operand_names(op: Op, n: int) -> tuple[str, ...] | None:
    """("a", "b") for binary ops whose result changes when the operands swap (−, ÷, ^).

    Decided by evaluating the op both ways round, not from a list of names, so ops made
    with ``define_op`` get the same treatment; when in doubt, the operands are named.
    """
    if op.arity != 2 or n != 2:
        return None
    matters = _ORDER_MATTERS.get(op)
    if matters is None:
        try:
            matters = op.evaluate(2.0, 3.0) != op.evaluate(3.0, 2.0)
        except (ArithmeticError, ValueError, TypeError):
            matters = True
        _ORDER_MATTERS[op] = matters
    return ("a", "b") if matters else None


class _ScopeBoxes:
    """One Graphviz cluster per ``engine.scope`` path, nested like the scopes.

    Clusters are numbered in the order their first node is drawn, so the DOT text is
    deterministic. graphviz's ``subgraph()`` copies a subgraph's lines when called, so
    ``close`` attaches the deepest clusters first.
    """

    def __init__(self, graph: graphviz.Digraph, *, enabled: bool, sideways: bool) -> None:
        self.root = graph
        self.enabled = enabled
        self.sideways = sideways
        self.boxes: dict[tuple[str, ...], graphviz.Digraph] = {}

    def graph_for(self, scope: tuple[str, ...]) -> graphviz.Digraph:
        if not self.enabled or not scope:
            return self.root
        for depth in range(1, len(scope) + 1):
            path = scope[:depth]
            if path not in self.boxes:
                box = graphviz.Digraph(name=f"cluster_{len(self.boxes)}")
                box.attr(
                    label=_escape(path[-1]),
                    labeljust="l",
                    style="rounded,dashed",
                    color="#94a3b8",
                    fontcolor="#475569",
                    fontsize="10",
                )
                self.boxes[path] = box
        return self.boxes[scope]

    def close(self) -> None:
        # Stable sort: creation order within a depth. Sideways, Graphviz stacks sibling
        # clusters inside a cluster last-declared on top (in the graph itself, first on
        # top), so nested ones (an MLP's neurons) are declared in reverse there.
        created = list(self.boxes)
        if self.sideways:
            created = [p for p in created if len(p) == 1] + [p for p in created[::-1] if len(p) > 1]
        paths = sorted(created, key=len, reverse=True)
        for path in paths:
            parent = self.boxes[path[:-1]] if len(path) > 1 else self.root
            parent.subgraph(self.boxes[path])
