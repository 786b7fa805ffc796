"""The engine core as a learner meets it: readable ops, one definition, one pass, clean layers."""

from __future__ import annotations

import ast
import inspect
import math
import re
import traceback
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import engine
from engine import OPS, Op, Value, backprop_steps, define_op
from engine.core import generate, kernels
from engine.core.floatmath import NAMES
from engine.core.ops import NARY
from engine.show.draw import format_number
from engine.show.formula import wrap
from engine.testing import graphs

ENGINE = Path(engine.__file__).parent
EXPONENTS = (2.0, 3.0, -1.0, 0.5, 1.5, 0.0, 1.0)


def every_op() -> list[Op]:
    """Every op of the table, with op families bound to a few parameters."""
    ops = []
    for op in OPS.values():
        ops.extend(op.bind(c) for c in EXPONENTS) if op.param else ops.append(op)
    return ops


# --- 1. Readable, debuggable ops --------------------------------------------------------


def test_generated_code_is_in_step_with_the_op_table():
    """kernels.py and operators.py are what generate.py writes today."""
    assert generate.stale() == [], "run: python -m engine.core.generate"


@pytest.mark.parametrize("name", sorted(OPS))
def test_every_op_is_real_source_a_reader_can_open(name):
    op = OPS[name]
    functions = [op.function, op.backward, op.local_fn, op.forward_fn]
    if op.reflected:
        functions.append(getattr(Value, op.reflected))
    for fn in functions:
        source = inspect.getsource(fn)
        assert source.lstrip().startswith("def ")
        assert Path(inspect.getsourcefile(fn)).parent == ENGINE / "core"
    forward = ast.unparse(ast.parse(op.forward)).replace("sum(", "builtins.sum(")
    tree = ast.parse(inspect.cleandoc("\n" + inspect.getsource(op.function)))
    computed = [
        ast.unparse(n.value)
        for n in ast.walk(tree)
        if isinstance(n, ast.Assign) and [ast.unparse(t) for t in n.targets] == ["out"]
    ]
    assert computed == [forward]  # the method computes exactly the table's forward


def test_every_hop_from_an_operator_to_its_kernel_is_a_real_name():
    """``x * y`` -> ``Operators.__mul__`` -> ``MUL`` -> ``kernels.mul_backward``, no string lookup.

    operators.py attaches every op's kernels by attribute (``kernels.mul_backward``), so
    go-to-definition follows each hop; the op the node records is that same constant.
    """
    from engine.core import operators

    tree = ast.parse(Path(operators.__file__).read_text())
    attached = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            keywords = {k.arg: ast.unparse(k.value) for k in node.value.keywords}
            attached[node.targets[0].id] = keywords.get("backward")
    for op in OPS.values():
        if op.name in ("add", "mul", "tanh", "sum", "powc", "logaddexp"):
            constant = op.name.upper()
            assert attached[constant] == f"kernels.{op.name}_backward"
            assert getattr(operators, constant) is op
            assert op.backward is getattr(kernels, f"{op.name}_backward")
    x, y = Value(2.0), Value(3.0)
    assert (x * y).op is operators.MUL and (x * y).op.backward is kernels.mul_backward


def test_the_read_first_path_is_four_files_of_about_100_lines():
    """The path engine/core/__init__.py names exists, in at most 4 files, short enough to read."""
    from engine.core import autodiff, operators, value

    hops = [
        value.Value.__init__,
        value.Value.backward,
        operators.Operators.__mul__,
        kernels.mul_backward,
        autodiff.backward,
        autodiff.backward_order,
        autodiff.visit,
    ]
    guide = inspect.getdoc(__import__("engine.core").core)
    for fn in hops:
        assert fn.__name__ in guide, fn
    files = {inspect.getsourcefile(fn) for fn in hops}
    lines = sum(_code_lines(fn) for fn in hops) + 2  # + the two lines of ``MUL = ...``
    assert len(files) <= 4 and lines <= 110, (files, lines)


def _code_lines(fn) -> int:
    """Lines of ``fn`` a reader reads as code: its source without the docstring."""
    source = inspect.cleandoc("\n" + inspect.getsource(fn))
    body = ast.parse(source).body[0].body
    first = body[0]
    is_doc = isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
    skipped = first.end_lineno - first.lineno + 1 if is_doc else 0
    return len(source.splitlines()) - skipped


