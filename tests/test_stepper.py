"""The backprop stepper: same grads and order as backward, honest chain-rule text, frames."""

from __future__ import annotations

import gc
import math
import re
import warnings
import weakref

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import engine
from engine import Value, backward, topological_order
from engine.show.draw import format_number
from engine.show.stepper import (
    PARTIAL,
    PENDING,
    BackpropStep,
    CarriedGradWarning,
    backprop_steps,
    backprop_table,
)
from engine.testing import graphs

NUMBER = r"\(?(-?[0-9.]+(?:e-?[0-9]+)?)\)?"
LINE = re.compile(
    rf"^d(?P<root>\S+)/d(?P<parent>\S+) \+= d\S+/d(?P<node>\S+) · ∂\S+/∂\S+ = "
    rf"{NUMBER} · {NUMBER} = {NUMBER}(?:, so d\S+/d\S+ = {NUMBER} \+ {NUMBER} = {NUMBER})?$"
)


def leaves_for(g, prefix: str = "x") -> list[Value]:
    return [Value(x, label=f"{prefix}{i}") for i, x in enumerate(g.inputs)]


def neuron() -> tuple[Value, dict[str, Value]]:
    """o = tanh(x1*w1 + x2*w2 + b): the articles' and micrograd's worked neuron."""
    v = {
        "x1": Value(2.0, label="x1"),
        "w1": Value(-3.0, label="w1"),
        "x2": Value(0.0, label="x2"),
        "w2": Value(1.0, label="w2"),
        "b": Value(6.8813735870195432, label="b"),
    }
    n = v["x1"] * v["w1"] + v["x2"] * v["w2"] + v["b"]
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return o, v


def all_values(root: Value) -> list[Value]:
    order, leaves = topological_order(root)
    return leaves + order


# --- the same pass as backward ----------------------------------------------------


@pytest.mark.filterwarnings("ignore::engine.show.stepper.CarriedGradWarning")  # on purpose
@settings(max_examples=60)
@given(graphs(max_nodes=25), st.floats(-2.0, 2.0), st.lists(st.floats(-3.0, 3.0), max_size=4))
def test_final_grads_equal_backward_exactly(g, seed, prior):
    """Same order and float arithmetic: every grad equals backward's bit for bit.

    Leaves may hold grads from an earlier pass (they accumulate); results are reset.
    """
    a, b = leaves_for(g), leaves_for(g)
    for i, p in enumerate(prior[: len(a)]):
        a[i].grad = b[i].grad = p
    root_a, root_b = g.build(a), g.build(b)
    for v in all_values(root_b)[len(b) :]:
        v.grad = 123.0  # stale grads from an earlier pass must not leak in
    backward(root_a, seed)
    steps = list(backprop_steps(root_b, seed))
    grads_a = [v.grad for v in all_values(root_a)]
    grads_b = [v.grad for v in all_values(root_b)]
    assert grads_b == grads_a
    assert len(steps) == len(topological_order(root_b)[0])


@settings(max_examples=40)
@given(graphs(max_nodes=25))
def test_step_count_and_order_are_backwards(g):
    root = g.build(leaves_for(g))
    order, _ = topological_order(root)
    stepper = backprop_steps(root)
    assert stepper.total == len(order)
    steps = list(stepper)
    assert [s.node for s in steps] == list(reversed(order))
    assert [s.index for s in steps] == list(range(1, len(order) + 1))
    assert all(s.total == len(order) for s in steps)


@settings(max_examples=40)
@given(graphs(max_nodes=25))
def test_each_step_records_what_it_added(g):
    """upstream is the node's final grad; after = before + upstream * local, per operand."""
    root = g.build(leaves_for(g))
    for step in backprop_steps(root):
        assert step.upstream == step.node.grad  # nothing later changes a visited node
        assert [u.parent for u in step.updates] == list(step.node.parents)
        data = [p.data for p in step.node.parents]
        op, out = step.node.op, step.node.data
        local = op.local(out, *data)
        assert tuple(u.local for u in step.updates) == local
        for u in step.updates:
            assert u.contribution == step.upstream * u.local
            assert u.after == u.before + u.contribution


