"""Finding and running a Graphviz ``dot`` program, with no manual install.

The Python ``graphviz`` package only writes DOT text; pictures come from an external
program it calls by the name ``dot``. A fresh environment often has none, and users
without root cannot ``apt install graphviz``. gradstep therefore depends on
``graphviz-pure``, a Python package that ships a static Graphviz binary named
``graphviz-pure`` (not ``dot``, so it never shadows a system Graphviz; it writes SVG
and PNG, not PDF). This module picks a program, in this order:

1. ``$GRADSTEP_DOT``, when set (an explicit choice wins);
2. the system ``dot`` on PATH;
3. ``graphviz-pure`` on PATH, next to ``sys.executable``, or in the interpreter's
   scripts folder (``sysconfig``). The last two matter in Jupyter: a kernel started
   from an IDE often has a PATH without the virtual environment's ``bin`` folder.

Each candidate must answer ``-V`` before it is used. A program that works is
remembered; a failure is not, so installing a renderer mid-session is picked up.

In the browser (Pyodide, ``sys.platform == "emscripten"``) there are no programs:
``run_dot`` hands the DOT text to Graphviz compiled to WebAssembly instead
(``engine.show.dot_wasm``), and the pictures come out the same way.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path

import graphviz

IN_BROWSER = sys.platform == "emscripten"
if IN_BROWSER:  # start the WebAssembly Graphviz now, so that it is ready for the first picture
    from . import dot_wasm

    dot_wasm.start()

ENV_VAR = "GRADSTEP_DOT"
PURE_NAME = "graphviz-pure"

INSTALL_HINT = (
    "Install one into the Python environment that runs this code, for example\n"
    f"    {sys.executable} -m pip install graphviz-pure\n"
    f"    (or: uv pip install --python {sys.executable} graphviz-pure)\n"
    "(a static Graphviz binary, no root needed; it writes SVG and PNG), or the system\n"
    "Graphviz (apt install graphviz, brew install graphviz, conda install graphviz), or\n"
    f"set {ENV_VAR} to the full path of a dot program. The DOT text needs no renderer:\n"
    "draw_dot(value).source still works."
)


class GraphvizNotFoundError(graphviz.ExecutableNotFound):
    """No Graphviz program could be found or run; the message says what to install.

    A subclass of ``graphviz.ExecutableNotFound`` (a RuntimeError), so code written
    for the graphviz package catches it too.
    """

    def __init__(self, message: str) -> None:
        RuntimeError.__init__(self, message)


@dataclass(frozen=True)
class DotProgram:
    """A Graphviz program that answered ``-V``: its path and version line."""

    path: str
    version: str

    @property
    def is_pure(self) -> bool:
        """True for graphviz-pure, which writes SVG and PNG but not PDF."""
        return "graphviz-pure" in self.version or Path(self.path).stem == PURE_NAME


# Programs that answered -V, by path. Failures are not cached, so a renderer installed
# mid-session is picked up by the next call.
_verified: dict[str, DotProgram] = {}


def candidates() -> list[str]:
    """Paths worth trying, best first, without duplicates (see the module docstring)."""
    found: list[str] = []
    override = os.environ.get(ENV_VAR)
    if override:
        found.append(override)
    dot = shutil.which("dot")
    if dot:
        found.append(dot)
    for folder in (None, *_script_dirs()):
        pure = shutil.which(PURE_NAME, path=folder)
        if pure:
            found.append(pure)
    unique: list[str] = []
    for path in found:
        if path not in unique:
            unique.append(path)
    return unique


def _script_dirs() -> list[str]:
    """Folders where pip puts a package's programs for this interpreter."""
    dirs = [str(Path(sys.executable).parent)]  # not resolved: a venv's python is a symlink
    scripts = sysconfig.get_path("scripts")
    if scripts:
        dirs.append(scripts)
    return dirs


def _version(path: str) -> str | None:
    """The program's ``-V`` line if it runs as a Graphviz program, else None."""
    try:
        done = subprocess.run([path, "-V"], capture_output=True, timeout=20, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    text = (done.stderr or done.stdout).decode("utf-8", "replace").strip()
    if done.returncode != 0 or "graphviz" not in text.lower():
        return None
    return text.splitlines()[0] if text else path


def find_dot() -> DotProgram:
    """The Graphviz program gradstep renders with, or GraphvizNotFoundError."""
    tried = candidates()
    for path in tried:
        program = _verified.get(path)
        if program is None:
            version = _version(path)
            if version is None:
                continue
            program = _verified[path] = DotProgram(path, version)
        return program
    where = ", ".join(tried) if tried else "nothing found"
    raise GraphvizNotFoundError(
        "no working Graphviz program to draw the graph with: gradstep looks for "
        f"${ENV_VAR}, the system `dot` and the `{PURE_NAME}` program of the graphviz-pure "
        f"package (tried: {where}).\n{INSTALL_HINT}"
    )


def run_dot(
    source: str,
    format: str,  # noqa: A002 - the name graphviz and dot use
    *,
    engine: str = "dot",
    extra_args: tuple[str, ...] = (),
) -> bytes:
    """Lay out DOT ``source`` and return the picture bytes in ``format`` (``svg``, ``png``).

    Raises GraphvizNotFoundError when no program works, ValueError when the program
    cannot write ``format`` (naming the formats it can), and graphviz.CalledProcessError
    for any other failure, with the program's own message.
    """
    if IN_BROWSER:
        return dot_wasm.render(source, format, engine, extra_args)
    program = find_dot()
    cmd = [program.path, f"-K{engine}", f"-T{format}", *extra_args]
    done = subprocess.run(cmd, input=source.encode("utf-8"), capture_output=True, check=False)
    if done.returncode == 0:
        return done.stdout
    message = done.stderr.decode("utf-8", "replace")
    if "not recognized" in message and "Use one of" in message:
        formats = re.sub(r"\s+", " ", message.split("Use one of:", 1)[1]).strip()
        extra = (
            " For PDF, convert the SVG, or install the system Graphviz (apt install graphviz, "
            "brew install graphviz), which gradstep prefers when it is there."
            if program.is_pure
            else ""
        )
        raise ValueError(
            f"{Path(program.path).name} cannot write {format!r} files; it writes: {formats}.{extra}"
        )
    raise graphviz.CalledProcessError(done.returncode, cmd, output=done.stdout, stderr=message)


def run_svgs(sources: list[str]) -> list[str]:
    """Each DOT source laid out as SVG: one run of the program for them all, where it is a
    program (a new process per graph would cost more than the layouts), one call per
    graph in the browser (viz.js draws only the first graph of its input).
    """
    if IN_BROWSER:
        return [run_dot(source, "svg").decode("utf-8") for source in sources]
    out = run_dot("\n".join(sources), "svg").decode("utf-8")
    svgs = [part for part in re.split(r"(?=<\?xml)", out) if "<svg" in part]
    if len(svgs) != len(sources):
        raise RuntimeError(
            f"the Graphviz program returned {len(svgs)} pictures for {len(sources)} graphs"
        )
    return svgs
