"""One self-contained HTML page that steps through backprop: ``export_backprop_html``.

The page holds every frame of ``engine.backprop_steps`` as inline SVG, with Prev / Next
buttons, a slider, the arrow keys, a step counter and the chain-rule lines of the
current step. It loads nothing (no scripts, fonts or images from anywhere), so it
opens by double-click, offline, in any browser, and can be mailed or put on a course
page as one file.

The structure is plain HTML a test (or a curious reader) can query: each frame is a
``<section class="frame" data-step="k">`` holding ``.headline``, ``.rule`` (the
chain-rule lines), ``.why`` (where the local derivatives come from) and the SVG, in
which the node of the step has the class ``current``. ``#counter`` says ``Step k of n``.

Every node of every picture carries ``data-node="v3"`` (its Value's name in
``draw_dot``) and an id ``f{frame}-v3``; clicking, hovering or focusing one shows in
``#panel`` its value, grad, op, local derivatives and the chain-rule sum that made its
grad (``node_panel``). ``practice=True`` writes the exercise page (``practice_html``).
"""

from __future__ import annotations

import html
import os
import re
from pathlib import Path

from ..core.value import Value
from .dot_exe import run_svgs
from .draw import HIGHLIGHT, UPDATED, format_number
from .node_panel import PAGE_CSS, PAGE_HEAD, PANEL_CSS, PANEL_JS, facts, facts_json, tag_nodes
from .stepper import PARTIAL, PENDING, BackpropSteps, grads_kept

__all__ = ["DEFAULT_MAX_VALUES", "export_backprop_html"]

# One picture per step makes the page grow with (Values x steps): 150 Values (an
# MLP(2, [4, 4, 1]) on one input has about 120) make pages of a few MB. Beyond that
# a learner cannot follow the steps anyway.
DEFAULT_MAX_VALUES = 150


def export_backprop_html(
    root: Value,
    path: str | os.PathLike[str],
    *,
    grad: float = 1.0,
    title: str | None = None,
    max_values: int | None = DEFAULT_MAX_VALUES,
    practice: bool = False,
) -> str:
    """Step through backward from ``root`` and write every step to one HTML file.

    It runs the backward pass (``backprop_steps``) to record the steps, then puts
    every ``.grad`` back as it was: writing the page changes nothing. ``title``
    heads the page. Graphs over ``max_values`` Values raise ValueError (``None`` lifts
    the limit: the page holds one picture per step). Returns the path written.

    Clicking, hovering or focusing (Tab) a node of the picture shows its value, grad,
    op, local derivative(s) and the chain-rule sum that made its grad.

    ``practice=True`` writes the exercise instead (``engine.practice``): the graph with
    the grads hidden, a box per node for the learner's grad, Check per node or all at
    once, hints for the usual mistakes, and Reveal.
    """
    if not isinstance(root, Value):
        raise TypeError(
            "export_backprop_html: expected a Value (the result to backpropagate from, "
            f"e.g. the loss), got {type(root).__name__} ({root!r:.60})"
        )
    target = Path(path)
    if target.suffix.lower() not in (".html", ".htm"):
        raise ValueError(
            f"export_backprop_html: write to a file ending in .html, got {os.fspath(path)!r}"
        )
    if not isinstance(practice, bool):
        raise TypeError(f"export_backprop_html: practice must be True or False, got {practice!r}")
    _check_size(root, max_values)
    if practice:
        from .practice_html import practice_page

        page = practice_page(root, grad, title)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(page, encoding="utf-8")
        return os.fspath(path)
    with grads_kept(root):
        stepper = BackpropSteps(root, grad, where="export_backprop_html")
        for _ in stepper:
            pass
    svgs = _frames_svg(stepper)
    page = _page(stepper, svgs, title)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(page, encoding="utf-8")
    return os.fspath(path)


def _check_size(root: Value, max_values: int | None) -> None:
    from ..core.autodiff import topological_order

    if max_values is None:
        return
    if not isinstance(max_values, int) or isinstance(max_values, bool) or max_values < 1:
        raise ValueError(
            "export_backprop_html: max_values must be a positive int (or None for no "
            f"limit); got {max_values!r}"
        )
    order, leaves = topological_order(root)
    size = len(order) + len(leaves)
    if size > max_values:
        raise ValueError(
            f"export_backprop_html: this graph has {size} Values and {len(order)} steps, "
            f"over max_values={max_values}; the page holds one picture per step, so it "
            "would be large and hard to follow. Step through a smaller part (one neuron, "
            f"one input), or pass max_values={size} to write it anyway."
        )