@settings(max_examples=40)
@given(graphs(max_nodes=20))
def test_chain_rule_lines_show_the_numbers_added(g):
    root = g.build(leaves_for(g))
    for step in backprop_steps(root):
        shown = [u for u in step.updates if not u.constant] or list(step.updates)
        assert len(step.lines) == len(shown)
        for line, u in zip(step.lines, shown, strict=True):
            m = LINE.match(line)
            assert m, line
            numbers = [x for x in m.groups()[3:] if x is not None]
            expected = [step.upstream, u.local, u.contribution]
            if u.before != 0.0:
                expected += [u.before, u.contribution, u.after]
            assert numbers == [format_number(x) for x in expected], line
            for text, x in zip(numbers, expected, strict=True):
                assert math.isclose(float(text), x, rel_tol=1e-3, abs_tol=1e-300)
            assert m["parent"].strip("()") == u.name.strip("()")
            assert m["node"].strip("()") == step.name


def test_neuron_grads_agree_with_finite_differences():
    o, v = neuron()
    for _ in o.backward_steps():
        pass
    eps = 1e-6
    for name, leaf in v.items():

        def f(x: float, name=name) -> float:
            vals = {k: (x if k == name else w.data) for k, w in v.items()}
            n = vals["x1"] * vals["w1"] + vals["x2"] * vals["w2"] + vals["b"]
            return math.tanh(n)

        numeric = (f(leaf.data + eps) - f(leaf.data - eps)) / (2 * eps)
        assert leaf.grad == pytest.approx(numeric, rel=1e-5, abs=1e-8), name


def test_leaf_root_is_seeded_and_has_no_steps():
    x = Value(3.0, label="x")
    x.grad = 1.0
    stepper = x.backward_steps(2.0)
    assert stepper.total == 0
    assert list(stepper) == []
    y = Value(3.0)
    y.grad = 1.0
    backward(y, 2.0)
    assert x.grad == y.grad


def test_backward_steps_method_and_lazy_exports():
    o, _ = neuron()
    assert type(o.backward_steps()) is type(engine.backprop_steps(o))
    for name in ("backprop_steps", "backprop_table", "export_backprop_html"):
        assert name in engine.__all__
        assert callable(getattr(engine, name))


def test_a_non_finite_grad_raises_like_backward():
    def build() -> Value:
        x = Value(1.0, label="x")
        return x * 1e200

    with pytest.raises(OverflowError, match="gradient of leaf 'x'"):
        backward(build(), 1e200)
    stepper = backprop_steps(build(), 1e200)
    with pytest.raises(OverflowError, match="gradient of leaf 'x'"):
        next(stepper)  # the one step is the last: the pass ends, and checks the leaves


# --- names and text -----------------------------------------------------------------


def test_unlabelled_values_get_fresh_names_and_constants_stay_out_of_the_text():
    x = Value(2.0, label="x")
    n1 = Value(5.0, label="n1")  # a label that a generated name must not repeat
    y = Value(-1.0)  # an unlabelled input
    engine.mark(y, "input")
    root = (x * 3.0 + n1) * y
    stepper = backprop_steps(root)
    names = stepper.names
    assert names[root] == "L"
    assert names[x] == "x" and names[n1] == "n1"
    generated = [names[v] for v in topological_order(root)[0] if v is not root]
    assert len(set(generated)) == len(generated)
    assert "n1" not in generated
    assert names[y].startswith("x") and names[y] != "x"
    steps = list(stepper)
    for step in steps:
        for line in step.lines:
            assert "d3" not in line and "/d(3)" not in line  # the constant 3
    mul = next(s for s in steps if s.op.name == "mul" and s.node.parents[0] is x)
    assert mul.formula == f"{names[mul.node]} = x·3"
    assert len(mul.lines) == 1 and mul.lines[0].startswith("dL/dx += ")


def test_accumulation_shows_the_running_sum():
    x = Value(1.5, label="x")
    y = x * x  # both operands are x: two contributions in one step
    y.label = "y"
    (step,) = list(backprop_steps(y))
    first, second = step.lines
    assert ", so" not in first
    u = step.updates[1]
    assert second.endswith(
        f", so dy/dx = {format_number(u.before)} + {format_number(u.contribution)} "
        f"= {format_number(u.after)}"
    )


