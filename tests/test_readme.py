"""The README's Start commands are the ones CI runs, and they suit any Python.

CI (``.ci/run``) runs the two Start commands on a fresh clone: the demo with Debian's
own ``/usr/bin/python3``, the test command with whatever ``python3`` is first on PATH.
These tests keep the README and ``.ci/run`` from drifting apart, and keep the commands
free of what a system Python refuses (``pip install`` outside a virtual environment).
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def start_commands() -> dict[str, str]:
    """The README's Start block: the command under each ``# the ...`` comment."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Start", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```bash\n(.*?)```", section, re.S)
    assert block, "README's Start section has no bash block"
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