def _frames_svg(stepper: BackpropSteps) -> list[str]:
    """Every frame as SVG (``run_svgs``: one run of the Graphviz program for them all).

    Frames differ only in text and colours (the stepper keeps their node sizes equal),
    so they are laid out alike and the picture does not jump between steps.
    """
    svgs = run_svgs([stepper.frame(k).source for k in range(stepper.total + 1)])
    return [_own_ids(tag_nodes(svg[svg.index("<svg") :]), k) for k, svg in enumerate(svgs)]


def _own_ids(svg: str, k: int) -> str:
    """Prefix the SVG's element ids with its frame, so the page has no duplicate ids."""
    svg = re.sub(r'\bid="', f'id="f{k}-', svg)
    return re.sub(r'(href=|url\()"?#', lambda m: f"{m.group(0)}f{k}-", svg)


def _page(stepper: BackpropSteps, svgs: list[str], title: str | None) -> str:
    trace = stepper._trace
    n = stepper.total
    name = trace.root_name
    heading = title or f"Backpropagation through {name}, one step at a time"
    frames = []
    for k, svg in enumerate(svgs):
        head, rule, why = _texts(stepper, k)
        frames.append(
            f'<section class="frame" data-step="{k}"{"" if k == 0 else " hidden"}>\n'
            f'<div class="text"><h2 class="headline">{html.escape(head)}</h2>\n'
            f'<div class="rule">{_lines(rule)}</div>\n'
            f'<div class="why">{_lines(why)}</div></div>\n'
            f'<div class="graph">{svg}</div>\n</section>'
        )
    seed = format_number(trace.root_grad)
    intro = (
        f"Backward starts at {name} (d{name}/d{name} = {seed}) and walks back to the "
        "inputs. Each step takes one node, marked in red, and hands its gradient to "
        "the node's operands by the chain rule: an operand's grad grows by "
        f"d{name}/d(node) · ∂node/∂operand, the node's grad times the local derivative of "
        "that one op (∂: local, d: the gradient of "
        f"{name} built up so far)."
    )
    node_facts = facts(stepper._trace.root, stepper.steps, trace.names, trace.root_grad)
    return _TEMPLATE.format(
        facts=facts_json(node_facts),
        page_css=PAGE_CSS,
        panel_css=PANEL_CSS,
        panel_js=PANEL_JS,
        title=html.escape(heading),
        intro=html.escape(intro),
        n=n,
        frames="\n".join(frames),
        pending=html.escape(PENDING),
        partial=html.escape("0.5" + PARTIAL),
        highlight=HIGHLIGHT,
        updated=UPDATED,
    )


def _texts(stepper: BackpropSteps, k: int) -> tuple[str, list[str], list[str]]:
    """A frame's headline, chain-rule lines and local-derivative lines."""
    trace = stepper._trace
    if k == 0:
        head, lines = trace.caption(0)
        return f"Start: {head.removeprefix('start: ')}", lines, []
    step = trace.step(k)
    why = [f"local derivative: {line}" for line in step.local_lines]
    if k == stepper.total:
        why.append(
            "That was the last step: every grad is final, the same numbers backward() "
            "computes in one go."
        )
    return f"Step {k}: {step.formula}", step.lines, why


def _lines(lines: list[str]) -> str:
    return "".join(f"<div>{html.escape(line)}</div>" for line in lines)


