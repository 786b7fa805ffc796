"""fit: the articles' wine model, XOR, micrograd's demo, mini-batches, history, progress."""

import gc
import io
import math
import sys

import pytest

import nn


def test_wine_model_converges_to_least_squares_from_one():
    guests, bottles = nn.datasets.dinner_parties()
    model = nn.Neuron.from_weights([1.0], bias=0.0, activation="linear")  # A = 1
    nn.freeze([model.b])  # the article's model has no intercept
    history = nn.fit(model, [[g] for g in guests], bottles, loss="mse", lr=1e-4, epochs=100)
    assert model.w[0].data == pytest.approx(3826 / 5734, rel=1e-12)
    assert model.b.data == 0.0
    assert history.loss[0] > history.loss[-1]
    # Each step lowers the loss (down to rounding, once A has converged).
    assert all(a >= b - 1e-12 for a, b in zip(history.loss, history.loss[1:], strict=False))


def test_xor_is_learned_from_a_fixed_seed():
    X, y = nn.datasets.xor()
    model = nn.MLP(2, [4, 1], activation="tanh", seed=0)
    history = nn.fit(model, X, y, loss="bce_with_logits", epochs=300, lr=0.5)
    assert history.accuracy[-1] == 1.0
    assert [1.0 if z > 0 else 0.0 for z in model.predict(X)] == y


def test_micrograd_demo_reaches_full_training_accuracy():
    X, y = nn.datasets.make_moons(100, noise=0.1, seed=1, signed=True)
    model = nn.MLP(2, [16, 16, 1], seed=1)
    history = nn.fit(
        model, X, y, loss="hinge", l2=1e-4, epochs=100, lr=1.0, schedule=nn.linear_decay(100)
    )
    assert len(history) == 100
    assert history.lr[0] == 1.0 and history.lr[-1] == 1.0 - 0.9 * 99 / 100
    assert history.accuracy[-1] == 1.0
    assert all((s > 0) == (t > 0) for s, t in zip(model.predict(X), y, strict=True))
    assert history.loss[-1] < 0.1 * history.loss[0]


def test_full_batch_fit_equals_hand_written_steps():
    X, y = nn.datasets.make_moons(12, noise=0.2, seed=2, signed=True)
    a, b = nn.MLP(2, [4, 1], seed=3), nn.MLP(2, [4, 1], seed=3)
    nn.fit(a, X, y, loss="hinge", l2=1e-3, epochs=3, lr=0.3)
    opt = nn.SGD(b, lr=0.3)
    for _ in range(3):
        loss = nn.hinge([b(x) for x in X], y) + nn.l2(b, 1e-3)
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert a.state_dict() == b.state_dict()


def test_mini_batches_shuffle_reproducibly_from_the_seed():
    X, y = nn.datasets.make_moons(30, noise=0.1, seed=0)
    runs = []
    for seed in (5, 5, 6):
        model = nn.MLP(2, [4, 1], activation="tanh", seed=0)
        h = nn.fit(model, X, y, loss="bce_with_logits", epochs=4, batch_size=8, seed=seed)
        runs.append((model.state_dict(), h.loss))
    assert runs[0] == runs[1]
    assert runs[0][0] != runs[2][0]
    steps = []
    model = nn.MLP(2, [4, 1], seed=0)
    opt = nn.SGD(model, lr=0.1)
    nn.fit(model, X, y, loss="bce_with_logits", epochs=2, batch_size=8, optimizer=opt)
    steps.append(opt.steps)
    assert steps == [2 * 4]  # ceil(30 / 8) = 4 batches per epoch


def test_history_records_loss_accuracy_and_lr():
    X, y = nn.datasets.xor()
    model = nn.MLP(2, [3, 1], activation="tanh", seed=1)
    seen = []
    h = nn.fit(
        model,
        X,
        y,
        loss="bce_with_logits",
        epochs=5,
        lr=0.5,
        schedule=nn.step_decay(2),
        callback=lambda epoch, hist: seen.append((epoch, len(hist))),
    )
    assert seen == [(i, i) for i in range(1, 6)]
    assert h.epochs == [1, 2, 3, 4, 5]
    assert h.lr == [0.5, 0.5, 0.25, 0.25, 0.125]
    assert all(a in (0.0, 0.25, 0.5, 0.75, 1.0) for a in h.accuracy)
    assert repr(h).startswith("History(5 epochs, loss ")
    assert "accuracy" in repr(h)
    # An mse run measures no accuracy unless asked.
    h2 = nn.fit(model, X, y, loss="mse", epochs=2)
    assert h2.accuracy == [] and "accuracy" not in repr(h2)
    h3 = nn.fit(model, X, y, loss="mse", epochs=2, accuracy=lambda out, t: round(out) == t)
    assert len(h3.accuracy) == 2
    assert repr(nn.History()) == "History(0 epochs)"


