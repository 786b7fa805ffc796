"""Per-student exercises: seeded variants, submissions with a keyed checksum, the handout.

Grading a class is in test_grading.py; the assignment page in a browser in
test_exercises_browser.py.
"""

from __future__ import annotations

import html
import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from engine import nodes
from engine.exercises import EXERCISES, variant
from engine.exercises.assignment import Assignment
from engine.exercises.generate import LARGEST_GRAD, SMALLEST_GRAD, SMALLEST_LOCAL
from engine.exercises.handout import read_roster, write_handout
from engine.exercises.submission import (
    SubmissionError,
    make_submission,
    read_submission,
    student_key,
)
from engine.show.draw import format_number
from engine.show.node_panel import facts

ROOT = Path(__file__).resolve().parent.parent
SECRET = b"a teacher's secret, 32 characters or more"
STUDENTS = [f"s{i:03d}" for i in range(1, 151)]


def shape(root_variant) -> list[tuple[str, str]]:
    """The graph without its numbers: each asked node's name and formula."""
    p = root_variant.practice
    return [(p.names[v], p.formula(v)) for v in p.questions]


def numbers(v) -> list[float]:
    return [q.data for q in v.practice.questions]


@pytest.mark.parametrize("exercise", list(EXERCISES))
def test_a_student_always_gets_the_same_variant(exercise: str) -> None:
    a, b = variant(exercise, "s042"), variant(exercise, "s042")
    assert a.root is not b.root
    assert numbers(a) == numbers(b)
    assert a.practice.solution() == b.practice.solution()


