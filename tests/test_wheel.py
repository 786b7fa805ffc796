"""The wheel a student installs runs the demos and hands out the lessons with their data.

Built as a release would be (``uv build``: the sdist, then the wheel from it), installed
into a fresh virtual environment outside the repository, offline from uv's cache (the
test run's own ``uv sync`` filled it), and used from a folder that is not a clone: the
repository is nowhere on ``sys.path``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def uv() -> str:
    """The uv that runs this test (``uv run`` sets $UV), the README's .uv, or PATH's."""
    for candidate in (os.environ.get("UV"), ROOT / ".uv" / "bin" / "uv", shutil.which("uv")):
        if candidate and Path(candidate).is_file():
            return str(candidate)
    pytest.skip("uv is not installed: the README's Start commands install it in .uv")


def sh(*args: str, cwd: Path, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        args, cwd=cwd, capture_output=True, text=True, timeout=600, env=env or clean_env()
    )
    output = f"{result.stdout}\n{result.stderr}"
    assert result.returncode == 0, f"{args}\nexit {result.returncode}\n{output}"
    return result.stdout


def clean_env() -> dict[str, str]:
    """This run's environment without the repository's venv or path in it."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["MPLBACKEND"] = "Agg"
    return env


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with gradstep's wheel (and the plot and datasets extras) installed."""
    work = tmp_path_factory.mktemp("wheel")
    sh(uv(), "build", "--quiet", "--offline", "--out-dir", str(work / "dist"), str(ROOT), cwd=work)
    (wheel,) = (work / "dist").glob("gradstep-*.whl")
    venv = work / "venv"
    sh(uv(), "venv", "--quiet", "--python", sys.executable, str(venv), cwd=work)
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    # The dependencies as uv.lock pins them, then the wheel itself; `pip check` then
    # tells whether the wheel's own metadata asks for anything that is not there.
    lock = work / "pylock.toml"
    sh(
        uv(), "export", "--quiet", "--project", str(ROOT), "--frozen", "--format",
        "pylock.toml", "--extra", "plot", "--no-dev",
        "--no-emit-project", "--output-file", str(lock),
        cwd=work,
    )  # fmt: skip
    install = (uv(), "pip", "install", "--quiet", "--offline", "--python", str(python))
    sh(*install, "-r", str(lock), cwd=work)
    sh(*install, "--no-deps", f"gradstep[plot] @ {wheel.as_uri()}", cwd=work)
    sh(uv(), "pip", "check", "--python", str(python), cwd=work)
    return python


def test_the_wheel_carries_demos_and_lessons_but_not_the_readme_pictures(installed: Path) -> None:
    (wheel,) = (installed.parent.parent.parent / "dist").glob("gradstep-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "demos/moons.py" in names and "demos/lessons.py" in names
    assert "demos/notebooks/10_digits_and_softmax.ipynb" in names
    assert "demos/notebooks/data/10_mlp.json" in names
    assert not any(n.startswith("demos/images/") for n in names)


def test_an_installed_gradstep_runs_a_demo_outside_any_clone(installed: Path, tmp_path) -> None:
    out = sh(str(installed), "-m", "demos.xor", "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert "xor" in out.lower()
    assert (tmp_path / "out" / "xor.png").read_bytes().startswith(b"\x89PNG")
    where = sh(str(installed), "-c", "import demos; print(demos.__file__)", cwd=tmp_path)
    assert str(ROOT) not in where and "site-packages" in where


def test_the_copied_lessons_run_with_their_data(installed: Path, tmp_path) -> None:
    target = tmp_path / "my lessons"
    out = sh(str(installed), "-m", "demos.lessons", str(target), cwd=tmp_path)
    lessons = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    assert sorted(p.name for p in target.glob("*.ipynb")) == lessons
    assert f"Copied {len(lessons)} lessons" in out
    data = sorted(p.name for p in (ROOT / "notebooks" / "data").iterdir())
    assert sorted(p.name for p in (target / "data").iterdir()) == data
    # Lesson 10 loads its saved models from data/ and asserts what it teaches.
    sh(str(installed), "10_digits_and_softmax.py", cwd=target)
    # A second copy into the same folder refuses, and says how to overwrite.
    again = subprocess.run(
        [str(installed), "-m", "demos.lessons", str(target)],
        cwd=tmp_path, capture_output=True, text=True, env=clean_env(),
    )  # fmt: skip
    assert again.returncode == 1 and "--force" in again.stderr
