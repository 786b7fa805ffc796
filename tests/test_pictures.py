"""Every graph picture the project draws shows grads that agree with its own arrows.

A graph drawn after ``backward()`` without clearing the grads training left on its
parameters contradicts itself (a weight's grad that is not its arrow's local derivative
times the upstream grad). Here every
code path that draws a graph (the demos, ``demos/make_images.py`` for the README image,
every notebook up to its last picture) runs as users run it, while the engine's public
drawing functions are watched. Each picture is checked twice, from the DOT text that
``engine.draw_dot(root, edge_derivatives=True)`` writes, so the numbers checked are the
numbers a learner reads:

* the chain rule, on the drawing alone: each node's grad is the sum over its arrows of
  (the grad of the op's result) × (the local derivative written on the arrow), up to the
  rounding of the printed digits, and the root's grad is the seed of backward;
* against a fresh pass: each grad shown is the rounding of what one ``engine.backward``
  gives on an independent copy of the graph, rebuilt with ``engine.apply``. This also
  catches a stale grad too small to see in the rounded chain rule (b showing 0.9999
  instead of 1).

Grads drawn before any backward fail both (the root shows 0, not the seed). Stepper
frames (``backprop_steps``, ``backprop_table``, ``export_backprop_html``) are checked
frame by frame on a shadow walk of the same graph; grads a frame shows as ``?`` (not
reached yet) or ``0.5+...`` (still collecting) are skipped.
"""

from __future__ import annotations

import ast
import html
import importlib.util
import math
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

import engine
from engine import Value

ROOT = Path(__file__).resolve().parent.parent
DRAW_DOT = engine.draw_dot  # the real one; the watcher below replaces engine.draw_dot
BACKPROP_STEPS = engine.backprop_steps
SEED = 1.0  # every backward the project draws starts from the default seed

# Code that draws a graph (or prints the stepper's numbers): what the watcher hooks.
DRAWS = re.compile(
    r"\b(?:engine\.)?(?:draw_dot|backprop_steps|backprop_table|export_backprop_html)\s*\("
    r"|\bengine\.render\s*\("
)


# ----------------------------------------------------------------------------------
# Reading a drawing: draw_dot's DOT text.

STATEMENT = re.compile(r"^\s*(v\d+)(op)? \[(.*)\]\s*$", re.M)
ARROW_IN = re.compile(r"^\s*(v\d+) -> (v\d+op)(?: \[(.*)\])?\s*$", re.M)
ARROW_OUT = re.compile(r"^\s*(v\d+)op -> (v\d+)(?: \[.*\])?\s*$", re.M)
ANY_ARROW = re.compile(r"^\s*\S+ -> \S+.*$", re.M)
TABLE = re.compile(r"^label=<(<table.*</table>)>")
NAME = re.compile(r"<b>(.*?)</b>")
ROW = re.compile(r">(data|grad)</font></td><td[^>]*>(?:<font[^>]*>)?([^<]*)(?:</font>)?</td>")
LABEL = re.compile(r'\blabel=("(?:[^"\\]|\\.)*"|[^\s\]]+)')


@dataclass
class Drawing:
    """What a picture shows: per Value node its name and grad, and the arrows."""

    values: set[str] = field(default_factory=set)  # every Value node, constants included
    names: dict[str, str] = field(default_factory=dict)
    grads: dict[str, str] = field(default_factory=dict)  # the grad text shown, per node
    arrows: list[tuple[str, str, str | None]] = field(default_factory=list)  # operand, op, text
    results: dict[str, str] = field(default_factory=dict)  # op node -> the Value it makes
    numbers: list[str] = field(default_factory=list)  # every number printed

    def name(self, node: str) -> str:
        return self.names.get(node) or f"the unnamed node {node}"


