"""Names for the nodes of a graph: the same in the stepper's tables, drawings and compiled code.

A node is called by its label when it has one. Every other node gets a generated
name: ``L`` for the root, ``n1, n2, …`` for the results of ops and ``x1, x2, …`` for
inputs, numbered in reading order (operands first, first operand first), and ``c1,
c2, …`` for constants (which tables and drawings show by their value instead). A
generated name never takes a label of the graph, nor the Python name compiled code
would give that label (``x₁`` is written ``x1``), so ``n = n1 + b`` cannot meet a
second ``n1``.
"""

from __future__ import annotations

import keyword
import re
import unicodedata
from collections.abc import Callable, Sequence

from .node import Node


def reading_order(root: Node) -> list[Node]:
    """Every node, operands before results and first operand first (x1, w1, x1*w1, ...).

    An iterative post-order walk: deterministic, and it gives the names a human order.
    """
    done: list[Node] = []
    expanded: set[Node] = set()
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, finished = stack.pop()
        if finished:
            done.append(node)
        elif node not in expanded:
            expanded.add(node)
            stack.append((node, True))
            stack.extend((p, False) for p in reversed(node._parents) if p not in expanded)
    return done


def graph_names(
    root: Node,
    is_constant: Callable[[Node], bool] = lambda v: False,
    others: Sequence[Node] = (),
) -> dict[Node, str]:
    """A name for every node under ``root``: its label, else a generated one (see above).

    ``is_constant`` says which unlabelled leaves are constants (``c1``) rather than
    inputs (``x1``); by default every leaf is an input. ``others``: more results
    (a function's second output, say) whose graphs are named too, after ``root``'s.
    """
    values = list(dict.fromkeys(v for r in (root, *others) for v in reading_order(r)))
    labels = {v.label for v in values if v.label}
    taken = labels | {identifier(label) for label in labels}
    counters = {"n": 0, "x": 0, "c": 0}

    def fresh(prefix: str) -> str:
        while True:
            counters[prefix] += 1
            name = f"{prefix}{counters[prefix]}"
            if name not in taken:
                taken.add(name)
                return name

    names: dict[Node, str] = {}
    for v in values:
        if v.label:
            names[v] = v.label
        elif v is root:
            names[v] = "L" if "L" not in taken else fresh("n")
            taken.add(names[v])
        elif v._parents:
            names[v] = fresh("n")
        else:
            names[v] = fresh("c" if is_constant(v) else "x")
    return names


def identifier(label: str) -> str:
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