def test_a_traceback_inside_an_op_shows_the_line_that_raised():
    with pytest.raises(ZeroDivisionError) as info:
        Value(1.0) / 0.0
    frame = traceback.extract_tb(info.tb)[-1]
    assert frame.filename.endswith("operators.py") and frame.name == "__truediv__"
    assert frame.line.startswith("raise domain_error(DIV")


def test_a_user_op_has_source_and_traceback_lines_too():
    safe_log = define_op("safe_log_t", "log(a)", ["1.0 / a"], domain="a > 0.0")
    assert "def _user_backward" in inspect.getsource(safe_log.backward)
    with pytest.raises(ValueError) as info:
        safe_log(Value(-1.0))
    frame = traceback.extract_tb(info.tb)[-1]
    assert frame.filename.startswith("<gradstep op safe_log_t")
    assert frame.line.startswith("raise domain_error(OP")


# --- 2. One source of truth per op: every text's formulas are the op's math -------------

_MATH_TO_PYTHON = [
    ("·", " * "),
    ("²", " ** 2"),
    ("³", " ** 3"),
    ("^", " ** "),
    ("ln(", "log("),
    ("σ(", "sigmoid("),
    ("≠", "!="),
    ("≥", ">="),
    ("≤", "<="),
]


def python_of(text: str, names: dict[str, str] | None = None) -> str:
    """The test's own reading of printed math back into Python (independent of notation.py)."""
    text = re.sub(r"\|([^|]+)\|", r"fabs(\1)", text)
    for math_form, python in _MATH_TO_PYTHON:
        text = text.replace(math_form, python)
    for name, variable in sorted((names or {}).items(), key=lambda item: -len(item[0])):
        text = re.sub(rf"(?<![\w.]){re.escape(name)}(?![\w.])", variable, text)
    return text


def text_disagreements(op: Op, points: list[tuple[float, ...]]) -> list[str]:
    """Every formula of ``op.text`` evaluated at ``points``, compared with the op's math."""
    text = op.text.split(" (")[0] if op.remark else op.text
    problems = []
    for clause in text.split("; "):
        left, *forms = clause.split(" = ")
        for form in forms:
            if "…" in form:
                continue  # the n-ary forward, x₁ + x₂ + … + xₙ, is not a formula to evaluate
            code = python_of(form)
            for point in points:
                env = {**NAMES, **dict(zip(op.names, point, strict=False))}
                out = op.evaluate(*point)
                env["out"] = out
                if left == "out":
                    expected = out
                else:
                    operand = left.split("∂")[-1].rstrip("ᵢ")
                    expected = op.local(out, *point)[op.deriv_names.index(operand)]
                got = float(eval(code, env))
                if not math.isclose(got, expected, rel_tol=1e-9, abs_tol=1e-12):
                    problems.append(
                        f"{op!r}: {clause!r}: {form} = {got} at {point}, not {expected}"
                    )
    return problems


def domain_points(op: Op) -> list[tuple[float, ...]]:
    candidates = [-2.5, -1.5, -0.75, 0.3, 0.8, 1.7, 2.9]
    arity = 3 if op.arity == NARY else op.arity
    points = []
    for i, a in enumerate(candidates):
        point = tuple(candidates[(i + k * 3) % len(candidates)] for k in range(arity))
        point = (a, *point[1:])
        if op.in_domain(*point):
            points.append(point)
    return points


@pytest.mark.parametrize("op", every_op(), ids=repr)
def test_every_text_formula_equals_the_derivative_it_describes(op):
    """Every form printed in ``op.text`` is the number ``local`` computes (and ``forward``).

    This ties the text a learner reads to the code that runs; that ``derivs`` is the
    derivative of ``forward`` is checked against finite differences in test_ops_table.
    """
    points = domain_points(op)
    assert points, f"no point in the domain of {op!r} to check at"
    assert text_disagreements(op, points) == []


def test_a_wrong_text_is_caught():
    """A text that teaches σ(a)(1 + σ(a)) fails, as the issue asks of this test."""
    wrong = Op(
        "sigmoid_wrong",
        "σ",
        1,
        "sigmoid(a)",
        ("out * (1.0 - out)",),
        forms=(("sigmoid(a) * (1.0 + sigmoid(a))",),),
    )
    wrong._attach(**{f"{p}_fn": getattr(kernels, f"sigmoid_{p}") for p in ("forward", "local")})
    assert text_disagreements(wrong, domain_points(wrong))