def test_local_lines_read_the_op_table_with_names():
    o, _ = neuron()
    step = next(backprop_steps(o))
    (line,) = step.local_lines
    assert line.startswith("∂o/∂n = 1 - tanh(n)² = 1 - o² = ")
    assert line.endswith(format_number(step.updates[0].local))
    assert step.formula == "o = tanh(n)"
    assert str(step).splitlines()[0] == "step 1 of 5: o = tanh(n)"
    assert repr(step) == "<BackpropStep 1/5 o = tanh(n)>"


@pytest.mark.parametrize(
    ("build", "formula"),
    [
        (lambda a, b: a - b, "L = a - b"),
        (lambda a, b: a / b, "L = a/b"),
        (lambda a, b: a**2, "L = a²"),
        (lambda a, b: a**b, "L = a^b"),
        (lambda a, b: (a * b).sigmoid(), "L = σ(n1)"),
        (lambda a, b: engine.sum([a, b, a]), "L = a + b + a"),
        (lambda a, b: -a, "L = -a"),
        (lambda a, b: (a + b).exp(), "L = exp(n1)"),
    ],
)
def test_formulas_come_from_the_op_table(build, formula):
    a, b = Value(1.5, label="a"), Value(0.5, label="b")
    step = next(backprop_steps(build(a, b)))
    assert step.formula == formula


def test_names_that_are_not_identifiers_are_parenthesised():
    h = Value(0.5, label="hidden 1")
    out = h * 2.0
    out.label = "out"
    (step,) = list(backprop_steps(out))
    assert step.lines[0].startswith("dout/d(hidden 1) += dout/dout · ∂out/∂(hidden 1) = ")


# --- errors -------------------------------------------------------------------------


def test_bad_root_and_seed_are_named():
    with pytest.raises(TypeError, match=r"backprop_steps: expected a Value .*e\.g\. the loss"):
        backprop_steps(3.0)
    with pytest.raises(TypeError, match=r"backprop_steps\(grad=\.\.\.\)"):
        backprop_steps(Value(1.0), grad="one")


def test_frame_of_a_step_not_taken_yet():
    o, _ = neuron()
    stepper = backprop_steps(o)
    next(stepper)
    with pytest.raises(IndexError, match="step 3 does not exist yet; steps taken: 1 of 5"):
        stepper.frame(3)


# --- table --------------------------------------------------------------------------


def test_table_has_one_row_per_step_and_aligned_columns():
    o, _ = neuron()
    table = backprop_table(o)
    assert len(table.rows) == len(table.steps) == 5
    lines = str(table).splitlines()
    assert len(lines) == 2 + 5
    assert re.fullmatch(r"[- ]+", lines[1])
    starts = [m.start() for m in re.finditer(r"-+", lines[1])]
    assert len(starts) == len(table.columns)
    for line in [lines[0], *lines[2:]]:
        for col, start in enumerate(starts[1:], start=1):
            assert line[start - 2 : start] == "  ", (col, line)
    assert repr(table) == str(table)
    assert [row[0] for row in table.rows] == ["1", "2", "3", "4", "5"]
    for row, step in zip(table.rows, table.steps, strict=True):
        assert row[1] == step.formula
        assert row[3] == format_number(step.upstream)


def test_table_marks_partial_grads():
    x = Value(2.0, label="x")
    y = x * 3.0 + x.exp()
    table = backprop_table(y)
    cells = [row[5] for row in table.rows if "x:" in row[5]]
    assert cells[0].endswith(PARTIAL) and not cells[-1].endswith(PARTIAL)
    y.backward()
    assert cells[-1] == f"x: {format_number(x.grad)}"


@pytest.mark.filterwarnings("ignore::engine.show.stepper.CarriedGradWarning")  # on purpose
@pytest.mark.parametrize("look", ["table", "html", "frame", "draw"])
def test_looking_changes_no_grad(look, tmp_path):
    """Viewing a graph (the table, the page, a frame, a drawing) leaves every .grad as it was."""
    o, _ = neuron()
    steps = backprop_steps(o)
    next(steps), next(steps)  # halfway through a pass, as a learner stepping by hand is
    order, leaves = topological_order(o)
    before = [v.grad for v in (*order, *leaves)]
    if look == "table":
        backprop_table(o)
    elif look == "html":
        engine.export_backprop_html(o, tmp_path / "look.html")
    elif look == "frame":
        assert steps.frame(1).source
    else:
        assert engine.draw_dot(o).source
    assert [v.grad for v in (*order, *leaves)] == before
    list(steps)  # finishing the pass gives exactly backward's grads: nothing was doubled
    fresh, _ = neuron()
    backward(fresh)
    fresh_order, fresh_leaves = topological_order(fresh)
    assert [v.grad for v in (*order, *leaves)] == [v.grad for v in (*fresh_order, *fresh_leaves)]