def test_frozen_layer_stays_put_during_fit():
    X, y = nn.datasets.xor()
    model = nn.MLP(2, [3, 1], activation="tanh", seed=1)
    model.layers[0].freeze()
    first = model.layers[0].state_dict()
    last = model.layers[1].state_dict()
    nn.fit(model, X, y, loss="bce_with_logits", epochs=3)
    assert model.layers[0].state_dict() == first
    assert model.layers[1].state_dict() != last
    model.unfreeze()


def test_fit_restores_the_garbage_collector():
    X, y = nn.datasets.xor()
    assert gc.isenabled()
    nn.fit(nn.MLP(2, [2, 1], seed=0), X, y, epochs=1)
    assert gc.isenabled()
    gc.disable()
    try:
        nn.fit(nn.MLP(2, [2, 1], seed=0), X, y, epochs=1)
        assert not gc.isenabled()  # it was off before, so it stays off
    finally:
        gc.enable()


def test_progress_is_off_when_output_is_not_a_terminal(capsys):
    X, y = nn.datasets.xor()
    nn.fit(nn.MLP(2, [2, 1], seed=0), X, y, epochs=3)  # pytest captures: not a tty
    captured = capsys.readouterr()
    assert captured.err == "" and captured.out == ""


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_on_a_terminal_and_forced_off(monkeypatch):
    X, y = nn.datasets.xor()
    fake = FakeTerminal()
    monkeypatch.setattr(sys, "stderr", fake)
    nn.fit(nn.MLP(2, [2, 1], seed=0), X, y, loss="bce_with_logits", epochs=3)
    text = fake.getvalue()
    assert "fit" in text and "3/3" in text and "loss=" in text and "acc=" in text
    quiet = FakeTerminal()
    monkeypatch.setattr(sys, "stderr", quiet)
    nn.fit(nn.MLP(2, [2, 1], seed=0), X, y, epochs=3, progress=False)
    assert quiet.getvalue() == ""


def test_progress_forced_on_without_a_terminal(monkeypatch):
    X, y = nn.datasets.xor()
    out = io.StringIO()
    monkeypatch.setattr(sys, "stderr", out)
    nn.fit(nn.MLP(2, [2, 1], seed=0), X, y, epochs=2, progress=True)
    assert "2/2" in out.getvalue()


def test_notebook_detection(monkeypatch):
    from nn import train

    class Shell:
        config = {"IPKernelApp": {}}

    class FakeIPython:
        @staticmethod
        def get_ipython():
            return Shell()

    assert not train._in_notebook()
    monkeypatch.setitem(sys.modules, "IPython", FakeIPython)
    assert train._in_notebook()
    bar = train._progress_bar(3, None)  # auto: on in a notebook
    assert bar is not None
    bar.close()


def test_in_the_browser_any_ipython_shell_is_the_notebook(monkeypatch):
    from nn import display

    class FakeIPython:  # JupyterLite's Pyodide kernel: a shell without IPKernelApp config
        @staticmethod
        def get_ipython():
            return type("Shell", (), {"config": {}})()

    monkeypatch.setitem(sys.modules, "IPython", FakeIPython)
    assert not display.in_notebook()
    monkeypatch.setattr(sys, "platform", "emscripten")
    assert display.in_notebook()


@pytest.fixture
def agg(monkeypatch, tmp_path):
    """matplotlib on its file-only backend, run from an empty folder, as a headless script."""
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_history_plot_with_matplotlib(agg):
    import matplotlib.pyplot as plt

    X, y = nn.datasets.xor()
    h = nn.fit(nn.MLP(2, [3, 1], activation="tanh", seed=1), X, y, loss="bce_with_logits", epochs=4)
    ax = h.plot()
    assert list(ax.lines[0].get_ydata()) == h.loss
    assert ax.get_xlabel() == "epoch"
    assert (agg / "training_history.png").exists()
    plt.close(ax.figure)


def test_history_plot_without_matplotlib_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    h = nn.History(loss=[1.0, 0.5])
    with pytest.raises(ImportError, match=r"History.plot: .*uv run --extra plot.*gradstep\[plot\]"):
        h.plot()


