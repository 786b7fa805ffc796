"""The exercise page in assignment mode: answers typed, saved to a file, never checked here.

Same picture and rows as the practice page (``practice_html``), but the page knows no
answer: no expected grad, no hint computed from one, no sum with numbers in the node
panel. Its one button signs the typed answers with this student's key and downloads
them as a submission file (``engine.exercises.submission`` says what the checksum does
and does not guarantee). The signing is the browser's own HMAC-SHA256
(``crypto.subtle``), which a local file or an https page may use.

Structure for tests: each row is ``<tr class="question" data-node="v3"
data-name="n">`` holding ``input.answer``; ``#download`` saves, ``#status`` reports.
"""

from __future__ import annotations

import html
from typing import Any

from .draw import format_number
from .node_panel import (
    PAGE_HEAD,
    facts,
    facts_json,
    node_ids,
)
from .practice import Practice
from .practice_html import EXERCISE_BODY, QUESTIONS_CSS, fill_page, question_cells

# What the node panel may show in an assignment: the forward pass and the symbols.
OPEN_FACTS = ("name", "role", "data", "formula", "op", "forms", "terms", "contrib")


def assignment_page(p: Practice, exercise: str, student: str, key: str, fmt: str) -> str:
    """The page for ``student``'s exercise ``p``; ``key`` signs, ``fmt`` is the file format."""
    ids = node_ids(p.root)
    name = p.root_name
    rows = []
    for v in p.questions:
        rows.append(question_cells(p, v, ids[v]) + "</tr>")
    data: dict[str, Any] = {"format": fmt, "exercise": exercise, "student": student, "key": key}
    intro = (
        f"Student {student}, exercise {exercise}. The forward pass is done: every node shows "
        f"its data. Backward starts at {name} with d{name}/d{name} = {format_number(p.seed)}. "
        f"Work out d{name}/d(node) for each node, top row first: a node's grad adds one term "
        f"per use, d{name}/d(use) · ∂use/∂node. This page does not check your answers; when "
        "you are done, press Download and hand in the file it saves."
    )
    all_facts = facts(p.root, list(p.steps), p.names, p.seed)
    open_facts = {
        node_id: {k: v for k, v in fact.items() if k in OPEN_FACTS}
        for node_id, fact in all_facts.items()
    }
    return fill_page(
        _TEMPLATE,
        p,
        f"Assignment {exercise}: backpropagate through {name} by hand",
        intro,
        rows,
        assignment=facts_json(data),
        facts=facts_json(open_facts),
        file=html.escape(f"{exercise}-{student}.json"),
    )


_TEMPLATE = (
    PAGE_HEAD
    + QUESTIONS_CSS.replace("{", "{{").replace("}", "}}")
    + """#status {{ font-weight: bold; }}
"""
    + EXERCISE_BODY
    + """<button type="button" id="download">Download {file}</button>
<span id="status" aria-live="polite"></span>
</div>
</div>
<aside id="panel" aria-live="polite">Click a node, point at it, or reach it with
<kbd>Tab</kbd>: its value, its op and the symbols of its local derivative and of the sum
that makes its grad show here.</aside>
</div>
<script type="application/json" id="assignment">{assignment}</script>
<script type="application/json" id="facts">{facts}</script>
<script>
{panel_js}
(function () {{
  "use strict";
  var data = JSON.parse(document.getElementById("assignment").textContent);
  var facts = JSON.parse(document.getElementById("facts").textContent);
  var status = document.getElementById("status");
  // The typed answers by node name, the empty ones left out, sorted as Python sorts.
  function answers() {{
    var out = {{}};
    document.querySelectorAll("tr.question").forEach(function (r) {{
      var text = r.querySelector("input.answer").value.trim();
      if (text !== "") {{ out[r.getAttribute("data-name")] = text; }}
    }});
    return out;
  }}
  function hex(buffer) {{
    return Array.prototype.map.call(new Uint8Array(buffer), function (b) {{
      return ("0" + b.toString(16)).slice(-2);
    }}).join("");
  }}
  // HMAC-SHA256(key, the text submission.signed_text writes): the same bytes as Python.
  function sign(saved, given) {{
    var entries = Object.keys(given).sort().map(function (k) {{ return [k, given[k]]; }});
    var text = JSON.stringify([data.format, data.exercise, data.student, saved, entries]);
    var enc = new TextEncoder();
    return crypto.subtle.importKey("raw", enc.encode(data.key),
      {{ name: "HMAC", hash: "SHA-256" }}, false, ["sign"])
      .then(function (key) {{ return crypto.subtle.sign("HMAC", key, enc.encode(text)); }})
      .then(hex);
  }}
  function submission() {{
    var given = answers(), saved = new Date().toISOString();
    return sign(saved, given).then(function (sum) {{
      return {{ format: data.format, exercise: data.exercise, student: data.student,
               saved: saved, answers: given, checksum: sum }};
    }});
  }}
  window.submission = submission;  // for tests: the object Download saves
  document.getElementById("download").addEventListener("click", function () {{
    if (!(window.crypto && crypto.subtle)) {{
      status.textContent = "This browser does not let the page sign the file: open the " +
        "page as a local file (file://) or over https.";
      return;
    }}
    submission().then(function (sub) {{
      var blob = new Blob([JSON.stringify(sub, null, 1) + "\\n"], {{ type: "application/json" }});
      var link = document.createElement("a");
      link.href = URL.createObjectURL(blob);
      link.download = data.exercise + "-" + data.student + ".json";
      document.body.appendChild(link);
      link.click();
      link.remove();
      var n = Object.keys(sub.answers).length;
      status.textContent = "Saved " + n + " of " +
        document.querySelectorAll("tr.question").length + " answers to " + link.download +
        ": hand in that file.";
    }});
  }});
  installPanel(facts, function () {{ return document.querySelector(".graph svg"); }},
    function (id, fact) {{ return factRows(facts, fact, null, fact.forms || [], fact.terms); }});
}})();
</script>
</body>
</html>
"""
)
