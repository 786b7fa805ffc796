"""A student's exercise in assignment mode, in a notebook: the task, a form, a saved file.

``Assignment(exercise, student, key)`` makes the student's variant again from the seed
and shows the task (the graph, one box per grad) with no way to check or reveal: the
form's one button, like ``save(answers)``, writes the submission file. The answers are
not in the notebook; the ``Practice`` that would know them is kept out of sight
(``engine.practice`` on the same graph gives them to anyone who asks, as it would for
any graph: see ``submission`` for what assignment mode can and cannot promise).
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..show.draw import format_number
from ..show.formula import wrap
from ..show.practice_form import picture_svg
from .generate import variant
from .submission import make_submission


class Assignment:
    """One student's exercise to hand in: ``print(a)``, ``a`` (a form), ``a.save(answers)``."""

    def __init__(self, exercise: str, student: str, key: str) -> None:
        self.exercise, self.student, self._key = exercise, student, key
        self._practice = variant(exercise, student).practice

    @property
    def names(self) -> list[str]:
        """The nodes whose grads are asked for, in backward order: the answers' keys."""
        return [self._practice.names[v] for v in self._practice.questions]

    @property
    def file_name(self) -> str:
        return f"{self.exercise}-{self.student}.json"

    def __str__(self) -> str:
        lines = self._practice.question_lines()
        lines[0] = f"Assignment {self.exercise} for {self.student}: {lines[0]}"
        lines.append(f"Then: a.save({{{self.names[0]!r}: ..., ...}}) writes {self.file_name}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<Assignment {self.exercise} for {self.student}: {len(self.names)} grads to find>"

    def save(
        self, answers: Mapping[str, float | str | None], path: Path | str | None = None
    ) -> Path:
        """Write the submission (default: ``exercise-student.json`` here); its path.

        Unknown names are refused before anything is written; unanswered nodes (left
        out, or None) are simply not in the file.
        """
        if not isinstance(answers, Mapping):
            raise TypeError(
                "Assignment.save: answers must be a dict from a node's name to your number, "
                f"e.g. {{{self.names[0]!r}: 0.5}}; got {type(answers).__name__}"
            )
        strange = [k for k in answers if k not in self.names]
        if strange:
            raise KeyError(
                f"Assignment.save: no node named {strange[0]!r}; the names are "
                + ", ".join(self.names)
            )
        sub = make_submission(self._key, self.exercise, self.student, answers)
        target = Path(path) if path is not None else Path(self.file_name)
        target.write_text(json.dumps(sub, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        return target

    def form(self) -> Any:
        """An ipywidgets box: the graph, a box per grad, and Save (no Check, no Reveal)."""
        import ipywidgets as widgets

        p, root = self._practice, self._practice.root_name
        intro = widgets.HTML(
            f"<p>The forward pass is done and d{root}/d{root} = {format_number(p.seed)}. "
            f"Type d{root}/d(node) for each node, then press <b>Save</b>: it writes "
            f"<code>{html.escape(self.file_name)}</code> next to this notebook, to hand in. "
            "Nothing here checks your answers.</p>"
        )
        boxes, rows = {}, []
        for v in p.questions:
            label = widgets.HTML(
                f"<code>d{html.escape(root)}/d{html.escape(wrap(p.names[v]))}</code> "
                f'<span style="color:#64748b">{html.escape(p.formula(v))}, '
                f"data {format_number(v.data)}</span>",
                layout=widgets.Layout(width="24em"),
            )
            boxes[p.names[v]] = widgets.Text(placeholder="?", layout=widgets.Layout(width="8em"))
            rows.append(widgets.HBox([label, boxes[p.names[v]]]))
        save = widgets.Button(description="Save", button_style="primary")
        status = widgets.HTML("")
        box = widgets.VBox([intro, widgets.HTML(picture_svg(p)), *rows, save, status])
        box.inputs, box.save_button, box.status = boxes, save, status

        def on_save(_: Any) -> None:
            typed = {name: b.value.strip() for name, b in boxes.items() if b.value.strip()}
            where = self.save(typed)
            status.value = f"<p>Saved {len(typed)} of {len(boxes)} answers to {where}.</p>"

        save.on_click(on_save)
        return box

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        try:
            form = self.form()
        except ImportError:
            return {"text/plain": str(self)}
        return form._repr_mimebundle_(include=include, exclude=exclude)
