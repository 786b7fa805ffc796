"""The browser's Graphviz (viz.js) is asked for what the `dot` program would be asked.

Here, natively, only the translation from a `dot` command line to viz.js's options can
run; tests/test_site_browser.py draws with viz.js for real, in chromium.
"""

import pytest

from engine.show import dot_exe, dot_wasm


def test_a_dot_command_line_becomes_viz_options():
    chosen = dot_wasm.options("svg", "dot", ("-Gdpi=96", "-Nshape=box", "-Ecolor=red"))
    assert chosen == {
        "format": "svg",
        "engine": "dot",
        "graphAttributes": {"dpi": "96"},
        "nodeAttributes": {"shape": "box"},
        "edgeAttributes": {"color": "red"},
    }


def test_bitmaps_and_unknown_options_are_refused_by_name():
    with pytest.raises(ValueError, match=r"cannot write 'png' files; it writes: svg, .*PNG where"):
        dot_wasm.options("png", "dot", ())
    with pytest.raises(ValueError, match=r"takes no '-n1' option"):
        dot_wasm.options("svg", "neato", ("-n1",))


def test_many_graphs_come_back_one_svg_each_natively():
    sources = ["digraph { a -> b }", "digraph { c }", "digraph { d -> e -> f }"]
    svgs = dot_exe.run_svgs(sources)
    assert len(svgs) == 3 and all("<svg" in s for s in svgs)
    assert ">f</text>" in svgs[2] and ">f</text>" not in svgs[0]