def _step_through_and_look() -> weakref.ref:
    o, _ = neuron()
    steps = backprop_steps(o)
    recorded = list(steps)
    assert recorded[0].frame().source
    backprop_table(o)
    return weakref.ref(o)


@pytest.mark.filterwarnings("ignore::engine.show.stepper.CarriedGradWarning")  # on purpose
def test_the_stepper_makes_no_reference_cycles():
    """A finished stepper and its graph are freed by reference counting alone.

    The cycle collector, run afterwards, finds no object of gradstep's among its garbage
    (other libraries' garbage, matplotlib's from earlier tests say, is not ours to judge).
    """
    _step_through_and_look()  # first use: imports and caches settle
    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        probe = _step_through_and_look()
        assert probe() is None
        gc.collect()
        ours = [o for o in gc.garbage if type(o).__module__.startswith("engine")]
        assert ours == []
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()


def test_table_html_escapes_and_has_every_row():
    a = Value(1.0, label="<a>")
    root = a * 2.0
    html_text = backprop_table(root)._repr_html_()
    assert html_text.count("<tr>") == 2
    assert "&lt;a&gt;" in html_text and "<a>" not in html_text


# --- frames -------------------------------------------------------------------------


def grad_texts(step_or_stepper, index=None) -> dict[str, str]:
    """Name -> grad text in a frame's DOT source."""
    graph = step_or_stepper.frame() if index is None else step_or_stepper.frame(index)
    found = {}
    for line in graph.source.splitlines():
        name = re.search(r"<b>([^<]+)</b>", line)
        grad = re.search(r'grad</font></td><td [^>]*><font color="[^"]+">([^<]+)</font>', line)
        if name and grad:
            found[name.group(1)] = grad.group(1)
    return found


def test_frames_show_pending_partial_and_final_grads():
    x = Value(2.0, label="x")
    a = x * 3.0
    a.label = "a"
    b = x.exp()
    b.label = "b"
    y = a + b
    y.label = "y"
    stepper = backprop_steps(y)
    start = grad_texts(stepper, 0)
    assert start == {"x": PENDING, "a": PENDING, "b": PENDING, "y": "1"}
    steps = list(stepper)
    after_first = grad_texts(steps[0])
    assert after_first["a"] == format_number(a.grad) and after_first["x"] == PENDING
    after_second = grad_texts(steps[1])
    assert after_second["x"].endswith(PARTIAL)  # one of x's two uses done
    final = grad_texts(steps[-1])
    assert final == {v.label: format_number(v.grad) for v in (x, a, b, y)}


def test_frame_highlights_the_node_its_op_and_its_edges():
    o, _ = neuron()
    steps = list(backprop_steps(o))
    lines = steps[3].frame().source.splitlines()  # n1 = x1 * w1

    def with_class(name: str) -> list[str]:
        return [line for line in lines if re.search(rf'class="?{name}[" \]]', line)]

    (current,) = with_class("current")
    assert "<b>n1</b>" in current
    assert len(with_class("current-op")) == 1
    assert len(with_class("current-edge")) == 3  # x1 -> op, w1 -> op, op -> n1
    updated = {re.search(r"<b>([^<]+)</b>", line).group(1) for line in with_class("updated")}
    assert updated == {"x1", "w1"}


def test_step_displays_in_jupyter_with_its_text_and_graph():
    o, _ = neuron()
    step = next(backprop_steps(o))
    assert isinstance(step, BackpropStep)
    page = step._repr_html_()
    assert "step 1 of 5: o = tanh(n)" in page
    assert "do/dn += do/do · ∂o/∂n" in page
    assert "<svg" in page and "current" in page


