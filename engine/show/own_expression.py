"""A learner's own expression, typed as text, as the stepper's page or the exercise page.

The plain browser page (``stepper.html`` of the site that ``python -m demos.site build``
writes) sends what the learner typed here: an expression such as ``(x*w + b).tanh()``
and the inputs' values such as ``x=2, w=-3, b=6.88``. ``page`` builds the graph of
Values and returns the HTML that ``export_backprop_html`` would write.

The expression is Python run on the learner's own Values: operators and Value methods
(``.tanh()``, ``.exp()``, ``.log()``, ``** 2``); names other than the inputs are refused.
"""

from __future__ import annotations

import ast
import re
import tempfile
from pathlib import Path

from ..core.value import Value
from .stepper_html import export_backprop_html

ASSIGNMENT = re.compile(r"\s*(?P<name>[A-Za-z_]\w*)\s*=\s*(?P<value>[^,]+?)\s*")


def inputs(values: str) -> dict[str, Value]:
    """``"x=2, w=-3"`` as labelled Values ``{"x": Value(2.0), "w": Value(-3.0)}``."""
    found: dict[str, Value] = {}
    for part in values.split(","):
        if not part.strip():
            continue
        match = ASSIGNMENT.fullmatch(part)
        if match is None:
            raise ValueError(f"values: write each input as name=number, got {part.strip()!r}")
        try:
            number = float(match["value"])
        except ValueError:
            raise ValueError(
                f"values: {match['name']} = {match['value']!r} is not a number"
            ) from None
        found[match["name"]] = Value(number, label=match["name"])
    if not found:
        raise ValueError("values: give each input a number, for example x=2, w=-3")
    return found


def build(expression: str, values: str) -> Value:
    """The Value that ``expression`` computes from the inputs in ``values``."""
    leaves = inputs(values)
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except SyntaxError as error:
        raise ValueError(f"expression: not valid Python ({error.msg})") from None
    unknown = sorted({n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} - set(leaves))
    if unknown:
        raise ValueError(
            f"expression: {', '.join(unknown)} has no value; add it to the values "
            f"(the inputs are {', '.join(leaves)})"
        )
    result = eval(compile(tree, "<expression>", "eval"), {"__builtins__": {}}, dict(leaves))  # noqa: S307 - the learner's own code, in their own browser
    if not isinstance(result, Value):
        raise ValueError("expression: use at least one input, so there is a graph to step")
    result.label = result.label or "out"
    return result


def page(expression: str, values: str, practice: bool = False) -> str:
    """The stepper's page (or with ``practice`` the exercise) for the typed expression."""
    root = build(expression, values)
    title = f"{root.label} = {expression.strip()}"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "page.html"
        export_backprop_html(root, path, title=title, practice=practice)
        return path.read_text(encoding="utf-8")
