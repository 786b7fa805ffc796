"""The demos run as `python -m demos.<name>`, say what they did and write their files.

Each demo runs in a fresh interpreter (``sys.executable``), as a user would run it,
writing into a temporary folder. Also checked here: the notebooks are committed
without outputs and match their percent-format sources (``notebooks/pair.py``).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEMOS = ["moons", "wine", "xor", "backprop"]
PNG = b"\x89PNG\r\n\x1a\n"


def run(*args: str, cwd: Path = ROOT, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run ``python <args>`` in a fresh interpreter; the repository is importable from any cwd."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    env.pop("MPLBACKEND", None)  # the demos choose a headless backend themselves
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )


def ok(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, f"exit {result.returncode}\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.mark.parametrize("name", DEMOS)
def test_every_demo_has_help(name):
    out = ok(run("-m", f"demos.{name}", "--help"))
    assert out.startswith(f"usage: python -m demos.{name}")
    text = " ".join(out.split())  # argparse wraps lines to the terminal width
    assert "--out DIR the folder to write into, created if missing (default: ./out)" in text


def test_moons_trains_to_full_accuracy_and_writes_its_three_pictures(tmp_path):
    start = time.perf_counter()
    out = ok(run("-m", "demos.moons", "--out", str(tmp_path / "pictures")))
    elapsed = time.perf_counter() - start
    assert "training accuracy 100.0%" in out
    folder = tmp_path / "pictures"
    boundary, loss, neuron = (
        folder / "moons_decision_boundary.png",
        folder / "moons_loss.png",
        folder / "moons_neuron.svg",
    )
    assert boundary.read_bytes().startswith(PNG) and loss.read_bytes().startswith(PNG)
    svg = neuron.read_text(encoding="utf-8")
    assert "<svg" in svg and ">w.0<" in svg and ">ReLU<" in svg  # one neuron: its weights, its op
    for path in (boundary, loss, neuron):
        assert str(path.resolve()) in out  # it says where the pictures are
    assert elapsed < 120, f"demos.moons took {elapsed:.0f} s"


def test_moons_writes_to_out_by_default_and_compiled_training_agrees(tmp_path):
    eager = ok(run("-m", "demos.moons", "--epochs", "5", "--points", "20", cwd=tmp_path))
    assert (tmp_path / "out" / "moons_decision_boundary.png").exists()
    compiled = ok(
        run("-m", "demos.moons", "--epochs", "5", "--points", "20", "--compile", cwd=tmp_path)
    )
    assert eager.splitlines()[:2] == compiled.splitlines()[:2]  # same loss and accuracy


def test_moons_animate_writes_the_training_animation(tmp_path):
    out = ok(run("-m", "demos.moons", "--epochs", "4", "--points", "12", "--animate",
                 "--out", str(tmp_path)))  # fmt: skip
    gif = tmp_path / "moons_training.gif"
    assert gif.read_bytes().startswith(b"GIF8")
    assert f"(5 frames) to {gif}" in out  # epochs 0 to 4: a frame per epoch


def test_moons_shows_the_progress_bar_when_asked(tmp_path):
    result = run("-m", "demos.moons", "--epochs", "3", "--points", "10", "--progress",
                 "--out", str(tmp_path))  # fmt: skip
    ok(result)
    assert "3/3" in result.stderr and "epoch" in result.stderr


def test_wine_finds_two_thirds_of_a_bottle_per_guest(tmp_path):
    out = ok(run("-m", "demos.wine", "--out", str(tmp_path), "--guests", "12"))
    assert "   0    1.000000      211.6667     1272.0000" in out  # the first step, as by hand
    assert "after 40 steps: A = 0.667248" in out
    assert "3826 / 5734 = 0.667248" in out
    assert "for 12 guests buy about 8.0 bottles" in out
    assert (tmp_path / "wine.png").read_bytes().startswith(PNG)


def test_wine_explains_a_learning_rate_that_diverges(tmp_path):
    out = ok(run("-m", "demos.wine", "--out", str(tmp_path), "--lr", "6e-4", "--steps", "10"))
    assert "swinging away" in out and "smaller --lr" in out
    slow = ok(run("-m", "demos.wine", "--out", str(tmp_path), "--lr", "1e-5", "--steps", "5"))
    assert "not there yet" in slow


def test_xor_needs_a_hidden_layer(tmp_path):
    out = ok(run("-m", "demos.xor", "--out", str(tmp_path)))
    assert "with a hidden layer: 4/4 right" in out
    assert "a 50/50 guess everywhere" in out  # the lone neuron's best is no line at all
    assert (tmp_path / "xor.png").read_bytes().startswith(PNG)


def test_backprop_writes_a_self_contained_stepper_page(tmp_path):
    out = ok(run("-m", "demos.backprop", "--out", str(tmp_path)))
    assert "o = tanh(x1·w1 + x2·w2 + b) = 0.7071" in out
    row = next(line for line in out.splitlines() if "x1w1 = x1·w1" in line)  # trace table
    assert row.split()[0] == "4" and "x1: -3, w1: 2" in row and "x1: -1.5, w1: 1" in row
    page = tmp_path / "backprop_neuron.html"
    assert str(page.resolve()) in out
    html = page.read_text(encoding="utf-8")
    assert "Backprop through one neuron, step by step" in html
    assert "x1w1 = x1·w1" in html
    for remote in ('src="http', "src='http", 'href="http', "@import", "url(http"):
        assert remote not in html  # opens offline: nothing to fetch


def test_backprop_takes_other_numbers(tmp_path):
    out = ok(run("-m", "demos.backprop", "--out", str(tmp_path), "--x2", "1", "--w2", "0.5"))
    row = next(line for line in out.splitlines() if "x2w2 = x2·w2" in line)
    assert "x2: 0.5, w2: 1" in row  # local derivatives: w2 and x2


def test_a_file_given_as_out_folder_is_a_clear_error(tmp_path):
    blocker = tmp_path / "taken"
    blocker.write_text("not a folder")
    result = run("-m", "demos.wine", "--out", str(blocker))
    assert result.returncode != 0
    assert "is a file; give a folder to write into" in result.stderr


def test_demos_without_matplotlib_still_run_and_say_how_to_get_pictures(tmp_path):
    code = (
        "import sys, runpy; sys.modules['matplotlib'] = None; "
        f"sys.argv = ['wine', '--out', {str(tmp_path)!r}]; "
        "runpy.run_module('demos.wine', run_name='__main__')"
    )
    result = run("-c", code)
    assert result.returncode == 0, result.stderr
    assert "after 40 steps: A = 0.667248" in result.stdout
    assert "no PNG pictures were written" in result.stdout
    assert "uv run --extra plot" in result.stdout and "gradstep[plot]" in result.stdout
    assert not (tmp_path / "wine.png").exists()


def test_notebooks_match_their_sources_and_carry_no_outputs():
    notebooks = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    assert [p.name[:2] for p in notebooks] == [f"{i:02d}" for i in range(1, 17)]
    for path in notebooks:
        document = json.loads(path.read_text(encoding="utf-8"))
        for cell in document["cells"]:
            if cell["cell_type"] == "code":
                assert cell["outputs"] == [] and cell["execution_count"] is None, path.name
    result = run(str(ROOT / "notebooks" / "pair.py"), "--check")
    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize("demo", ["wine", "xor", "moons", "backprop", "bench.demo_step"])
def test_every_option_that_takes_a_value_says_its_default(demo):
    result = run("-m", f"demos.{demo}", "--help")
    assert result.returncode == 0, result.stderr
    options = result.stdout.split("options:", 1)[1]
    entries = re.split(r"\n  (?=-)", "\n" + options.strip("\n"))
    with_value = [e for e in entries if re.match(r"(-\w, )?--[\w-]+ [A-Z_]+", e.strip())]
    assert with_value, result.stdout
    for entry in with_value:
        assert "(default" in " ".join(entry.split()), entry