def test_history_plot_in_a_script_without_a_display_saves_and_says_where(agg, capsys):
    h = nn.History(loss=[1.0, 0.5, 0.25])
    ax = h.plot()
    written = agg / "training_history.png"
    assert written.stat().st_size > 1000
    out = capsys.readouterr().out
    assert f"History.plot: wrote {written}" in out and "no display" in out
    assert list(ax.lines[0].get_ydata()) == h.loss


def test_history_plot_to_a_path(agg, capsys):
    nn.History(loss=[1.0, 0.5], accuracy=[0.5, 1.0]).plot("loss.png")
    assert (agg / "loss.png").stat().st_size > 1000
    assert not (agg / "training_history.png").exists()
    assert f"History.plot: wrote {agg / 'loss.png'}\n" == capsys.readouterr().out


def test_history_plot_to_an_unwritable_path_names_it(agg):
    with pytest.raises(OSError, match=r"History.plot: cannot write the figure to .*nowhere"):
        nn.History(loss=[1.0]).plot(agg / "nowhere" / "loss.png")


def test_history_plot_with_a_display_opens_a_window(agg, monkeypatch):
    import matplotlib.pyplot as plt

    from nn import display

    shown = []
    monkeypatch.setattr(display, "has_window", lambda: True)
    monkeypatch.setattr(plt, "show", lambda: shown.append(True))
    nn.History(loss=[1.0, 0.5]).plot()
    assert shown == [True] and list(agg.iterdir()) == []


def test_history_plot_in_a_notebook_leaves_the_figure_to_the_cell(agg, monkeypatch, capsys):
    from nn import display

    monkeypatch.setattr(display, "in_notebook", lambda: True)
    ax = nn.History(loss=[1.0, 0.5]).plot()
    assert list(agg.iterdir()) == [] and capsys.readouterr().out == ""
    import matplotlib.pyplot as plt

    plt.close(ax.figure)


def test_history_plot_into_given_axes_draws_without_saving(agg):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    assert nn.History(loss=[1.0, 0.5]).plot(ax=ax) is ax
    assert list(agg.iterdir()) == []
    plt.close(fig)


def test_progress_in_a_notebook_without_ipywidgets_draws_twice(monkeypatch):
    """A text bar in a notebook keeps every redraw as output: only start and end."""
    from nn import train

    monkeypatch.setattr(train, "_in_notebook", lambda: True)
    monkeypatch.setitem(sys.modules, "ipywidgets", None)
    out = io.StringIO()
    monkeypatch.setattr(sys, "stderr", out)
    X, y = nn.datasets.xor()
    nn.fit(nn.MLP(2, [2, 1], seed=0), X, y, epochs=200)
    frames = [f for f in out.getvalue().split("\r") if f.strip()]
    assert len(frames) == 2 and "0/200" in frames[0] and "200/200" in frames[1]


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"loss": "cross"}, ValueError, "fit: unknown loss 'cross'; use one of mse, hinge"),
        ({"epochs": 0}, ValueError, "fit: epochs must be a positive int"),
        ({"batch_size": 0}, ValueError, "fit: batch_size must be a positive int"),
        ({"optimizer": "adam"}, TypeError, "fit: optimizer must be an nn optimizer"),
        ({"accuracy": "yes"}, ValueError, "fit: accuracy must be 'auto', None or a function"),
        ({"loss": "hinge"}, ValueError, r"hinge: target 0 is 0.0"),
    ],
)
def test_fit_errors(kwargs, error, message):
    X, y = nn.datasets.xor()
    with pytest.raises(error, match=message):
        nn.fit(nn.MLP(2, [2, 1], seed=0), X, y, **kwargs)


def test_fit_data_errors():
    model = nn.MLP(2, [2, 1], seed=0)
    with pytest.raises(ValueError, match="fit: X has 2 examples but y has 1 targets"):
        nn.fit(model, [[0, 0], [1, 1]], [1.0])
    with pytest.raises(ValueError, match="fit: X is empty"):
        nn.fit(model, [], [])


def bits(model):
    """The parameters to the last bit."""
    return {name: float.hex(v) for name, v in model.state_dict().items()}


@pytest.mark.parametrize("compile_", [False, True])
def test_a_diverging_fit_stops_at_the_step_and_keeps_the_state_before_it(compile_):
    # lr=1e308: epoch 1's update is huge but finite, epoch 2's would be -inf.
    X, y = nn.datasets.xor(signed=True)
    model, twin = nn.MLP(2, [3, 1], seed=0), nn.MLP(2, [3, 1], seed=0)
    options = {"loss": "hinge", "lr": 1e308, "compile": compile_}
    with pytest.raises(
        ValueError,
        match=r"^fit: epoch 2, batch 1 of 1: SGD\.step: this update would make "
        r"layers\.1\.neurons\.0\.w\.0 -inf .*The model is as it was before this step$",
    ):
        nn.fit(model, X, y, epochs=2, **options)
    nn.fit(twin, X, y, epochs=1, **options)
    assert bits(model) == bits(twin)
    assert all(math.isfinite(v) for v in model.state_dict().values())


