"""Grading a folder of submissions with the practice checker: a gradebook and a summary.

Each file is read and verified (``submission``); its student's exercise is made again
from the seed (``generate.variant``) and the answers go through ``Practice.check``: the
verdicts and the diagnosed mistakes are the ones the practice page and form give. A file
that cannot be graded (malformed, edited, for another exercise, for a student not on the
roster, a student's older duplicate) is reported with its reason and skipped: it never
stops the run or touches another student's grade.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from ..show.practice import PracticeReport
from .generate import EXERCISES, variant
from .submission import Submission, SubmissionError, read_submission

UNRECOGNISED = "unrecognised"  # a wrong answer no known mistake explains


@dataclass(frozen=True)
class Problem:
    """A file that was not graded, and why."""

    file: str
    kind: str
    message: str


@dataclass(frozen=True)
class Grade:
    """One student's graded submission."""

    submission: Submission
    report: PracticeReport

    @property
    def score(self) -> int:
        return sum(r.status == "ok" for r in self.report.rows)

    def mistakes(self) -> list[str]:
        """The kind of each wrong answer, in backward order."""
        return [r.mistake or UNRECOGNISED for r in self.report.wrong]

    def most_common_mistake(self) -> str:
        """The kind this student made most often (the earliest on a tie), or ''."""
        counts = Counter(self.mistakes())
        return max(counts, key=counts.__getitem__) if counts else ""


@dataclass(frozen=True)
class Gradebook:
    """The grades (by student id, sorted), the files not graded, and the node names."""

    exercise: str
    nodes: tuple[str, ...]
    grades: tuple[Grade, ...]
    problems: tuple[Problem, ...]

    def write_csv(self, path: Path) -> None:
        """One row per student: score, most common mistake, a verdict per node."""
        with open(path, "w", newline="", encoding="utf-8") as f:
            out = csv.writer(f)
            out.writerow(["student", "file", "score", "out_of", "most_common_mistake", *self.nodes])
            for g in self.grades:
                verdicts = {r.name: verdict_text(r.status, r.mistake) for r in g.report.rows}
                out.writerow(
                    [
                        g.submission.student,
                        g.submission.path.name if g.submission.path else "",
                        g.score,
                        len(g.report.rows),
                        g.most_common_mistake(),
                        *(verdicts[n] for n in self.nodes),
                    ]
                )

    def write_problems(self, path: Path) -> None:
        with open(path, "w", newline="", encoding="utf-8") as f:
            out = csv.writer(f)
            out.writerow(["file", "problem", "message"])
            out.writerows([p.file, p.kind, p.message] for p in self.problems)

    def summary(self) -> str:
        """What to look at before the next lecture: mistakes by kind, the hardest nodes."""
        graded = len(self.grades)
        lines = [f"{self.exercise}: {graded} submissions graded, {len(self.problems)} not."]
        if graded:
            full = sum(g.report.ok for g in self.grades)
            mean = sum(g.score for g in self.grades) / graded
            lines.append(
                f"All right: {full} of {graded}; mean score {mean:.1f} of {len(self.nodes)}."
            )
            answers: Counter[str] = Counter()
            students: Counter[str] = Counter()
            for g in self.grades:
                kinds = g.mistakes()
                answers.update(kinds)
                students.update(set(kinds))
            if answers:
                lines.append("Wrong answers by kind of mistake (answers, students):")
                for kind, n in answers.most_common():
                    lines.append(f"  {kind:<17} {n:>5}  {students[kind]:>4}")
            wrong_at = Counter(r.name for g in self.grades for r in g.report.wrong)
            if wrong_at:
                top = ", ".join(f"{name} ({n})" for name, n in wrong_at.most_common(3))
                lines.append(f"Most often wrong: {top}.")
        if self.problems:
            lines.append("Not graded:")
            lines.extend(f"  {p.file}: {p.kind}: {p.message}" for p in self.problems)
        return "\n".join(lines)


def verdict_text(status: str, mistake: str | None) -> str:
    """``ok``, ``missing``, or ``wrong: sign`` (``wrong: unrecognised`` when none fits)."""
    return f"wrong: {mistake or UNRECOGNISED}" if status == "wrong" else status


def grade_folder(
    folder: Path, exercise: str, secret: bytes, roster: Iterable[str] | None = None
) -> Gradebook:
    """Grade every ``*.json`` in ``folder`` for ``exercise``; nothing here raises per file."""
    if exercise not in EXERCISES:
        raise KeyError(f"grade: no exercise {exercise!r}; the exercises are {', '.join(EXERCISES)}")
    known = None if roster is None else set(roster)
    problems: list[Problem] = []
    latest: dict[str, Submission] = {}
    for path in sorted(Path(folder).glob("*.json")):
        try:
            sub = read_submission(path, secret)
            check_belongs(sub, exercise, known)
        except SubmissionError as error:
            problems.append(Problem(path.name, error.kind, str(error)))
            continue
        earlier = latest.get(sub.student)
        if earlier is None:
            latest[sub.student] = sub
            continue
        keep, drop = (sub, earlier) if when(sub) > when(earlier) else (earlier, sub)
        latest[sub.student] = keep
        assert drop.path is not None and keep.path is not None
        problems.append(
            Problem(
                drop.path.name,
                "duplicate",
                f"another submission of {sub.student} was saved later: {keep.path.name} is graded",
            )
        )
    grades = []
    for student in sorted(latest):
        sub = latest[student]
        practice = variant(exercise, student).practice
        grades.append(Grade(sub, practice.check(sub.numbers())))
    nodes = tuple(variant(exercise, "anyone").practice.solution())
    return Gradebook(exercise, nodes, tuple(grades), tuple(problems))


def check_belongs(sub: Submission, exercise: str, roster: set[str] | None) -> None:
    """A verified file is for this exercise, a student on the roster, and its nodes."""
    if sub.exercise != exercise:
        raise SubmissionError(
            "wrong exercise", f"a submission for {sub.exercise!r}, not {exercise!r}"
        )
    if roster is not None and sub.student not in roster:
        raise SubmissionError("unknown student", f"{sub.student!r} is not on the roster")
    nodes = set(variant(exercise, sub.student).practice.solution())
    strange = sorted(set(sub.answers) - nodes)
    if strange:
        raise SubmissionError(
            "malformed", f"answers for nodes this exercise does not have: {', '.join(strange)}"
        )


def when(sub: Submission) -> datetime:
    """The time a submission was saved; an unreadable time counts as the earliest."""
    try:
        saved = datetime.fromisoformat(sub.saved.replace("Z", "+00:00"))
    except ValueError:
        return datetime.min.replace(tzinfo=timezone.utc)
    return saved if saved.tzinfo else saved.replace(tzinfo=timezone.utc)
