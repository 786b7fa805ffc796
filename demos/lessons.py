"""Copy the lessons (notebooks, their .py sources and their data) into a folder.

    python -m demos.lessons gradstep-lessons     # then: jupyter lab gradstep-lessons

For a learner who installed gradstep from a wheel rather than cloning it: the wheel
carries the lessons inside the ``demos`` package, and this puts a copy where Jupyter
can open it. Each lesson reads its data from ``data/`` next to itself, so the copy
runs as the clone's notebooks do. Files already in the folder are left alone unless
``--force`` is given: your own edits to a lesson are never overwritten by surprise.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def lessons_folder() -> Path:
    """Where the lessons are: inside the installed package, or the clone's notebooks/."""
    for folder in (HERE / "notebooks", HERE.parent / "notebooks"):
        if any(folder.glob("[0-9][0-9]_*.ipynb")):
            return folder
    raise FileNotFoundError(
        f"demos.lessons: no lessons found in {HERE / 'notebooks'} or {HERE.parent / 'notebooks'}; "
        "reinstall gradstep from its wheel, or run this from a clone of the repository"
    )


def lesson_files(source: Path) -> list[Path]:
    """The files a learner gets, relative to ``source``: lessons and their data."""
    lessons = sorted(source.glob("[0-9][0-9]_*.ipynb")) + sorted(source.glob("[0-9][0-9]_*.py"))
    data = sorted(p for p in (source / "data").rglob("*") if p.is_file())
    return [p.relative_to(source) for p in lessons + data]


def copy_lessons(target: Path, force: bool = False) -> list[Path]:
    """Copy every lesson file into ``target``; the paths written, in order.

    Checks for clashes before writing anything, so a refused copy leaves the folder as
    it was.
    """
    source = lessons_folder()
    files = lesson_files(source)
    clashes = [f for f in files if (target / f).exists()]
    if clashes and not force:
        raise FileExistsError(
            f"demos.lessons: {len(clashes)} of the files are already in {target} (e.g. "
            f"{clashes[0]}); pick an empty folder, or pass --force to overwrite them"
        )
    written = []
    for f in files:
        (target / f).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source / f, target / f)
        written.append(target / f)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m demos.lessons",
        description=__doc__.split("\n\n")[0],
        epilog="Open them with `jupyter lab DIR` (the README's lessons install has Jupyter).",
    )
    parser.add_argument("dir", type=Path, help="folder to copy into (made if missing)")
    parser.add_argument("--force", action="store_true", help="overwrite files already there")
    args = parser.parse_args(argv)
    try:
        written = copy_lessons(args.dir, args.force)
    except (FileExistsError, FileNotFoundError) as error:
        print(error, file=sys.stderr)
        return 1
    lessons = sum(p.suffix == ".ipynb" for p in written)
    print(f"Copied {lessons} lessons and their data ({len(written)} files) into {args.dir}.")
    print(f"Open them with: jupyter lab {args.dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
