"""Pictures: SVG and PNG through the Graphviz program gradstep finds, files, Jupyter display.

CI has no system Graphviz, so these run on graphviz-pure, the path users without root get.
"""

from __future__ import annotations

import os
import re
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import graphviz
import pytest

import engine
import nn
from engine import Value
from engine.show import dot_exe
from engine.show.draw import (
    GraphTooLargeError,
    draw_dot,
    fitted_svgs,
    render,
    repr_mimebundle,
)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SVG_NS = "{http://www.w3.org/2000/svg}"
REPO = Path(__file__).resolve().parent.parent


def neuron() -> Value:
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1 = engine.mark(Value(-3.0, label="w1"), "parameter")
    w2 = engine.mark(Value(1.0, label="w2"), "parameter")
    b = engine.mark(Value(6.8813735870195432, label="b"), "parameter")
    n = x1 * w1 + x2 * w2 + b
    n.label = "n"
    out = n.tanh()
    out.label = "out"
    out.backward()
    return out


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG_SIGNATURE
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def svg_texts(svg: str) -> list[str]:
    root = ET.fromstring(svg.encode("utf-8"))  # well-formed XML, or this raises
    assert root.tag == f"{SVG_NS}svg"
    return [t.text.strip() for t in root.iter(f"{SVG_NS}text") if t.text and t.text.strip()]


@pytest.fixture
def no_renderer(monkeypatch):
    """A machine with no Graphviz at all: empty PATH, no scripts folders, no override."""
    monkeypatch.setenv("PATH", "")
    monkeypatch.delenv(dot_exe.ENV_VAR, raising=False)
    monkeypatch.setattr(dot_exe, "_script_dirs", lambda: [])
    monkeypatch.setattr(dot_exe, "_verified", {})


# --- SVG and PNG ----------------------------------------------------------------------


def test_svg_contains_labels_values_and_op_symbols():
    texts = svg_texts(draw_dot(neuron()).pipe(format="svg", encoding="utf-8"))
    for label in ("x1", "x2", "w1", "w2", "b", "n", "out"):
        assert label in texts
    for number in ("6.881", "0.8814", "0.7071", "-1.5", "0.5"):  # b, n, out, grads
        assert number in texts
    assert {"×", "+", "tanh"} <= set(texts)


def test_svg_with_edge_derivatives_shows_them():
    texts = svg_texts(draw_dot(neuron(), edge_derivatives=True).pipe("svg", encoding="utf-8"))
    assert "-3" in texts and "0.5" in texts  # d(x1*w1)/dx1 = w1; d(tanh)/dn = 1 - out^2


def test_png_has_a_valid_header_and_a_sane_size(tmp_path):
    path = render(neuron(), tmp_path / "neuron.png")
    data = Path(path).read_bytes()
    width, height = png_size(data)
    assert 200 < width < 3000 and 100 < height < 2000
    assert width > height  # left to right
    bigger = png_size(Path(render(neuron(), tmp_path / "big.png", dpi=144)).read_bytes())
    assert bigger[0] > 1.5 * width


def test_render_returns_the_path_it_wrote(tmp_path):
    target = tmp_path / "sub" / "graph.svg"
    path = engine.render(neuron(), target, rankdir="TB")
    assert path == os.fspath(target) and target.exists()
    assert svg_texts(target.read_text("utf-8"))
    assert engine.render(neuron(), str(tmp_path / "g.svg")) == str(tmp_path / "g.svg")


def test_render_passes_options_to_draw_dot(tmp_path):
    path = render(neuron(), tmp_path / "g.dot", show_grad=False, rankdir="TB")
    text = Path(path).read_text("utf-8")
    assert text == draw_dot(neuron(), show_grad=False, rankdir="TB").source


def test_render_needs_a_suffix(tmp_path):
    with pytest.raises(ValueError, match=r"render: cannot tell the picture format .* \.svg"):
        render(neuron(), tmp_path / "graph")


def test_render_refuses_a_graph_over_max_nodes(tmp_path):
    with pytest.raises(GraphTooLargeError, match="too large to draw: 10 Values"):
        render(neuron(), tmp_path / "g.png", max_nodes=9)
    assert not (tmp_path / "g.png").exists()


