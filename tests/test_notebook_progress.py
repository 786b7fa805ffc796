"""In a real Jupyter kernel, fit's progress bar is one widget, not a line per update.

The lessons train in notebooks; without ipywidgets tqdm's text bar leaves every redraw
in the saved output (dozens of lines per fit). This runs a fit in a fresh kernel, as
nbmake and a learner's Jupyter do, and reads what the cell keeps.
"""

from __future__ import annotations

import nbformat
import pytest

nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipywidgets")

FIT = """\
import nn
X, y = nn.datasets.xor()
history = nn.fit(nn.MLP(2, [4, 1], seed=0), X, y, loss="bce_with_logits", epochs=300)
print(len(history))
"""


def test_fit_in_a_kernel_shows_one_widget_and_no_text_lines() -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(FIT)]
    nbclient.NotebookClient(nb, timeout=60, kernel_name="python3").execute()
    outputs = nb.cells[0].outputs
    widget = "application/vnd.jupyter.widget-view+json"
    widgets = [o for o in outputs if widget in o.get("data", {})]
    streams = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert len(widgets) == 1
    assert streams == "300\n"  # the print, and no progress text at all