_TEMPLATE = (
    PAGE_HEAD
    + """.controls {{ display: flex; align-items: center; gap: .6em; flex-wrap: wrap;
  position: sticky; top: 0; background: #fff; padding: .4em 0; z-index: 1; }}
.controls button {{ font-size: 1em; padding: .3em .9em; cursor: pointer; }}
.controls input[type=range] {{ flex: 1; min-width: 10em; }}
#counter {{ font-weight: bold; min-width: 11em; }}
.headline {{ font-size: 1.1em; margin: .6em 0 .3em 0; font-family: ui-monospace, Menlo,
  Consolas, monospace; }}
.rule {{ font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 1.05em;
  background: #fff1f2; border-left: 4px solid {highlight}; padding: .4em .7em;
  white-space: pre-wrap; line-height: 1.4; }}
.why {{ font-family: ui-monospace, Menlo, Consolas, monospace; color: #475569;
  padding: .3em .7em; white-space: pre-wrap; line-height: 1.4; }}
.graph g.current > path, .graph g.current > polygon:first-of-type {{ stroke-width: 2.5; }}
.frame .text {{ box-sizing: border-box; border: 1px solid #e2e8f0; border-radius: 6px;
  padding: 0 .6em .3em .6em; margin-bottom: .5em; }}
.frame .graph {{ overflow: auto; border: 1px solid #e2e8f0; border-radius: 6px; }}
.frame .graph svg {{ max-width: none; }}
.zoom {{ display: inline-flex; align-items: center; gap: .3em; }}
#zoom-level {{ min-width: 3.5em; text-align: center; }}
.legend {{ color: #475569; font-size: .9em; margin-top: .6em; line-height: 1.6; }}
.swatch {{ display: inline-block; width: .9em; height: .9em; vertical-align: middle;
  border: 1px solid #94a3b8; }}
kbd {{ border: 1px solid #94a3b8; border-radius: 3px; padding: 0 .3em; font-size: .9em; }}
{panel_css}
</style>
</head>
<body>
<h1>{title}</h1>
<p class="intro">{intro}</p>
<div class="controls">
<button id="prev" type="button" title="previous step (left arrow)">&#9664; Prev</button>
<input id="slider" type="range" min="0" max="{n}" value="0" step="1" aria-label="step">
<button id="next" type="button" title="next step (right arrow)">Next &#9654;</button>
<span id="counter" aria-live="polite">Start: step 0 of {n}</span>
<span class="zoom"><button id="zoom-out" type="button" title="smaller (-)">&minus;</button>
<span id="zoom-level" title="the picture's size; at 100% its smallest text is 13 px">100%</span>
<button id="zoom-in" type="button" title="larger (+)">+</button></span>
</div>
<div class="layout">
<div class="main" id="frames">
{frames}
</div>
<aside id="panel" aria-live="polite">Click a node, point at it, or reach it with
<kbd>Tab</kbd>: its value, grad, op and the chain rule that made its grad show here.</aside>
</div>
<p class="legend">
<span class="swatch" style="background: {highlight}"></span> the node of this step
(its name in red), its op and its arrows &nbsp;
<span class="swatch" style="background: {updated}"></span> grads this step added to &nbsp;
<b>{pending}</b> grad not reached yet &nbsp;
<b>{partial}</b> grad so far, more contributions to come<br>
Keys: <kbd>&rarr;</kbd> next, <kbd>&larr;</kbd> previous, <kbd>Home</kbd> start,
<kbd>End</kbd> last step, <kbd>+</kbd> <kbd>&minus;</kbd> zoom. A picture larger than its
pane scrolls; each step brings its node into view.
</p>
<script type="application/json" id="facts">{facts}</script>
<script>
{panel_js}
(function () {{
  "use strict";
  var frames = Array.prototype.slice.call(document.querySelectorAll(".frame"));
  var last = frames.length - 1;
  var slider = document.getElementById("slider");
  var counter = document.getElementById("counter");
  var prev = document.getElementById("prev");
  var next = document.getElementById("next");
  var controls = document.querySelector(".controls");
  var shown = 0;
  function show(k) {{
    k = Math.max(0, Math.min(last, k));
    var from = pane(shown);
    frames[shown].hidden = true;
    frames[k].hidden = false;
    pane(k).scrollLeft = from.scrollLeft;  // frames are laid out alike: keep the place
    pane(k).scrollTop = from.scrollTop;
    shown = k;
    slider.value = String(k);
    counter.textContent = k === 0 ? "Start: step 0 of " + last : "Step " + k + " of " + last;
    prev.disabled = k === 0;
    next.disabled = k === last;
    if (panel) {{ panel.refresh(); }}
    reveal();
  }}
  function pane(k) {{ return frames[k].querySelector(".graph"); }}
  // Bring the step's node into view: scroll its pane to centre it when it is outside,
  // then the page, so the step's text and pane sit under the controls, if it is still
  // outside the window.
  function reveal() {{
    var node = frames[shown].querySelector("svg g.current");
    if (!node) {{ return; }}
    var box = pane(shown), r = node.getBoundingClientRect(), p = box.getBoundingClientRect();
    var left = p.left + box.clientLeft, top = p.top + box.clientTop;
    if (r.left < left || r.right > left + box.clientWidth) {{
      box.scrollLeft += (r.left + r.right) / 2 - (left + box.clientWidth / 2);
    }}
    if (r.top < top || r.bottom > top + box.clientHeight) {{
      box.scrollTop += (r.top + r.bottom) / 2 - (top + box.clientHeight / 2);
    }}
    r = node.getBoundingClientRect();
    var under = controls.offsetHeight;  // the controls stick to the top of the window
    if (r.top < under || r.bottom > window.innerHeight) {{
      window.scrollBy(0, frames[shown].getBoundingClientRect().top - under);
    }}
  }}
  // Zoom: every picture at its natural size times the zoom; at 100% its smallest text
  // (Graphviz's 10 pt) is 13 px, so the default reads without zooming in.
  var levels = [0.25, 0.33, 0.5, 0.67, 0.8, 1, 1.25, 1.5, 2];
  var level = levels.indexOf(1);
  var natural = frames.map(function (frame) {{
    var svg = frame.querySelector("svg");
    return [svg.width.baseVal.value, svg.height.baseVal.value];
  }});
  function zoomTo(to) {{
    level = Math.max(0, Math.min(levels.length - 1, to));
    var z = levels[level];
    frames.forEach(function (frame, k) {{
      var svg = frame.querySelector("svg");
      svg.style.width = natural[k][0] * z + "px";
      svg.style.height = natural[k][1] * z + "px";
    }});
    document.getElementById("zoom-level").textContent = Math.round(z * 100) + "%";
    document.getElementById("zoom-out").disabled = level === 0;
    document.getElementById("zoom-in").disabled = level === levels.length - 1;
    reveal();
  }}
  var facts = JSON.parse(document.getElementById("facts").textContent);
  var panel = null;
  panel = installPanel(facts, function () {{
    return frames[shown].querySelector("svg");
  }}, function (id, fact) {{
    var rows = [["value", "data = " + fact.data, "data"],
                ["grad, after the whole pass", fact.gradText, "grad"]];
    if (fact.op) {{
      rows.push(["op " + fact.op, fact.formula, "op"]);
      rows.push(["local derivatives", fact.locals.join("\\n"), "locals"]);
    }} else {{
      rows.push(["what it is", fact.formula, "op"]);
    }}
    rows.push(["the chain rule: one term per use", fact.sum, "sum"]);
    if (fact.contrib.length) {{
      rows.push(["made from the grads of (highlighted)",
                 fact.contrib.map(function (c) {{ return facts[c].name; }}).join(", "),
                 "contrib"]);
    }}
    return rows;
  }});
  prev.addEventListener("click", function () {{ show(shown - 1); }});
  next.addEventListener("click", function () {{ show(shown + 1); }});
  slider.addEventListener("input", function () {{ show(parseInt(slider.value, 10)); }});
  document.getElementById("zoom-out").addEventListener("click", function () {{
    zoomTo(level - 1);
  }});
  document.getElementById("zoom-in").addEventListener("click", function () {{
    zoomTo(level + 1);
  }});
  // Give every frame's text the height of the tallest, so the picture stays put.
  function fitText() {{
    var width = document.getElementById("frames").clientWidth + "px";
    var tallest = 0;
    frames.forEach(function (frame) {{
      var text = frame.querySelector(".text");
      var hidden = frame.hidden;
      text.style.minHeight = "";
      frame.hidden = false;
      frame.style.cssText = "visibility: hidden; position: absolute; width: " + width;
      tallest = Math.max(tallest, text.offsetHeight);
      frame.style.cssText = "";
      frame.hidden = hidden;
    }});
    // Controls, text and pane fit the window together; a larger picture scrolls.
    var room = Math.max(240, window.innerHeight - controls.offsetHeight - tallest - 24);
    frames.forEach(function (frame) {{
      frame.querySelector(".text").style.minHeight = tallest + "px";
      frame.querySelector(".graph").style.maxHeight = room + "px";
    }});
  }}
  window.addEventListener("resize", fitText);
  fitText();
  zoomTo(level);
  document.addEventListener("keydown", function (event) {{
    if (event.target === slider) {{ return; }}  // the slider moves itself with the arrows
    var to = {{ArrowRight: shown + 1, ArrowLeft: shown - 1, Home: 0, End: last}}[event.key];
    if (to !== undefined) {{ event.preventDefault(); show(to); }}
    var zoom = {{"+": level + 1, "=": level + 1, "-": level - 1}}[event.key];
    if (zoom !== undefined) {{ event.preventDefault(); zoomTo(zoom); }}
  }});
  show(0);
}})();
</script>
</body>
</html>
"""
)