def read_drawing(source: str) -> Drawing:
    d = Drawing()
    for node, is_op, attributes in STATEMENT.findall(source):
        if is_op:
            continue
        d.values.add(node)
        table = TABLE.match(attributes)
        if table is None:  # a constant: a small box showing its number, no grad
            continue
        name = NAME.search(table[1])
        d.names[node] = html.unescape(name[1]) if name else ""
        for row, text in ROW.findall(table[1]):
            text = html.unescape(text)
            if row == "grad":
                d.grads[node] = text
            d.numbers.append(text)
    for operand, op, attributes in ARROW_IN.findall(source):
        label = LABEL.search(attributes or "")
        text = label[1].strip('"').replace('\\"', '"') if label else None
        # operands of -, ÷, ^ are named: "a: 0.42"; the number is the local derivative
        local = text.rpartition(": ")[2] if text is not None else None
        d.arrows.append((operand, op, local))
        if local is not None:
            d.numbers.append(local)
    for op, result in ARROW_OUT.findall(source):
        d.results[f"{op}op"] = result
    read = len(d.arrows) + len(d.results)
    drawn = [a for a in ANY_ARROW.findall(source) if "style=invis" not in a]  # not the pins
    assert read == len(drawn), "some arrows of the drawing were not read"
    return d


def number(text: str | None) -> float | None:
    """The number a grad or arrow text shows; None for a stepper's ``?`` or ``0.5+...``."""
    if text is None or text == "?" or text.endswith("+..."):
        return None
    return float(text)


def significant_digits(text: str) -> int:
    return len(text.lstrip("-").partition("e")[0].replace(".", "").lstrip("0"))


def half_unit(x: float, digits: int) -> float:
    """Half a unit in the last printed digit: how far the true number may be from ``x``."""
    if x == 0.0 or not math.isfinite(x):
        return 0.0  # draw_dot prints 0 only for an exact zero
    exponent = int(f"{abs(x):e}".partition("e")[2])
    return 0.5 * 10.0 ** (exponent - digits + 1)


# ----------------------------------------------------------------------------------
# The two checks.


def chain_rule_problems(source: str, seed: float = SEED) -> list[str]:
    """Where a drawing's grads disagree with its own arrows (the chain rule, read off it)."""
    d = read_drawing(source)
    if not d.grads:
        return []  # the picture shows no grads (show_grad=False)
    # draw_dot prints a fixed number of significant digits (trailing zeros dropped): the
    # longest number drawn shows how many, so rounding is allowed for exactly that much
    digits = max((significant_digits(t) for t in d.numbers if number(t) is not None), default=1)

    def half(x: float) -> float:
        return half_unit(x, digits)

    consumers: dict[str, list[tuple[str, str | None]]] = defaultdict(list)
    for operand, op, local in d.arrows:
        consumers[operand].append((d.results[op], local))
    roots = sorted(v for v in d.values if v not in consumers)
    if len(roots) != 1:
        return [f"expected one root (a Value no arrow leaves), found {roots}"]
    root = roots[0]
    problems = []
    for node, text in d.grads.items():
        shown = number(text)
        if shown is None:
            continue  # a stepper frame: not reached yet, or still collecting
        if not math.isfinite(shown):
            problems.append(f"{d.name(node)} shows grad {text}")
            continue
        if node == root:
            if abs(shown - seed) > half(shown):
                problems.append(
                    f"the root {d.name(node)} shows grad {text}, but backward seeds it with "
                    f"{seed:g} (was the picture drawn before backward?)"
                )
            continue
        total, slack, terms = 0.0, half(shown), []
        for result, local in consumers[node]:
            upstream, derivative = number(d.grads.get(result)), number(local)
            if upstream is None or derivative is None:
                problems.append(
                    f"{d.name(node)} shows grad {text}, but the arrow to {d.name(result)} "
                    f"shows {local!r} and {d.name(result)}'s grad is {d.grads.get(result)!r}"
                )
                break
            total += upstream * derivative
            slack += abs(upstream) * half(derivative) + abs(derivative) * half(upstream)
            slack += half(upstream) * half(derivative)
            terms.append(f"{d.grads[result]} × {local}")
        else:
            if abs(shown - total) > slack + 1e-9 * max(1.0, abs(total)):
                problems.append(
                    f"{d.name(node)} shows grad {text}, but its arrows give "
                    f"{' + '.join(terms)} = {total:.6g}"
                )
    return problems