def test_pdf_from_graphviz_pure_says_what_it_can_write(tmp_path):
    if not dot_exe.find_dot().is_pure:
        pytest.skip("a system dot writes PDF")
    with pytest.raises(ValueError, match=r"graphviz-pure cannot write 'pdf' files; .*svg"):
        render(neuron(), tmp_path / "g.pdf")


def test_the_digraph_api_renders_with_the_found_program(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path / "..")  # nothing may land in the working folder
    before = set(Path.cwd().iterdir())
    graph = draw_dot(neuron())
    assert isinstance(graph, graphviz.Digraph)
    out = graph.render(outfile=tmp_path / "a.png")
    png_size(Path(out).read_bytes())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.gv", "a.png"]
    assert set(Path.cwd().iterdir()) == before
    out = graph.render("b", directory=tmp_path)  # graphviz's default naming: b.svg
    assert out == os.fspath(tmp_path / "b.svg") and svg_texts(Path(out).read_text("utf-8"))
    assert graph.pipe(format="png")[:8] == PNG_SIGNATURE


# --- finding the program --------------------------------------------------------------


def test_found_without_the_environment_bin_on_path(monkeypatch):
    """A Jupyter kernel's PATH may lack the venv's bin: look next to sys.executable."""
    monkeypatch.setenv("PATH", "")
    monkeypatch.delenv(dot_exe.ENV_VAR, raising=False)
    program = dot_exe.find_dot()
    assert Path(program.path).name == dot_exe.PURE_NAME
    assert "graphviz" in program.version.lower()


def test_a_fresh_process_with_a_bare_path_renders_svg():
    code = (
        "import engine; from engine import Value; "
        "print(engine.draw_dot(Value(2.0, label='x') * 3.0).pipe('svg', encoding='utf-8'))"
    )
    env = {k: v for k, v in os.environ.items() if k != dot_exe.ENV_VAR}
    env["PATH"] = "/usr/bin:/bin"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert "x" in svg_texts(done.stdout)


def test_the_environment_variable_wins(monkeypatch):
    pure = dot_exe.find_dot().path
    monkeypatch.setenv(dot_exe.ENV_VAR, pure)
    assert dot_exe.candidates()[0] == pure
    assert dot_exe.find_dot().path == pure


def test_a_broken_candidate_is_skipped(monkeypatch, tmp_path):
    broken = tmp_path / "dot"
    broken.write_text("#!/bin/sh\nexit 3\n")
    broken.chmod(0o755)
    monkeypatch.setenv(dot_exe.ENV_VAR, str(broken))
    assert dot_exe.candidates()[0] == str(broken)
    assert dot_exe.find_dot().path != str(broken)


def test_no_renderer_raises_saying_what_to_install(no_renderer):
    with pytest.raises(dot_exe.GraphvizNotFoundError) as caught:
        dot_exe.find_dot()
    message = str(caught.value)
    assert "pip install graphviz-pure" in message
    assert "apt install graphviz" in message and dot_exe.ENV_VAR in message
    assert ".source still works" in message
    assert isinstance(caught.value, graphviz.ExecutableNotFound)  # graphviz's own error type
    assert engine.GraphvizNotFoundError is dot_exe.GraphvizNotFoundError


def test_no_renderer_still_gives_dot_text_and_clear_errors(no_renderer, tmp_path):
    graph = draw_dot(neuron())
    assert graph.source.startswith("digraph {")
    with pytest.raises(engine.GraphvizNotFoundError, match="pip install graphviz-pure"):
        graph.pipe(format="svg")
    with pytest.raises(engine.GraphvizNotFoundError):
        render(neuron(), tmp_path / "g.png")
    assert Path(render(neuron(), tmp_path / "g.dot")).read_text("utf-8") == graph.source


def test_a_renderer_installed_mid_session_is_picked_up(no_renderer, monkeypatch):
    with pytest.raises(engine.GraphvizNotFoundError):
        dot_exe.find_dot()
    monkeypatch.setattr(dot_exe, "_script_dirs", lambda: [str(Path(sys.executable).parent)])
    assert Path(dot_exe.find_dot().path).name == dot_exe.PURE_NAME


def svg_of(html_img: str) -> str:
    """The SVG inside the one ``<img src="data:image/svg+xml;base64,...">`` a notebook shows."""
    assert re.fullmatch(r"<img [^>]*>", html_img), html_img[:80]
    (svg,) = fitted_svgs(html_img)
    return svg


