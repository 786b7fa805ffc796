"""Grading a class in one command: 150 simulated submissions, some broken, into a gradebook.

Every student gets the 2-2-1 MLP exercise (27 grads). Each submission is made as a
student would make it (``make_submission`` with that student's key) from the right
answers with one kind of mistake put in, chosen by the student's number; some files are
broken on purpose. The command line grades the folder; the gradebook must say, for
every student, what ``Practice.check`` says, and the broken files must be reported one
by one without costing anyone else their grade.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from engine.exercises import variant
from engine.exercises.submission import make_submission, student_key

ROOT = Path(__file__).resolve().parent.parent
SECRET = "0123456789abcdef" * 4
STUDENTS = [f"s{i:03d}" for i in range(1, 151)]
EXERCISE = "mlp"

# What each student's submission gets wrong, by student number mod 8, and where.
KINDS = {
    0: ("right", None),
    1: ("not summed", "x1"),  # x1 feeds both hidden neurons
    2: ("not multiplied", "n1"),  # dL/dh1 handed through tanh unchanged
    3: ("input for output", "n1"),  # 1 − n1² for 1 − h1²
    4: ("sign", "w11"),
    5: ("carried", "n1"),  # h1 wrong (sign), n1 right from it
    6: ("missing", None),  # the last ten left blank, one typed as words
    7: ("unrecognised", "e"),  # a number no known mistake gives
}


def mistaken(student: str, node: str, kind: str) -> float:
    """The number the mistake ``kind`` gives at ``node``, as ``Practice.mistakes`` has it."""
    p = variant(EXERCISE, student).practice
    (value,) = [v for v in p.questions if p.names[v] == node]
    return next(number for m, number, _ in p.mistakes(value) if m == kind)


def answers_for(student: str) -> dict[str, str]:
    p = variant(EXERCISE, student).practice
    answers: dict[str, float | str] = dict(p.solution())
    kind, node = KINDS[int(student[1:]) % 8]
    if kind == "carried":
        h1 = -answers["h1"]  # a sign mistake one step up...
        (h1_value,) = [v for v in p.questions if p.names[v] == "h1"]
        answers["h1"] = h1
        answers["n1"] = h1 * (1 - h1_value.data**2)  # ...carried down correctly
    elif kind == "missing":
        for name in list(answers)[-10:]:
            del answers[name]
        answers["e"] = "minus one point four"
    elif kind == "unrecognised":
        answers[node] = 12345.0
    elif node is not None:
        answers[node] = mistaken(student, node, kind)
    return {name: repr(x) if isinstance(x, float) else x for name, x in answers.items()}


def save(folder: Path, name: str, sub: dict) -> None:
    (folder / name).write_text(json.dumps(sub, indent=1), encoding="utf-8")


def submit(student: str, answers, exercise: str = EXERCISE, saved: str | None = None) -> dict:
    key = student_key(SECRET.encode(), exercise, student)
    return make_submission(key, exercise, student, answers, saved=saved)


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("class")
    subs = work / "submissions"
    subs.mkdir()
    for student in STUDENTS:
        save(
            subs,
            f"{student}.json",
            submit(student, answers_for(student), saved="2026-12-01T10:00:00.000Z"),
        )
    # The broken ones, each next to a good file of the same student or of nobody.
    (subs / "s001-broken.json").write_text("{ this is not json", encoding="utf-8")
    edited = submit("s002", answers_for("s002"))
    edited["answers"]["e"] = "0"  # changed by hand after saving
    save(subs, "s002-edited.json", edited)
    save(subs, "s003-neuron.json", submit("s003", {"n": 0.5}, exercise="neuron"))
    # s016 saved twice: an early attempt, then the real one (graded).
    save(subs, "s016-early.json", submit("s016", {"e": 1.0}, saved="2026-11-30T09:00:00.000Z"))
    save(subs, "s004-strange.json", submit("s004", {"zz": "1"}))
    save(subs, "x999.json", submit("x999", {"e": "1"}))  # not on the roster
    (subs / "notes.txt").write_text("not a submission: ignored", encoding="utf-8")
    (work / "teacher.key").write_text(SECRET + "\n", encoding="utf-8")
    (work / "roster.txt").write_text("\n".join(STUDENTS) + "\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "engine.exercises", "grade", EXERCISE, str(subs),
         "--secret", str(work / "teacher.key"), "--roster", str(work / "roster.txt"),
         "--out", str(work / "grades")],
        capture_output=True, text=True, cwd=ROOT, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    (work / "stdout.txt").write_text(result.stdout, encoding="utf-8")
    return work / "grades"


def rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_every_student_is_in_the_gradebook_once(graded: Path) -> None:
    book = rows(graded / "gradebook.csv")
    assert [r["student"] for r in book] == STUDENTS
    assert {r["out_of"] for r in book} == {"27"}
    assert next(r for r in book if r["student"] == "s016")["file"] == "s016.json"


def test_the_gradebook_says_what_the_practice_checker_says(graded: Path) -> None:
    for row in rows(graded / "gradebook.csv"):
        p = variant(EXERCISE, row["student"]).practice
        answers = json.loads(
            (graded.parent / "submissions" / row["file"]).read_text(encoding="utf-8")
        )["answers"]
        numbers = {}
        for name, text in answers.items():
            try:
                numbers[name] = float(text)
            except ValueError:
                numbers[name] = None
        report = p.check(numbers)
        assert int(row["score"]) == sum(r.status == "ok" for r in report.rows)
        for r in report.rows:
            want = r.status if r.status != "wrong" else f"wrong: {r.mistake or 'unrecognised'}"
            assert row[r.name] == want, (row["student"], r.name)


def test_each_kind_of_mistake_is_named_where_it_was_made(graded: Path) -> None:
    for row in rows(graded / "gradebook.csv"):
        kind, node = KINDS[int(row["student"][1:]) % 8]
        wrong = {n: v for n, v in row.items() if v.startswith("wrong")}
        if kind == "right":
            assert row["score"] == "27" and not wrong
            assert row["most_common_mistake"] == ""
        elif kind == "missing":
            assert row["score"] == "16" and not wrong  # 27 − 10 blank − 1 in words
            assert list(row.values()).count("missing") == 11
        elif kind == "carried":
            assert wrong == {"h1": "wrong: sign", "n1": "wrong: carried"}
        else:
            assert wrong == {node: f"wrong: {kind}"}, row["student"]
            assert row["most_common_mistake"] == kind
            assert row["score"] == "26"


def test_each_broken_file_is_reported_with_its_reason(graded: Path) -> None:
    problems = {r["file"]: r["problem"] for r in rows(graded / "problems.csv")}
    assert problems == {
        "s001-broken.json": "malformed",
        "s002-edited.json": "edited",
        "s003-neuron.json": "wrong exercise",
        "s004-strange.json": "malformed",
        "s016-early.json": "duplicate",
        "x999.json": "unknown student",
    }


def test_the_class_summary_counts_mistakes_by_kind(graded: Path) -> None:
    summary = (graded / "summary.txt").read_text(encoding="utf-8")
    assert summary == (graded.parent / "stdout.txt").read_text().split("Wrote gradebook")[0]
    assert summary.startswith(f"{EXERCISE}: 150 submissions graded, 6 not.")
    per_kind = Counter(KINDS[int(s[1:]) % 8][0] for s in STUDENTS)
    assert f"All right: {per_kind['right']} of 150;" in summary
    answers = dict(per_kind)
    answers["sign"] += per_kind["carried"]  # each carried also has its sign mistake above
    for kind in ("not summed", "not multiplied", "input for output", "sign", "carried"):
        line = next(line for line in summary.splitlines() if line.strip().startswith(kind))
        assert line.split()[-2:] == [str(answers[kind]), str(answers[kind])], line
    assert "Most often wrong: n1 (" in summary
    assert "  s002-edited.json: edited: the checksum does not match" in summary


def test_the_readme_quotes_this_summary(graded: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    quoted = readme.split("```\nmlp: 150 submissions graded", 1)[1].split("```", 1)[0]
    summary = (graded / "summary.txt").read_text(encoding="utf-8").splitlines()
    lines = ["mlp: 150 submissions graded" + quoted.splitlines()[0], *quoted.splitlines()[1:]]
    assert len(lines) >= 6
    for line in lines:
        assert line.strip() == "..." or line in summary, line
