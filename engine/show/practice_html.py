"""The practice exercise as one offline HTML page: ``export_backprop_html(..., practice=True)``.

The page shows the graph with every grad hidden (``?``) and a row per node in
backward order: a box for the learner's dL/d(node), Check (this row) and Show (its
answer), plus Check all and Reveal all. A checked answer is written into the picture
and coloured; a wrong one gets the hint ``Practice.check`` would give. The page does
no diagnosing of its own: ``Practice`` computes, per node, the numbers each known
mistake gives and the hint for it (``Practice.mistakes``), and the page compares the
learner's number with those, in the same order, with the same tolerance.

Structure for tests and readers: each row is ``<tr class="question" data-node="v3">``
holding ``input.answer``, ``button.check``, ``button.show`` and ``.verdict``; the
picture's nodes carry ``data-node`` too (see ``node_panel``).
"""

from __future__ import annotations

import html

from ..core.value import Value
from .draw import HIGHLIGHT, format_number
from .formula import wrap
from .node_panel import (
    PAGE_CSS,
    PAGE_HEAD,
    PANEL_CSS,
    PANEL_JS,
    facts,
    facts_json,
    node_ids,
    tag_nodes,
)
from .practice import Practice
from .practice_form import picture_svg


def question_cells(p: Practice, v: Value, node_id: str) -> str:
    """A question's row up to its answer box (the caller adds its own cells and ``</tr>``)."""
    grad_name = f"d{p.root_name}/d{wrap(p.names[v])}"
    return (
        f'<tr class="question" data-node="{node_id}" data-name="{html.escape(p.names[v])}">'
        f'<td><label for="answer-{node_id}"><code>{html.escape(grad_name)}</code></label>'
        f' <span class="formula">{html.escape(p.formula(v))}, data '
        f"{html.escape(format_number(v.data))}</span></td>"
        f'<td><input class="answer" id="answer-{node_id}" inputmode="decimal" '
        f'autocomplete="off" placeholder="?" aria-label="{html.escape(grad_name)}"></td>'
    )


# The question table and the row of buttons under it, as both exercise pages show them.
QUESTIONS_CSS = """table.questions { border-collapse: collapse; margin-top: .6em; }
table.questions td { padding: .25em .5em; border-top: 1px solid #e2e8f0; vertical-align: top; }
.formula { color: #64748b; font-family: ui-monospace, Menlo, Consolas, monospace;
  font-size: .9em; }
input.answer { width: 7em; font-size: 1em; font-family: ui-monospace, Menlo, Consolas,
  monospace; }
.controls { margin: .8em 0; display: flex; gap: .6em; align-items: center; }
.controls button { cursor: pointer; }
"""

# What follows the CSS on both exercise pages, up to the buttons under the questions.
EXERCISE_BODY = """{panel_css}
</style>
</head>
<body>
<h1>{title}</h1>
<p class="intro">{intro}</p>
<div class="layout">
<div class="main">
<div class="graph">{svg}</div>
<table class="questions"><tbody>
{rows}
</tbody></table>
<div class="controls">
"""


def practice_page(root: Value, grad: float, title: str | None) -> str:
    """The whole page for the practice over ``root`` (grads left as they were)."""
    p = Practice(root, grad)
    ids = node_ids(root)
    name = p.root_name
    questions = []
    rows = []
    for v in p.questions:
        node_id = ids[v]
        template, parts = p.carried_hint(v)
        questions.append(
            {
                "id": node_id,
                "expected": p.expected(v),
                "mistakes": [[m, number, hint] for m, number, hint in p.mistakes(v)],
                "uses": [[ids[u.consumer], u.local] for u in p.uses[v]],
                "carried": template,
                "parts": {ids[c]: part for c, part in parts.items()},
                "fallback": p.fallback_hint(v),
                "sum": p.sum_line(v),
            }
        )
        rows.append(
            question_cells(p, v, node_id)
            + '<td class="buttons"><button type="button" class="check">Check</button> '
            '<button type="button" class="show">Show</button></td>'
            '<td class="verdict" aria-live="polite"></td></tr>'
        )
    data = {
        "relTol": p.rel_tol,
        "root": ids[root],
        "seed": p.seed,
        "questions": questions,
    }
    heading = title or f"Practice: backpropagate through {name} by hand"
    intro = (
        f"The forward pass is done: every node shows its data. Backward starts at {name} "
        f"with d{name}/d{name} = {format_number(p.seed)}. Work out d{name}/d(node) for each node, "
        f"top row first (that is the order backward reaches them): a node's grad adds one "
        f"term per use, d{name}/d(use) · ∂use/∂node. Type your number and press Check "
        "(or Enter); an answer within "
        f"{p.rel_tol:g} (relative) of the right one counts as right."
    )
    return fill_page(
        _TEMPLATE,
        p,
        heading,
        intro,
        rows,
        practice=facts_json(data),
        facts=facts_json(facts(root, list(p.steps), p.names, p.seed)),
        highlight=HIGHLIGHT,
    )


