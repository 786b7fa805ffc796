"""python -m demos.digits and demos.bench.digits, run as a user would (small runs)."""

import pytest
from test_demos import PNG, ok, run


def test_digits_demo_prints_test_accuracy_and_writes_four_pictures(tmp_path):
    out = ok(run("-m", "demos.digits", "--limit", "300", "--epochs", "2", "--out", str(tmp_path)))
    assert "300 to train on, 359 held out" in out
    assert "test accuracy" in out and "on 359 held-out digits" in out
    accuracy = float(out.split("test accuracy ")[1].split("%")[0])
    assert accuracy > 60.0  # 300 digits, 2 epochs: well above the 10% of guessing
    for name in ("confusion", "misclassified", "kernels", "history"):
        assert (tmp_path / f"digits_{name}.png").read_bytes().startswith(PNG)


def test_digits_demo_trains_the_conv_net(tmp_path):
    out = ok(run("-m", "demos.digits", "--model", "conv", "--limit", "60", "--epochs", "1",
                 "--out", str(tmp_path)))  # fmt: skip
    assert "conv with 410 parameters" in out and "test accuracy" in out
    assert (tmp_path / "digits_kernels.png").read_bytes().startswith(PNG)


def test_digits_demo_has_help():
    out = ok(run("-m", "demos.digits", "--help"))
    assert out.startswith("usage: python -m demos.digits")
    assert "--model {conv,mlp}" in out


def test_bench_digits_prints_an_epoch_table():
    out = ok(run("-m", "demos.bench.digits", "--quick"))
    lines = out.splitlines()
    assert lines[0].startswith("one epoch of nn.fit on 200 digits")
    assert lines[1].split() == ["model", "parameters", "1st", "epoch", "s", "s/epoch", "ms/digit"]
    rows = [line.split() for line in lines[2:6]]
    assert [r[0] + " " + r[1] for r in rows] == [
        "mlp eager", "mlp compiled", "conv eager", "conv compiled",
    ]  # fmt: skip
    assert all(float(r[4]) > 0 for r in rows)


def test_lesson10_states_has_help():
    out = ok(run("-m", "demos.lesson10_states", "--help"))
    assert out.startswith("usage: python -m demos.lesson10_states")


@pytest.mark.parametrize("model", ["mlp", "conv"])
def test_every_digits_picture_has_titles_labels_and_keys(model, tmp_path, monkeypatch):
    """The checks of tests/test_plots.py, on every figure demos.digits writes."""
    test_plots = pytest.importorskip("test_plots")
    import matplotlib.pyplot as plt

    from demos import digits

    found = {}
    real_savefig = plt.Figure.savefig

    def savefig(fig, path, *args, **kwargs):
        found[str(path).rsplit("/", 1)[-1]] = test_plots.figure_problems(fig)
        return real_savefig(fig, path, *args, **kwargs)

    monkeypatch.setattr(plt.Figure, "savefig", savefig)
    args = ["--model", model, "--limit", "40", "--epochs", "1", "--no-progress"]
    assert digits.main([*args, "--out", str(tmp_path)]) == 0
    assert sorted(found) == sorted(
        f"digits_{n}.png" for n in ("confusion", "misclassified", "kernels", "history")
    )
    assert {name: p for name, p in found.items() if p} == {}
