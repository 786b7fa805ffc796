"""The practice mode in Jupyter: a form with the graph, one box per grad, Check and Reveal.

``Practice`` displays through ``form_or_message``: the ipywidgets form when ipywidgets
is installed, else the questions as HTML with a line saying how to get the form.
The form only calls ``Practice.check``; every verdict and hint comes from there.
"""

from __future__ import annotations

import html
from typing import Any

from .draw import format_number
from .formula import wrap

# Practice and PracticeReport (practice.py) are annotated as Any: importing them here,
# even for type checking only, would make the two modules import each other.
Practice = PracticeReport = Any

MISSING_IPYWIDGETS = (
    "The practice form needs ipywidgets, which is not installed. It is in gradstep's lessons "
    "group: in a clone start Jupyter with `.uv/bin/uv run --group lessons jupyter lab` (see "
    "the README), or `pip install ipywidgets`, and restart the kernel. "
    "Meanwhile print(p) lists the questions and "
    "p.check({'n': 0.5, ...}) checks your answers."
)

_MARK = {"ok": ("#15803d", "✓ right"), "wrong": ("#b91c1c", "✗ wrong"), "missing": ("#92400e", "?")}


def practice_form(p: Practice) -> Any:
    """An ``ipywidgets.VBox``: the graph, a row per grad (name, input, verdict), buttons.

    The widgets are reachable for a test or a curious learner: ``box.inputs`` maps each
    asked Value to its ``Text``, ``box.verdicts`` to its verdict ``HTML``,
    ``box.check_button`` / ``box.reveal_button`` are the buttons, ``box.report`` the
    last ``PracticeReport``.
    """
    try:
        import ipywidgets as widgets
    except ImportError:
        raise ImportError(MISSING_IPYWIDGETS) from None
    root = p.root_name
    picture = widgets.HTML(picture_svg(p))
    intro = widgets.HTML(
        f"<p>The forward pass is done and d{root}/d{root} = {format_number(p.seed)}. Type "
        f"d{root}/d(node) for each node, in backward order, then press <b>Check</b>.</p>"
    )
    inputs, verdicts, rows = {}, {}, []
    for v in p.questions:
        name = wrap(p.names[v])
        label = widgets.HTML(
            f"<code>d{html.escape(root)}/d{html.escape(name)}</code> "
            f'<span style="color:#64748b">{html.escape(p.formula(v))}, '
            f"data {format_number(v.data)}</span>",
            layout=widgets.Layout(width="24em"),
        )
        box = widgets.Text(placeholder="?", layout=widgets.Layout(width="8em"))
        box.tooltip = f"d{root}/d{name}"
        verdict = widgets.HTML("")
        inputs[v], verdicts[v] = box, verdict
        rows.append(widgets.HBox([label, box, verdict]))
    check = widgets.Button(description="Check", button_style="primary")
    reveal = widgets.Button(description="Reveal answers")
    summary = widgets.HTML("")
    form = widgets.VBox([intro, picture, *rows, widgets.HBox([check, reveal]), summary])
    form.inputs, form.verdicts, form.report = inputs, verdicts, None
    form.check_button, form.reveal_button = check, reveal

    def on_check(_: Any) -> None:
        answers, unreadable = {}, []
        for v, box in inputs.items():
            text = box.value.strip()
            if not text:
                continue
            try:
                answers[v] = float(text)
            except ValueError:
                unreadable.append(v)
        report = p.check(answers)
        form.report = report
        for row in report.rows:
            verdicts[row.value].value = _verdict_html(row, row.value in unreadable)
        picture.value = picture_svg(p, answers, [r.value for r in report.wrong])
        summary.value = _summary_html(report)

    def on_reveal(_: Any) -> None:
        for v in p.questions:
            verdicts[
                v
            ].value = f'<span style="color:#475569">answer: {html.escape(p.sum_line(v))}</span>'

    check.on_click(on_check)
    reveal.on_click(on_reveal)
    return form


def form_or_message(p: Practice, include: Any, exclude: Any) -> dict[str, Any]:
    """What Jupyter shows for a Practice: the form, or the questions and how to get it."""
    try:
        form = practice_form(p)
    except ImportError:
        text = f"{p}\n\n{MISSING_IPYWIDGETS}"
        page = f"<pre>{html.escape(str(p))}</pre><p><b>{html.escape(MISSING_IPYWIDGETS)}</b></p>"
        return {"text/plain": text, "text/html": page}
    return form._repr_mimebundle_(include=include, exclude=exclude)


def picture_svg(p: Practice, given: Any = None, wrong: Any = ()) -> str:
    """The exercise's picture as inline SVG, or a note saying why it could not be drawn.

    Inline (not an image), so its nodes can be clicked; marked to shrink to the width of
    the notebook's column or the page, as ``fit_to_column`` does for a graph.
    """
    from .dot_exe import GraphvizNotFoundError

    try:
        svg = p.frame(given, wrong).pipe(format="svg", encoding="utf-8")
    except GraphvizNotFoundError as error:
        return f"<pre>(graph not drawn) {html.escape(str(error))}</pre>"
    svg = svg[svg.find("<svg") :]
    return svg.replace("<svg ", '<svg style="max-width: 100%; height: auto" ', 1)


def _verdict_html(row: Any, unreadable: bool) -> str:
    if unreadable:
        return '<span style="color:#92400e">not a number: type e.g. 0.5 or -1.25</span>'
    color, mark = _MARK[row.status]
    if row.status == "missing":
        mark = "? no answer yet"
    hint = f" &nbsp; {html.escape(row.hint)}" if row.hint else ""
    return f'<span style="color:{color}"><b>{mark}</b>{hint}</span>'


def _summary_html(report: PracticeReport) -> str:
    right = sum(r.status == "ok" for r in report.rows)
    if report.ok:
        return f'<p style="color:#15803d"><b>All {right} grads right.</b></p>'
    return (
        f"<p><b>{right} of {len(report.rows)} right.</b> Fix the first wrong one first "
        "(the picture shows your numbers; the wrong ones are shaded).</p>"
    )
