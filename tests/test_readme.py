"""The README is true: its Start commands are the ones CI runs, its examples run.

CI (``.ci/run``) runs the two Start commands on a fresh clone: the demo with Debian's
own ``/usr/bin/python3``, the test command with whatever ``python3`` is first on PATH.
These tests keep the README and ``.ci/run`` from drifting apart, and keep the commands
free of what a system Python refuses (``pip install`` outside a virtual environment).
Every ``python`` block of the README runs, in order, in one namespace (as a learner
would paste them into one session), and every ``print(...)  # prints X`` prints X.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


WINDOWS_PREFIX = r"py -m venv .uv; .\.uv\Scripts\pip install -q uv; .\.uv\Scripts\uv run "
LINUX_PREFIX = "python3 -m venv .uv && .uv/bin/pip install -q uv && .uv/bin/uv run "


def start_commands(shell: str = "bash") -> dict[str, str]:
    """A Start block (``bash`` or ``powershell``): the command under each ``# the ...`` comment."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Start", 1)[1].split("\n## ", 1)[0]
    block = re.search(rf"```{shell}\n(.*?)```", section, re.S)
    assert block, f"README's Start section has no {shell} block"
    lines = block.group(1).strip().splitlines()
    commands = {}
    for comment, command in zip(lines[::2], lines[1::2], strict=True):
        assert comment.startswith("# "), comment
        commands[comment] = command
    return commands


def test_start_has_a_demo_and_a_test_command() -> None:
    commands = start_commands()
    assert len(commands) == 2
    demo, tests = commands.values()
    assert demo.endswith("python -m demos.moons")
    assert tests.endswith("pytest")


def test_ci_runs_the_readme_commands_verbatim() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    for command in start_commands().values():
        assert any(line.strip().startswith(command) for line in ci), command


def test_ci_runs_the_demo_with_the_system_python() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    demo = next(iter(start_commands().values()))
    before_demo = ci[: ci.index(demo)]
    assert "export PATH=/usr/bin:/bin" in before_demo
    assert "git clone" in before_demo


def test_no_command_pip_installs_into_the_python_it_runs() -> None:
    """PEP 668: ``python3 -m pip install`` fails on Debian's and Ubuntu's own Python."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for command in start_commands().values():
        assert "python3 -m pip install" not in command
        assert command.startswith("python3 -m venv .uv && .uv/bin/pip install")
    for paragraph in readme.split("\n\n"):  # the one fallback explains its own flags
        if "python3 -m uv run" in paragraph:
            assert "--user --break-system-packages" in paragraph.replace("\n", " ")


def test_the_tool_environment_is_ignored_by_git() -> None:
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert ".uv/" in ignored


README = ROOT / "README.md"
PRINTS = re.compile(r"^(\s*)print\((.*)\)\s*# prints (.+)$")


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)


def with_print_checks(block: str) -> str:
    """The block, each ``print(args)  # prints X`` turned into ``_prints("X", args)``."""
    lines = []
    for line in block.splitlines():
        match = PRINTS.match(line)
        if match:
            indent, args, expected = match.groups()
            line = f"{indent}_prints({expected.strip()!r}, {args})"
        lines.append(line)
    return "\n".join(lines)


def test_every_python_example_runs_and_prints_what_it_says(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)  # the examples write files (graph.svg, model.json, ...)
    checked = []

    def _prints(expected: str, *values: object) -> None:
        assert " ".join(map(str, values)) == expected
        checked.append(expected)

    namespace: dict[str, object] = {"__name__": "readme", "_prints": _prints}
    blocks = python_blocks()
    assert len(blocks) >= 15, "the Features section gives an example per feature"
    for i, block in enumerate(blocks, 1):
        code = compile(with_print_checks(block), f"<README python block {i}>", "exec")
        exec(code, namespace)  # noqa: S102 - running the README's own examples
    assert len(checked) == README.read_text(encoding="utf-8").count("# prints ")
    assert (tmp_path / "graph.svg").stat().st_size > 0
    assert (tmp_path / "backprop.html").stat().st_size > 0