@pytest.mark.parametrize("op", every_op(), ids=repr)
def test_math_kernels_and_compiled_lines_print_one_parsed_form(op):
    """Binding and folding happen once (``expression.parse``); each target only prints.

    For a bound family member (x ** 3) the math reads ``3·a²``, the compiled line
    ``3.0 * a ** 2.0``: the same tree, and it computes the kernel's number.
    """
    from engine.compiler.templates import template
    from engine.core.expression import factor, number, parse
    from engine.core.notation import math_of

    constants = {op.param: op.value} if op.param else None
    t = template(op)
    point = domain_points(op)[0]
    out = op.evaluate(*point)
    for i, deriv in enumerate(op.derivs):
        tree = parse(deriv, constants)
        assert op.math(deriv) == math_of(tree)
        compiled = t.derivs[i].format("a", "b", "out")
        assert compiled == (repr(number(tree)) if number(tree) in (1.0, -1.0) else factor(tree))
        if op.arity != NARY:
            env = {**NAMES, **dict(zip(op.names, point, strict=False)), "out": out}
            assert eval(compiled, env) == op.local(out, *point)[i]


@given(graphs(max_nodes=12), st.data())
@settings(max_examples=60)
def test_the_steppers_local_lines_evaluate_to_the_numbers_it_uses(g, data):
    """``∂n/∂x = 1 - tanh(x)² = 1 - n² = 0.5``: every form, with the graph's names, is 0.5."""
    leaves = [Value(x, f"x{i}") for i, x in enumerate(g.inputs)]
    steps = list(backprop_steps(g.build(leaves)))
    for step in steps:
        for update, line in zip(_shown(step), step.local_lines, strict=True):
            *forms, shown = line.split("   (")[0].split(" = ")[1:]
            assert shown == format_number(update.local)  # the last form is the number
            named = [(u.name, u.parent) for u in step.updates if not u.constant]
            named.append((step.name, step.node))
            env = {**NAMES, **{_var(name): v.data for name, v in named}}
            names = {wrap(name): _var(name) for name, _ in named}
            for form in forms:
                if "…" in form:
                    continue
                got = float(eval(python_of(form, names), env))
                assert math.isclose(got, update.local, rel_tol=1e-9, abs_tol=1e-12), line


def _var(name: str) -> str:
    return "v_" + re.sub(r"\W", "_", name).replace("-", "m")


def _shown(step):
    return [u for u in step.updates if not u.constant] or list(step.updates)


# --- 4. One backward pass -------------------------------------------------------------------


def test_backward_and_the_stepper_run_the_same_kernels():
    """Both call each op's one backward kernel once per node, in the same order."""
    calls: list[tuple[str, int]] = []
    originals = {op: op.backward for op in OPS.values()}

    def counting(op: Op):
        def kernel(node, g):
            calls.append((op.name, id(node)))
            originals[op](node, g)

        return kernel

    try:
        for op in originals:
            op._attach(backward=counting(op))
        x, w = Value(0.5, "x"), Value(-1.5, "w")
        y = ((x * w).tanh() + x**2).exp()
        engine.backward(y)
        by_backward, calls[:] = list(calls), []
        list(backprop_steps(y))
        assert calls == by_backward and len(calls) == 5
    finally:
        for op, kernel in originals.items():
            op._attach(backward=kernel)


# --- 5. Generic ops ------------------------------------------------------------------------


def test_a_user_op_family_takes_a_parameter():
    scaled_tanh = define_op("scaled_tanh", "k * tanh(a)", ["k * (1.0 - tanh(a) ** 2)"], param="k")
    x = Value(0.3)
    y = scaled_tanh.bind(2.0)(x)
    y.backward()
    assert y.data == 2.0 * math.tanh(0.3)
    assert x.grad == 2.0 * (1.0 - math.tanh(0.3) ** 2)
    with pytest.raises(TypeError, match="bind"):
        scaled_tanh(x)
    assert engine.gradcheck(lambda v: scaled_tanh.bind(-1.5)(v[0]), [0.7]).ok


