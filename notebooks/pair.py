"""Build each notebook (.ipynb) from its percent-format source (.py), without outputs.

The notebooks are written as plain Python files in jupytext's "percent" format, so they
review and diff like code: ``# %%`` starts a code cell and ``# %% [markdown]`` a text
cell whose lines are commented out with ``# ``. This script turns every
``notebooks/NN_*.py`` into the ``.ipynb`` next to it, with no outputs and no execution
counts (the test run executes them). jupytext reads the same files, if you have it.

Run from the repository root: ``python notebooks/pair.py`` (all) or ``python
notebooks/pair.py notebooks/01_gradient_descent_by_hand.py`` (some). ``--check`` writes
nothing and exits 1 when a notebook differs from its source.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
CELL = re.compile(r"^# %%(?P<title>[^\[]*)(?:\[(?P<kind>\w+)\])?\s*$")
KERNEL = {
    "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
    "language_info": {"name": "python"},
}


def sources() -> list[Path]:
    """The notebook sources: ``NN_name.py`` files in this folder."""
    return sorted(p for p in HERE.glob("[0-9][0-9]_*.py"))


def _markdown(lines: list[str]) -> str:
    out = []
    for line in lines:
        if line == "#":
            out.append("")
        elif line.startswith("# "):
            out.append(line[2:])
        else:
            raise ValueError(f"markdown line is not commented out with '# ': {line!r}")
    return "\n".join(out)


def notebook(source: Path) -> nbformat.NotebookNode:
    """The notebook a percent-format source describes."""
    cells: list[tuple[str, list[str]]] = []
    for line in source.read_text(encoding="utf-8").splitlines():
        match = CELL.match(line)
        if match:
            cells.append((match["kind"] or "code", []))
        elif cells:
            cells[-1][1].append(line)
    nb = nbformat.v4.new_notebook(metadata=KERNEL)
    for kind, lines in cells:
        while lines and not lines[-1].strip():
            lines.pop()
        while lines and not lines[0].strip():
            lines.pop(0)
        if kind == "markdown":
            nb.cells.append(nbformat.v4.new_markdown_cell(_markdown(lines)))
        else:
            nb.cells.append(nbformat.v4.new_code_cell("\n".join(lines)))
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i}"  # stable ids: rebuilding gives the same file
    return nb


def text(nb: nbformat.NotebookNode) -> str:
    return nbformat.writes(nb) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", type=Path, help="sources (default: all)")
    parser.add_argument("--check", action="store_true", help="compare only; exit 1 on a diff")
    args = parser.parse_args(argv)
    stale = []
    for source in args.files or sources():
        target = source.with_suffix(".ipynb")
        wanted = text(notebook(source))
        if args.check:
            if not target.exists() or target.read_text(encoding="utf-8") != wanted:
                stale.append(target)
        else:
            target.write_text(wanted, encoding="utf-8")
            print(target)
    for target in stale:
        print(
            f"{target.name} differs from {target.with_suffix('.py').name}: the .py file is the "
            "source; edit it (not the .ipynb) and run python notebooks/pair.py"
        )
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