def test_the_same_variant_in_another_interpreter_with_another_hash_seed() -> None:
    code = "from engine.exercises import variant; print(variant('mlp', 's042').practice.solution())"
    env = {**os.environ, "PYTHONHASHSEED": "12345", "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == str(variant("mlp", "s042").practice.solution())


@pytest.mark.parametrize("exercise", list(EXERCISES))
def test_150_students_get_different_numbers_of_the_same_shape_and_difficulty(exercise: str) -> None:
    variants = [variant(exercise, s) for s in STUDENTS]
    assert len({tuple(numbers(v)) for v in variants}) == len(STUDENTS)
    assert len({tuple(shape(v)) for v in variants}) == 1
    for v in variants:
        grads = v.practice.solution().values()
        assert all(SMALLEST_GRAD <= abs(g) <= LARGEST_GRAD for g in grads), v.student
        for step in v.practice.steps:
            if step.op.name in ("tanh", "sigmoid"):
                assert 0.05 <= abs(step.node.data) <= 0.95, (v.student, step.name)
        locals_ = [u.local for uses in v.practice.uses.values() for u in uses]
        assert min(abs(x) for x in locals_) >= SMALLEST_LOCAL, v.student
        # Each number is written with one decimal: hand arithmetic, not a random float.
        leaves = [q for q in v.practice.questions if not q._prev]
        assert all(math.isclose(q.data, round(q.data, 1)) for q in leaves)


def test_the_exercises_go_from_a_chain_to_an_mlp() -> None:
    sizes = [len(variant(name, "s001").practice.questions) for name in EXERCISES]
    levels = [ex.level for ex in EXERCISES.values()]
    assert levels == sorted(levels) and sizes == sorted(sizes)
    assert sizes[0] <= 6 and sizes[-1] >= 25


def test_a_variant_is_checked_by_the_practice_checker_with_its_diagnoses() -> None:
    p = variant("neuron", "s009").practice
    answers = p.solution()
    answers["n"] = -answers["n"]
    answers["s"] = answers["n"]  # n = s + b: right from the wrong dL/dn
    report = p.check(answers)
    assert report["n"].mistake == "sign"
    assert report["s"].mistake == "carried"


def test_bad_exercise_or_student_is_a_clear_error() -> None:
    with pytest.raises(KeyError, match="no exercise 'nope'; the exercises are chain"):
        variant("nope", "s001")
    with pytest.raises(ValueError, match="student id must be a non-empty str"):
        variant("chain", " ")


# -- submissions -----------------------------------------------------------------------


def write(path: Path, sub: dict) -> Path:
    path.write_text(json.dumps(sub), encoding="utf-8")
    return path


def test_a_saved_submission_reads_back_with_its_numbers(tmp_path: Path) -> None:
    key = student_key(SECRET, "chain", "s001")
    sub = make_submission(key, "chain", "s001", {"d": -2.5, "e": "\u22121.25", "a": None})
    read = read_submission(write(tmp_path / "a.json", sub), SECRET)
    assert read.answers == {"d": "-2.5", "e": "\u22121.25"}  # None: not answered, left out
    assert read.numbers() == {"d": -2.5, "e": -1.25}


@pytest.mark.parametrize(
    "change",
    [
        lambda s: s["answers"].update(d="-2.6"),
        lambda s: s.update(student="s002"),
        lambda s: s.update(exercise="neuron"),
        lambda s: s.update(saved="2030-01-01T00:00:00.000Z"),
        lambda s: s["answers"].pop("d"),
    ],
    ids=["answer", "student", "exercise", "time", "answer removed"],
)
def test_an_edited_submission_is_told_apart(tmp_path: Path, change) -> None:
    sub = make_submission(student_key(SECRET, "chain", "s001"), "chain", "s001", {"d": -2.5})
    change(sub)
    with pytest.raises(SubmissionError, match="checksum does not match") as error:
        read_submission(write(tmp_path / "a.json", sub), SECRET)
    assert error.value.kind == "edited"


def test_another_secret_or_another_students_key_does_not_verify(tmp_path: Path) -> None:
    sub = make_submission(student_key(SECRET, "chain", "s002"), "chain", "s001", {"d": 1.0})
    with pytest.raises(SubmissionError, match="checksum"):
        read_submission(write(tmp_path / "a.json", sub), SECRET)
    own = make_submission(student_key(SECRET, "chain", "s001"), "chain", "s001", {"d": 1.0})
    with pytest.raises(SubmissionError, match="checksum"):
        read_submission(write(tmp_path / "b.json", own), b"another secret, also long enough")


@pytest.mark.parametrize(
    "text, message",
    [
        ("{not json", "not a readable JSON file"),
        ("[1, 2]", "not a gradstep submission"),
        ('{"format": "gradstep-submission/1", "exercise": "chain"}', "missing field"),
        (
            '{"format": "gradstep-submission/1", "exercise": "chain", "student": "s1", '
            '"saved": "", "answers": {"d": 1.5}, "checksum": ""}',
            "answers must map node names to text",
        ),
    ],
)
def test_a_malformed_file_says_what_is_wrong(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "a.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SubmissionError, match=message) as error:
        read_submission(path, SECRET)
    assert error.value.kind == "malformed"


# -- the handout: no answer in an assignment page or notebook -------------------------


def shown_numbers(v) -> set[str]:
    """What a page must show: each node's data, the seed, the ops' constants (the 2 of e²)."""
    p = v.practice
    shown = {format_number(n.data) for n in nodes(v.root)} | {format_number(p.seed)}
    symbols = [
        " ".join([fact.get("formula", ""), fact.get("op", ""), *fact.get("forms", [])])
        for fact in facts(v.root, list(p.steps), p.names, p.seed).values()
    ]
    return shown | set(re.findall(r"\d+(?:\.\d+)?", " ".join(symbols)))


def answers_found(text: str, v) -> list[str]:
    """Each expected grad that appears in ``text``, written as Python or the page would.

    Full precision (``repr``, JSON) anywhere is an answer given away. Rounded to four
    digits (``format_number``, how pages write numbers), it is one unless the same
    number is also a node's data, which the page must show: in L = d·f, dL/dd *is* f.
    """
    found = []
    allowed = shown_numbers(v)
    # The page's words and data: not its tags (SVG coordinates), its CSS or its script
    # code (the same for every page; the JSON data blocks stay). Graphviz writes − as &#45;.
    code = re.sub(r"<style>.*?</style>|<script>.*?</script>", " ", text, flags=re.S)
    words = html.unescape(re.sub(r"<[^>]*>", " ", code))
    for name, x in v.practice.solution().items():
        if format_number(x) in allowed:
            continue
        for written in dict.fromkeys((repr(x), format_number(x))):  # repr is JSON's too
            if re.search(rf"(?<![\w.\-\u2212]){re.escape(written)}(?!\w|\.\d)", words):
                found.append(f"{name} = {written}")
    return found


@pytest.fixture(scope="module")
def handout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every exercise for 150 students in assignment mode, through the command line."""
    out = tmp_path_factory.mktemp("handout")
    for name in EXERCISES:
        result = subprocess.run(
            [sys.executable, "-m", "engine.exercises", "make", name, "--count", "150",
             "--out", str(out / "classes" / name), "--secret", str(out / "teacher.key")],
            capture_output=True, text=True, cwd=ROOT,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        assert "for 150 students (300 files)" in result.stdout
    return out


def test_no_assignment_page_or_notebook_holds_an_expected_value(handout: Path) -> None:
    files = sorted((handout / "classes").rglob("*.*"))
    assert len(files) == len(EXERCISES) * 150 * 2
    for path in files:
        exercise, student = path.parent.parent.name, path.parent.name
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".ipynb":  # what the learner reads: the cells, not nbformat's 4
            text = "\n".join("".join(c["source"]) for c in json.loads(text)["cells"])
        assert f'"{student}"' in text or f"{student!r}" in text
        assert answers_found(text, variant(exercise, student)) == [], path
        assert '"expected"' not in text and '"mistakes"' not in text


def test_the_search_finds_the_answers_in_a_practice_page(tmp_path: Path) -> None:
    """The search above can fail: in practice mode every answer is in the page."""
    write_handout("mlp", ["s001"], tmp_path, SECRET, mode="practice")
    v = variant("mlp", "s001")
    text = (tmp_path / "s001" / "mlp.html").read_text(encoding="utf-8")
    assert len(answers_found(text, v)) >= len(v.practice.questions)


def test_the_page_carries_the_students_key_and_never_the_secret(handout: Path) -> None:
    secret = (handout / "teacher.key").read_text().strip()
    text = (handout / "classes" / "neuron" / "s017" / "neuron.html").read_text()
    assert student_key(secret.encode(), "neuron", "s017") in text
    assert secret not in text
    assert not (handout / "classes" / "neuron" / "teacher.key").exists()


def test_make_refuses_a_secret_inside_the_handout(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "engine.exercises", "make", "chain", "--count", "2",
         "--out", str(tmp_path), "--secret", str(tmp_path / "k")],
        capture_output=True, text=True, cwd=ROOT,
    )  # fmt: skip
    assert result.returncode == 2 and "students would get it" in result.stderr
    assert not any(tmp_path.iterdir())


def test_a_roster_with_a_duplicate_or_an_unusable_id_is_refused() -> None:
    assert read_roster("ann\n# a comment\n\nbob  # second\n") == ["ann", "bob"]
    with pytest.raises(ValueError, match="'ann' is listed twice"):
        read_roster("ann\nann\n")
    with pytest.raises(ValueError, match="'../x' is not a usable student id"):
        read_roster("../x\n")


def test_the_assignment_notebook_runs_and_saves_a_verifiable_file(
    handout: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    notebook = json.loads((handout / "classes" / "shared" / "s005" / "shared.ipynb").read_text())
    monkeypatch.chdir(tmp_path)
    scope: dict = {}
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            source = "".join(cell["source"])
            exec(source.replace("None,", "0.25,", 2), scope)  # the learner fills in two
    secret = (handout / "teacher.key").read_text().strip().encode()
    sub = read_submission(tmp_path / "shared-s005.json", secret)
    assert (sub.exercise, sub.student) == ("shared", "s005")
    assert list(sub.numbers().values()) == [0.25, 0.25]


def test_the_notebook_form_saves_what_was_typed(tmp_path, monkeypatch) -> None:
    pytest.importorskip("ipywidgets")
    monkeypatch.chdir(tmp_path)
    key = student_key(SECRET, "chain", "s003")
    form = Assignment("chain", "s003", key).form()
    assert "Check" not in str(form.children) and "Reveal" not in str(form.children)
    form.inputs["d"].value = " -1.5 "
    form.save_button.click()
    assert "Saved 1 of 6 answers" in form.status.value
    sub = read_submission(tmp_path / "chain-s003.json", SECRET)
    assert sub.answers == {"d": "-1.5"}


def test_assignment_save_refuses_an_unknown_name_and_writes_nothing(tmp_path) -> None:
    a = Assignment("chain", "s003", student_key(SECRET, "chain", "s003"))
    with pytest.raises(KeyError, match="no node named 'zz'; the names are d, f, e, c, a, b"):
        a.save({"zz": 1.0}, tmp_path / "x.json")
    assert not (tmp_path / "x.json").exists()
    assert "a.save({'d': ..., ...}) writes chain-s003.json" in str(a)
    assert "?" in str(a) and not answers_found(str(a), variant("chain", "s003"))


def test_lesson_9s_last_exercise_ships_with_its_answers_blank() -> None:
    source = (ROOT / "notebooks" / "09_backprop_practice.py").read_text(encoding="utf-8")
    last = source.rsplit("answers = {", 1)[1].split("}", 1)[0]
    values = [line.split(":", 1)[1].split("#")[0].strip() for line in last.strip().splitlines()]
    assert len(values) == 11 and set(values) == {"None,"}


def test_the_command_line_explains_itself() -> None:
    def run(*args: str) -> str:
        return subprocess.run(
            [sys.executable, "-m", "engine.exercises", *args],
            capture_output=True, text=True, cwd=ROOT, check=True,
        ).stdout  # fmt: skip

    assert "make neuron --count 150 --out handout --secret teacher.key" in run("--help")
    assert "--mode {assignment,practice}" in run("make", "--help")
    listed = run("list").splitlines()
    assert [line.split()[0] for line in listed] == list(EXERCISES)


def test_the_practice_notebook_checks_with_the_practice_checker(tmp_path, monkeypatch) -> None:
    write_handout("chain", ["s002"], tmp_path, SECRET, mode="practice")
    notebook = json.loads((tmp_path / "s002" / "chain.ipynb").read_text(encoding="utf-8"))
    scope: dict = {}
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            source = "".join(cell["source"])
            exec(
                source.replace(
                    "'d': None", f"'d': {-variant('chain', 's002').practice.solution()['d']!r}"
                ),
                scope,
            )
    report = scope["p"].check(scope["answers"])
    assert report["d"].mistake == "sign" and len(report.missing) == 5