@pytest.mark.parametrize(
    ("definition", "message"),
    [
        (lambda: Op("f", "f", 2, "a * b", ("b",)), "one derivative per operand"),
        (lambda: Op("f", "f", 1, "a * q", ("1.0",)), "unknown name.*q"),
        (lambda: Op("f", "f", 1, "a +", ("1.0",)), "not a Python expression"),
        (lambda: Op("f", "f", 2, "a * b", ("b", "a"), method="__mul__"), "needs reflected="),
        (lambda: Op("f", "f", 3, "a", ("1.0",) * 3), "arity must be"),
        (lambda: Op("f x", "f", 1, "a", ("1.0",)), "identifier"),
        (lambda: Op("f", "f", 1, "a", ("1.0",), domain=""), "domain must be a Python expression"),
        (lambda: OPS["tanh"].bind(2), "has no number parameter"),
        (lambda: define_op("g", "a * c", ["c"]), "unknown name.*c"),
    ],
)
def test_a_malformed_definition_fails_at_definition_saying_what_is_missing(definition, message):
    with pytest.raises((ValueError, TypeError), match=message):
        definition()


def test_no_code_outside_the_op_table_branches_on_an_op_name():
    """Tools decide by an op's fields (arity, param, branch), never by which op it is."""
    constants = "|".join(name.upper() for name in OPS)
    pattern = re.compile(
        rf"""\.name\s*(==|!=)\s*["']|\.name\s+(not\s+)?in\s*[(\[{{]|\.name\.(startswith|endswith)"""
        rf"""|\bis\s+(not\s+)?({constants})\b|OPS\[["'](\w+)["']\]\s*(is|==)"""
    )
    offenders = [
        f"{path.relative_to(ENGINE)}:{i}"
        for path in ENGINE.rglob("*.py")
        for i, line in enumerate(path.read_text().splitlines(), 1)
        if pattern.search(line)
    ]
    assert offenders == []


# --- 6. Clear structure -------------------------------------------------------------------


def _imports(path: Path) -> set[str]:
    """Every engine module ``path`` imports, at the top or inside a function."""
    module = ".".join(path.relative_to(ENGINE.parent).with_suffix("").parts)
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    package = package.removesuffix(".__init__")
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            base = package
            for _ in range(node.level - 1):
                base = base.rsplit(".", 1)[0]
            target = (
                f"{base}.{node.module}" if node.level and node.module else (node.module or base)
            )
            if node.level == 0 and not (node.module or "").startswith("engine"):
                continue
            found.add(target)
            found.update(f"{target}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("engine"))
    return found


def engine_import_graph() -> dict[str, set[str]]:
    modules = {
        ".".join(p.relative_to(ENGINE.parent).with_suffix("").parts).removesuffix(".__init__"): p
        for p in ENGINE.rglob("*.py")
    }
    return {name: _imports(path) & set(modules) - {name} for name, path in modules.items()}


def test_no_import_cycle_among_engine_modules():
    graph = engine_import_graph()
    # The package's __init__ assembles the parts; no part may import the package itself.
    assert [name for name, targets in graph.items() if "engine" in targets] == []
    done: set[str] = set()

    def visit(name: str, path: tuple[str, ...]) -> None:
        if name in path:
            raise AssertionError("import cycle: " + " -> ".join((*path, name)))
        if name in done:
            return
        for target in graph.get(name, ()):
            visit(target, (*path, name))
        done.add(name)

    for name in graph:
        visit(name, ())


def test_the_core_imports_no_tool_and_engine_never_imports_nn():
    graph = engine_import_graph()
    for name, targets in graph.items():
        if name.startswith("engine.core"):
            assert all(t.startswith("engine.core") for t in targets), (name, targets)
    for path in ENGINE.rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                assert not any(a.name.split(".")[0] == "nn" for a in node.names), path
            if isinstance(node, ast.ImportFrom) and node.level == 0:
                assert (node.module or "").split(".")[0] != "nn", path


def test_a_star_import_shadows_no_builtin():
    """``from engine import *`` leaves sum and compile Python's; engine.sum is still there."""
    import builtins

    namespace: dict[str, object] = {}
    exec("from engine import *", namespace)
    assert [n for n in namespace if n != "__builtins__" and hasattr(builtins, n)] == []
    assert engine.sum([Value(1.0), 2.0]).data == 3.0 and callable(engine.compile)