def rebuilt(root: Value) -> tuple[Value, dict[str, tuple[Value, Value]]]:
    """An independent copy of ``root``'s graph, every Value labelled with a tag.

    Returns the copy's root and, per tag, the original Value and its copy. The tags
    let a drawing of the copy say which node is which: draw_dot numbers its nodes from
    the graph's shape alone, so a copy's node ``v7`` is the original's ``v7``.
    """
    copies: dict[Value, Value] = {}
    tags: dict[str, tuple[Value, Value]] = {}
    for i, v in enumerate(engine.nodes(root)):  # leaves first, then operands before results
        tag = f"tag{i}"
        if v.parents:
            copy = engine.apply(v.op, *(copies[p] for p in v.parents))
            copy.label = tag
        else:
            copy = Value(v.data, tag)
        copies[v] = copy
        tags[tag] = (v, copy)
    return copies[root], tags


def fresh_backward_problems(root: Value, source: str, seed: float = SEED) -> list[str]:
    """Where a drawing of ``root`` shows grads one fresh backward would not give."""
    d = read_drawing(source)
    if not d.grads:
        return []
    copy, tags = rebuilt(root)
    problems = [
        f"{v.label or 'a Value'}: its data {v.data!r} is not what its op gives from the data "
        f"drawn for its operands ({c.data!r})"
        for v, c in tags.values()
        if v.parents and not (v.data == c.data or (math.isnan(v.data) and math.isnan(c.data)))
    ]
    engine.backward(copy, seed)
    tagged = read_drawing(DRAW_DOT(copy, max_nodes=None).source)
    digits = max((significant_digits(t) for t in d.numbers if number(t) is not None), default=1)
    for node, text in d.grads.items():
        shown = number(text)
        if shown is None:
            continue
        _, fresh = tags[tagged.names[node]]
        if not abs(shown - fresh.grad) <= half_unit(shown, digits) + 1e-12 * abs(fresh.grad):
            problems.append(
                f"{d.name(node)} shows grad {text}, but one fresh backward on a copy of the "
                f"graph gives {fresh.grad:.6g} (grads left from an earlier pass?)"
            )
    return problems


def picture_problems(root: Value, seed: float = SEED, **options: Any) -> list[str]:
    """Both checks on the picture ``draw_dot(root, **options)`` draws."""
    shown = read_drawing(DRAW_DOT(root, **options).source)
    if not shown.grads:
        return []
    full = DRAW_DOT(root, **{**options, "edge_derivatives": True}).source
    assert read_drawing(full).grads == shown.grads  # the arrows' numbers change no grad
    return chain_rule_problems(full, seed) + fresh_backward_problems(root, full, seed)


def walk_problems(root: Value, seed: float = SEED) -> list[str]:
    """Both checks on every frame of a backprop walk from ``root``'s current grads.

    The walk is a shadow of the one the caller is about to make: same graph, same
    starting grads (restored afterwards), so its frames are the frames shown.
    """
    saved = [(v, v.grad) for v in engine.nodes(root)]
    try:
        walk = BACKPROP_STEPS(root, seed)
        frames = [walk.frame(0, edge_derivatives=True).source]
        for i, _ in enumerate(walk, start=1):
            frames.append(walk.frame(i, edge_derivatives=True).source)
    finally:
        for v, grad in saved:
            v.grad = grad
    problems = []
    for i, source in enumerate(frames):
        found = chain_rule_problems(source, seed) + fresh_backward_problems(root, source, seed)
        problems += [f"frame {i}: {p}" for p in found]
    return problems


# ----------------------------------------------------------------------------------
# Watching the code that draws.


PICTURES = ("draw_dot", "render")  # draw one picture of a graph as it is
WALKS = ("backprop_steps", "backprop_table", "export_backprop_html")  # a pass, step by step


