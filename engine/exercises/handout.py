"""Writing each student's exercise: an offline page and a notebook, in practice or assignment mode.

``write_handout`` makes one folder per student holding ``<exercise>.html`` and
``<exercise>.ipynb``. In *practice* mode they are the practice page and form (verdicts,
hints, Reveal). In *assignment* mode neither holds an answer: the page is
``assignment_page``, the notebook makes an ``Assignment`` at run time and saves the
submission file. The notebook is written as plain nbformat-4 JSON, so making a class's
handout needs nothing beyond gradstep.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path

from ..show.assignment_html import assignment_page
from ..show.practice_html import practice_page
from .generate import EXERCISES, variant
from .submission import FORMAT, student_key

MODES = ("assignment", "practice")
STUDENT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")


def read_roster(text: str) -> list[str]:
    """Student ids, one a line; blank lines and ``#`` comments are skipped."""
    ids = [line.split("#", 1)[0].strip() for line in text.splitlines()]
    ids = [i for i in ids if i]
    bad = [i for i in ids if not STUDENT_ID.fullmatch(i)]
    if bad:
        raise ValueError(
            f"roster: {bad[0]!r} is not a usable student id (letters, digits, . _ @ -, at most "
            "64, starting with a letter or digit: it names a folder and a file)"
        )
    seen: set[str] = set()
    twice = [i for i in ids if i in seen or seen.add(i)]  # type: ignore[func-returns-value]
    if twice:
        raise ValueError(f"roster: {twice[0]!r} is listed twice")
    return ids


def write_handout(
    exercise: str, students: Iterable[str], out: Path, secret: bytes, mode: str = "assignment"
) -> list[Path]:
    """Each student's page and notebook under ``out/<student>/``; the files written."""
    if exercise not in EXERCISES:
        raise KeyError(
            f"handout: no exercise {exercise!r}; the exercises are {', '.join(EXERCISES)}"
        )
    if mode not in MODES:
        raise ValueError(f"handout: mode must be one of {', '.join(MODES)}, got {mode!r}")
    written = []
    for student in students:
        folder = Path(out) / student
        folder.mkdir(parents=True, exist_ok=True)
        v = variant(exercise, student)
        key = student_key(secret, exercise, student)
        names = [v.practice.names[q] for q in v.practice.questions]
        if mode == "assignment":
            page = assignment_page(v.practice, exercise, student, key, FORMAT)
            cells = assignment_cells(exercise, student, key, names)
        else:
            title = (
                f"Practice {exercise} for {student}: backpropagate through {v.practice.root_name}"
            )
            page = practice_page(v.root, v.practice.seed, title)
            cells = practice_cells(exercise, student, names)
        for path, text in (
            (folder / f"{exercise}.html", page),
            (folder / f"{exercise}.ipynb", notebook(cells)),
        ):
            path.write_text(text, encoding="utf-8")
            written.append(path)
    return written


def assignment_cells(
    exercise: str, student: str, key: str, names: Iterable[str]
) -> list[tuple[str, str]]:
    """The assignment notebook: the task, the form, and a dict to fill in instead."""
    blank = "".join(f"    {name!r}: None,\n" for name in names)
    return [
        (
            "markdown",
            f"# Assignment {exercise}: backprop by hand\n\nStudent **{student}**. Your numbers "
            "are yours alone. Work out every grad by hand; nothing here checks them. Save "
            f"with the form's **Save** button (or the last cell) and hand in `{exercise}-"
            f"{student}.json`.",
        ),
        (
            "code",
            "from engine.exercises.assignment import Assignment\n\n"
            f"a = Assignment({exercise!r}, {student!r}, key={key!r})\nprint(a)",
        ),
        ("code", "a  # the form: a box per grad, and Save"),
        (
            "markdown",
            "Or write your answers here (numbers, or arithmetic on the data) and run the cell: "
            "it saves them once at least one is filled in.",
        ),
        (
            "code",
            f"answers = {{\n{blank}}}\n"
            "if any(x is not None for x in answers.values()):\n    print(a.save(answers))",
        ),
    ]


def practice_cells(exercise: str, student: str, names: Iterable[str]) -> list[tuple[str, str]]:
    """The practice notebook: the form with Check and Reveal, and ``check`` on a dict."""
    blank = "".join(f"    {name!r}: None,\n" for name in names)
    return [
        (
            "markdown",
            f"# Practice {exercise}: backprop by hand\n\nStudent **{student}**. Work out every "
            "grad; **Check** says which are right and names the likely mistake of a wrong one.",
        ),
        (
            "code",
            f"from engine.exercises import variant\n\np = variant({exercise!r}, {student!r})"
            ".practice\np",
        ),
        ("code", f"answers = {{\n{blank}}}\np.check(answers)"),
    ]


def notebook(cells: list[tuple[str, str]]) -> str:
    """An nbformat-4 notebook, no outputs, from (kind, source) pairs."""

    def cell(kind: str, source: str) -> dict[str, object]:
        lines = source.splitlines(keepends=True)
        if kind == "markdown":
            return {"cell_type": "markdown", "metadata": {}, "source": lines}
        return {
            "cell_type": "code",
            "execution_count": None,
            "metadata": {},
            "outputs": [],
            "source": lines,
        }

    document = {
        "cells": [cell(kind, source) for kind, source in cells],
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 4,  # 4.5 would want an id per cell
    }
    return json.dumps(document, indent=1, ensure_ascii=False) + "\n"
