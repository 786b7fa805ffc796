"""The file a student hands in: exercise, student id, answers, and a keyed checksum.

A submission is a small JSON object::

    {"format": "gradstep-submission/1", "exercise": "neuron", "student": "s017",
     "saved": "2026-12-05T09:12:44.123Z", "answers": {"n": "0.52", "b": "0.52"},
     "checksum": "3f0c..."}

``answers`` holds each answer as the text the student typed (the page writes what is
in the box; the notebook writes ``repr`` of a number), so the checksum covers exactly
what was handed in, in JavaScript as in Python.

What the checksum is. The teacher keeps a secret (``make`` writes one). Each student's
page or notebook carries that student's *key*, HMAC-SHA256(secret, exercise + student
id): never the secret itself. The checksum is HMAC-SHA256(key, the submission's
exercise, student id, time and answers). The grader, holding the secret, recomputes
both. So:

* a file edited after it was saved (by hand, by a script, a merge gone wrong), or with
  its exercise or student id changed, does not match, and is reported as edited;
* a file for student B can only be made with B's key, which is in B's page, not A's.

What it does not do: a student can read the key out of their own page or notebook
(anything a page computes, its reader can compute) and sign answers they wrote any
way they like. That gains nothing over typing those answers into the page. Copying a
friend's answers gains nothing either, for another reason: the friend's numbers are
different (``generate``). Nor does anything here keep a student from building the
graph in gradstep, or any autograd, and reading off the grads: assignment mode keeps
the answers out of what is handed out, which is all a page can do.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

FORMAT = "gradstep-submission/1"
FIELDS = ("format", "exercise", "student", "saved", "answers", "checksum")


class SubmissionError(ValueError):
    """A file that cannot be graded; ``kind`` says why (``malformed``, ``edited``, ...)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class Submission:
    """A submission whose checksum matched; ``answers`` as typed (text)."""

    exercise: str
    student: str
    saved: str
    answers: dict[str, str]
    path: Path | None = None

    def numbers(self) -> dict[str, float | None]:
        """The answers as numbers; text that is not a number becomes None (missing)."""
        return {name: parse_answer(text) for name, text in self.answers.items()}


def student_key(secret: bytes, exercise: str, student: str) -> str:
    """The key one student's page signs with: derived from the secret, not revealing it."""
    message = json.dumps([exercise, student], ensure_ascii=False).encode("utf-8")
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def signed_text(exercise: str, student: str, saved: str, answers: Mapping[str, str]) -> bytes:
    """What the checksum covers, written the same by Python and the page's JavaScript.

    ``JSON.stringify([format, exercise, student, saved, [[name, text], ...]])`` with the
    answers sorted by name: compact JSON of strings only, so both languages agree.
    """
    entries = sorted(answers.items())
    return json.dumps(
        [FORMAT, exercise, student, saved, [list(e) for e in entries]],
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode("utf-8")


def checksum(key: str, exercise: str, student: str, saved: str, answers: Mapping[str, str]) -> str:
    signed = signed_text(exercise, student, saved, answers)
    return hmac.new(key.encode("ascii"), signed, hashlib.sha256).hexdigest()


def answer_text(answer: float | str) -> str:
    """An answer as the file stores it: a number's repr, or the typed text unchanged."""
    if isinstance(answer, bool) or not isinstance(answer, (int, float, str)):
        raise TypeError(
            f"submission: an answer must be a number or the text of one, got {answer!r:.40}"
        )
    return answer if isinstance(answer, str) else repr(float(answer))


def parse_answer(text: str) -> float | None:
    """The number typed, as the page reads it (a leading − counts as a minus); else None."""
    try:
        x = float(text.strip().replace("\u2212", "-"))
    except ValueError:
        return None
    return x if math.isfinite(x) else None


def make_submission(
    key: str,
    exercise: str,
    student: str,
    answers: Mapping[str, float | str | None],
    saved: str | None = None,
) -> dict[str, Any]:
    """The submission as a dict, ready for ``json.dump``; unanswered (None) are left out."""
    texts = {name: answer_text(a) for name, a in answers.items() if a is not None}
    saved = saved or datetime.now(timezone.utc).isoformat(timespec="milliseconds")
    return {
        "format": FORMAT,
        "exercise": exercise,
        "student": student,
        "saved": saved,
        "answers": texts,
        "checksum": checksum(key, exercise, student, saved, texts),
    }


def read_submission(path: Path, secret: bytes) -> Submission:
    """Read and verify one file; a ``SubmissionError`` says what is wrong with it."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise SubmissionError("malformed", f"not a readable JSON file ({error})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise SubmissionError("malformed", f"not a gradstep submission (no format {FORMAT!r})")
    missing = [f for f in FIELDS if f not in data]
    if missing:
        raise SubmissionError("malformed", "missing field(s): " + ", ".join(missing))
    texts = ("exercise", "student", "saved", "checksum")
    if not all(isinstance(data[f], str) for f in texts):
        raise SubmissionError("malformed", "exercise, student, saved and checksum must be text")
    answers = data["answers"]
    if not isinstance(answers, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in answers.items()
    ):
        raise SubmissionError("malformed", "answers must map node names to text")
    key = student_key(secret, data["exercise"], data["student"])
    expected = checksum(key, data["exercise"], data["student"], data["saved"], answers)
    if not hmac.compare_digest(expected, data["checksum"]):
        raise SubmissionError(
            "edited",
            "the checksum does not match: the file was changed after it was saved, or was "
            "not saved from this student's page or notebook (or with another secret)",
        )
    return Submission(data["exercise"], data["student"], data["saved"], answers, Path(path))