class Pictures:
    """Replaces engine's drawing functions with ones that check each picture first.

    ``checked`` lists what was drawn, ``problems`` what was wrong with it; ``where``
    says which demo or notebook cell is running, for the messages.
    """

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.checked: list[str] = []
        self.problems: list[str] = []
        self.where = ""
        for name in PICTURES + WALKS:
            monkeypatch.setattr(engine, name, self._watching(name, getattr(engine, name)))

    def _watching(self, name: str, real: Callable[..., Any]) -> Callable[..., Any]:
        def watched(root: Value, *args: Any, **options: Any) -> Any:
            what = f"{name}({root.label or 'a Value'})"
            if name in PICTURES:  # draw_dot(root, **options), render(root, path, **options)
                drawn = {k: v for k, v in options.items() if k != "dpi"}
                self.check(what, picture_problems(root, **drawn))
            else:  # backprop_steps(root, grad), backprop_table(root, grad), export(root, path)
                grad = args[0] if args and name != "export_backprop_html" else SEED
                self.check(what, walk_problems(root, options.get("grad", grad)))
            return real(root, *args, **options)

        return watched

    def displayed(self, obj: Any) -> None:
        """Jupyter shows a Value as its graph: ``draw_dot(value)``."""
        if isinstance(obj, Value):
            self.check(f"displayed {obj.label or 'a Value'}", picture_problems(obj))

    def check(self, what: str, problems: list[str]) -> None:
        what = f"{self.where}: {what}" if self.where else what
        self.checked.append(what)
        self.problems += [f"{what}: {p}" for p in problems]


# ----------------------------------------------------------------------------------
# The checks catch what they are for.


def small_graph() -> Value:
    """A node used twice, a constant, an op whose operands are named (−), a tanh."""
    x, w = Value(0.5, "x"), Value(-1.5, "w")
    engine.mark(w, "parameter")
    h = x * w
    y = ((h - x) * h * 2).tanh()
    y.label = "y"
    return y


def test_a_graph_after_one_backward_passes_both_checks():
    y = small_graph()
    y.backward()
    assert picture_problems(y) == []
    assert walk_problems(small_graph()) == []  # every frame of a walk on a new graph


def test_grads_left_from_an_earlier_backward_are_caught():
    y = small_graph()
    y.backward()
    y.backward()  # the leaves' grads add up: twice what the arrows say
    found = " ".join(picture_problems(y))
    assert "x shows grad" in found and "w shows grad" in found and "its arrows give" in found
    engine.zero_grad(y)
    y.backward()
    assert picture_problems(y) == []


def test_grads_drawn_before_backward_are_caught():
    found = picture_problems(small_graph())
    assert any("the root y shows grad 0" in p for p in found)


def test_a_stale_grad_hidden_by_the_rounding_is_caught_by_the_fresh_pass():
    x, w, b = Value(2.0, "x"), Value(-3.0, "w"), Value(1.0, "b")
    n = x * w + b
    n.label = "n"
    n.backward()
    b.grad -= 1e-4  # like the moons neuron's b after training: it shows 0.9999, not 1
    full = DRAW_DOT(n, edge_derivatives=True).source
    assert chain_rule_problems(full) == []  # 1 × 1 is 0.9999 within the printed digits
    assert any("b shows grad 0.9999" in p for p in fresh_backward_problems(n, full))


def test_a_walk_from_stale_leaves_shows_wrong_grads_in_its_frames():
    y = small_graph()
    y.backward()
    found = walk_problems(y)  # the walk adds to the leaves' grads from the first pass
    order, _ = engine.topological_order(y)
    assert any(p.startswith(f"frame {len(order)}: x shows grad") for p in found)  # the last
    engine.zero_grad(y)
    assert walk_problems(y) == []


# ----------------------------------------------------------------------------------
# The demos.