# --- Jupyter --------------------------------------------------------------------------


def test_a_value_displays_as_its_graph_in_svg():
    bundle = neuron()._repr_mimebundle_()
    assert set(bundle) == {"text/html"}
    assert "out" in svg_texts(svg_of(bundle["text/html"]))


def test_ipython_display_formatter_shows_svg_and_text():
    formatters = pytest.importorskip("IPython.core.formatters")
    data, _ = formatters.DisplayFormatter().format(neuron())
    assert "text/html" in data
    assert data["text/plain"].startswith("Value(data=0.7071")


def test_display_respects_include_and_exclude():
    v = neuron()
    assert v._repr_mimebundle_(include=["image/png"]) == {}
    assert v._repr_mimebundle_(exclude=["text/html"]) == {}


def test_a_large_value_displays_a_short_summary_with_the_hint():
    v = Value(1.0, label="x")
    for i in range(400):
        v = v * 1.0 + float(i)
    bundle = v._repr_mimebundle_()
    assert "<img" not in bundle["text/html"]
    assert "draw_dot(value, max_nodes=" in bundle["text/plain"]
    assert bundle["text/plain"].startswith("Value(data=")
    assert "too large to draw" in bundle["text/html"]


def test_display_without_renderer_explains_instead_of_failing(no_renderer):
    bundle = repr_mimebundle(neuron())
    assert "pip install graphviz-pure" in bundle["text/plain"]
    assert "<img" not in bundle.get("text/html", "")


# --- the README picture ---------------------------------------------------------------


def test_the_demo_picture_regenerates(tmp_path):
    sys.path.insert(0, str(REPO / "demos"))
    try:
        import make_images
    finally:
        sys.path.remove(str(REPO / "demos"))
    (path,) = make_images.make_images(tmp_path)
    fresh = png_size(Path(path).read_bytes())
    committed = png_size((REPO / "demos" / "images" / "neuron.png").read_bytes())
    assert fresh == committed  # regenerate with: python demos/make_images.py


def run_in_kernel(cells: list[str], env: dict[str, str]) -> list[dict]:
    """Execute cells in a fresh IPython kernel; return each cell's execute_result data."""
    manager = pytest.importorskip("jupyter_client.manager")
    km, kc = manager.start_new_kernel(kernel_name="python3", env=env, cwd=str(REPO))
    results = []
    try:
        for code in cells:
            msg_id = kc.execute(code)
            data: dict = {}
            while True:
                msg = kc.get_iopub_msg(timeout=60)
                if msg["parent_header"].get("msg_id") != msg_id:
                    continue
                kind = msg["msg_type"]
                if kind == "execute_result":
                    data = msg["content"]["data"]
                assert kind != "error", msg["content"]
                if kind == "status" and msg["content"]["execution_state"] == "idle":
                    break
            results.append(data)
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    return results


def test_a_kernel_whose_path_lacks_the_environment_bin_shows_svg():
    env = {k: v for k, v in os.environ.items() if k != dot_exe.ENV_VAR}
    env["PATH"] = "/usr/bin:/bin"
    value_cell, digraph_cell = run_in_kernel(
        [
            "import engine\nfrom engine import Value\n"
            "y = (Value(2.0, label='x') * 3.0).tanh()\ny.label = 'y'\ny.backward()\ny",
            "engine.draw_dot(y, edge_derivatives=True)",
        ],
        env,
    )
    assert "y" in svg_texts(svg_of(value_cell["text/html"]))
    assert value_cell["text/plain"].startswith("Value(data=")
    assert "local derivative" in " ".join(svg_texts(svg_of(digraph_cell["text/html"])))


# --- reading order and size in a notebook -----------------------------------------------


def _positions(graph: graphviz.Digraph) -> dict[str, tuple[float, float]]:
    """Each node's centre as Graphviz laid it out (its ``plain`` output)."""
    plain = graph.pipe(format="plain", encoding="utf-8")
    return {
        p[1]: (float(p[2]), float(p[3]))
        for p in map(str.split, plain.splitlines())
        if p[0] == "node"
    }


