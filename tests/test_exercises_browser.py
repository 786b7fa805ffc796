"""The assignment page in a real headless browser: typed answers become a file the grader accepts.

The browser signs with its own HMAC-SHA256 (``crypto.subtle``); the Python side must
verify that checksum, so the two must write the signed text byte for byte alike
(``submission.signed_text``). Skipped, as the stepper's browser tests are, where
Debian's chromium is missing.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_exercises import answers_found
from test_stepper_browser import ARGS, CHROMIUM, opened_alone, sync_api

from engine.exercises import variant
from engine.exercises.handout import write_handout
from engine.exercises.submission import read_submission

SECRET = b"the teacher's secret for the browser tests"


@pytest.fixture(scope="module")
def page_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("handout")
    write_handout("neuron", ["ana.lopez"], out, SECRET)
    return out / "ana.lopez" / "neuron.html"


@pytest.fixture
def page(page_file: Path):
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(accept_downloads=True)
        with opened_alone(context, page_file) as page:
            yield page
        browser.close()


def test_download_saves_a_submission_the_grader_verifies(page, tmp_path: Path) -> None:
    names = [r.get_attribute("data-name") for r in page.locator("tr.question").all()]
    assert names == list(variant("neuron", "ana.lopez").practice.solution())
    page.fill('tr[data-name="n"] input.answer', " \u22120.25 ")  # a typographic minus
    page.fill('tr[data-name="b"] input.answer', "1/4")  # not a number: kept, graded missing
    page.fill('tr[data-name="x1"] input.answer', "0.5")
    with page.expect_download() as download:
        page.click("#download")
    assert download.value.suggested_filename == "neuron-ana.lopez.json"
    path = tmp_path / "neuron-ana.lopez.json"
    download.value.save_as(path)
    sub = read_submission(path, SECRET)
    assert (sub.exercise, sub.student) == ("neuron", "ana.lopez")
    assert sub.answers == {"n": "\u22120.25", "b": "1/4", "x1": "0.5"}
    assert sub.numbers() == {"n": -0.25, "b": None, "x1": 0.5}
    assert page.locator("#status").inner_text() == (
        "Saved 3 of 9 answers to neuron-ana.lopez.json: hand in that file."
    )
    edited = json.loads(path.read_text(encoding="utf-8"))
    edited["answers"]["x1"] = "0.6"
    path.write_text(json.dumps(edited), encoding="utf-8")
    with pytest.raises(ValueError, match="checksum does not match"):
        read_submission(path, SECRET)


def test_the_node_panel_shows_symbols_and_no_answer(page) -> None:
    v = variant("neuron", "ana.lopez")
    for node in page.locator('.graph g[data-node][data-kind="value"]').all():
        node.click()
        text = page.locator("#panel").inner_text()
        assert "the chain rule: one term per use" in text
        assert answers_found(text, v) == [], text