def test_the_print_check_reads_a_call_with_parentheses_in_it() -> None:
    line = "print(f(a, (b)), c.grad)   # prints 1.0 [2.0]"
    assert with_print_checks(line) == "_prints('1.0 [2.0]', f(a, (b)), c.grad)"


def test_windows_start_lines_are_the_linux_commands_in_powershell() -> None:
    """Same comments, same ``uv run`` command; ``py`` and Scripts\\ instead of python3 and bin/.

    No ``&&``: Windows PowerShell 5.1, the one every Windows has, does not know it.
    """
    linux, windows = start_commands("bash"), start_commands("powershell")
    assert list(windows) == list(linux)
    for comment, command in windows.items():
        assert "&&" not in command and "/" not in command, command
        assert command.startswith(WINDOWS_PREFIX), command
        assert linux[comment].startswith(LINUX_PREFIX)
        assert command.removeprefix(WINDOWS_PREFIX) == linux[comment].removeprefix(LINUX_PREFIX)


def test_the_lesson_command_uses_the_lessons_group_without_test_tooling() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    lessons = readme.split("## Lessons", 1)[1].split("\n## ", 1)[0]
    assert ".uv/bin/uv run --group lessons jupyter lab notebooks/" in lessons
    assert r".\.uv\Scripts\uv run --group lessons jupyter lab notebooks" in lessons
    for command in re.findall(r"uv run [^`\n]*jupyter lab", readme):
        assert command == "uv run --group lessons jupyter lab", command
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")  # tomllib is 3.11+
    group = re.search(r"^lessons = (\[.*?\])$", pyproject, re.M | re.S)
    assert group, "pyproject.toml has no one-line `lessons = [...]` dependency group"
    names = {re.split(r"[<>=!~ \[;]", r, maxsplit=1)[0] for r in ast.literal_eval(group[1])}
    assert {"jupyterlab", "ipywidgets", "matplotlib"} <= names
    tooling = {"pytest", "pytest-xdist", "hypothesis", "nbmake", "playwright", "ruff", "micrograd"}
    assert not names & tooling


OPTIONAL = "*An optional lesson"  # how an optional lesson's first cell begins its note


def lesson_sources() -> list[Path]:
    return sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.py"))


def readme_lesson_list() -> dict[int, str]:
    """The README's numbered list of lessons: number -> the item's text."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Lessons", 1)[1].split("\n## ", 1)[0]
    items = re.findall(r"^(\d+)\. (.*?)(?=^\d+\. |^\n)", section, re.M | re.S)
    return {int(number): " ".join(text.split()) for number, text in items}


def test_the_readme_lists_the_lessons_in_the_order_of_the_notebooks() -> None:
    sources = lesson_sources()
    listed = readme_lesson_list()
    assert list(listed) == [int(p.name[:2]) for p in sources]
    for path in sources:
        item = set(re.findall(r"[a-z]+", listed[int(path.name[:2])].lower()))
        missing = set(path.stem[3:].split("_")) - item
        assert not missing, f"README's lesson {int(path.name[:2])} lacks {missing} of {path.name}"


def test_optional_lessons_come_after_the_path_and_say_so_in_both_places() -> None:
    first_cell = {
        int(p.name[:2]): p.read_text(encoding="utf-8").split("\n# %%", 1)[0]
        for p in lesson_sources()
    }
    optional = {n for n, cell in first_cell.items() if OPTIONAL in cell}
    assert optional, f"no lesson's first cell says {OPTIONAL!r}"
    assert min(optional) > max(set(first_cell) - optional), "an optional lesson sits in the path"
    marked = {n for n, text in readme_lesson_list().items() if text.startswith("optional:")}
    assert marked == optional