def run_moons(out: Path) -> None:
    from demos import moons

    # the demo's own main, shorter: the neuron is drawn after training either way
    moons.main(["--epochs", "3", "--points", "20", "--no-progress", "--out", str(out)])


def run_make_images(out: Path) -> None:
    from demos import make_images

    make_images.make_images(out)


def run_backprop(out: Path) -> None:
    from demos import backprop

    backprop.main(["--out", str(out)])


DEMOS = {"moons": run_moons, "make_images": run_make_images, "backprop": run_backprop}


def test_every_demo_that_draws_a_graph_is_checked_here():
    drawing = {p.stem for p in (ROOT / "demos").glob("*.py") if DRAWS.search(p.read_text())}
    assert drawing == set(DEMOS)


@pytest.mark.parametrize("name", sorted(DEMOS))
def test_demo_pictures_show_the_grads_their_arrows_give(name, tmp_path, monkeypatch):
    pictures = Pictures(monkeypatch)
    pictures.where = f"demos/{name}.py"
    DEMOS[name](tmp_path)
    assert pictures.checked, f"demos/{name}.py drew nothing through engine's drawing functions"
    assert pictures.problems == [], "\n".join(pictures.problems)


# ----------------------------------------------------------------------------------
# The notebooks, cell by cell as Jupyter runs them, up to their last drawing call (a
# cell after it that only displays a Value would not be checked; none does today).


def notebook_sources() -> list[Path]:
    return sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.py"))


def work_in_lesson_folder(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    """Run in ``folder`` as if it were notebooks/: the lessons read their saved models
    from ``data/`` next to them, and what they write lands in ``folder``."""
    (folder / "data").symlink_to(ROOT / "notebooks" / "data")
    monkeypatch.chdir(folder)


def code_cells(source: Path) -> list[str]:
    """The notebook's code cells, exactly as notebooks/pair.py writes them."""
    spec = importlib.util.spec_from_file_location("_pair", ROOT / "notebooks" / "pair.py")
    pair = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(pair)
    return [c.source for c in pair.notebook(source).cells if c.cell_type == "code"]


def run_cell(code: str, namespace: dict[str, Any], filename: str) -> Any:
    """Run a cell; return the value of its last line if that is an expression (Jupyter shows it)."""
    tree = ast.parse(code, filename)
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    exec(compile(tree, filename, "exec"), namespace)  # noqa: S102 - the project's notebooks
    if last is not None:
        return eval(compile(ast.Expression(last.value), filename, "eval"), namespace)  # noqa: S307
    return None


DRAWING_NOTEBOOKS = [p for p in notebook_sources() if DRAWS.search(p.read_text(encoding="utf-8"))]


def test_the_notebooks_that_draw_graphs_are_found():
    assert DRAWING_NOTEBOOKS, "no notebook calls engine's drawing functions: is DRAWS stale?"


@pytest.mark.parametrize("source", DRAWING_NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_pictures_show_the_grads_their_arrows_give(source, tmp_path, monkeypatch):
    import IPython.display
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    monkeypatch.setattr(plt, "show", lambda *args, **kwargs: plt.close("all"))
    work_in_lesson_folder(monkeypatch, tmp_path)
    pictures = Pictures(monkeypatch)

    def display(*objs: Any, **options: Any) -> None:
        for obj in objs:
            pictures.displayed(obj)

    monkeypatch.setattr(IPython.display, "display", display)
    cells = code_cells(source)
    last = max(i for i, code in enumerate(cells) if DRAWS.search(code))
    namespace: dict[str, Any] = {"__name__": "__main__"}
    try:
        for i, code in enumerate(cells[: last + 1]):
            pictures.where = f"{source.name} code cell {i}"
            before = len(pictures.checked)
            pictures.displayed(run_cell(code, namespace, f"<{source.stem} cell {i}>"))
            if DRAWS.search(code):
                assert len(pictures.checked) > before, f"{pictures.where} drew, unwatched"
    finally:
        plt.close("all")
    assert pictures.problems == [], "\n".join(pictures.problems)