@pytest.mark.parametrize("compile_", [False, True])
def test_a_failing_mini_batch_keeps_the_parameters_of_the_batches_before_it(compile_):
    # One example per batch; the learning rate jumps to 1e308 for the third step only.
    X = [[0.1, 0.2], [0.3, -0.4], [5.0, 5.0], [0.5, 0.5]]
    y = [1.0, -1.0, -1.0, 1.0]
    options = {"loss": "hinge", "epochs": 1, "batch_size": 1, "shuffle": False, "lr": 1.0}
    options |= {"schedule": lambda k: 1e308 if k == 2 else 0.1, "compile": compile_}
    model = nn.Neuron(2, activation="linear", seed=0)
    with pytest.raises(ValueError, match=r"^fit: epoch 1, batch 3 of 4: SGD\.step: .* w\.0 -inf"):
        nn.fit(model, X, y, **options)
    twin = nn.Neuron(2, activation="linear", seed=0)
    nn.fit(twin, X[:2], y[:2], **options)  # the two steps that succeeded
    assert bits(model) == bits(twin)


@pytest.mark.parametrize("compile_", [False, True])
def test_an_l2_gradient_that_overflows_names_the_step_and_changes_nothing(compile_):
    # l2 * w² = 0.9e308 is finite, its gradient 2 * l2 * w = 1.9e308 is not.
    model = nn.Neuron.from_weights([0.95], bias=0.0, activation="linear")
    before = bits(model)
    with pytest.raises(
        OverflowError,
        match=r"^fit: epoch 1, batch 1 of 1: backward: the gradient of leaf 'w\.0' \(data 0\.95\) "
        r"is inf: .*scale the inputs down\. The model is as it was before this step$",
    ):
        nn.fit(model, [[1.0], [2.0]], [1.0, -1.0], l2=1e308, epochs=1, compile=compile_)
    assert bits(model) == before


def test_an_overflow_in_a_later_forward_pass_names_the_step():
    X = [[0.1, 0.2], [0.3, -0.4], [1e154, 1e154], [0.5, 0.5]]
    options = {"loss": "mse", "epochs": 1, "batch_size": 1, "shuffle": False, "lr": 0.1}
    model = nn.Neuron(2, activation="linear", seed=0)
    with pytest.raises(OverflowError, match=r"^fit: epoch 1, batch 3 of 4: .*before this step$"):
        nn.fit(model, X, [0.0] * 4, **options)
    twin = nn.Neuron(2, activation="linear", seed=0)
    nn.fit(twin, X[:2], [0.0] * 2, **options)
    assert bits(model) == bits(twin)


def test_rows_of_every_ordered_kind_train_the_same():
    X, y = nn.datasets.xor(signed=True)
    runs = {}
    for kind, rows, targets in [
        ("lists", X, y),
        ("tuples", tuple(tuple(r) for r in X), tuple(y)),
        ("ints", [[int(v) for v in r] for r in X], [int(t) for t in y]),
    ]:
        model = nn.MLP(2, [3, 1], seed=0)
        nn.fit(model, rows, targets, loss="hinge", epochs=3, batch_size=2)
        runs[kind] = bits(model)
    np = pytest.importorskip("numpy")
    for kind, rows, targets in [
        ("2-D array", np.array(X), np.array(y)),
        ("1-D arrays", [np.array(r) for r in X], y),
        ("float32", np.array(X, dtype=np.float32), np.array(y, dtype=np.float32)),
    ]:
        model = nn.MLP(2, [3, 1], seed=0)
        nn.fit(model, rows, targets, loss="hinge", epochs=3, batch_size=2)
        runs[kind] = bits(model)
    assert all(run == runs["lists"] for run in runs.values())
    # A one-input model takes bare numbers (or Values) as rows.
    guests, bottles = nn.datasets.dinner_parties()
    a, b = (nn.Neuron(1, activation="linear", seed=0) for _ in range(2))
    nn.fit(a, guests, bottles, lr=1e-4, epochs=3)
    nn.fit(b, [[g] for g in guests], bottles, lr=1e-4, epochs=3)
    assert bits(a) == bits(b)
