"""Per-student backprop exercises for a class: make them, then grade what comes back.

    python -m engine.exercises list
    python -m engine.exercises make neuron --roster roster.txt --out handout --secret teacher.key
    python -m engine.exercises make neuron --count 150 --out handout --secret teacher.key
    python -m engine.exercises grade neuron submissions --secret teacher.key --out grades

``make`` writes handout/<student>/neuron.html (an offline page) and neuron.ipynb for
every student: in assignment mode (the default) without any answer, saving a
submission file to hand in; with --mode practice, the checked practice page and form.
The first ``make`` creates the secret file; keep it, and keep it out of the handout:
``grade`` needs it to verify the submissions. ``grade`` reads every *.json in the
folder and writes gradebook.csv, problems.csv and summary.txt.
"""

from __future__ import annotations

import argparse
import secrets
import sys
from pathlib import Path

from .generate import EXERCISES
from .grading import grade_folder
from .handout import MODES, read_roster, write_handout


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m engine.exercises",
        description=__doc__.split("\n\n")[0],
        epilog=__doc__.split("\n\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("list", help="the exercises, easiest first")
    make = commands.add_parser("make", help="write each student's page and notebook")
    make.add_argument("exercise", choices=list(EXERCISES))
    who = make.add_mutually_exclusive_group(required=True)
    who.add_argument("--roster", type=Path, help="a file of student ids, one a line")
    who.add_argument("--count", type=int, help="students s001, s002, ... up to this many")
    make.add_argument("--out", type=Path, required=True, help="folder for the handout")
    make.add_argument("--secret", type=Path, required=True, help="the teacher's secret file")
    make.add_argument("--mode", choices=MODES, default="assignment", help="(default: assignment)")
    grade = commands.add_parser("grade", help="grade a folder of submission files")
    grade.add_argument("exercise", choices=list(EXERCISES))
    grade.add_argument("submissions", type=Path, help="folder of *.json submissions")
    grade.add_argument("--secret", type=Path, required=True, help="the secret make used")
    grade.add_argument("--roster", type=Path, help="also report students not on it")
    grade.add_argument(
        "--out", type=Path, default=Path("."), help="folder for the reports (default: .)"
    )
    args = parser.parse_args(argv)
    try:
        if args.command == "list":
            for ex in EXERCISES.values():
                print(f"{ex.name:<8} level {ex.level}  {ex.summary}")
            return 0
        if args.command == "make":
            return make_command(args)
        return grade_command(args)
    except (OSError, ValueError, KeyError) as error:
        print(f"engine.exercises {args.command}: {error}", file=sys.stderr)
        return 2


def make_command(args: argparse.Namespace) -> int:
    if args.count is not None and not 1 <= args.count <= 9999:
        raise ValueError(f"--count must be between 1 and 9999, got {args.count}")
    students = (
        read_roster(args.roster.read_text(encoding="utf-8"))
        if args.roster
        else [f"s{i:03d}" for i in range(1, args.count + 1)]
    )
    if args.secret.resolve().is_relative_to(args.out.resolve()):
        raise ValueError(
            f"the secret {args.secret} is inside the handout folder {args.out}: students "
            "would get it; keep it elsewhere"
        )
    if not args.secret.exists():
        args.secret.write_text(secrets.token_hex(32) + "\n", encoding="utf-8")
        print(f"Wrote a new secret to {args.secret}: keep it for grading, and to yourself.")
    written = write_handout(args.exercise, students, args.out, read_secret(args.secret), args.mode)
    print(
        f"Wrote {args.exercise} in {args.mode} mode for {len(students)} students "
        f"({len(written)} files) under {args.out}/<student>/."
    )
    return 0


def grade_command(args: argparse.Namespace) -> int:
    if not args.submissions.is_dir():
        raise ValueError(f"{args.submissions} is not a folder of submissions")
    roster = read_roster(args.roster.read_text(encoding="utf-8")) if args.roster else None
    book = grade_folder(args.submissions, args.exercise, read_secret(args.secret), roster)
    args.out.mkdir(parents=True, exist_ok=True)
    book.write_csv(args.out / "gradebook.csv")
    book.write_problems(args.out / "problems.csv")
    summary = book.summary()
    (args.out / "summary.txt").write_text(summary + "\n", encoding="utf-8")
    print(summary)
    print(f"Wrote gradebook.csv, problems.csv and summary.txt to {args.out}.")
    return 0


def read_secret(path: Path) -> bytes:
    text = path.read_text(encoding="utf-8").strip()
    if len(text) < 32:
        raise ValueError(f"the secret in {path} is too short (make writes 64 hex digits)")
    return text.encode("utf-8")


if __name__ == "__main__":
    sys.exit(main())