def test_frames_share_one_layout():
    """Grads arriving must not move the picture: node boxes keep their place and size."""
    x = Value(1e-3, label="x")
    w = Value(-123.456, label="w")
    y = ((x * w).exp() * 1234.5 + x).log()
    stepper = backprop_steps(y)
    list(stepper)

    def geometry(svg: str):
        nodes = re.findall(
            r'<g id="[^"]*" class="node[^"]*">\s*<title>([^<]*)</title>\s*<(?:path|ellipse)'
            r'[^>]*?\b(d|cx)="([^"]*)"',
            svg,
        )
        size = re.search(r'<svg width="[^"]*" height="[^"]*"', svg).group(0)
        return size, nodes

    shapes = [
        geometry(stepper.frame(k).pipe(format="svg", encoding="utf-8"))
        for k in range(stepper.total + 1)
    ]
    assert len(shapes[0][1]) >= 8
    assert all(s == shapes[0] for s in shapes)


@pytest.mark.filterwarnings("ignore::engine.show.stepper.CarriedGradWarning")  # on purpose
def test_start_frame_warns_about_grads_left_from_an_earlier_pass():
    o, v = neuron()
    o.backward()
    stepper = backprop_steps(o)  # the leaves keep their grads: this pass adds to them
    _, lines = stepper._trace.caption(0)
    note = lines[-1]
    assert note.startswith("Note: some inputs still hold grads from an earlier backward (")
    assert f"x1 = {format_number(v['x1'].grad)}" in note and "zero_grad()" in note
    o.zero_grad()
    _, lines = backprop_steps(o)._trace.caption(0)
    assert not any(line.startswith("Note:") for line in lines)


def test_an_operand_used_twice_says_which_use():
    x = Value(3.0, label="x")
    y = x * x
    y.label = "y"
    (step,) = list(backprop_steps(y))
    first, second = step.local_lines
    assert first.startswith(f"∂y/∂x = x = {format_number(3.0)}")
    assert first.endswith("(through a: x is used more than once here)")
    assert second.endswith("(through b: x is used more than once here)")


@pytest.mark.filterwarnings("ignore::engine.show.stepper.CarriedGradWarning")  # on purpose
def test_a_long_sum_shows_its_first_and_last_terms():
    xs = [Value(float(i), label=f"x{i}") for i in range(20)]
    root = engine.sum(xs)
    (step,) = list(backprop_steps(root))
    assert step.formula == "L = x0 + x1 + x2 + … + x19  (20 terms)"
    assert len(step.lines) == 20  # every term still gets its chain-rule line
    short = engine.sum(xs[:3])
    assert next(backprop_steps(short)).formula == "L = x0 + x1 + x2"


def test_frames_keep_draw_dots_short_labels_inside_scopes():
    with engine.scope("neuron"):
        w = Value(0.5, label="neuron.w")
        y = (w * 2.0).tanh()
    stepper = backprop_steps(y)
    list(stepper)
    source = stepper.frame(1).source
    assert "<b>w</b>" in source and "<b>neuron.w</b>" not in source
    assert "<b>L</b>" in source and "<b>n1</b>" in source  # generated names are drawn


def test_every_tool_warns_plainly_when_leaves_carry_grads_from_an_earlier_backward(tmp_path):
    # The README's neuron: backward(), then stepping, then the table. Each pass adds to
    # the leaves' grads, so without zero_grad x shows 2x and then 3x its gradient.
    x, w, b = Value(2.0, label="x"), Value(-3.0, label="w"), Value(6.5, label="b")
    y = (x * w + b).tanh()
    y.backward()
    dx = x.grad
    with pytest.warns(
        CarriedGradWarning, match=r"^backprop_steps: some inputs still hold grads"
    ) as seen:
        list(y.backward_steps())
    message = str(seen[0].message)
    assert f"x = {format_number(dx)}" in message and "y.zero_grad()" in message
    assert seen[0].filename == __file__  # points at the line that started the pass
    assert x.grad == 2 * dx
    with pytest.warns(CarriedGradWarning, match="^backprop_table: "):
        table = backprop_table(y)
    assert str(table).startswith("Note: some inputs still hold grads")  # first, not last
    assert table._repr_html_().startswith("<p>Note: some inputs")
    assert table.steps[-1].updates[0].after == pytest.approx(3 * dx, rel=1e-15)
    with pytest.warns(CarriedGradWarning, match="^export_backprop_html: "):
        engine.export_backprop_html(y, tmp_path / "page.html")
    # The safe order: zero_grad, then step. No warning, and x ends at dy/dx.
    y.zero_grad()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert backprop_table(y).notes == ()  # looks only: the grads stay 0
        list(y.backward_steps())
    assert x.grad == dx