def fill_page(
    template: str, p: Practice, title: str, intro: str, rows: list[str], **more: str
) -> str:
    """An exercise page's template filled: what both pages have, then ``more``."""
    return template.format(
        title=html.escape(title),
        intro=html.escape(intro),
        svg=tag_nodes(picture_svg(p)),
        rows="\n".join(rows),
        page_css=PAGE_CSS,
        panel_css=PANEL_CSS,
        panel_js=PANEL_JS,
        **more,
    )


_TEMPLATE = (
    PAGE_HEAD
    + QUESTIONS_CSS.replace("{", "{{").replace("}", "}}")
    + """.verdict {{ max-width: 34em; line-height: 1.35; }}
.verdict .ok {{ color: #15803d; font-weight: bold; }}
.verdict .wrong {{ color: {highlight}; font-weight: bold; }}
.verdict .missing {{ color: #92400e; }}
.verdict .answer-shown {{ color: #475569; }}
td.buttons button {{ cursor: pointer; }}
td.buttons {{ white-space: nowrap; }}
#summary {{ font-weight: bold; }}
svg g.ok polygon:first-of-type, svg g.ok path {{ stroke: #15803d; stroke-width: 2.5; }}
svg g.wrong polygon:first-of-type, svg g.wrong path {{ stroke: {highlight}; stroke-width: 2.5; }}
"""
    + EXERCISE_BODY
    + """<button type="button" id="check-all">Check all</button>
<button type="button" id="reveal-all">Reveal all answers</button>
<span id="summary" aria-live="polite"></span>
</div>
</div>
<aside id="panel" aria-live="polite">Click a node, point at it, or reach it with
<kbd>Tab</kbd>: its value, op, local derivative and the sum that makes its grad show here
(the numbers once you have the answer).</aside>
</div>
<script type="application/json" id="practice">{practice}</script>
<script type="application/json" id="facts">{facts}</script>
<script>
{panel_js}
(function () {{
  "use strict";
  var data = JSON.parse(document.getElementById("practice").textContent);
  var facts = JSON.parse(document.getElementById("facts").textContent);
  var tol = data.relTol;
  var byId = {{}};
  data.questions.forEach(function (q) {{ byId[q.id] = q; }});
  var known = {{}};  // ids whose numbers may be shown: answered right or revealed
  function close(a, b) {{
    return Math.abs(a - b) <= Math.max(tol * Math.max(Math.abs(a), Math.abs(b)), tol * 1e-3);
  }}
  // Python's format_number: 4 significant digits, no trailing zeros, e.g. 1.2e-7.
  function fmt(x) {{
    if (x === 0) {{ return "0"; }}
    var exponent = Math.floor(Math.log10(Math.abs(Number(x.toPrecision(4)))));
    if (exponent < -4 || exponent >= 4) {{
      var parts = x.toExponential(3).split("e");
      return String(Number(parts[0])) + "e" + String(Number(parts[1]));
    }}
    return String(Number(x.toPrecision(4)));
  }}
  window.formatNumber = fmt;  // for tests: must write numbers as format_number does
  function row(id) {{ return document.querySelector('tr.question[data-node="' + id + '"]'); }}
  function given(id) {{
    var r = row(id);
    if (!r) {{ return null; }}
    var text = r.querySelector("input.answer").value.trim();
    if (text === "") {{ return null; }}
    var x = Number(text.replace("\\u2212", "-"));
    return isFinite(x) ? x : NaN;
  }}
  function diagnose(q, g) {{
    var wrong = [];
    q.uses.forEach(function (use) {{
      var c = use[0], answer = given(c);
      if (byId[c] && answer !== null && !isNaN(answer) && !close(answer, byId[c].expected)
          && wrong.indexOf(c) < 0) {{ wrong.push(c); }}
    }});
    if (wrong.length) {{
      var theirs = 0;
      q.uses.forEach(function (use) {{
        var c = use[0], answer = byId[c] ? given(c) : null;
        var up = (answer === null || isNaN(answer)) ? upstream(c) : answer;
        theirs += up * use[1];
      }});
      if (close(g, theirs)) {{
        var ups = wrong.map(function (c) {{
          return q.parts[c].replace("{{given}}", fmt(given(c)));
        }});
        return q.carried.replace("{{upstreams}}", ups.join(", "));
      }}
    }}
    for (var i = 0; i < q.mistakes.length; i++) {{
      var m = q.mistakes[i];
      if (close(g, m[1]) && !close(m[1], q.expected)) {{ return m[2]; }}
    }}
    return q.fallback;
  }}
  function upstream(id) {{ return id === data.root ? data.seed : byId[id].expected; }}
  function gradText(id) {{
    var g = document.querySelector('.graph g[data-node="' + id + '"][data-kind="value"]');
    if (!g) {{ return null; }}
    var texts = g.querySelectorAll("text");
    return texts.length ? texts[texts.length - 1] : null;
  }}
  function mark(id, status, number) {{
    var g = document.querySelector('.graph g[data-node="' + id + '"][data-kind="value"]');
    var text = gradText(id);
    if (g) {{ g.classList.remove("ok"); g.classList.remove("wrong"); }}
    if (g && status) {{ g.classList.add(status); }}
    if (!text) {{ return; }}
    if (!text.hasAttribute("data-right")) {{  // keep the number right-aligned in its cell
      var x = parseFloat(text.getAttribute("x")) + text.getComputedTextLength();
      text.setAttribute("data-right", String(x));
    }}
    text.setAttribute("x", text.getAttribute("data-right"));
    text.setAttribute("text-anchor", "end");
    text.textContent = number === null ? "?" : fmt(number);
  }}
  function verdict(id, cls, text) {{
    var cell = row(id).querySelector(".verdict");
    cell.textContent = "";
    var span = document.createElement("span");
    span.className = cls;
    span.textContent = text;
    cell.appendChild(span);
  }}
  function check(id) {{
    var q = byId[id], g = given(id);
    if (g === null) {{
      verdict(id, "missing", "? no answer yet"); mark(id, null, null); return "missing";
    }}
    if (isNaN(g)) {{
      verdict(id, "missing", "not a number: type e.g. 0.5 or -1.25"); mark(id, null, null);
      return "missing";
    }}
    if (close(g, q.expected)) {{
      known[id] = true; verdict(id, "ok", "\\u2713 right"); mark(id, "ok", g); return "ok";
    }}
    verdict(id, "wrong", "\\u2717 wrong: " + diagnose(q, g));
    mark(id, "wrong", g);
    return "wrong";
  }}
  function reveal(id) {{
    known[id] = true;
    verdict(id, "answer-shown", "answer: " + byId[id].sum);
    mark(id, null, byId[id].expected);
  }}
  function summary(results) {{
    var right = results.filter(function (r) {{ return r === "ok"; }}).length;
    document.getElementById("summary").textContent = right === results.length
      ? "All " + right + " grads right."
      : right + " of " + results.length + " right. Fix the first wrong one first.";
  }}
  document.querySelectorAll("tr.question").forEach(function (r) {{
    var id = r.getAttribute("data-node");
    r.querySelector("button.check").addEventListener("click", function () {{ check(id); }});
    r.querySelector("button.show").addEventListener("click", function () {{ reveal(id); }});
    r.querySelector("input.answer").addEventListener("keydown", function (event) {{
      if (event.key === "Enter") {{ event.preventDefault(); check(id); }}
    }});
  }});
  document.getElementById("check-all").addEventListener("click", function () {{
    summary(data.questions.map(function (q) {{ return check(q.id); }}));
  }});
  document.getElementById("reveal-all").addEventListener("click", function () {{
    data.questions.forEach(function (q) {{ reveal(q.id); }});
  }});
  installPanel(facts, function () {{ return document.querySelector(".graph svg"); }},
    function (id, fact) {{
      var open = id === data.root || known[id];
      var grad = ["grad", open ? fact.gradText : fact.gradText.split(" = ")[0] + " = ?",
                  "grad"];
      return factRows(facts, fact, grad, (open ? fact.locals : fact.forms) || [],
                      open ? fact.sum : fact.terms);
    }});
}})();
</script>
</body>
</html>
"""
)