MODELS = {  # a model and its number of inputs
    "Neuron(3)": (lambda: nn.Neuron(3, seed=1), 3),
    "Neuron(5)": (lambda: nn.Neuron(5, seed=1), 5),
    "Layer(4, 4)": (lambda: nn.Layer(4, 4, seed=2), 4),
    "MLP(5, [3, 1])": (lambda: nn.MLP(5, [3, 1], seed=1), 5),
    "MLP(5, [4, 3, 1])": (lambda: nn.MLP(5, [4, 3, 1], seed=1), 5),
    "MLP(2, [3, 3])": (lambda: nn.MLP(2, [3, 3], seed=2), 2),
    "MLP(2, [4, 4, 1])": (lambda: nn.MLP(2, [4, 4, 1], seed=0), 2),
}


@pytest.mark.parametrize("rankdir", ["LR", "RL", "TB", "BT"])
@pytest.mark.parametrize("kind", list(MODELS))
@pytest.mark.parametrize("labelled", [True, False], ids=["x.i", "unlabelled"])
@pytest.mark.parametrize("loss", [False, True], ids=["output", "loss on top"])
def test_every_drawing_puts_index_0_first(rankdir, kind, labelled, loss):
    """Input x.0 above (or left of) x.1, w.0 above w.1, neuron 0 above neuron 1: as the
    lesson's matrices read, for a lone Neuron, a Layer and an MLP, in all four layouts,
    drawn from the model's output or from a squared-error loss on top of it."""
    from engine.show.draw import reading_order

    build, nin = MODELS[kind]
    model = build()
    xs = [Value(0.3 * i - 0.5, label=f"x.{i}" if labelled else "") for i in range(nin)]
    out = model(xs)
    root = engine.sum(out) if isinstance(out, list) else out
    if loss:
        root = (root - 1.0) ** 2
    ids = {v: f"v{i}" for i, v in enumerate(reading_order(root))}
    pos = _positions(draw_dot(root, rankdir=rankdir, max_nodes=None))
    sideways = rankdir in ("LR", "RL")

    def place(v: Value) -> float:  # smaller is earlier: higher up, or further left
        x, y = pos[ids[v]]
        return -y if sideways else x

    layers = model.layers if hasattr(model, "layers") else [model]
    for layer in layers:
        neurons = layer.neurons if hasattr(layer, "neurons") else [layer]
        biases = [n.b for n in neurons]
        assert sorted(biases, key=place) == biases, [b.label for b in sorted(biases, key=place)]
        for neuron_ in neurons:
            assert sorted(neuron_.w, key=place) == list(neuron_.w)
    if labelled:
        assert sorted(xs, key=place) == xs


def test_the_readme_neuron_reads_x1_w1_first_from_the_top():
    x = [Value(v, label=f"x{i}") for i, v in enumerate([0.0, 1.0, 1.0], 1)]
    w = [Value(v, label=f"w{i}") for i, v in enumerate([1.0, 4.0, 3.0], 1)]
    out = (x[0] * w[0] + x[1] * w[1] + x[2] * w[2] + Value(-6.0, label="b")).tanh()
    from engine.show.draw import reading_order

    ids = {v: f"v{i}" for i, v in enumerate(reading_order(out))}
    pos = _positions(draw_dot(out))
    height = {v.label: pos[ids[v]][1] for v in x + w}
    assert height["x1"] > height["w1"] > height["x2"] > height["w2"]
    assert height["x3"] > height["w3"]


def test_a_graph_in_a_notebook_fits_the_column_and_full_size_shows_it_whole():
    graph = draw_dot(neuron())
    data, metadata = graph._repr_mimebundle_()
    assert set(data) == {"text/html"} and metadata == {}
    assert 'style="max-width: 100%; height: auto"' in data["text/html"]
    svg = svg_of(data["text/html"])
    assert svg == graph.pipe(format="svg", encoding="utf-8")
    root = ET.fromstring(svg[svg.index("<svg") :])
    assert root.get("width").endswith("pt") and root.get("viewBox")  # scales, keeps aspect
    whole, metadata = graph.full_size()._repr_mimebundle_()
    assert "max-width" not in whole["image/svg+xml"]
    assert metadata == {"image/svg+xml": {"unconfined": True}}
    assert graph.full_size().source == graph.source
    value_html = neuron()._repr_mimebundle_()["text/html"]
    assert 'style="max-width: 100%; height: auto"' in value_html
