"""Clickable nodes for the HTML pages: what each node of the picture is, and the panel.

``draw_dot`` names the Value nodes ``v0, v1, …`` in reading order (and an op node after
its result, ``v3op``); Graphviz writes that name as each node's ``<title>``. The pages
turn it into the node's ``data-node`` attribute and id, so a script (or a test) finds
the node of the picture that belongs to a Value. ``facts`` says, for every node, what
the panel shows: its value, its grad, its op and local derivative(s), and the chain
rule's sum that made its grad, one term per use, with the nodes that contributed.

Clicking, hovering or focusing a node (Tab reaches every node; Enter or Space picks
it) shows its facts in ``#panel`` and highlights it (class ``picked``) and its
contributors (class ``contrib``).
"""

from __future__ import annotations

import json
import re
from typing import Any

from ..core.value import Value
from .chain import forms_lines, sum_line, uses_by_value
from .draw import format_number, node_role, reading_order
from .formula import wrap
from .stepper import BackpropStep

_NODE = re.compile(r'<g id="[^"]*" class="node([^"]*)">\n<title>(v\d+)(op)?</title>')


def node_ids(root: Value) -> dict[Value, str]:
    """The name ``draw_dot`` gives each Value's node: ``v0, v1, …`` in reading order."""
    return {v: f"v{i}" for i, v in enumerate(reading_order(root))}


def tag_nodes(svg: str) -> str:
    """Give every node of a ``draw_dot`` SVG its Value's id and a ``data-node`` attribute.

    Op nodes (``v3op``) point to their result (``data-node="v3"``), whose chain rule
    they are the picture of.
    """

    def tag(match: re.Match[str]) -> str:
        classes, value, op = match.group(1), match.group(2), match.group(3) or ""
        kind = "op" if op else "value"
        return (
            f'<g id="{value}{op}" class="node{classes}" data-node="{value}" data-kind="{kind}">'
            f"\n<title>{value}{op}</title>"
        )

    return _NODE.sub(tag, svg)


def facts(
    root: Value, steps: list[BackpropStep], names: dict[Value, str], seed: float
) -> dict[str, Any]:
    """For each node id: the texts the panel shows, from the recorded pass ``steps``.

    ``grad`` and ``sum`` are the finished pass's; ``terms`` and ``forms`` are the same
    without numbers (the practice page shows those until the answer is known).
    ``contrib`` lists the ids of the nodes whose grads made this one's: the results of
    the ops that used it (the page highlights them with their ops).
    """
    ids = node_ids(root)
    uses = uses_by_value(steps)
    by_node = {s.node: s for s in steps}
    root_name = wrap(names[root])
    out: dict[str, Any] = {}
    for v, node_id in ids.items():
        name = names[v]
        step = by_node.get(v)
        role = node_role(v, root)
        used = uses.get(v, [])
        grad = seed if v is root else (used[-1].update.after if used else 0.0)
        entry: dict[str, Any] = {
            "name": name,
            "role": role,
            "data": format_number(v.data),
            "grad": format_number(grad),
            "gradText": f"d{root_name}/d{wrap(name)} = {format_number(grad)}",
            "sum": sum_line(root_name, name, used, grad),
            "terms": (
                f"d{root_name}/d{wrap(name)} = " + " + ".join(u.term() for u in used)
                if used
                else f"d{root_name}/d{root_name} = {format_number(grad)}  (the seed)"
            ),
            "contrib": list(dict.fromkeys(ids[u.consumer] for u in used)),
        }
        if step is not None:
            entry["formula"] = step.formula
            entry["op"] = f"{step.op.heading} ({step.op.symbol})"
            entry["locals"] = step.local_lines
            entry["forms"] = forms_lines(step)
        else:
            entry["formula"] = f"{wrap(name)}: {_LEAF[role]}"
        out[node_id] = entry
    return out


_LEAF = {
    "input": "an input (a leaf: no op made it)",
    "parameter": "a parameter (a leaf: no op made it)",
    "constant": "a constant written into an op",
    "output": "a leaf",
    "intermediate": "a leaf",
}


def facts_json(data: dict[str, Any]) -> str:
    """The facts as JSON safe inside ``<script type="application/json">``."""
    return json.dumps(data, ensure_ascii=False).replace("</", "<\\/")


# Both pages begin alike: a format template, filled with the page's title and PAGE_CSS.
PAGE_HEAD = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
{page_css}
"""

# The look both pages share: the body, the heading and intro, and a picture that fits.
PAGE_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif;
  margin: 1.2em auto; max-width: 76em; padding: 0 1em; color: #1f2937; }
h1 { font-size: 1.35em; margin: 0 0 .3em 0; }
.intro { margin: 0 0 .8em 0; max-width: 60em; line-height: 1.4; }
.graph svg { max-width: 100%; height: auto; }
"""

PANEL_CSS = """
.layout { display: flex; gap: 1em; align-items: flex-start; }
.layout > .main { flex: 1; min-width: 0; }
#panel { width: 24em; flex: none; position: sticky; top: 3.2em; border: 1px solid #cbd5e1;
  border-radius: 6px; padding: .6em .8em; background: #f8fafc; font-size: .92em;
  line-height: 1.45; }
#panel h3 { margin: 0 0 .3em 0; font-size: 1.05em; }
#panel .mono { font-family: ui-monospace, Menlo, Consolas, monospace; white-space: pre-wrap;
  overflow-wrap: anywhere; }
#panel .label { color: #64748b; font-size: .85em; margin-top: .4em; }
svg g.node[data-node] { cursor: pointer; }
svg g.node[data-node]:focus { outline: none; }
svg g.picked path, svg g.picked polygon, svg g.picked ellipse { stroke: #2563eb;
  stroke-width: 3; }
svg g.contrib path, svg g.contrib polygon, svg g.contrib ellipse { stroke: #7c3aed;
  stroke-width: 2.5; stroke-dasharray: 4 2; }
@media (max-width: 60em) { .layout { flex-direction: column; } #panel { width: auto;
  position: static; } }
"""

# installPanel(facts, visibleSvg, describe): wires every node of every SVG on the page.
# describe(id, fact) returns the panel's rows: [label, text] pairs (factRows makes the usual).
PANEL_JS = """
function installPanel(facts, visibleSvg, describe) {
  "use strict";
  var panel = document.getElementById("panel");
  var picked = null;
  function clear() {
    document.querySelectorAll("svg g.picked, svg g.contrib").forEach(function (g) {
      g.classList.remove("picked"); g.classList.remove("contrib");
    });
  }
  function mark() {
    clear();
    if (picked === null) { return; }
    var svg = visibleSvg();
    if (!svg) { return; }
    svg.querySelectorAll('g[data-node="' + picked + '"]').forEach(function (g) {
      g.classList.add("picked");
    });
    facts[picked].contrib.forEach(function (id) {
      svg.querySelectorAll('g[data-node="' + id + '"]').forEach(function (g) {
        g.classList.add("contrib");
      });
    });
  }
  function show(id) {
    picked = id;
    var fact = facts[id];
    panel.textContent = "";
    var head = document.createElement("h3");
    head.textContent = fact.name + " (" + fact.role + ")";
    panel.appendChild(head);
    describe(id, fact).forEach(function (row) {
      var label = document.createElement("div");
      label.className = "label";
      label.textContent = row[0];
      var text = document.createElement("div");
      text.className = "mono " + row[2];
      text.textContent = row[1];
      panel.appendChild(label);
      panel.appendChild(text);
    });
    mark();
  }
  document.querySelectorAll("svg g.node[data-node]").forEach(function (g) {
    var id = g.getAttribute("data-node");
    if (!facts[id]) { return; }
    g.setAttribute("tabindex", "0");
    g.setAttribute("role", "button");
    g.setAttribute("aria-label", facts[id].name + ": show its value, grad and chain rule");
    g.addEventListener("click", function () { show(id); });
    g.addEventListener("mouseenter", function () { show(id); });
    g.addEventListener("focus", function () { show(id); });
    g.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault(); event.stopPropagation(); show(id);
      }
    });
  });
  return {show: show, refresh: function () { if (picked !== null) { show(picked); } }};
}
// The panel's usual rows for a node: its data, the grad row given (or none), its op and
// local derivatives (numbers or symbols, as the page may show), the chain-rule sum.
function factRows(facts, fact, grad, locals, sum) {
  "use strict";
  var rows = [["value", "data = " + fact.data, "data"]];
  if (grad) { rows.push(grad); }
  if (fact.op) {
    rows.push(["op " + fact.op, fact.formula, "op"]);
    rows.push(["local derivatives", locals.join("\\n"), "locals"]);
  } else {
    rows.push(["what it is", fact.formula, "op"]);
  }
  rows.push(["the chain rule: one term per use", sum, "sum"]);
  if (fact.contrib.length) {
    rows.push(["made from the grads of (highlighted)",
               fact.contrib.map(function (c) { return facts[c].name; }).join(", "),
               "contrib"]);
  }
  return rows;
}
"""
